"""Freshness: edits are searchable on commit, harvests reindex in batches, nothing goes missing."""

import pytest
from django.core.management import call_command

from apps.catalog import actions
from apps.catalog.models import Column, DataProduct, Dataset, Domain, Tag, Team
from apps.core.testing import SYSTEM, make_user
from apps.harvest.models import Source
from apps.harvest.pipeline import reconcile
from apps.harvest.records import ColumnRecord, DatasetRecord, DatasetRef
from apps.search.indexer import reindex_dependents
from apps.search.models import SearchColumnName, SearchEntry, SearchFacet
from apps.search.service import search

pytestmark = pytest.mark.django_db
NS = "postgres://harvested.example:5432"


def indexed_ids(kind):
    return set(SearchEntry.objects.filter(kind=kind).values_list("object_id", flat=True))


def assert_index_complete():
    """Every searchable object has exactly one entry, and no entry outlives its object."""
    from django.contrib.auth import get_user_model

    assert indexed_ids("dataset") == set(Dataset.objects.values_list("pk", flat=True))
    assert_columns_findable()
    assert indexed_ids("product") == set(DataProduct.objects.values_list("pk", flat=True))
    assert indexed_ids("domain") == set(Domain.objects.values_list("pk", flat=True))
    assert indexed_ids("team") == set(Team.objects.values_list("pk", flat=True))
    assert indexed_ids("tag") == set(Tag.objects.values_list("pk", flat=True))
    people = get_user_model().objects.filter(is_active=True).exclude(mesh_teams=None, mesh_ownerships=None)
    assert indexed_ids("person") == set(people.values_list("pk", flat=True))
    assert SearchEntry.objects.count() == len(set(SearchEntry.objects.values_list("kind", "object_id")))


def assert_columns_findable():
    """Columns have no entries of their own: every column's name is in the name vocabulary."""
    assert not SearchEntry.objects.filter(kind="column").exists()
    names = set(SearchColumnName.objects.values_list("name", flat=True))
    assert set(Column.objects.values_list("name", flat=True)) <= names


def column_hits(q):
    return list(search(q, filters={"type": ["column"]}, page_size=100).results)


def harvest_records(n, *, columns=("id", "customer_id", "amount"), skip=()):
    return [
        DatasetRecord(
            ref=DatasetRef(NS, f"shop.sales.harvested_{i:04d}"),
            platform="postgres",
            kind="table",
            description=f"Harvested table {i}",
            columns=tuple(ColumnRecord(name=c, ordinal=o, data_type="bigint") for o, c in enumerate(columns, start=1)),
        )
        for i in range(n)
        if i not in skip
    ]


