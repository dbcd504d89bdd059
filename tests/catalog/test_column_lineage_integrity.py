"""Column lineage edges reference existing columns and sources, kept by triggers, not deferred keys.

``ColumnLineageEdge.upstream``/``downstream``/``source`` have no database foreign key: migration catalog
0007 checks them once per statement on PostgreSQL, ``apps.catalog.integrity`` row by row on
SQLite (docs/decisions/0022). What a foreign key refused is still refused, and the ORM's
cascade still removes a column's (or a source's) edges before it.
"""

import pytest
from django.db import IntegrityError, connection, transaction

from apps.catalog.models import Column, ColumnLineageEdge, Dataset, LineageEvidence
from apps.harvest.models import Source
from apps.harvest.pipeline.bulk import upsert
from apps.harvest.pipeline.lineage import EDGE_COLUMNS

pytestmark = pytest.mark.django_db
POSTGRES = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's statement-level triggers")
DBT = LineageEvidence.DBT


@pytest.fixture
def columns():
    """Two datasets; ``orders.id`` feeds ``report.order_id`` and ``report.total``."""
    orders = Dataset.objects.create(namespace="postgres://db:5432", name="shop.public.orders")
    report = Dataset.objects.create(namespace="postgres://db:5432", name="shop.public.report")
    up = Column.objects.create(dataset=orders, name="id")
    down = Column.objects.create(dataset=report, name="order_id")
    total = Column.objects.create(dataset=report, name="total")
    ColumnLineageEdge.objects.create(upstream=up, downstream=down, evidence=DBT)
    ColumnLineageEdge.objects.create(upstream=up, downstream=total, evidence=DBT)
    return up, down, total


