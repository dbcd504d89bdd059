"""Masking in lab results on a real warehouse: hostile SQL cannot get personal data past it."""

import pytest

from apps.lab.runner import run_query
from apps.privacy.masking import MASK

pytestmark = pytest.mark.django_db


def run(user, port, sql):
    return run_query(user, port, sql)


def column(result, name):
    i = result.columns.index(name)
    return [row[i] for row in result.rows]


@pytest.mark.parametrize(
    "sql, masked, clear",
    [
        ("SELECT email, first_name, city FROM crm.customers", ["email", "first_name"], ["city"]),
        ("SELECT email AS x, city AS y FROM crm.customers", ["x"], ["y"]),
        ("SELECT CAST(email AS varchar(5)) AS short, phone::text AS p FROM crm.customers", ["short", "p"], []),
        ("SELECT 'mail: ' || upper(email) AS shout, city || '!' AS c FROM crm.customers", ["shout"], ["c"]),
        ("SELECT * FROM crm.customers", ["email", "first_name", "last_name", "phone", "notes"], ["city"]),
        (
            "WITH c AS (SELECT email AS e, city FROM crm.customers) SELECT e AS hidden, city FROM c",
            ["hidden"],
            ["city"],
        ),
        ("SELECT z FROM (SELECT lower(last_name) AS z FROM crm.customers) s", ["z"], []),
        ("SELECT city AS v FROM crm.customers UNION ALL SELECT email FROM crm.customers", ["v"], []),
        ("SELECT (SELECT max(email) FROM crm.customers) AS m, count(*) AS n FROM crm.customers", ["m"], ["n"]),
        ("SELECT s.ip_address, s.page_views FROM web.sessions s", ["ip_address"], ["page_views"]),
        ("SELECT md5(email) AS h FROM crm.customers", ["h"], []),
    ],
)
def test_masks_follow_the_column(lab_port, harvested, sql, masked, clear):
    result = run(harvested.consumer, lab_port, sql)
    assert result.ok, result.error
    assert result.rows
    for name in masked:
        assert set(column(result, name)) <= {MASK, None}, name
    for name in clear:
        assert MASK not in column(result, name), name
    assert any("Masked personal data" in n for n in result.notices)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT count(*) FROM crm.customers WHERE email LIKE 'a%'",
        "SELECT city FROM crm.customers ORDER BY email",
        "SELECT a.city FROM crm.customers a JOIN crm.customers b ON a.email = b.email",
        "SELECT city, count(*) FROM crm.customers GROUP BY city, phone",
        "SELECT x FROM (SELECT email AS x FROM crm.customers) s WHERE x > 'm'",
    ],
)
def test_using_personal_data_outside_the_output_is_refused(lab_port, harvested, sql):
    result = run(harvested.consumer, lab_port, sql)
    assert not result.ok and "only be selected" in result.error
    assert result.rows == []
    from apps.lab.models import QueryRun

    assert QueryRun.objects.get(pk=result.run.pk).status == "refused"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT row_to_json(c) AS doc FROM crm.customers c",
        "SELECT city FROM crm.customers c WHERE c::text LIKE '%gmail%'",
        "SELECT to_jsonb(s) FROM web.sessions s",
    ],
)
def test_untraceable_lineage_is_refused(lab_port, harvested, sql):
    result = run(harvested.consumer, lab_port, sql)
    assert not result.ok and "cannot tell" in result.error and result.rows == []


def test_owners_and_personal_data_grants_see_values(lab_port, harvested):
    from apps.governance.models import AccessGrant
    from apps.privacy.actions import allow_personal_data

    sql = "SELECT email FROM crm.customers LIMIT 3"
    assert MASK not in column(run(harvested.owner, lab_port, sql), "email")
    assert set(column(run(harvested.consumer, lab_port, sql), "email")) == {MASK}
    grant = AccessGrant.objects.create(port=lab_port, user=harvested.consumer)
    allow_personal_data(harvested.owner, grant, purpose="Fraud investigation ticket F-12")
    assert MASK not in column(run(harvested.consumer, lab_port, sql), "email")


def test_rejected_and_public_levels(lab_port, harvested):
    from apps.privacy.actions import decide
    from apps.privacy.models import ColumnClassification, LevelPolicy

    email = ColumnClassification.objects.get(column__dataset__name__endswith="crm.customers", column__name="email")
    decide(harvested.owner, email, "reject")
    assert MASK not in column(run(harvested.consumer, lab_port, "SELECT email FROM crm.customers LIMIT 2"), "email")
    LevelPolicy.objects.create(level="internal", mask_personal_data=False)
    assert MASK not in column(run(harvested.consumer, lab_port, "SELECT phone FROM crm.customers LIMIT 2"), "phone")


def test_restricted_level_hides_curated_sample_queries(db):
    from types import SimpleNamespace

    from apps.catalog import actions as catalog_actions
    from apps.catalog.testing import make_mesh
    from apps.core.testing import SYSTEM
    from apps.privacy.masking import hide_sample_queries

    mesh = make_mesh()
    port = catalog_actions.create_port(SYSTEM, mesh.orders, name="p", direction="output", protocol="postgres")
    queries = [SimpleNamespace(origin="curated"), SimpleNamespace(origin="dbt"), SimpleNamespace(origin="generated")]
    assert hide_sample_queries(mesh.consumer, port, queries) == queries  # internal: shown
    catalog_actions.update_product(SYSTEM, mesh.orders, classification="restricted")
    port.product.refresh_from_db()
    assert [q.origin for q in hide_sample_queries(mesh.consumer, port, queries)] == ["generated"]
    assert hide_sample_queries(mesh.owner, port, queries) == queries
