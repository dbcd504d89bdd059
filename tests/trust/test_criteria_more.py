"""Each criterion flipped both ways (self-describing, interoperable, secure; the rest in test_criteria.py)."""

import pytest

from apps.catalog import actions
from apps.catalog.models import Column, DataProduct, DatasetConstraint
from apps.core.models import ObjectChange
from apps.core.testing import SYSTEM
from tests.trust.conftest import outcome
from tests.trust.test_criteria import _check, _query_run, flips

pytestmark = pytest.mark.django_db


# --- Self-describing ---------------------------------------------------------------


def test_columns_described(mesh):
    first, _ = flips(
        mesh.orders,
        "columns_described",
        lambda: Column.objects.filter(dataset=mesh.orders_ds).update(description="Documented."),
    )
    assert first["value"] == 0.0 and first["count"] == 3 and first["note"] == "0/3 described"
    assert first["evidence"][0] == {
        "label": "wh.sales.orders.amount has no description",
        "url": f"/datasets/{mesh.orders_ds.pk}/#column-amount",
    }
    flips(
        mesh.orders,
        "columns_described",
        lambda: Column.objects.filter(name="email").update(description=""),
        before=True,
        after=False,
    )


def test_doc_sections(mesh):
    first, _ = flips(
        mesh.orders,
        "doc_sections",
        lambda: actions.update_product(
            SYSTEM,
            mesh.orders,
            description="## Purpose\nSell.\n\n## Grain\nOne row per order.\n\n## Caveats\nLate refunds.",
        ),
    )
    assert [e["label"] for e in first["evidence"]] == [
        "no section on purpose",
        "no section on grain",
        "no section on caveats",
    ]
    flips(
        mesh.orders,
        "doc_sections",
        lambda: actions.update_product(SYSTEM, mesh.orders, description="## Purpose\nSell."),
        before=True,
        after=False,
    )


def test_sample_queries(mesh):
    from apps.lab import actions as lab_actions

    holder = {}
    flips(
        mesh.orders,
        "sample_queries",
        lambda: holder.update(
            q=lab_actions.create_sample_query(
                SYSTEM, mesh.orders_port, title="Latest orders", sql="select * from wh.sales.orders limit 10"
            )
        ),
    )
    first, second = flips(
        mesh.orders,
        "sample_queries",
        lambda: _query_run(mesh.orders, mesh.orders_port, "failed", sample_query=holder["q"]),
        before=True,
        after=False,
    )
    assert second["evidence"][0]["label"] == "sample query 'Latest orders' failed when last run"
    flips(
        mesh.orders,
        "sample_queries",
        lambda: _query_run(mesh.orders, mesh.orders_port, "succeeded", sample_query=holder["q"]),
    )


def test_managed_as_code(mesh):
    from apps.catalog.descriptors import apply_descriptor, export_descriptor
    from apps.catalog.descriptors.export import dump_yaml

    def apply_as_code():
        data = export_descriptor(DataProduct.objects.get(pk=mesh.leads.pk))
        data.pop("customProperties", None)
        data["tags"] = ["leads"]
        apply_descriptor(SYSTEM, dump_yaml(data), via="yaml")

    flips(mesh.leads, "managed_as_code", apply_as_code)
    ObjectChange.objects.filter(via="yaml").update(via="web")
    assert outcome(mesh.leads, "managed_as_code")["passed"] is False


# --- Interoperable -----------------------------------------------------------------


def test_keys_declared(mesh):
    # leads exposes wh.finance.revenue: no primary key, no unique constraint, no unique test.
    first, _ = flips(
        mesh.leads,
        "keys_declared",
        lambda: DatasetConstraint.objects.create(
            dataset=mesh.revenue, name="revenue_day_key", kind="unique", columns=["day"]
        ),
    )
    assert first["evidence"][0]["label"] == "wh.finance.revenue declares no key"
    DatasetConstraint.objects.all().delete()
    flips(
        mesh.leads, "keys_declared", lambda: _check(mesh.revenue, key="unique_day", check_type="unique"), before=False
    )
    assert outcome(mesh.orders, "keys_declared")["passed"] is True  # order_id is its primary key


def test_naming_convention(mesh):
    got, _ = flips(
        mesh.orders,
        "naming_convention",
        lambda: Column.objects.filter(name="Email").update(name="email"),
        before=True,
        after=True,
    )
    Column.objects.filter(dataset=mesh.orders_ds, name="email").update(name="EmailAddress")
    got = outcome(mesh.orders, "naming_convention")
    assert got["passed"] is False and got["evidence"][0]["label"] == "column wh.sales.orders.EmailAddress"
    flips(
        mesh.orders,
        "naming_convention",
        lambda: Column.objects.filter(name="EmailAddress").update(name="email_address"),
    )


def test_inputs_through_ports(mesh):
    assert outcome(mesh.orders, "inputs_through_ports")["passed"] is None  # no input ports
    assert outcome(mesh.leads, "inputs_through_ports")["passed"] is True  # orders-in consumes orders' port
    port = actions.create_port(SYSTEM, mesh.leads, name="raw-orders", direction="input", datasets=[mesh.raw])
    got = outcome(mesh.leads, "inputs_through_ports")
    assert got["passed"] is False and got["evidence"][0]["label"] == "input port raw-orders reads raw datasets"
    flips(mesh.leads, "inputs_through_ports", lambda: actions.update_port(SYSTEM, port, upstream_port=mesh.orders_port))


def test_odps_export_valid(mesh):
    flips(
        mesh.orders,
        "odps_export_valid",
        lambda: actions.update_port(SYSTEM, mesh.orders_port, protocol="other"),
        before=True,
        after=False,
    )
    flips(mesh.orders, "odps_export_valid", lambda: actions.update_port(SYSTEM, mesh.orders_port, protocol="postgres"))


# --- Secure ------------------------------------------------------------------------


def test_classification_consistent(mesh):
    # orders exposes an email column tagged pii, and orders is "internal".
    first, _ = flips(
        mesh.orders,
        "classification_consistent",
        lambda: actions.update_product(SYSTEM, mesh.orders, classification="confidential"),
    )
    assert "PII column wh.sales.orders.email" in first["evidence"][0]["label"]
    flips(
        mesh.orders,
        "classification_consistent",
        lambda: actions.update_product(SYSTEM, mesh.orders, classification="public"),
        before=True,
        after=False,
    )
    flips(mesh.orders, "classification_consistent", lambda: Column.objects.filter(name="email").update(tags=[]))


def test_grants_required(mesh, settings):
    assert outcome(mesh.orders, "grants_required")["passed"] is None  # internal: no grant needed
    actions.update_product(SYSTEM, mesh.orders, classification="restricted")
    assert outcome(mesh.orders, "grants_required")["passed"] is True
    settings.MESH_LAB_GRANT_CLASSIFICATIONS = ["confidential"]
    assert outcome(mesh.orders, "grants_required")["passed"] is False


def test_dedicated_reader(mesh):
    from apps.harvest.models import Source

    source = Source.objects.create(
        name="warehouse", kind="postgres", config={"dsn": "postgresql://harvester@warehouse:5432/wh"}
    )
    mesh.orders_ds.source = source
    mesh.orders_ds.save(update_fields=["source"])
    first, _ = flips(
        mesh.orders,
        "dedicated_reader",
        lambda: Source.objects.filter(pk=source.pk).update(
            config={**source.config, "reader_dsn": "postgresql://lab_reader@warehouse:5432/wh"}
        ),
    )
    assert first["evidence"][0]["label"] == "wh.sales.orders has no dedicated reader"
