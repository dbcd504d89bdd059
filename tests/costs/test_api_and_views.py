"""REST, GraphQL and pages for costs: numbers, permissions, errors and query budgets."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.core.actors import SystemActor
from apps.core.models import Event
from apps.costs.actions import import_costs, set_budget
from apps.costs.models import Budget
from apps.costs.samples import SampleLine, csv_text

ADMIN = SystemActor("tests")


def _this_month():
    return timezone.now().date().replace(day=1)


def _import_now(mesh, amount="120.50", slug="orders", currency="EUR"):
    lines = [SampleLine("product", slug, _this_month(), "Amazon S3", Decimal(amount), currency)]
    return import_costs(
        ADMIN, io.BytesIO(csv_text(lines, "focus").encode()), fmt="focus", source_name="aws", file_name="f.csv"
    )


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_product_costs_api_gives_months_currencies_and_the_manual_estimate(mesh, django_assert_max_num_queries):
    _import_now(mesh)
    with django_assert_max_num_queries(8):
        response = _api(mesh.consumer).get("/api/v1/products/orders/costs/?months=3")
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["months"]) == 3 and body["months"][-1] == _this_month().isoformat()[:7]
    assert body["currencies"]["EUR"]["this_month"] == "120.50"
    assert body["currencies"]["EUR"]["by_service"] == [{"service": "Amazon S3", "amount": "120.50"}]
    assert body["manual"] is None


@pytest.mark.parametrize("query", ["?months=0", "?months=abc", "?months=100"])
def test_bad_month_windows_are_a_clear_400(mesh, query):
    response = _api(mesh.consumer).get(f"/api/v1/products/orders/costs/{query}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "months"


def test_unattributed_is_for_admins_and_uploads_answer_in_the_error_format(mesh):
    assert _api(mesh.consumer).get("/api/v1/costs/unattributed/").status_code == 403
    assert _api(mesh.admin).get("/api/v1/costs/unattributed/").status_code == 200
    bad = io.BytesIO(b"not,a,billing,file\n1,2,3,4\n")
    bad.name = "x.csv"
    response = _api(mesh.admin).post("/api/v1/costs/imports/", {"file": bad, "format": "focus", "source": "aws"})
    assert response.status_code == 400
    assert "lacks BilledCost" in response.json()["errors"][0]["message"]
    good = io.BytesIO(
        csv_text([SampleLine("unattributed", "r-1", _this_month(), "S3", Decimal(5), "EUR")], "focus").encode()
    )
    good.name = "good.csv"
    owner = _api(mesh.owner).post("/api/v1/costs/imports/", {"file": good, "format": "focus", "source": "aws"})
    assert owner.status_code == 403 and owner.json()["errors"]
    good.seek(0)
    response = _api(mesh.admin).post("/api/v1/costs/imports/", {"file": good, "format": "focus", "source": "aws"})
    assert response.status_code == 201, response.content
    totals = _api(mesh.admin).get("/api/v1/costs/unattributed/").json()["totals"]
    assert Decimal(totals["EUR"]) == Decimal(5)


def test_graphql_product_costs(mesh):
    _import_now(mesh, amount="10")
    client = Client()
    client.force_login(mesh.consumer)
    query = '{ productCosts(slug: "orders", months: 2) { product currencies { currency thisMonth byMonth { month amount } } } }'
    body = client.post("/graphql", json.dumps({"query": query}), content_type="application/json").json()
    assert "errors" not in body, body
    eur = body["data"]["productCosts"]["currencies"][0]
    assert eur["currency"] == "EUR" and eur["thisMonth"] == "10.00" and len(eur["byMonth"]) == 2


def test_budget_passed_emits_one_event_per_month(mesh):
    set_budget(mesh.owner, mesh.orders, amount="100", currency="EUR")
    _import_now(mesh, amount="150")
    events = Event.objects.filter(type="mesh.cost.budget_exceeded")
    assert events.count() == 1
    assert events.get().data["cost"] == "150.00" and events.get().product_slug == "orders"
    _import_now(mesh, amount="160")  # same month again: no second alert
    assert events.count() == 1
    assert Budget.objects.get(product=mesh.orders).last_alerted_month == _this_month()


def test_only_owners_set_budgets_and_bad_amounts_are_refused(mesh):
    from apps.core.errors import ActionError, PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        set_budget(mesh.consumer, mesh.orders, amount="1", currency="EUR")
    with pytest.raises(ActionError):
        set_budget(mesh.owner, mesh.orders, amount="-5", currency="EUR")
    with pytest.raises(ActionError):
        set_budget(mesh.owner, mesh.orders, amount="5", currency="XXQ")


def test_panels_render_within_a_query_budget(mesh, django_assert_max_num_queries):
    _import_now(mesh)
    client = Client()
    client.force_login(mesh.consumer)
    with django_assert_max_num_queries(12):
        page = client.get("/products/orders/costs/")
    assert page.status_code == 200
    assert "120.50 EUR" in page.content.decode()
    with django_assert_max_num_queries(12):
        domain = client.get("/domains/emea/costs/")
    assert domain.status_code == 200 and "Orders" in domain.content.decode()
    assert client.get("/costs/").status_code == 403
    admin = Client()
    admin.force_login(mesh.admin)
    assert admin.get("/costs/").status_code == 200


def test_mixed_currencies_are_never_added_without_rates(mesh, settings):
    _import_now(mesh, amount="10", currency="EUR")
    lines = [SampleLine("product", "orders", _this_month(), "Amazon S3", Decimal(20), "USD")]
    import_costs(
        ADMIN, io.BytesIO(csv_text(lines, "focus").encode()), fmt="focus", source_name="gcp", file_name="g.csv"
    )
    settings.MESH_COST_CURRENCY = "EUR"
    body = _api(mesh.consumer).get("/api/v1/products/orders/costs/?months=1").json()
    assert set(body["currencies"]) == {"EUR", "USD"} and body["converted"] is None
    from apps.costs.actions import set_exchange_rate

    set_exchange_rate(ADMIN, month=date.today(), currency="USD", to_currency="EUR", rate="0.5")
    body = _api(mesh.consumer).get("/api/v1/products/orders/costs/?months=1").json()
    assert body["converted"] == {"currency": "EUR", "by_month": ["20.00"]}


def test_unattributed_cost_is_grouped_by_source_and_service_and_the_page_shows_the_largest_lines(mesh):
    month = _this_month()
    lines = [SampleLine("unattributed", f"i-{n}", month, "Amazon EC2", Decimal(n + 1), "EUR") for n in range(30)]
    lines += [SampleLine("unattributed", "bucket-1", month, "Amazon S3", Decimal("100"), "EUR")]
    import_costs(
        ADMIN, io.BytesIO(csv_text(lines, "focus").encode()), fmt="focus", source_name="aws", file_name="u.csv"
    )

    data = _api(mesh.admin).get("/api/v1/costs/unattributed/").json()
    assert data["line_count"] == 31
    assert [{**row, "total": Decimal(row["total"])} for row in data["by_service"]] == [
        {
            "source_name": "aws",
            "service_name": "Amazon EC2",
            "currency": "EUR",
            "total": Decimal(465),
            "line_count": 30,
        },
        {"source_name": "aws", "service_name": "Amazon S3", "currency": "EUR", "total": Decimal(100), "line_count": 1},
    ]
    assert data["lines"][0]["resource_id"] == "bucket-1" and len(data["lines"]) == 31

    admin = Client()
    admin.force_login(mesh.admin)
    page = admin.get("/costs/").content.decode()
    assert "The 25 largest of 31 lines" in page
    assert page.count('<tr><td class="nowrap">') == 25
    by_service = page.split('data-testid="unattributed-by-service"')[1].split("</table>")[0]
    assert "Amazon EC2" in by_service and ">30<" in by_service and "465.00 EUR" in by_service
