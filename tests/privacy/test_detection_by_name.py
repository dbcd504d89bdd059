"""A name-only pass judges groups of equal column facts: it must equal judging every column."""

import pytest
from django.utils import timezone

from apps.catalog import actions
from apps.catalog.models import Dataset, DatasetConstraint
from apps.catalog.testing import make_mesh
from apps.core.testing import SYSTEM
from apps.privacy.detection.by_name import detect_by_name
from apps.privacy.detection.detector import detect
from apps.privacy.detection.gather import gather

pytestmark = pytest.mark.django_db


def one_by_one(ids):
    facts, declared, _ = gather(ids)
    return [vars(s) for s in detect(facts)], declared, len(facts)


def grouped(ids):
    suggestions, declared, checked = detect_by_name(ids)
    return [vars(s) for s in suggestions], declared, checked


def test_keys_by_constraint_and_bare_names_in_person_tables_are_judged_per_column():
    make_mesh()

    def mk(name, cols):
        return actions.register_dataset(
            SYSTEM, namespace="postgres://db:5432", name=f"shop.{name}", platform="postgres", columns=cols
        )

    text = lambda n, **kw: {"name": n, "type": "text", **kw}  # noqa: E731
    for schema in ("crm", "web", "ops"):  # the same columns in many tables, as harvests have them
        mk(f"{schema}.customers", [{"name": "id", "type": "integer", "primary_key": True}, text("email"), text("name")])
        mk(f"{schema}.jobs", [{"name": "id", "type": "integer", "primary_key": True}, text("name"), text("email")])
        accounts = mk(
            f"{schema}.accounts",
            [text("email"), text("login", description="the user's e-mail address"), text("ref", tags=["pii"])],
        )
        DatasetConstraint.objects.create(
            dataset=accounts, name=f"{schema}_accounts_email", kind="unique", columns=["email"]
        )
    Dataset.objects.filter(pk=mk("ops.removed", [text("email")]).pk).update(removed_at=timezone.now())
    ids = list(Dataset.objects.values_list("pk", flat=True))
    expected, declared, checked = one_by_one(ids)
    assert grouped(ids) == (expected, declared, checked)
    categories = {(s["column_id"], s["category"]) for s in expected}
    assert any(c == "email_key" for _, c in categories)  # a key by its unique constraint only
    assert any(s["rule"] == "name:name_in_person_table" for s in expected)
    assert len(declared) == 3  # the tagged ``ref`` of each accounts table
    assert grouped(ids[:2]) == one_by_one(ids[:2])
    assert grouped([]) == ([], {}, 0)


def test_the_harvested_warehouse_gets_the_same_suggestions_in_the_same_order(harvested):
    ids = list(Dataset.objects.filter(source=harvested.source).values_list("pk", flat=True))
    expected, declared, checked = one_by_one(ids)
    assert checked > 100 and len(expected) > 20
    assert grouped(ids) == (expected, declared, checked)
