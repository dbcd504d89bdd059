"""Admin-level dataset writes outside harvesting: registering a dataset, manual lineage.

Harvests write datasets in bulk through ``apps.harvest.pipeline``; these are for the
demo loader and for lineage that no harvester can see.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Column, Dataset, LineageEdge, LineageEvidence
from apps.core.actors import is_admin
from apps.core.errors import ActionError
from apps.core.hooks import objects_changed
from apps.core.limits import check_count, check_text
from apps.core.writes import require


def register_dataset(
    actor, *, namespace: str, name: str, platform: str, kind: str = "table", description: str = "", columns=(), **fields
) -> Dataset:
    """Create or update one dataset and replace its columns (admins and system actors)."""
    require(is_admin(actor), "Datasets are harvested; only admins register one by hand.")
    if not namespace or not name:
        raise ActionError("A dataset needs a namespace and a name.", field="name", code="required")
    columns = list(columns)
    check_count(
        "columns",
        len(columns),
        settings.MESH_MAX_COLUMNS_PER_DATASET,
        "MESH_MAX_COLUMNS_PER_DATASET",
        "columns per dataset",
    )
    check_text("description", description)
    with transaction.atomic():
        dataset, _ = Dataset.objects.update_or_create(
            namespace=namespace,
            name=name,
            defaults={
                "platform": platform,
                "kind": kind,
                "description": description,
                "short_name": name.rsplit(".", 1)[-1].rsplit("/", 1)[-1],
                "last_seen_at": timezone.now(),
                "removed_at": None,
                **fields,
            },
        )
        dataset.columns.all().delete()
        Column.objects.bulk_create(
            [
                Column(
                    dataset=dataset,
                    ordinal=i,
                    name=c["name"],
                    data_type=c.get("type", ""),
                    nullable=c.get("nullable", True),
                    description=c.get("description", ""),
                    is_primary_key=c.get("primary_key", False),
                    tags=c.get("tags", []),
                )
                for i, c in enumerate(columns, start=1)
            ]
        )
        objects_changed(Dataset, [dataset.pk])
        return dataset


def add_manual_lineage(
    actor, upstream: Dataset, downstream: Dataset, *, evidence: str = LineageEvidence.MANUAL
) -> LineageEdge:
    require(is_admin(actor), "Only admins add lineage by hand.")
    if upstream.pk == downstream.pk:
        raise ActionError("A dataset cannot be its own upstream.", code="self_edge")
    edge, _ = LineageEdge.objects.get_or_create(upstream=upstream, downstream=downstream, evidence=evidence)
    return edge
