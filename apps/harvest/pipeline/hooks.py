"""Steps that upper apps add to the end of every reconcile, inside the run's transaction.

The harvest app sits below contracts, trust and privacy, so it cannot call them; they
register a ``PostReconcileHook`` from their ``AppConfig.ready()`` instead. A hook gets the
source, the run (or None), the datasets of this batch (ids, and which were added, changed
or removed) and the report, where it adds its counts; its writes commit or roll back with
the run, so a failed harvest leaves no half-checked contract behind.
"""

from collections.abc import Callable
from dataclasses import dataclass

from apps.core.registry import Registry


@dataclass(frozen=True)
class ReconcileContext:
    """What one reconcile touched, for the hooks."""

    source: object
    run: object
    dataset_ids: list  # every live dataset of the batch
    added: list
    changed: list
    removed: list
    touched: set  # datasets whose lineage, quality results or mapping changed
    report: object
    now: object


POST_RECONCILE_HOOKS: Registry = Registry("post-reconcile hooks")


def register_post_reconcile_hook(name: str, hook: Callable[[ReconcileContext], None]) -> None:
    POST_RECONCILE_HOOKS.register(name, hook)


def run_post_reconcile_hooks(context: ReconcileContext) -> None:
    for name, hook in POST_RECONCILE_HOOKS.items():
        with context.report.phase(f"reconcile.{name}"):
            hook(context)
