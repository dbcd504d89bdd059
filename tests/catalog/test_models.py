"""Database-level guarantees: constraints hold even if code bypasses actions."""

import pytest
from django.db import IntegrityError, transaction

from apps.catalog.models import Column, Dataset, LineageEdge, Ownership, Port
from apps.catalog.testing import make_mesh
from apps.core.models import ObjectChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def mesh():
    return make_mesh()


def test_ownership_holder_and_target_are_exclusive(mesh):
    with pytest.raises(IntegrityError), transaction.atomic():
        Ownership.objects.create(product=mesh.orders)
    with pytest.raises(IntegrityError), transaction.atomic():
        Ownership.objects.create(user=mesh.owner, product=mesh.orders, domain=mesh.sales)


def test_output_port_with_upstream_is_refused_by_the_database(mesh):
    out = Port.objects.create(product=mesh.leads, direction="output", name="o")
    with pytest.raises(IntegrityError), transaction.atomic():
        Port.objects.create(product=mesh.orders, direction="output", name="x", upstream_port=out)


def test_dataset_identity_is_unique():
    Dataset.objects.create(namespace="postgres://h:5432", name="db.s.t", short_name="t", platform="postgres")
    with pytest.raises(IntegrityError), transaction.atomic():
        Dataset.objects.create(namespace="postgres://h:5432", name="db.s.t", short_name="t", platform="postgres")


def test_column_names_are_unique_per_dataset():
    ds = Dataset.objects.create(namespace="n", name="a", short_name="a", platform="postgres")
    Column.objects.create(dataset=ds, name="id")
    with pytest.raises(IntegrityError), transaction.atomic():
        Column.objects.create(dataset=ds, name="id")


def test_lineage_edge_cannot_loop_on_itself():
    ds = Dataset.objects.create(namespace="n", name="a", short_name="a", platform="postgres")
    with pytest.raises(IntegrityError), transaction.atomic():
        LineageEdge.objects.create(upstream=ds, downstream=ds, evidence="manual")


def test_change_log_is_append_only(mesh):
    change = ObjectChange.objects.first()
    change.object_repr = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        change.save()
    with pytest.raises(RuntimeError, match="append-only"):
        change.delete()
