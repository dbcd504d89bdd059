"""Rows new in a run: copied straight in, with column → dataset integrity kept by triggers.

The first harvest of a dataset writes its columns, schema version and source link by plain
COPY (``bulk.insert_new``); a dataset the catalog already holds goes through the merge. The
column → dataset foreign key is enforced once per statement (migration catalog 0004,
docs/decisions/0022) instead of one deferred check per row at COMMIT.
"""

from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.catalog.models import Column, Dataset, SchemaChange, SchemaVersion
from apps.harvest.models import Source, SourceDataset
from apps.harvest.pipeline import reconcile
from apps.harvest.pipeline.bulk import insert_new
from apps.harvest.records import ColumnRecord, DatasetRecord, DatasetRef

pytestmark = pytest.mark.django_db
NS = "postgres://db.example:5432"
POSTGRES = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the COPY fast path is PostgreSQL's")


def table(name, *cols):
    columns = tuple(ColumnRecord(name=c, ordinal=i, data_type="text") for i, c in enumerate(cols, start=1))
    return DatasetRecord(ref=DatasetRef(NS, f"shop.{name}"), platform="postgres", kind="table", columns=columns)


@pytest.fixture
def source():
    return Source.objects.create(name="shop", kind="postgres")


def merges(queries, table_name):
    return [q["sql"] for q in queries.captured_queries if f'create temporary table "_harvest_{table_name}_' in q["sql"]]


@POSTGRES
def test_a_first_harvest_copies_new_rows_without_a_merge(source):
    with CaptureQueriesContext(connection) as queries:
        report = reconcile(source, [table("a", "id", "x"), table("b", "id")])
    assert report.counts["columns_added"] == 3
    assert not merges(queries, "catalog_column")
    assert not merges(queries, "catalog_schemaversion")
    assert not merges(queries, "harvest_sourcedataset")
    assert sorted(Column.objects.values_list("dataset__name", "name", "ordinal")) == [
        ("shop.a", "id", 1),
        ("shop.a", "x", 2),
        ("shop.b", "id", 1),
    ]
    assert list(SchemaVersion.objects.values_list("version", flat=True)) == [1, 1]
    assert SourceDataset.objects.filter(source=source).count() == 2


@POSTGRES
def test_existing_datasets_go_through_the_merge_and_new_ones_beside_them_do_not(source):
    reconcile(source, [table("a", "id")])
    with CaptureQueriesContext(connection) as queries:
        report = reconcile(source, [table("a", "id", "added"), table("b", "id")])
    assert len(merges(queries, "catalog_column")) == 1  # a's new column; b's are copied
    assert report.counts["columns_added"] == 2
    assert SchemaChange.objects.filter(dataset__name="shop.b", change_type="dataset_added").count() == 1
    assert SchemaChange.objects.filter(dataset__name="shop.a", change_type="column_added").count() == 1
    # the dataset_added change points at the version drawn from the sequence before the COPY
    added = SchemaChange.objects.get(change_type="dataset_added")
    assert added.schema_version.dataset.name == "shop.b" and added.schema_version.version == 1


def test_a_dataset_another_source_already_described_is_not_new(source):
    reconcile(Source.objects.create(name="dbt", kind="dbt"), [table("a", "id")])
    reconcile(source, [table("a", "id", "x")])
    assert sorted(Column.objects.values_list("name", flat=True)) == ["id", "x"]
    assert SourceDataset.objects.count() == 2


