"""``reconcile()``: one run's records into the catalog, in one transaction."""

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Dataset
from apps.core.hooks import objects_changed
from apps.harvest.pipeline.batch import collect
from apps.harvest.pipeline.constraints import reconcile_constraints
from apps.harvest.pipeline.datasets import reconcile_datasets
from apps.harvest.pipeline.extensions import reconcile_steps
from apps.harvest.pipeline.hooks import ReconcileContext, run_post_reconcile_hooks
from apps.harvest.pipeline.lineage import reconcile_lineage
from apps.harvest.pipeline.mapping import apply_mapping
from apps.harvest.pipeline.quality import reconcile_quality
from apps.harvest.pipeline.report import RunReport
from apps.harvest.records import HarvestRecord

if TYPE_CHECKING:
    from apps.harvest.models import HarvestRun, Source


def reconcile(
    source: "Source",
    records: Iterable[HarvestRecord],
    run: "HarvestRun | None" = None,
    *,
    allow_removals: bool = False,
    report: RunReport | None = None,
) -> RunReport:
    """Upsert ``records`` (any iterable of ``apps.harvest.records``) for ``source``.

    Everything is written in one transaction: an exception leaves the catalog as it was.
    Listeners (search) hear once, after commit, about every dataset added, changed,
    removed, re-linked or re-placed. ``run`` (a HarvestRun, optional) is recorded on the
    schema versions it creates. Raises ``FailSafeError`` when too many datasets would go.
    """
    report = report if report is not None else RunReport()
    now = timezone.now()
    with report.phase("reconcile"):
        batch = collect(records, report)
        report.set("records_datasets", len(batch.datasets))
        committed: list[float] = []
        with transaction.atomic():
            # Registered first, so it runs first after COMMIT: splits "commit" from the listeners.
            transaction.on_commit(lambda: committed.append(time.perf_counter()))
            with report.phase("reconcile.datasets"):
                outcome = reconcile_datasets(source, run, batch, report, now=now, allow_removals=allow_removals)
            with report.phase("reconcile.constraints"):
                reconcile_constraints(batch, outcome, report)
            with report.phase("reconcile.lineage"):
                touched = reconcile_lineage(source, batch, outcome, report)
            with report.phase("reconcile.quality"):
                touched |= reconcile_quality(source, batch, outcome, report, now)
            with report.phase("reconcile.mapping"):
                touched |= apply_mapping(source, batch, outcome, report)
            for name, step in reconcile_steps.items():  # contributed by upper apps (the lab's sample queries)
                with report.phase(f"reconcile.{name}"):
                    step(source, batch, report)
            # upper apps' hooks that need the whole outcome (contract checks), inside the run's transaction
            run_post_reconcile_hooks(
                ReconcileContext(
                    source,
                    run,
                    sorted(set(outcome.ids.values()) - set(outcome.removed)),
                    outcome.added,
                    outcome.changed,
                    outcome.removed,
                    touched,
                    report,
                    now,
                )
            )
            changed = sorted(set(outcome.added) | set(outcome.changed) | set(outcome.removed) | touched)
            report.changed_dataset_ids = changed
            report.set("datasets_reindexed", len(changed))
            objects_changed(Dataset, changed)
            body_done = time.perf_counter()
        # Committing runs the after-commit listeners (search indexing): the "index" phase.
        end = time.perf_counter()
        report.timings["commit_and_index"] = round(end - body_done, 4)
        if committed:  # not when an outer transaction is still open (then nothing ran yet)
            report.timings["commit"] = round(committed[0] - body_done, 4)
            report.timings["index"] = round(end - committed[0], 4)
    return report