def test_nothing_harvested_or_created_is_missing_from_the_index(demo_mesh, django_capture_on_commit_callbacks):
    source = Source.objects.create(
        name="shop", kind="postgres", config={"dsn": "postgresql://x@harvested.example/shop"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        reconcile(source, harvest_records(400))
    assert_index_complete()
    assert search("harvested_0123").results[0].name == "shop.sales.harvested_0123"

    # The next harvest drops a column everywhere and removes some tables.
    with django_capture_on_commit_callbacks(execute=True):
        reconcile(source, harvest_records(400, columns=("id", "amount", "paid_at"), skip={5, 6}), allow_removals=True)
    assert_index_complete()
    paid = column_hits("paid_at")
    assert len(paid) == 100 and {h.name for h in paid} == {"paid_at"}
    # Only the two removed tables (soft-deleted, still readable) keep their old column.
    harvested = [h for h in column_hits("customer_id") if h.qualified_name.startswith("shop.sales.harvested")]
    assert sorted(h.qualified_name for h in harvested) == [
        "shop.sales.harvested_0005.customer_id",
        "shop.sales.harvested_0006.customer_id",
    ]
    assert search("paid_at").results[0].name == "paid_at"
    top = search("harvested_0007.paid_at").results[0]
    assert (top.type, top.name, top.qualified_name) == ("column", "paid_at", "shop.sales.harvested_0007.paid_at")
    assert top.url == f"/datasets/{Dataset.objects.get(name='shop.sales.harvested_0007').pk}/#column-paid_at"
    removed = search("harvested_0005").results[0]
    assert (removed.name, removed.extra["lifecycle"]) == (
        "shop.sales.harvested_0005",
        "removed",
    )  # still findable, sunk
    assert search("harvested").results[0].extra["lifecycle"] != "removed"


def test_reindexing_a_harvest_is_set_based_not_row_by_row(
    db, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    source = Source.objects.create(
        name="shop", kind="postgres", config={"dsn": "postgresql://x@harvested.example/shop"}
    )
    reconcile(source, harvest_records(300))  # callbacks not run: nothing indexed yet
    ids = list(Dataset.objects.values_list("pk", flat=True))
    with django_assert_max_num_queries(40) as few:
        reindex_dependents("catalog.Dataset", ids[:5])
    with django_assert_max_num_queries(40) as many:
        reindex_dependents("catalog.Dataset", ids)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(indexed_ids("dataset")) == 300
    assert_columns_findable()


def test_edits_through_actions_are_searchable_on_commit(demo_mesh, django_capture_on_commit_callbacks):
    product = DataProduct.objects.get(slug="warehouse-stock")
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_product(SYSTEM, product, name="Inventory Levels", summary="Stock per warehouse")
    assert search("inventory levels").results[0].name == "Inventory Levels"
    assert not [h for h in search("warehouse stock").results if h.name == "Warehouse Stock"]

    finance = Domain.objects.get(slug="finance")
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_domain(SYSTEM, finance, name="Treasury")
    assert search("treasury", filters={"type": ["product"]}).count == 3  # products carry their domain's name

    with django_capture_on_commit_callbacks(execute=True):
        actions.create_port(
            SYSTEM,
            product,
            name="stock-table",
            direction="output",
            protocol="postgres",
            datasets=[("postgres://127.0.0.1:5432", "mesh_demo_warehouse.raw.payments")],
        )
    dataset = search("raw.payments").results[0]
    assert dataset.type == "dataset"

    newcomer = make_user("nadia")
    with django_capture_on_commit_callbacks(execute=True):
        actions.add_owner(SYSTEM, product, user=newcomer)
    assert search("nadia").results[0].type == "person"
    assert search("inventory", filters={"owner": ["nadia"]}).results[0].name == "Inventory Levels"

    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_product(SYSTEM, DataProduct.objects.get(slug="invoices"))
    assert not [h for h in search("invoices").results if h.type == "product"]
    assert_index_complete()
    assert not SearchFacet.objects.exclude(entry_id__in=SearchEntry.objects.values("id")).exists()


def test_reindex_command_rebuilds_everything(demo_mesh, django_capture_on_commit_callbacks, capsys):
    SearchEntry.objects.all().delete()
    call_command("reindex")
    assert "Indexed" in capsys.readouterr().out
    assert_index_complete()
    assert search("orders").results[0].name == "Orders"


def test_a_dataset_mapped_to_a_domain_is_found_in_it(demo_mesh, django_capture_on_commit_callbacks):
    dataset = Dataset.objects.get(name="shipments.events.v1")
    Dataset.objects.filter(pk=dataset.pk).update(domain=Domain.objects.get(slug="customer"))
    with django_capture_on_commit_callbacks(execute=True):
        from apps.core.hooks import objects_changed

        objects_changed(Dataset, [dataset.pk])
    hits = search("shipment", filters={"domain": ["customer"]}).results
    assert [(h.type, h.name) for h in hits][:1] == [("dataset", "shipments.events.v1")]
    assert {h.type for h in hits} >= {"column"}  # its columns follow it


def test_a_big_harvest_is_indexed_in_chunks_by_the_task(db, django_capture_on_commit_callbacks, monkeypatch):
    from apps.search import freshness, tasks

    calls = []
    real = tasks.reindex_changed.run
    monkeypatch.setattr(freshness, "SYNC_LIMIT", 50)
    monkeypatch.setattr(freshness, "CHUNK", 40)
    monkeypatch.setattr(tasks.reindex_changed, "run", lambda label, pks: calls.append(len(pks)) or real(label, pks))
    source = Source.objects.create(name="big", kind="postgres", config={"dsn": "postgresql://x@harvested.example/shop"})
    with django_capture_on_commit_callbacks(execute=True):
        reconcile(source, harvest_records(100))
    assert calls == [40, 40, 20]  # eager here; Celery workers with REDIS_URL set
    assert indexed_ids("dataset") == set(Dataset.objects.values_list("pk", flat=True))
    assert_columns_findable()