def test_a_failed_first_harvest_leaves_nothing_behind(source):
    with (
        mock.patch("apps.harvest.pipeline.reconcile.reconcile_lineage", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        reconcile(source, [table("a", "id"), table("b", "id")])
    assert not Dataset.objects.exists() and not Column.objects.exists() and not SchemaVersion.objects.exists()
    assert not SourceDataset.objects.exists()


def test_a_column_without_its_dataset_is_refused():
    missing = (Dataset.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000
    with pytest.raises(IntegrityError), transaction.atomic():
        Column.objects.create(dataset_id=missing, name="orphan")
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_new(
            Column,
            [
                "dataset_id",
                "name",
                "ordinal",
                "data_type",
                "nullable",
                "default",
                "description",
                "is_primary_key",
                "is_generated",
                "tags",
            ],
            [(missing, "orphan", 1, "text", True, "", "", False, False, "[]")],
        )
    assert not Column.objects.exists()


def test_a_column_cannot_move_to_a_missing_dataset(source):
    reconcile(source, [table("a", "id")])
    with pytest.raises(IntegrityError), transaction.atomic():
        Column.objects.update(dataset_id=Dataset.objects.get().pk + 1000)


def test_a_dataset_with_columns_is_deleted_only_with_them(source):
    reconcile(source, [table("a", "id"), table("b", "id")])
    a, b = Dataset.objects.order_by("name")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("delete from catalog_dataset where id = %s", [a.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("update catalog_dataset set id = %s where id = %s", [b.pk + 1000, a.pk])
    a.delete()  # the ORM's cascade removes the columns first
    assert list(Column.objects.values_list("dataset_id", flat=True)) == [b.pk]


@POSTGRES
def test_truncating_datasets_alone_is_refused(source):
    reconcile(source, [table("a", "id")])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("set constraints all immediate")  # TRUNCATE refuses pending deferred checks
        cursor.execute("truncate catalog_dataset cascade")  # cascades along real FKs only, not to columns
    assert Column.objects.count() == 1


@POSTGRES
def test_no_deferred_row_checks_are_left_on_columns():
    """Inserting columns queues no RI trigger: catalog_column has no foreign key to datasets."""
    with connection.cursor() as cursor:
        cursor.execute(
            """select count(*) from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
               where c.conrelid = 'catalog_column'::regclass and c.contype = 'f' and a.attname = 'dataset_id'"""
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("select tgname from pg_trigger where tgrelid = 'catalog_column'::regclass and not tgisinternal")
        assert {"catalog_column_dataset_ins", "catalog_column_dataset_upd"} <= {row[0] for row in cursor.fetchall()}


def _connect():
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"], dbname=s["NAME"])


def _concurrently(first, second):
    """Run ``first(conn_a)``, start ``second(conn_b)`` in a thread (it blocks on a lock), commit
    A; return B's exception (or None) once it finished."""
    import threading

    with _connect() as a, _connect() as b:
        a.execute("set lock_timeout = '20s'")
        b.execute("set lock_timeout = '20s'")
        first(a)
        outcome: list = []

        def run_b():
            try:
                second(b)
                b.commit()
                outcome.append(None)
            except Exception as exc:  # handed back to the test
                b.rollback()
                outcome.append(exc)

        thread = threading.Thread(target=run_b)
        thread.start()
        thread.join(0.5)
        assert thread.is_alive(), "the second transaction should wait for the first one's lock"
        a.commit()
        thread.join(20)
        return outcome[0]


@POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_delete_cannot_orphan_new_columns():
    import psycopg

    dataset = Dataset.objects.create(namespace=NS, name="shop.race")
    insert = (
        'insert into catalog_column (dataset_id, name, ordinal, data_type, nullable, "default", description,'
        " is_primary_key, is_generated, tags) values (%s, 'c', 1, 'text', true, '', '', false, false, '[]')"
    )
    # columns first: the delete waits for them, then finds them and is refused
    error = _concurrently(
        lambda a: a.execute(insert, [dataset.pk]),
        lambda b: b.execute("delete from catalog_dataset where id = %s", [dataset.pk]),
    )
    assert isinstance(error, psycopg.errors.ForeignKeyViolation)
    assert Column.objects.filter(dataset=dataset).count() == 1
    # delete first: the columns wait for it, then miss their dataset and are refused
    Column.objects.filter(dataset=dataset).delete()
    error = _concurrently(
        lambda a: a.execute("delete from catalog_dataset where id = %s", [dataset.pk]),
        lambda b: b.execute(insert, [dataset.pk]),
    )
    assert isinstance(error, psycopg.errors.ForeignKeyViolation)
    assert not Dataset.objects.filter(pk=dataset.pk).exists() and not Column.objects.exists()
