"""Propagation along lineage, classification conflicts, and the right-to-be-forgotten finder."""

import pytest

from apps.catalog.testing import make_mesh
from apps.core.models import Event
from apps.privacy.actions import classify_column, decide, mark_anonymised, refresh_derived
from apps.privacy.finder import find
from apps.privacy.models import ClassificationConflict, ColumnClassification, Origin, State
from tests.privacy.mini import build_mini

pytestmark = pytest.mark.django_db


@pytest.fixture
def mini():
    mesh = make_mesh()
    return mesh, build_mini(mesh)


def cats(column) -> dict:
    return {c.category: c for c in ColumnClassification.objects.filter(column=column)}


def test_categories_flow_along_column_lineage_and_weakly_along_table_lineage(mini):
    _, m = mini
    contact = cats(m.col(m.emails, "contact"))["email"]
    assert (contact.origin, contact.weak, contact.propagated_from_id) == (
        Origin.PROPAGATED,
        False,
        m.col(m.customers, "email").pk,
    )
    assert "email" in cats(m.col(m.emails, "email_hash"))
    mesh, _ = mini
    classify_column(mesh.owner, m.col(m.customers, "city"), "address")
    refresh_derived()
    weak = cats(m.col(m.summary, "city"))["address"]
    assert weak.weak and weak.confidence < contact.confidence and weak.origin == Origin.PROPAGATED
    assert not cats(m.col(m.orders, "email_sent"))


def test_an_anonymising_mark_stops_propagation_and_rejection_removes_it(mini):
    mesh, m = mini
    mark_anonymised(mesh.admin, m.emails, column=m.col(m.emails, "email_hash"), method="hash")
    refresh_derived()
    assert "email" not in cats(m.col(m.emails, "email_hash"))
    decide(mesh.admin, cats(m.col(m.customers, "email"))["email"], "reject")
    refresh_derived()
    assert "email" not in cats(m.col(m.emails, "contact"))
    assert cats(m.col(m.customers, "email"))["email"].state == State.REJECTED


def test_conflict_for_internal_product_publishing_pii_emits_an_event(mini):
    mesh, _ = mini
    conflict = ClassificationConflict.objects.get(product=mesh.orders, resolved_at__isnull=True)
    assert "email" in conflict.categories and conflict.classification == "internal"
    assert Event.objects.filter(type="mesh.privacy.conflict_detected", product_slug="orders").count() == 1
    from apps.catalog import actions as catalog_actions
    from apps.core.testing import SYSTEM

    product = mesh.orders
    catalog_actions.update_product(SYSTEM, product, classification="confidential")
    refresh_derived()
    assert not ClassificationConflict.objects.filter(product=mesh.orders, resolved_at__isnull=True).exists()
    assert Event.objects.filter(type="mesh.privacy.conflict_resolved", product_slug="orders").exists()


def test_finder_follows_keys_foreign_keys_and_lineage(mini, django_assert_max_num_queries):
    _, m = mini
    with django_assert_max_num_queries(10):
        result = find("customer_id", value="42")
    by_name = {e["dataset"]["name"]: e for e in result["datasets"]}
    assert set(by_name) == {"shop.crm.customers", "shop.sales.orders", "shop.marts.customer_emails"}
    customers = by_name["shop.crm.customers"]
    assert customers["columns"][0]["via"] == "key" and customers["retention"] == "P2Y"
    assert customers["queries"]["select"] == "SELECT * FROM crm.customers WHERE customer_id = %(subject)s"
    assert customers["queries"]["erase"].startswith("DELETE FROM crm.customers WHERE customer_id")
    assert customers["queries"]["params"] == {"subject": "42"}
    assert customers["products"][0]["slug"] == "orders" and customers["products"][0]["owners"] == ["olivia (owner)"]
    assert by_name["shop.sales.orders"]["columns"][0] == {
        "id": m.col(m.orders, "buyer").pk,
        "name": "buyer",
        "via": "foreign_key",
        "transformation": "",
    }
    marts = by_name["shop.marts.customer_emails"]
    assert marts["columns"][0]["via"] == "lineage"
    assert marts["queries"]["erase_kind"] == "update"
    assert marts["queries"]["erase"].startswith("UPDATE marts.customer_emails SET contact = NULL, email_hash = NULL")


def test_finder_refuses_unknown_types():
    from apps.core.errors import ActionError

    with pytest.raises(ActionError):
        find("email")


def test_dbt_meta_and_tags_are_read_as_confirmed():
    from apps.catalog import actions as catalog_actions
    from apps.core.testing import SYSTEM
    from apps.harvest.harvesters.dbt.datasets import pii_tags
    from apps.privacy.actions import detect_pii

    assert pii_tags({"pii": "Email"}) == ("pii:email",) and pii_tags({"pii": True}) == ("pii",)
    ds = catalog_actions.register_dataset(
        SYSTEM,
        namespace="postgres://h:5432",
        name="db.s.people",
        platform="postgres",
        columns=[
            {"name": "contact", "type": "text", "tags": ["pii:email"]},
            {"name": "email", "type": "text", "tags": ["pii"]},
            {"name": "given", "type": "text", "tags": ["pii"]},
        ],
    )
    detect_pii([ds.pk])
    rows = {(c.column.name, c.category): c for c in ColumnClassification.objects.filter(column__dataset=ds)}
    assert rows[("contact", "email")].state == State.CONFIRMED and rows[("contact", "email")].origin == Origin.DECLARED
    assert rows[("email", "email")].state == State.CONFIRMED
    assert not any(name == "given" for name, _ in rows)  # pii: true without a detectable category
