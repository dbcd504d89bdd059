"""The lab through the browser's eyes (Django test client): panel, run, CSV, access flow."""

import pytest
from django.urls import reverse

from apps.catalog import actions as catalog_actions
from apps.core.testing import SYSTEM
from apps.lab import actions
from apps.lab.models import QueryRun, RunStatus

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_panel_shows_snippets_without_secrets_and_runnable_starter_queries(client, lab):
    client.force_login(lab.consumer)
    html = client.get(reverse("lab:port_panel", args=[lab.port.pk])).content.decode()
    assert "psql" in html and "jdbc:postgresql://127.0.0.1:5432/" + lab.warehouse in html and "awswrangler" not in html
    assert "reader-pw-for-tests" not in html and "password=" not in html
    assert "First rows of orders" in html and "order_items with their orders" in html
    assert 'name="sql"' in html and "Run query" in html


def test_panel_reads_in_a_fixed_number_of_queries(client, lab, django_assert_max_num_queries):
    client.force_login(lab.consumer)
    client.get(reverse("lab:port_panel", args=[lab.port.pk]))
    # 15: one more than the lab alone, the sample-query filter's level policy (apps.privacy)
    with django_assert_max_num_queries(15):
        client.get(reverse("lab:port_panel", args=[lab.port.pk]))


def test_run_returns_rows_in_a_table_and_logs_the_run(client, lab):
    client.force_login(lab.consumer)
    sql = "SELECT order_id, status FROM sales.orders ORDER BY order_id LIMIT 5"
    html = client.post(
        reverse("lab:run", args=[lab.port.pk]), {"sql": sql, "token": "t-views-1"}, **HTMX
    ).content.decode()
    assert "5 rows" in html and "<td>1</td>" in html and '<th scope="col">status</th>' in html
    run = QueryRun.objects.get(token="t-views-1")
    assert (run.user, run.product, run.port, run.rows, run.status) == (
        lab.consumer,
        lab.orders,
        lab.port,
        5,
        RunStatus.SUCCEEDED,
    )
    assert run.duration_ms is not None and run.sql == sql


def test_run_says_when_the_result_was_cut(client, lab):
    client.force_login(lab.consumer)
    html = client.post(
        reverse("lab:run", args=[lab.port.pk]), {"sql": "SELECT order_id FROM sales.orders"}, **HTMX
    ).content.decode()
    assert "The result was cut at 1000 rows" in html


def test_refused_query_shows_the_reason_not_a_stack_trace(client, lab):
    client.force_login(lab.consumer)
    response = client.post(reverse("lab:run", args=[lab.port.pk]), {"sql": "SELECT * FROM secret.salaries"}, **HTMX)
    html = response.content.decode()
    assert (
        response.status_code == 200
        and "not part of this port" in html
        and "Traceback" not in html
        and "ada" not in html
    )


def test_csv_download_has_a_header_and_the_rows(client, lab):
    client.force_login(lab.consumer)
    response = client.post(
        reverse("lab:run_csv", args=[lab.port.pk]),
        {"sql": "SELECT order_id, status FROM sales.orders ORDER BY order_id LIMIT 3"},
    )
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines() == ["order_id,status", "1,shipped", "2,completed", "3,placed"]


def test_anonymous_visitor_cannot_run(client, lab):
    response = client.post(reverse("lab:run", args=[lab.port.pk]), {"sql": "SELECT 1"}, **HTMX)
    assert "Log in to run queries" in response.content.decode()
    assert not QueryRun.objects.filter(status=RunStatus.SUCCEEDED).exists()


