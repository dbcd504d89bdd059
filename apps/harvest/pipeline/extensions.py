"""Reconcile steps contributed by apps above harvest, so the pipeline never imports them.

Harvesters describe some rows that another app owns (dbt ``meta.queries`` become the lab's
sample queries). That app registers a step from its ``AppConfig.ready()`` with
``register_reconcile_step(name, step)``; ``reconcile()`` calls ``step(source, batch, report)``
inside the run's transaction, after the catalog's own steps, timed as ``reconcile.<name>``.
A step must be set-based and idempotent like the rest of the pipeline.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from apps.core.registry import Registry

if TYPE_CHECKING:
    from apps.harvest.pipeline.batch import RecordBatch
    from apps.harvest.pipeline.report import RunReport

ReconcileStep = Callable[[Any, "RecordBatch", "RunReport"], None]

reconcile_steps: Registry[str, ReconcileStep] = Registry("reconcile steps")


def register_reconcile_step(name: str, step: ReconcileStep) -> ReconcileStep:
    """Run ``step(source, batch, report)`` in every reconcile, as phase ``reconcile.<name>``."""
    return reconcile_steps.register(name, step)
