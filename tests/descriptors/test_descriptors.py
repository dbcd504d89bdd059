"""Data products as code: validate, diff, apply (all or nothing), export → apply is a no-op."""

from io import StringIO
from textwrap import dedent

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.catalog import actions
from apps.catalog.descriptors import DescriptorInvalid, apply_descriptor, export_yaml, validate_descriptor
from apps.catalog.models import DataProduct, Port
from apps.core.errors import ActionError, PermissionDeniedError
from apps.core.models import ObjectChange
from apps.core.testing import SYSTEM
from apps.lab.actions import create_sample_query
from apps.lab.models import SampleQuery

pytestmark = pytest.mark.django_db

NS = "postgres://wh:5432"

INVOICES = dedent(
    f"""\
    apiVersion: v1.0.0
    kind: DataProduct
    id: invoices
    name: Invoices
    domain: emea
    status: active
    description:
      purpose: Every invoice we sent.
      usage: |
        # Invoices
        One row per invoice line.
    tags: [finance, gold]
    team:
      members:
        - username: olivia
          role: owner
        - username: casey
          role: steward
    inputPorts:
      - name: leads_in
        type: postgres
        consumes: {{product: leads, port: leads_table}}
    outputPorts:
      - name: invoices_table
        type: postgres
        format: table
        endpoint: postgres://warehouse:5432/analytics
        endpointDetails: {{schema: mart}}
        datasets:
          - namespace: "{NS}"
            name: shop.mart.invoices
        sampleQueries:
          - title: Latest invoices
            sql: select 1 as one
    customProperties:
      classification: confidential
      costPerMonth: 120.5
      costCurrency: EUR
    """
)


@pytest.fixture
def world(mesh):
    actions.register_dataset(
        SYSTEM, namespace=NS, name="shop.mart.invoices", platform="postgres", columns=[{"name": "id"}]
    )
    return mesh


def _changes_logged():
    return ObjectChange.objects.count()


def test_apply_creates_the_product_and_a_second_apply_changes_nothing(world):
    result = apply_descriptor(world.domain_owner, INVOICES)
    assert result.applied and {c.kind for c in result.changes} == {"product", "port", "owner", "sample_query"}
    product = DataProduct.objects.get(slug="invoices")
    assert (product.lifecycle, product.classification, str(product.cost_per_month), product.summary) == (
        "published",
        "confidential",
        "120.50",
        "Every invoice we sent.",
    )
    assert sorted(t.slug for t in product.tags.all()) == ["finance", "gold"]
    output = Port.objects.get(product=product, name="invoices_table")
    assert [d.name for d in output.datasets.all()] == ["shop.mart.invoices"] and output.endpoint_details == {
        "schema": "mart"
    }
    assert Port.objects.get(product=product, name="leads_in").upstream_port == world.leads_port
    assert SampleQuery.objects.filter(port=output, title="Latest invoices").exists()
    logged = _changes_logged()
    again = apply_descriptor(world.domain_owner, INVOICES)
    assert again.changes == [] and not again.applied
    assert _changes_logged() == logged


def test_export_then_apply_is_a_no_op(world):
    actions.update_product(
        SYSTEM,
        world.orders,
        summary="All orders",
        description="Line one\nline two\n",
        cost_per_month="10.00",
        cost_currency="EUR",
        tags=["sales", "b2c"],
    )
    actions.update_port(
        SYSTEM,
        world.orders_port,
        datasets=[(NS, "shop.mart.invoices")],
        endpoint_details={"schema": "public"},
        description="The orders table",
    )
    actions.create_port(SYSTEM, world.orders, name="leads_in", direction="input", upstream_port=world.leads_port)
    create_sample_query(SYSTEM, world.orders_port, title="Count", sql="select 2 as two", description="How many")
    world.orders.refresh_from_db()
    text = export_yaml(world.orders)
    assert yaml.safe_load(text)["outputPorts"][0]["sampleQueries"] == [
        {"title": "Count", "sql": "select 2 as two", "description": "How many"}
    ]
    logged = _changes_logged()
    result = apply_descriptor(world.owner, text)
    assert result.changes == [], [str(c) for c in result.changes]
    assert _changes_logged() == logged