def test_confidential_port_takes_a_request_an_approval_and_then_runs(client, lab):
    catalog_actions.update_product(SYSTEM, lab.orders, classification="confidential")
    client.force_login(lab.consumer)
    panel = client.get(reverse("lab:port_panel", args=[lab.port.pk])).content.decode()
    assert "request access to this port first" in panel and "Run query" not in panel
    refused = client.post(
        reverse("lab:run", args=[lab.port.pk]), {"sql": "SELECT 1 FROM sales.orders LIMIT 1"}, **HTMX
    ).content.decode()
    assert "request access" in refused
    sent = client.post(
        reverse("governance:request_access", args=[lab.port.pk]), {"reason": "Forecasting demand for Q3."}, **HTMX
    )
    assert sent.status_code == 200 and "Request sent" in sent.content.decode()

    client.force_login(lab.owner)
    pending = client.get(reverse("governance:port_pending", args=[lab.port.pk])).content.decode()
    assert "Forecasting demand for Q3." in pending and "Approve" in pending
    request_id = lab.consumer.access_requests.get().pk
    decided = client.post(
        reverse("governance:approve", args=[request_id]), {"comment": "Enjoy"}, **HTMX
    ).content.decode()
    assert "casey: approved." in decided and "Forecasting" not in decided

    client.force_login(lab.consumer)
    mine = client.get(reverse("governance:my_requests")).content.decode()
    assert "Approved" in mine and "Enjoy" in mine
    ok = client.post(
        reverse("lab:run", args=[lab.port.pk]), {"sql": "SELECT order_id FROM sales.orders LIMIT 2"}, **HTMX
    ).content.decode()
    assert "2 rows" in ok


def test_pending_requests_are_hidden_from_non_owners(client, lab):
    client.force_login(lab.other_owner)
    assert client.get(reverse("governance:port_pending", args=[lab.port.pk])).content == b""


def test_query_on_a_dropped_column_is_flagged_on_the_panel(client, lab):
    actions.create_sample_query(
        lab.owner,
        lab.port,
        title="Revenue by status",
        sql="SELECT status, sum(amount) FROM sales.orders GROUP BY status",
    )
    cols = [
        c for c in __import__("tests.lab.conftest", fromlist=["ORDER_COLUMNS"]).ORDER_COLUMNS if c["name"] != "amount"
    ]
    catalog_actions.register_dataset(
        SYSTEM,
        namespace=lab.orders_ds.namespace,
        name=lab.orders_ds.name,
        platform="postgres",
        columns=cols,
        source=lab.source,
    )
    client.force_login(lab.consumer)
    html = client.get(reverse("lab:port_panel", args=[lab.port.pk])).content.decode()
    assert "no longer matches the harvested schema" in html and "amount" in html


def test_owner_adds_a_curated_query_from_the_panel_and_bad_sql_is_explained(client, lab):
    client.force_login(lab.owner)
    url = reverse("lab:sample_query_create", args=[lab.port.pk])
    bad = client.post(url, {"title": "Oops", "sql": "DELETE FROM sales.orders"}, **HTMX)
    assert bad.status_code == 422 and "Only SELECT" in bad.content.decode()
    good = client.post(
        url,
        {
            "title": "Big orders",
            "sql": "SELECT order_id, amount FROM sales.orders WHERE amount > 100 ORDER BY amount DESC LIMIT 20",
        },
        **HTMX,
    )
    assert good.status_code == 200 and "Big orders" in good.content.decode()


def test_result_values_are_escaped(client, lab):
    client.force_login(lab.consumer)
    html = client.post(
        reverse("lab:run", args=[lab.port.pk]),
        {"sql": "SELECT '<script>alert(1)</script>' AS x, NULL AS y FROM sales.orders LIMIT 1"},
        **HTMX,
    ).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<span class="muted">null</span>' in html


def test_run_endpoint_uses_a_fixed_number_of_catalog_queries(client, lab, django_assert_max_num_queries):
    client.force_login(lab.consumer)
    url = reverse("lab:run", args=[lab.port.pk])
    client.post(url, {"sql": "SELECT 1 FROM sales.orders LIMIT 1"}, **HTMX)
    for limit in (1, 500):
        # 14: one more than the lab alone, the result filters' lookup of personal-data columns (apps.privacy)
        with django_assert_max_num_queries(14):
            client.post(url, {"sql": f"SELECT order_id, status FROM sales.orders LIMIT {limit}"}, **HTMX)
