"""Resolving dataset identities to catalog ids, for references outside the run's own datasets."""

from apps.catalog.models import Dataset
from apps.harvest.records import DatasetRef


def resolve_refs(refs, known: dict[DatasetRef, int]) -> dict[DatasetRef, int]:
    """Ids of ``refs`` (live datasets only): ``known`` first, the rest in one query."""
    wanted = {r for r in refs if r not in known}
    resolved = {r: known[r] for r in refs if r in known}
    if wanted:
        rows = Dataset.objects.filter(
            namespace__in={r.namespace for r in wanted}, name__in=[r.name for r in wanted], removed_at__isnull=True
        ).values_list("namespace", "name", "pk")
        for ns, name, pk in rows:
            ref = DatasetRef(ns, name)
            if ref in wanted:
                resolved[ref] = pk
    return resolved


def label(ref: DatasetRef) -> str:
    return f"{ref.namespace}/{ref.name}"
