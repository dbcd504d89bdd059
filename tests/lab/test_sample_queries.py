"""Sample queries: curated by owners (validated on save), imported from dbt, generated."""

import pytest

from apps.catalog.models import DatasetConstraint
from apps.core.errors import ActionError, PermissionDeniedError
from apps.core.history import history_for
from apps.harvest.records import DatasetRef, SampleQueryRecord
from apps.lab import actions, runner
from apps.lab.models import SampleQuery
from apps.lab.panel import build_panel
from apps.lab.starter import starter_queries
from apps.lab.stats import most_used_products

pytestmark = pytest.mark.django_db


def test_owner_creates_a_curated_query_recorded_in_the_products_history(lab):
    q = actions.create_sample_query(
        lab.owner,
        lab.port,
        title="Late orders",
        sql="SELECT order_id FROM sales.orders WHERE status = 'placed'",
        dataset=lab.orders_ds,
    )
    assert q.origin == "curated" and q.created_by == lab.owner
    assert any(c.object_repr == "Late orders" and c.action == "create" for c in history_for(lab.orders))


@pytest.mark.parametrize(
    "sql, code",
    [
        ("SELEC order_id FROM sales.orders", "syntax"),
        ("UPDATE sales.orders SET amount = 0", "not_select"),
        ("SELECT 1; SELECT 2", "multiple_statements"),
        ("SELECT * FROM secret.salaries", "table_outside_port"),
    ],
)
def test_invalid_sql_is_refused_when_saved(lab, sql, code):
    with pytest.raises(ActionError) as err:
        actions.create_sample_query(lab.owner, lab.port, title="Bad", sql=sql)
    assert err.value.errors[0][:2] == ("sql", code)
    assert not SampleQuery.objects.exists()


def test_consumers_cannot_add_or_edit_sample_queries(lab):
    with pytest.raises(PermissionDeniedError):
        actions.create_sample_query(lab.consumer, lab.port, title="Mine", sql="SELECT 1")
    q = actions.create_sample_query(lab.owner, lab.port, title="Ours", sql="SELECT 1")
    with pytest.raises(PermissionDeniedError):
        actions.update_sample_query(lab.consumer, q, title="Hijacked")
    actions.update_sample_query(lab.owner, q, title="Ours, renamed", sql="SELECT 2")
    q.refresh_from_db()
    assert (q.title, q.sql) == ("Ours, renamed", "SELECT 2")
    actions.delete_sample_query(lab.owner, q)
    assert not SampleQuery.objects.exists()


def _records(lab, **sqls):
    ref = DatasetRef(lab.orders_ds.namespace, lab.orders_ds.name)
    return [
        SampleQueryRecord(dataset=ref, name=name, sql=sql, description=f"about {name}") for name, sql in sqls.items()
    ]


def test_dbt_queries_upsert_is_idempotent_and_removes_what_disappeared(lab):
    first = actions.upsert_source_sample_queries(
        lab.source,
        _records(
            lab,
            daily="SELECT order_date, count(*) FROM sales.orders GROUP BY 1",
            top="SELECT order_id FROM sales.orders ORDER BY amount DESC LIMIT 10",
        ),
    )
    assert (first["created"], first["updated"], first["deleted"], first["warnings"]) == (2, 0, 0, [])
    again = actions.upsert_source_sample_queries(
        lab.source,
        _records(
            lab,
            daily="SELECT order_date, count(*) FROM sales.orders GROUP BY 1",
            top="SELECT order_id FROM sales.orders ORDER BY amount DESC LIMIT 10",
        ),
    )
    assert (again["created"], again["updated"], again["deleted"], again["unchanged"]) == (0, 0, 0, 2)
    changed = actions.upsert_source_sample_queries(
        lab.source, _records(lab, daily="SELECT order_date, sum(amount) FROM sales.orders GROUP BY 1")
    )
    assert (changed["created"], changed["updated"], changed["deleted"]) == (0, 1, 1)
    assert list(SampleQuery.objects.values_list("title", "origin", "port")) == [("daily", "dbt", None)]


