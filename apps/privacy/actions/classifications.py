"""Writes of column classifications: detection runs, owners' decisions, anonymised markers.

Detection writes only ``suggested`` rows (and ``confirmed`` ones for categories declared
in dbt/ODCS); it never touches a row a person decided. Decisions check permission
(product owners, domain owners, admins), record history on the dataset and refresh
propagation and conflicts after commit.
"""

import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Column, Dataset
from apps.core.actors import SystemActor
from apps.core.errors import ActionError, NotFoundError
from apps.core.history import record_change
from apps.core.hooks import objects_changed
from apps.core.lookups import AnyOf
from apps.core.models import ChangeAction
from apps.core.writes import require
from apps.privacy.categories import Category
from apps.privacy.detection.by_name import detect_by_name
from apps.privacy.detection.detector import detect
from apps.privacy.detection.gather import gather
from apps.privacy.detection.sampling import sample
from apps.privacy.models import AnonymisedColumn, ColumnClassification, DetectionRun, Origin, State
from apps.privacy.policy import can_classify

SYSTEM = SystemActor("privacy")
MAX_WARNINGS = 100


def detect_pii(
    dataset_ids=None,
    *,
    source=None,
    sample_values: bool = False,
    trigger: str = "manual",
    max_connections: int | None = None,
    refresh: bool = True,
) -> DetectionRun:
    """Classify the columns of ``dataset_ids`` (or of ``source``'s datasets, or all)."""
    run = DetectionRun.objects.create(trigger=trigger, source_name=getattr(source, "name", ""), sample=sample_values)
    timings = {}
    try:
        started = time.perf_counter()
        qs = Dataset.objects.filter(removed_at__isnull=True)
        if source is not None:
            qs = qs.filter(source=source)
        if dataset_ids is not None:
            qs = qs.filter(AnyOf("id", dataset_ids))
        ids = list(qs.values_list("id", flat=True))
        samples, warnings = None, []
        if sample_values:
            facts, declared, to_sample = gather(ids)
            timings["gather"] = round(time.perf_counter() - started, 3)
            if to_sample:
                from apps.harvest.models import Source

                sources = {
                    s.pk: s for s in Source.objects.filter(pk__in={d.source_id for d in to_sample if d.source_id})
                }
                report = sample(
                    to_sample,
                    sources,
                    max_connections=max_connections or settings.MESH_PRIVACY_SAMPLE_CONNECTIONS,
                    timeout_ms=settings.MESH_PRIVACY_SAMPLE_TIMEOUT_MS,
                )
                samples, warnings = report.values, report.warnings
                run.columns_sampled = report.columns_sampled
                timings["sample"] = report.seconds
            t = time.perf_counter()
            suggestions, checked = detect(facts, samples), len(facts)
        else:  # by name only: each distinct set of column facts is judged once
            t = time.perf_counter()
            suggestions, declared, checked = detect_by_name(ids)
        timings["detect"] = round(time.perf_counter() - t, 3)
        t = time.perf_counter()
        written, removed = _write(ids, suggestions, declared, sampled=set(samples or ()))
        if written or removed:
            reindex_search(ids)
        timings["write"] = round(time.perf_counter() - t, 3)
        run.datasets, run.columns_checked, run.suggestions, run.removed = len(ids), checked, written, removed
        run.warnings = warnings[:MAX_WARNINGS] + (
            [f"… and {len(warnings) - MAX_WARNINGS} more"] if len(warnings) > MAX_WARNINGS else []
        )
        if refresh:
            t = time.perf_counter()
            refresh_derived()
            timings["propagate_and_conflicts"] = round(time.perf_counter() - t, 3)
        run.status = DetectionRun.Status.SUCCEEDED
    except Exception as exc:  # recorded on the run row, then re-raised for the caller
        run.status, run.error = DetectionRun.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        raise
    finally:
        run.timings, run.finished_at = timings, timezone.now()
        run.save()
    return run