def missing_column_id() -> int:
    return (Column.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_edge_to_a_missing_column_is_refused(columns):
    up, down, _ = columns
    missing = missing_column_id()
    with pytest.raises(IntegrityError), transaction.atomic():
        ColumnLineageEdge.objects.create(upstream_id=missing, downstream=down, evidence=LineageEvidence.VIEW_SQL)
    with pytest.raises(IntegrityError), transaction.atomic():
        ColumnLineageEdge.objects.create(upstream=up, downstream_id=missing, evidence=LineageEvidence.VIEW_SQL)
    assert ColumnLineageEdge.objects.count() == 2


def test_the_pipelines_bulk_write_of_edges_is_checked_as_a_whole(columns):
    """One statement with a good edge and a bad one: refused, nothing written."""
    up, down, total = columns
    source = Source.objects.create(name="dbt", kind="dbt")
    rows = [(down.pk, total.pk, "dbt", source.pk, "identity"), (down.pk, missing_column_id(), "dbt", source.pk, "")]
    with pytest.raises(IntegrityError), transaction.atomic():
        upsert(ColumnLineageEdge, EDGE_COLUMNS, rows, conflict=["upstream_id", "downstream_id", "evidence"])
    assert not ColumnLineageEdge.objects.filter(source=source).exists()
    upsert(ColumnLineageEdge, EDGE_COLUMNS, rows[:1], conflict=["upstream_id", "downstream_id", "evidence"])
    assert ColumnLineageEdge.objects.filter(source=source).count() == 1


def test_an_edge_cannot_move_to_a_missing_column(columns):
    with pytest.raises(IntegrityError), transaction.atomic():
        ColumnLineageEdge.objects.filter(downstream=columns[2]).update(downstream_id=missing_column_id())
    with pytest.raises(IntegrityError), transaction.atomic():
        ColumnLineageEdge.objects.filter(downstream=columns[2]).update(upstream_id=missing_column_id())
    ColumnLineageEdge.objects.filter(downstream=columns[2]).update(transformation="aggregation")  # still allowed


def test_a_column_with_edges_cannot_be_deleted_or_rekeyed_by_sql(columns):
    up, down, total = columns
    for column in (up, down):  # the upstream side and the downstream side
        with pytest.raises(IntegrityError), transaction.atomic():
            raw("delete from catalog_column where id = %s", [column.pk])
        with pytest.raises(IntegrityError), transaction.atomic():
            raw("update catalog_column set id = %s where id = %s", [missing_column_id(), column.pk])
    raw("delete from catalog_columnlineageedge where downstream_id = %s", [total.pk])
    raw("delete from catalog_column where id = %s", [total.pk])  # no edge left: allowed
    assert Column.objects.filter(pk=total.pk).count() == 0
    assert Column.objects.count() == 2 and ColumnLineageEdge.objects.count() == 1


def test_the_orm_deletes_a_columns_edges_with_it(columns):
    up, down, total = columns
    down.delete()
    assert list(ColumnLineageEdge.objects.values_list("downstream_id", flat=True)) == [total.pk]
    Column.objects.filter(pk=up.pk).delete()  # the harvest pipeline's way: a queryset delete
    assert not ColumnLineageEdge.objects.exists()
    assert list(Column.objects.values_list("pk", flat=True)) == [total.pk]


def test_the_orm_deletes_a_datasets_columns_and_their_edges(columns):
    up, _, _ = columns
    up.dataset.delete()
    assert not ColumnLineageEdge.objects.exists()
    assert list(Column.objects.values_list("name", flat=True).order_by("name")) == ["order_id", "total"]


def test_an_edges_source_must_exist_and_may_be_none(columns):
    up, _, total = columns
    source = Source.objects.create(name="dbt", kind="dbt")
    missing = source.pk + 1000
    with pytest.raises(IntegrityError), transaction.atomic():
        ColumnLineageEdge.objects.create(
            upstream=up, downstream=total, evidence=LineageEvidence.VIEW_SQL, source_id=missing
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ColumnLineageEdge.objects.filter(downstream=total).update(source_id=missing)
    ColumnLineageEdge.objects.filter(downstream=total).update(source=source)
    assert ColumnLineageEdge.objects.filter(source=None).count() == 1  # no source: allowed, as before


def test_a_source_with_edges_cannot_be_deleted_by_sql_and_the_orm_deletes_its_edges(columns):
    source = Source.objects.create(name="dbt", kind="dbt")
    ColumnLineageEdge.objects.filter(downstream=columns[2]).update(source=source)
    with pytest.raises(IntegrityError), transaction.atomic():
        raw("delete from harvest_source where id = %s", [source.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        raw("update harvest_source set id = %s where id = %s", [source.pk + 1000, source.pk])
    source.delete()
    assert list(ColumnLineageEdge.objects.values_list("downstream_id", flat=True)) == [columns[1].pk]


@POSTGRES
def test_truncating_columns_alone_is_refused_and_with_the_edges_allowed(columns):
    with pytest.raises(IntegrityError), transaction.atomic():
        raw("set constraints all immediate")  # TRUNCATE refuses pending deferred checks
        raw("truncate catalog_column cascade")  # cascades along real foreign keys only, not to edges
    assert ColumnLineageEdge.objects.count() == 2
    with transaction.atomic():
        raw("set constraints all immediate")
        raw("truncate catalog_columnlineageedge, catalog_column cascade")  # as a test flush does
    assert not Column.objects.exists() and not ColumnLineageEdge.objects.exists()


@POSTGRES
def test_truncating_sources_alone_is_refused(columns):
    ColumnLineageEdge.objects.update(source=Source.objects.create(name="dbt", kind="dbt"))
    with pytest.raises(IntegrityError), transaction.atomic():
        raw("set constraints all immediate")
        raw("truncate harvest_source cascade")
    assert ColumnLineageEdge.objects.count() == 2


@POSTGRES
def test_the_parent_check_fits_each_statement_size(columns):
    """A large delete first, then a single-row one, in one session: both checked, both refused
    while edges remain (the delete probe is planned per statement, not once per session)."""
    up, down, total = columns
    dataset = Dataset.objects.create(namespace="postgres://db:5432", name="shop.public.wide")
    raw(
        'insert into catalog_column (dataset_id, name, ordinal, data_type, nullable, "default", description,'
        " is_primary_key, is_generated, tags) select %s, 'c' || g, g, 'text', true, '', '', false, false, '[]'"
        " from generate_series(1, 5000) g",
        [dataset.pk],
    )
    raw("delete from catalog_column where dataset_id = %s", [dataset.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        raw("delete from catalog_column where id = %s", [down.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        raw("delete from catalog_column where dataset_id = %s", [up.dataset_id])
    assert Column.objects.count() == 3


@POSTGRES
def test_no_deferred_row_checks_are_left_on_column_edges():
    with connection.cursor() as cursor:
        cursor.execute(
            """select a.attname from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid
               and a.attnum = any(c.conkey)
               where c.conrelid = 'catalog_columnlineageedge'::regclass and c.contype = 'f'"""
        )
        assert not cursor.fetchall()
        cursor.execute("select tgname from pg_trigger where not tgisinternal and tgname like 'catalog_column%%'")
        assert {
            "catalog_columnlineageedge_columns_ins",
            "catalog_columnlineageedge_columns_upd",
            "catalog_column_lineage_edges_del",
            "catalog_column_lineage_edges_rekey",
            "catalog_column_lineage_edges_truncate",
            "catalog_column_dataset_ins",
            "catalog_column_dataset_upd",
            "catalog_columnlineageedge_source_ins",
            "catalog_columnlineageedge_source_upd",
        } <= {row[0] for row in cursor.fetchall()}
        cursor.execute("select tgname from pg_trigger where tgrelid = 'harvest_source'::regclass and not tgisinternal")
        assert {row[0] for row in cursor.fetchall()} == {
            "harvest_source_column_lineage_edges_del",
            "harvest_source_column_lineage_edges_rekey",
            "harvest_source_column_lineage_edges_truncate",
        }


@POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_column_delete_cannot_orphan_new_edges():
    import psycopg

    from tests.harvest.test_new_rows import _concurrently

    dataset = Dataset.objects.create(namespace="postgres://db:5432", name="shop.public.race")
    up = Column.objects.create(dataset=dataset, name="a")
    down = Column.objects.create(dataset=dataset, name="b")
    insert = (
        "insert into catalog_columnlineageedge (upstream_id, downstream_id, evidence, transformation)"
        " values (%s, %s, 'dbt', '')"
    )
    # the edge first: the delete waits for it, then finds it and is refused
    error = _concurrently(
        lambda a: a.execute(insert, [up.pk, down.pk]),
        lambda b: b.execute("delete from catalog_column where id = %s", [up.pk]),
    )
    assert isinstance(error, psycopg.errors.ForeignKeyViolation)
    assert ColumnLineageEdge.objects.count() == 1
    # the delete first: the edge waits for it, then misses its column and is refused
    ColumnLineageEdge.objects.all().delete()
    error = _concurrently(
        lambda a: a.execute("delete from catalog_column where id = %s", [down.pk]),
        lambda b: b.execute(insert, [up.pk, down.pk]),
    )
    assert isinstance(error, psycopg.errors.ForeignKeyViolation)
    assert not ColumnLineageEdge.objects.exists() and list(Column.objects.values_list("pk", flat=True)) == [up.pk]


def test_a_reharvest_that_drops_a_column_with_edges_removes_the_edges_with_it():
    """The pipeline deletes columns through the ORM, whose cascade deletes their edges first
    (a raw delete would be refused): the run succeeds and leaves no edge behind."""
    from apps.harvest.pipeline import reconcile
    from apps.harvest.records import ColumnLineageRecord, ColumnRecord, DatasetRecord, DatasetRef

    ns = "postgres://db:5432"
    orders, report = DatasetRef(ns, "shop.public.orders"), DatasetRef(ns, "shop.public.report")

    def records(*report_columns):
        columns = tuple(ColumnRecord(name=c, ordinal=i, data_type="int") for i, c in enumerate(report_columns, 1))
        return [
            DatasetRecord(ref=orders, platform="postgres", kind="table", columns=(ColumnRecord(name="id", ordinal=1),)),
            DatasetRecord(ref=report, platform="postgres", kind="view", columns=columns),
            *(ColumnLineageRecord(orders, "id", report, c, DBT, "identity") for c in report_columns),
        ]

    source = Source.objects.create(name="dbt", kind="dbt")
    reconcile(source, records("order_id", "total"))
    assert ColumnLineageEdge.objects.filter(source=source).count() == 2
    run = reconcile(source, records("order_id"))
    assert run.counts["columns_removed"] == 1
    assert list(ColumnLineageEdge.objects.values_list("downstream__name", flat=True)) == ["order_id"]
    assert list(Column.objects.filter(dataset__name=report.name).values_list("name", flat=True)) == ["order_id"]