def test_dbt_queries_with_unknown_datasets_or_bad_sql_become_warnings(lab):
    records = [
        SampleQueryRecord(dataset=DatasetRef("postgres://nowhere:5432", "x.y.z"), name="ghost", sql="SELECT 1")
    ] + _records(lab, broken="DROP TABLE sales.orders")
    report = actions.upsert_source_sample_queries(lab.source, records)
    assert report["created"] == 0 and len(report["warnings"]) == 2


def test_dbt_queries_and_dataset_properties_show_on_every_port_exposing_the_dataset(lab):
    actions.upsert_source_sample_queries(
        lab.source, _records(lab, daily="SELECT order_date, count(*) FROM sales.orders GROUP BY 1")
    )
    lab.items_ds.properties = {
        "sample_queries": [
            {"name": "items per order", "sql": "SELECT order_id, count(*) FROM sales.order_items GROUP BY 1"}
        ]
    }
    lab.items_ds.save(update_fields=["properties"])
    panel = build_panel(lab.port, lab.consumer)
    dbt = [(q.title, q.origin) for q in panel["queries"] if q.origin == "dbt"]
    assert ("daily", "dbt") in dbt and ("items per order", "dbt") in dbt


def test_starter_queries_list_columns_order_sensibly_and_join_along_the_foreign_key(lab):
    datasets = [lab.orders_ds, lab.items_ds]
    cols = {d.pk: list(d.columns.order_by("ordinal")) for d in datasets}
    fks = list(DatasetConstraint.objects.filter(kind="foreign_key"))
    queries = starter_queries(datasets, cols, fks)
    by_title = {q.title: q.sql for q in queries}
    orders_sql = by_title["First rows of orders"]
    assert (
        orders_sql.startswith("SELECT order_id,\n       customer_id,")
        and "ORDER BY order_date DESC\nLIMIT 100" in orders_sql
        and "*" not in orders_sql
    )
    join = by_title["order_items with their orders"]
    assert "JOIN sales.orders AS o ON o.order_id = oi.order_id" in join
    for q in queries:  # every generated query really runs
        result = runner.run_query(lab.owner, lab.port, q.sql)
        assert result.ok and result.row_count > 0, (q.title, result.error)


def test_starter_join_is_inferred_from_key_names_when_no_foreign_key_is_declared(lab):
    datasets = [lab.orders_ds, lab.items_ds]
    cols = {d.pk: list(d.columns.order_by("ordinal")) for d in datasets}
    queries = starter_queries(datasets, cols, [])
    join = [q for q in queries if "JOIN" in q.sql]
    assert len(join) == 1 and "named like its key" in join[0].description


def test_most_used_products_counts_successful_runs(lab):
    for _ in range(3):
        runner.run_query(lab.consumer, lab.port, "SELECT 1 FROM sales.orders LIMIT 1")
    runner.run_query(lab.consumer, lab.port, "SELECT * FROM secret.salaries")
    top = most_used_products(limit=5)
    assert [(p.slug, p.run_count, p.user_count) for p in top] == [("orders", 3, 1)]


def test_rate_limit_stops_a_user_after_the_limit(lab, settings):
    from django.core.cache import cache

    cache.clear()
    settings.MESH_LAB_RATE_LIMIT_PER_MINUTE = 2
    runner.run_query(lab.consumer, lab.port, "SELECT 1 FROM sales.orders LIMIT 1")
    runner.run_query(lab.consumer, lab.port, "SELECT 1 FROM sales.orders LIMIT 1")
    with pytest.raises(runner.RateLimited):
        runner.run_query(lab.consumer, lab.port, "SELECT 1 FROM sales.orders LIMIT 1")
    runner.run_query(lab.owner, lab.port, "SELECT 1 FROM sales.orders LIMIT 1")  # per user
    cache.clear()