def _write(dataset_ids, suggestions, declared, *, sampled: set[int]) -> tuple[int, int]:
    """Upsert suggestions and declarations of the datasets' columns; drop detected suggestions no longer supported.

    The existing rows are found by dataset (thousands of ids, one array), not by column (a
    hundred thousand).
    """
    wanted = {(s.column_id, s.category): s for s in suggestions}
    written = removed = 0
    with transaction.atomic():
        existing = {
            (row.column_id, row.category): row
            for row in ColumnClassification.objects.filter(AnyOf("column__dataset_id", dataset_ids)).only(
                "id", "column_id", "category", "state", "origin", "confidence", "rule", "reason", "sampled", "matched"
            )
        }
        create, update, delete = [], [], []
        declared = _resolve_any_personal(declared, wanted)
        for column_id, categories in declared.items():
            for category in categories:
                row = existing.get((column_id, category))
                if row is None:
                    create.append(
                        ColumnClassification(
                            column_id=column_id,
                            category=category,
                            state=State.CONFIRMED,
                            origin=Origin.DECLARED,
                            confidence=1.0,
                            rule="declared:tag",
                            reason="declared in the source (dbt meta/tags, ODCS)",
                        )
                    )
                elif row.state == State.SUGGESTED:
                    row.state, row.origin, row.confidence, row.rule = (
                        State.CONFIRMED,
                        Origin.DECLARED,
                        1.0,
                        "declared:tag",
                    )
                    row.reason = "declared in the source (dbt meta/tags, ODCS)"
                    update.append(row)
        for key, s in wanted.items():
            if key[1] in declared.get(key[0], ()):
                continue
            row = existing.get(key)
            if row is None:
                create.append(
                    ColumnClassification(
                        column_id=s.column_id,
                        category=s.category,
                        confidence=s.confidence,
                        rule=s.rule[:60],
                        reason=s.reason[:300],
                        sampled=s.sampled,
                        matched=s.matched,
                    )
                )
            elif row.state == State.SUGGESTED and row.origin == Origin.DETECTED:
                new = (round(s.confidence, 3), s.rule[:60], s.reason[:300], s.sampled, s.matched)
                if s.sampled is None and row.sampled is not None:  # a name-only pass keeps the last sample's counts
                    continue
                if (round(row.confidence, 3), row.rule, row.reason, row.sampled, row.matched) != new:
                    row.confidence, row.rule, row.reason, row.sampled, row.matched = new
                    update.append(row)
        for key, row in existing.items():
            if row.state != State.SUGGESTED or row.origin != Origin.DETECTED or key in wanted:
                continue
            # a name-only pass does not remove what a sample found
            if row.sampled is not None and key[0] not in sampled and row.rule.startswith("value:"):
                continue
            delete.append(row.pk)
        ColumnClassification.objects.bulk_create(create, batch_size=2000, ignore_conflicts=True)
        ColumnClassification.objects.bulk_update(
            update, ["state", "origin", "confidence", "rule", "reason", "sampled", "matched"], batch_size=2000
        )
        if delete:
            ColumnClassification.objects.filter(pk__in=delete).delete()
        written, removed = len(create) + len(update), len(delete)
    return written, removed


def _resolve_any_personal(declared: dict, wanted: dict) -> dict:
    """``pii: true`` confirms what detection suggests for that column's personal data."""
    from apps.privacy.categories import PERSONAL_DATA
    from apps.privacy.detection.gather import ANY_PERSONAL

    suggested: dict[int, set[str]] = {}
    for cid, cat in wanted:
        if cat in PERSONAL_DATA:
            suggested.setdefault(cid, set()).add(cat)
    out = {}
    for column_id, categories in declared.items():
        if ANY_PERSONAL in categories:
            categories = (categories - {ANY_PERSONAL}) | suggested.get(column_id, set())
        if categories:
            out[column_id] = categories
    return out


def refresh_derived() -> dict:
    """Propagation along lineage, then conflicts: both derive from the classifications."""
    from apps.privacy.conflicts import refresh_conflicts
    from apps.privacy.propagation import propagate

    outcome = {"propagation": propagate(), "conflicts": refresh_conflicts()}
    reindex_search(outcome["propagation"].get("datasets", []))
    return outcome


def reindex_search(dataset_ids) -> None:
    """Rebuild the ``pii:*`` search entries of ``dataset_ids`` once the write commits.

    Not through ``objects_changed(Dataset)``: that would start detection on them again.
    """
    ids = sorted(set(dataset_ids))
    if not ids:
        return

    def run():
        try:
            from apps.search.indexer import reindex
        except ImportError:  # search not installed
            return
        for i in range(0, len(ids), 2000):
            reindex("pii", parent_ids=ids[i : i + 2000])

    transaction.on_commit(run)


