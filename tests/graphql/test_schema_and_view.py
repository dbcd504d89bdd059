"""The committed schema is current; the view serves GraphiQL offline and guards reads."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from apps.catalog import actions
from apps.core.testing import SYSTEM
from apps.harvest.models import Source

pytestmark = pytest.mark.django_db

REGENERATE = "python manage.py graphql_schema --schema mesh_catalog.graphql.schema.schema --out schema.graphql"


def test_committed_schema_graphql_is_current(tmp_path):
    out = tmp_path / "schema.graphql"
    call_command("graphql_schema", schema="mesh_catalog.graphql.schema.schema", out=str(out))
    committed = (Path(settings.BASE_DIR) / "schema.graphql").read_text()
    assert out.read_text() == committed, f"schema.graphql is stale: run `{REGENERATE}`"


def test_graphiql_is_served_without_any_cdn(mesh):
    client = Client()
    client.force_login(mesh.consumer)
    response = client.get("/graphql", HTTP_ACCEPT="text/html")
    html = response.content.decode()
    assert response.status_code == 200 and "graphiql.min.js" in html
    assert "cdn." not in html and "unpkg" not in html and "https://" not in html
    for name in (
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphql-ws.min.js",
        "fetch.umd.js",
        "graphiql-plugin-explorer.umd.js",
    ):
        assert (Path(settings.BASE_DIR) / "frontend/static/vendor/graphiql" / name).is_file()


def test_anonymous_browser_is_sent_to_login(mesh):
    response = Client().get("/graphql", HTTP_ACCEPT="text/html")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_session_users_need_csrf_for_graphql_posts(mesh):
    client = Client(enforce_csrf_checks=True)
    client.force_login(mesh.consumer)
    response = client.post("/graphql", '{"query": "{ domains { totalCount } }"}', content_type="application/json")
    assert response.status_code == 403


def test_sources_never_expose_secrets(mesh, as_role):
    Source.objects.filter(name="warehouse").update(config={"host": "db"}, secrets={"password": "hunter2-secret"})
    client = as_role("admin")
    response = client.post("{ sources { edges { node { name config secretKeys runs { totalCount } } } } }")
    assert "hunter2" not in response.content.decode()
    node = response.json()["data"]["sources"]["edges"][0]["node"]
    assert node["secretKeys"] == ["password"] and node["config"] == '{"host": "db"}'
    rest = as_role("admin").client.get("/api/v1/sources/", HTTP_AUTHORIZATION=client.headers["HTTP_AUTHORIZATION"])
    assert rest.status_code == 200 and "hunter2" not in rest.content.decode()
    assert rest.json()["results"][0]["secret_keys"] == ["password"]


def test_domains_tree_and_filters(mesh, as_role):
    client = as_role("consumer")
    data = client(
        "{ domains(rootsOnly: true) { totalCount edges { node { slug children { slug products { totalCount } } } } } }"
    )
    roots = {e["node"]["slug"]: e["node"] for e in data["domains"]["edges"]}
    assert set(roots) == {"sales", "marketing"}
    assert {c["slug"] for c in roots["sales"]["children"]} == {"emea", "apac"}
    data = client(
        '{ dataProducts(domain: "sales", lifecycle: ["published"]) { totalCount edges { node { slug owners { edges { node { user { username } } } } } } } }'
    )
    assert data["dataProducts"]["totalCount"] == 1
    assert data["dataProducts"]["edges"][0]["node"]["owners"]["edges"][0]["node"]["user"]["username"] == "olivia"


def test_lineage_walks_datasets_columns_and_products(mesh, as_role):
    ns = "postgres://wh:5432"
    raw = actions.register_dataset(
        SYSTEM, namespace=ns, name="shop.raw.orders", platform="postgres", columns=[{"name": "id"}]
    )
    stg = actions.register_dataset(
        SYSTEM, namespace=ns, name="shop.stg.orders", platform="postgres", columns=[{"name": "id"}]
    )
    mart = actions.register_dataset(
        SYSTEM, namespace=ns, name="shop.mart.orders", platform="postgres", columns=[{"name": "order_id"}]
    )
    actions.add_manual_lineage(SYSTEM, raw, stg)
    actions.add_manual_lineage(SYSTEM, stg, mart)
    from apps.catalog.models import ColumnLineageEdge

    ColumnLineageEdge.objects.create(
        upstream=raw.columns.get(), downstream=stg.columns.get(), evidence="manual", transformation="identity"
    )
    ColumnLineageEdge.objects.create(
        upstream=stg.columns.get(), downstream=mart.columns.get(), evidence="manual", transformation="identity"
    )
    actions.set_port_datasets(SYSTEM, mesh.leads_port, [raw])
    actions.set_port_datasets(SYSTEM, mesh.orders_port, [stg])
    client = as_role("consumer")
    data = client(
        'query($ns: String!) { lineage(namespace: $ns, name: "shop.mart.orders", direction: UPSTREAM, depth: 3) { nodes { name } edges { upstream { name } downstream { name } evidence } } }',
        {"ns": ns},
    )
    assert {n["name"] for n in data["lineage"]["nodes"]} == {"shop.raw.orders", "shop.stg.orders", "shop.mart.orders"}
    assert len(data["lineage"]["edges"]) == 2
    one_hop = client(
        'query($ns: String!) { lineage(namespace: $ns, name: "shop.mart.orders", direction: UPSTREAM, depth: 1) { nodes { name } } }',
        {"ns": ns},
    )
    assert {n["name"] for n in one_hop["lineage"]["nodes"]} == {"shop.stg.orders", "shop.mart.orders"}
    cols = client(
        'query($ns: String!) { columnLineage(namespace: $ns, name: "shop.raw.orders", column: "id", direction: DOWNSTREAM, depth: 2) { columns { name dataset { name } } edges { transformation } } }',
        {"ns": ns},
    )
    assert {(c["dataset"]["name"], c["name"]) for c in cols["columnLineage"]["columns"]} == {
        ("shop.raw.orders", "id"),
        ("shop.stg.orders", "id"),
        ("shop.mart.orders", "order_id"),
    }
    columns = client(
        'query($ns: String!) { dataset(namespace: $ns, name: "shop.stg.orders") { columns { edges { node { name dataset { name } upstream { upstream { name dataset { name } } transformation } downstream { downstream { name } } } } } } }',
        {"ns": ns},
    )
    node = columns["dataset"]["columns"]["edges"][0]["node"]
    assert node["dataset"]["name"] == "shop.stg.orders"
    assert node["upstream"] == [
        {"upstream": {"name": "id", "dataset": {"name": "shop.raw.orders"}}, "transformation": "identity"}
    ]
    assert node["downstream"] == [{"downstream": {"name": "order_id"}}]
    products = client(
        '{ dataProduct(slug: "orders") { lineage(direction: UPSTREAM) { products { slug } edges { upstream { slug } downstream { slug } via } } } }'
    )
    assert products["dataProduct"]["lineage"]["edges"] == [
        {"upstream": {"slug": "leads"}, "downstream": {"slug": "orders"}, "via": ["dataset"]}
    ]


def test_search_through_graphql_returns_what_the_search_service_returns(mesh, as_role):
    from apps.search.indexer import rebuild
    from apps.search.service import search

    rebuild()
    client = as_role("consumer")
    data = client('{ search(q: "orders", pageSize: 5) { count page pageSize facets results { type id name url } } }')[
        "search"
    ]
    direct = search("orders", page_size=5, user=mesh.consumer)
    assert data["count"] == direct.count > 0
    assert [(r["type"], int(r["id"])) for r in data["results"]] == [(h.type, h.id) for h in direct.results]
    assert "Orders" in [r["name"] for r in data["results"]]


def test_dataset_quality_results_and_schema_changes(mesh, as_role):
    from django.utils import timezone

    from apps.catalog.models import QualityCheck, QualityResult, SchemaChange, SchemaVersion

    ds = actions.register_dataset(
        SYSTEM, namespace="postgres://wh:5432", name="shop.public.orders", platform="postgres", columns=[{"name": "id"}]
    )
    check = QualityCheck.objects.create(
        dataset=ds,
        column_name="id",
        key="test.not_null_id",
        name="not_null_id",
        check_type="not_null",
        category="completeness",
    )
    QualityResult.objects.create(
        quality_check=check, status="pass", observed_at=timezone.now() - timezone.timedelta(days=1), run_key="r1"
    )
    QualityResult.objects.create(
        quality_check=check, status="fail", observed_at=timezone.now(), run_key="r2", failures=3
    )
    version = SchemaVersion.objects.create(dataset=ds, version=2, schema_hash="abc", columns=[{"name": "id"}])
    SchemaChange.objects.create(
        dataset=ds, schema_version=version, change_type="column_removed", column_name="email", is_breaking=True
    )
    data = as_role("consumer")(
        '{ dataset(namespace: "postgres://wh:5432", name: "shop.public.orders") { qualityChecks { totalCount edges { node { name latestStatus results { totalCount edges { node { status failures } } } } } }'
        " schemaVersions { edges { node { version } } } schemaChanges(breakingOnly: true) { totalCount edges { node { changeType columnName } } } } }"
    )["dataset"]
    node = data["qualityChecks"]["edges"][0]["node"]
    assert node["latestStatus"] == "fail" and [e["node"]["status"] for e in node["results"]["edges"]] == [
        "fail",
        "pass",
    ]
    assert data["schemaVersions"]["edges"][0]["node"]["version"] == 2
    assert data["schemaChanges"]["edges"][0]["node"] == {"changeType": "column_removed", "columnName": "email"}