def test_dry_run_reports_the_diff_and_changes_nothing(world):
    text = export_yaml(world.orders).replace("status: active", "status: deprecated")
    result = apply_descriptor(world.owner, text, dry_run=True)
    assert [str(c) for c in result.changes] == ["~ product orders (lifecycle: 'published' → 'deprecated')"]
    assert not result.applied
    assert DataProduct.objects.get(slug="orders").lifecycle == "published"


def test_every_problem_is_listed_with_its_line_and_column(world):
    text = (
        INVOICES.replace("domain: emea", "domain: nowhere")
        .replace("format: table", "format: table\n    colour: blue")
        .replace("name: shop.mart.invoices", "name: shop.mart.missing")
    )
    with pytest.raises(DescriptorInvalid) as exc:
        validate_descriptor(text)
    problems = {(p.path, p.code, p.line) for p in exc.value.problems}
    assert ("outputPorts[0].colour", "unknown_field", 27) in problems
    with pytest.raises(DescriptorInvalid) as exc:
        validate_descriptor(
            INVOICES.replace("domain: emea", "domain: nowhere")
            .replace("name: shop.mart.invoices", "name: shop.mart.missing")
            .replace("port: leads_table", "port: nope")
        )
    found = {(p.path, p.code, p.line, p.column) for p in exc.value.problems}
    assert ("domain", "not_found", 5, 9) in found
    assert ("outputPorts[0].datasets[0]", "not_found", 30, 9) in found
    assert ("inputPorts[0].consumes", "not_found", 22, 15) in found


def test_invalid_yaml_and_missing_fields_are_located(world):
    with pytest.raises(DescriptorInvalid) as exc:
        validate_descriptor("apiVersion: v1.0.0\nkind: DataProduct\nid: [oops\n")
    assert exc.value.problems[0].code == "invalid_yaml" and exc.value.problems[0].line == 4
    with pytest.raises(DescriptorInvalid) as exc:
        validate_descriptor("apiVersion: v1.0.0\nkind: DataProduct\nid: x\n")
    assert {p.path for p in exc.value.problems if p.code == "required"} == {"name", "domain"}


def test_a_refused_step_applies_nothing(world):
    bad = INVOICES.replace("sql: select 1 as one", "sql: delete from invoices")
    with pytest.raises(ActionError) as exc:
        apply_descriptor(world.domain_owner, bad)
    assert exc.value.problems[0].path.startswith("outputPorts[0].sampleQueries[0]")
    assert exc.value.problems[0].line is not None
    assert not DataProduct.objects.filter(slug="invoices").exists()
    assert not Port.objects.filter(name="invoices_table").exists()


def test_refuses_a_product_the_user_does_not_own(world):
    text = export_yaml(world.orders).replace("name: Orders", "name: Hijacked")
    with pytest.raises(PermissionDeniedError):
        apply_descriptor(world.other_owner, text)
    assert DataProduct.objects.get(slug="orders").name == "Orders"


def test_commands_validate_preview_and_apply(world, tmp_path):
    path = tmp_path / "invoices.yaml"
    path.write_text(INVOICES)
    out = StringIO()
    call_command("validate_product", str(path), stdout=out)
    assert "valid descriptor of data product 'invoices'" in out.getvalue()
    out = StringIO()
    call_command("apply_product", str(path), "--dry-run", "--user", "dora", stdout=out)
    assert "+ product invoices" in out.getvalue() and "dry run" in out.getvalue()
    assert not DataProduct.objects.filter(slug="invoices").exists()
    call_command("apply_product", str(path), "--user", "dora", stdout=StringIO())
    out = StringIO()
    call_command("apply_product", str(path), stdout=out)
    assert "nothing to do" in out.getvalue()
    path.write_text(INVOICES.replace("kind: DataProduct", "kind: Dataset"))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("validate_product", str(path), stderr=err)
    assert "line 2, column 7: kind" in err.getvalue()