def _refresh_after_commit() -> None:
    from apps.privacy.tasks import refresh_privacy

    transaction.on_commit(lambda: refresh_privacy.delay())


# --- owners' decisions -----------------------------------------------------------------


def decide(actor, classification: ColumnClassification, decision: str, *, via: str = "web") -> ColumnClassification:
    """Confirm or reject a suggestion (or revisit an earlier decision)."""
    states = {
        "confirm": State.CONFIRMED,
        "reject": State.REJECTED,
        "confirmed": State.CONFIRMED,
        "rejected": State.REJECTED,
    }
    if decision not in states:
        raise ActionError("Decide with confirm or reject.", field="decision", code="invalid_choice")
    with transaction.atomic():
        row = (
            ColumnClassification.objects.select_for_update(of=("self",))
            .select_related("column__dataset__domain")
            .filter(pk=classification.pk)
            .first()
        )
        if row is None:
            raise NotFoundError("This classification no longer exists.")
        dataset = row.column.dataset
        require(can_classify(actor, dataset), "Only the owners of a product using this dataset decide.")
        before = row.history_snapshot()
        row.state = states[decision]
        row.decided_by = actor if getattr(actor, "pk", None) else None
        row.decided_at = timezone.now()
        row.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
        record_change(actor, row, ChangeAction.UPDATE, before=before, after=row.history_snapshot(), via=via)
        objects_changed(Dataset, [dataset.pk])
        _refresh_after_commit()
    return row


def classify_column(actor, column: Column, category: str, *, via: str = "web") -> ColumnClassification:
    """An owner tags a column with a category detection missed (confirmed at once)."""
    if category not in Category.values:
        raise ActionError(f"Unknown category {category!r}.", field="category", code="invalid_choice")
    dataset = column.dataset
    require(can_classify(actor, dataset), "Only the owners of a product using this dataset classify its columns.")
    with transaction.atomic():
        row, created = ColumnClassification.objects.select_for_update().get_or_create(
            column=column,
            category=category,
            defaults={
                "state": State.CONFIRMED,
                "origin": Origin.MANUAL,
                "confidence": 1.0,
                "rule": "manual",
                "reason": "added by an owner",
            },
        )
        before = None if created else row.history_snapshot()
        row.state = State.CONFIRMED
        row.decided_by = actor if getattr(actor, "pk", None) else None
        row.decided_at = timezone.now()
        row.save()
        record_change(
            actor,
            row,
            ChangeAction.CREATE if created else ChangeAction.UPDATE,
            before=before,
            after=row.history_snapshot(),
            via=via,
        )
        objects_changed(Dataset, [dataset.pk])
        _refresh_after_commit()
    return row


def mark_anonymised(actor, dataset: Dataset, *, column: Column | None, method: str, comment: str = "", via="web"):
    """Personal data stops at ``column`` (or at the whole dataset): it is hashed, aggregated…"""
    if method not in AnonymisedColumn.Method.values:
        raise ActionError(f"Unknown method {method!r}.", field="method", code="invalid_choice")
    if column is not None and column.dataset_id != dataset.pk:
        raise ActionError("The column is not in this dataset.", field="column", code="invalid")
    require(can_classify(actor, dataset), "Only the owners of a product using this dataset mark it anonymised.")
    with transaction.atomic():
        marker, created = AnonymisedColumn.objects.update_or_create(
            dataset=dataset,
            column=column,
            defaults={
                "method": method,
                "comment": (comment or "")[:500],
                "marked_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        record_change(
            actor,
            marker,
            ChangeAction.CREATE if created else ChangeAction.UPDATE,
            after=marker.history_snapshot(),
            via=via,
        )
        objects_changed(Dataset, [dataset.pk])
        _refresh_after_commit()
    return marker


def unmark_anonymised(actor, marker: AnonymisedColumn, *, via="web") -> None:
    require(can_classify(actor, marker.dataset), "Only the owners of a product using this dataset change this.")
    with transaction.atomic():
        before, pk = marker.history_snapshot(), marker.pk
        marker.delete()
        marker.pk = pk
        record_change(actor, marker, ChangeAction.DELETE, before=before, via=via)
        objects_changed(Dataset, [marker.dataset_id])
        _refresh_after_commit()
