"""The MySQL/MariaDB harvester end to end against the real server: databases it creates and drops."""

import json
import os
import socket
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from apps.catalog.models import Dataset, SchemaChange
from apps.catalog.testing import make_mesh
from apps.core.testing import SYSTEM
from apps.harvest import actions
from apps.harvest.models import RunStatus
from tests.harvest.mysql.mysql_source import HOST, PORT, execute, mysql_source

pytestmark = pytest.mark.django_db
GOLDEN = Path(settings.BASE_DIR) / "fixtures" / "golden" / "mysql_shop_export.json"


@pytest.fixture
def shop():
    with mysql_source() as found:
        yield found


@pytest.fixture
def source(shop):
    dsn, password, _, _ = shop
    return actions.create_source(
        SYSTEM, name="shop-mysql", kind="mysql", config={"dsn": dsn}, secrets={"password": password}
    )


def harvest(source, **kwargs):
    return actions.trigger_harvest(SYSTEM, source, triggered_by="test", run_async=False, **kwargs)


def export() -> dict:
    out = StringIO()
    call_command("export_catalog", stdout=out)
    return json.loads(out.getvalue())


def normalised(data: dict, prefix: str) -> str:
    return json.dumps(data, indent=2).replace(f"mysql://{HOST}:{PORT}", "mysql://HOST:PORT").replace(prefix, "P") + "\n"


def test_export_of_a_harvested_server_matches_the_golden_file(source, shop):
    make_mesh()
    prefix = shop[2]
    rules = [{"schema": f"{prefix}_sales", "domain": "sales"}, {"schema": f"{prefix}_ops", "domain": "marketing"}]
    source = actions.update_source(SYSTEM, source, mapping_rules=rules)
    run = harvest(source)
    assert run.status == RunStatus.SUCCEEDED, (run.errors, run.warnings)
    text = normalised(export(), prefix)
    if os.environ.get("MESH_REGEN_GOLDEN") == "1":
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text(), "export differs from the golden file (MESH_REGEN_GOLDEN=1 regenerates it)"


def test_tables_views_partitions_keys_and_column_details(source, shop):
    harvest(source)
    prefix = shop[2]
    kinds = dict(Dataset.objects.values_list("name", "kind"))
    assert kinds == {
        f"{prefix}_sales.customers": "table",
        f"{prefix}_sales.orders": "partitioned_table",
        f"{prefix}_sales.order_lines": "table",
        f"{prefix}_sales.shipments": "table",
        f"{prefix}_sales.customer_totals": "view",
        f"{prefix}_sales.big_customers": "view",
        f"{prefix}_ops.products": "table",
        f"{prefix}_ops.line_revenue": "view",
    }  # the secret database is invisible to the least-privilege user
    assert {ds.namespace for ds in Dataset.objects.all()} == {f"mysql://{HOST}:{PORT}"}
    orders = Dataset.objects.get(name=f"{prefix}_sales.orders")
    props = orders.properties["mysql"]
    assert (props["partitions"], props["partition_method"], props["partition_expression"]) == (
        3,
        "RANGE",
        "year(`placed_at`)",
    )
    assert (
        orders.row_estimate >= 3 and orders.size_bytes > 0 and orders.description == "Every order, partitioned by year"
    )
    cols = {c.name: c for c in orders.columns.all()}
    assert (
        cols["amount_with_tax"].is_generated
        and props["columns"]["amount_with_tax"]["generation_expression"] == "`amount` * 1.2"
    )
    assert (
        cols["id"].is_primary_key and cols["placed_at"].is_primary_key and cols["amount"].data_type == "decimal(10,2)"
    )
    customers = Dataset.objects.get(name=f"{prefix}_sales.customers")
    c = {col.name: col for col in customers.columns.all()}
    assert (
        c["tier"].data_type == "enum('free','pro','enterprise')"
        and c["tier"].default == "'free'"
        and not c["tier"].nullable
    )
    assert c["flags"].data_type == "set('newsletter','beta')" and c["profile"].data_type == "json"
    assert c["email"].description == "Login e-mail address"
    details = customers.properties["mysql"]["columns"]
    assert details["name"] == {"charset": "latin1", "collation": "latin1_swedish_ci"}
    assert details["id"]["extra"] == "auto_increment"
    assert {(k.kind, tuple(k.columns)) for k in customers.constraints.all()} == {
        ("primary_key", ("id",)),
        ("unique", ("email",)),
    }
    shipments = Dataset.objects.get(name=f"{prefix}_sales.shipments")
    fk = shipments.constraints.get(kind="foreign_key")
    assert fk.columns == ["order_id", "line_no"] and fk.referenced_columns == ["order_id", "line_no"]
    assert fk.referenced_dataset.name == f"{prefix}_sales.order_lines"
    lines_fk = Dataset.objects.get(name=f"{prefix}_sales.order_lines").constraints.get(kind="foreign_key")
    assert lines_fk.referenced_dataset.name == f"{prefix}_ops.products"  # across databases
    products = Dataset.objects.get(name=f"{prefix}_ops.products")
    indexes = {i["name"]: i for i in products.properties["mysql"]["indexes"]}
    assert indexes["idx_title"] == {"name": "idx_title", "unique": False, "type": "BTREE", "columns": ["title(20)"]}
    assert products.columns.get(name="search_title").is_generated


def test_view_sql_gives_table_and_column_lineage(source, shop):
    harvest(source)
    prefix = shop[2]
    totals = Dataset.objects.get(name=f"{prefix}_sales.customer_totals")
    assert sorted(totals.upstream_edges.values_list("upstream__short_name", "evidence")) == [
        ("customers", "view_sql"),
        ("orders", "view_sql"),
    ]
    total = totals.columns.get(name="total").upstream_edges.get()
    assert (total.upstream.dataset.short_name, total.upstream.name, total.transformation) == (
        "orders",
        "amount",
        "aggregation",
    )
    big = Dataset.objects.get(name=f"{prefix}_sales.big_customers")
    assert list(big.upstream_edges.values_list("upstream__short_name", flat=True)) == ["customer_totals"]
    revenue = Dataset.objects.get(name=f"{prefix}_ops.line_revenue").columns.get(name="revenue")
    assert sorted((e.upstream.dataset.name, e.upstream.name) for e in revenue.upstream_edges.all()) == [
        (f"{prefix}_ops.products", "price"),
        (f"{prefix}_sales.order_lines", "qty"),
    ]


def test_source_statements_do_not_grow_with_the_number_of_tables(source, shop):
    first = harvest(source)
    execute(" ".join(f"create table {{p}}_ops.t{i} (id int primary key, v text);" for i in range(40)), p=shop[2])
    second = harvest(source)
    assert second.counts["datasets_added"] == 40
    assert first.counts["source_queries"] == second.counts["source_queries"] == 13


def test_dropping_or_retyping_a_column_is_breaking_and_adding_one_is_not(source, shop):
    harvest(source)
    execute(
        "alter table {p}_sales.customers drop column name, add column phone varchar(30), modify tier varchar(20) not null",
        p=shop[2],
    )
    run = harvest(source)
    assert run.counts["breaking_changes"] == 2, run.counts
    changes = {
        (c.change_type, c.column_name, c.is_breaking)
        for c in SchemaChange.objects.filter(dataset__short_name="customers")
    }
    assert changes == {
        ("column_removed", "name", True),
        ("column_added", "phone", False),
        ("type_changed", "tier", True),
    }


def test_unchanged_reharvest_changes_nothing(source):
    harvest(source)
    run = harvest(source)
    assert run.counts["datasets_unchanged"] == 8 and run.counts.get("datasets_changed", 0) == 0
    assert run.counts.get("schema_changes", 0) == 0


def test_views_are_harvested_without_lineage_when_show_view_is_missing():
    with mysql_source(privileges="SELECT") as (dsn, password, prefix, _):
        source = actions.create_source(
            SYSTEM, name="no-show-view", kind="mysql", config={"dsn": dsn}, secrets={"password": password}
        )
        run = harvest(source)
        assert run.status == RunStatus.SUCCEEDED
        assert Dataset.objects.filter(kind="view").count() == 3
        hidden = {w["subject"] for w in run.warnings if w["code"] == "view_sql_hidden"}
        # MariaDB shows the SQL of views to users who may select from every table they read.
        assert hidden <= {
            f"{prefix}_sales.customer_totals",
            f"{prefix}_sales.big_customers",
            f"{prefix}_ops.line_revenue",
        }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("dsn", "stage"),
    [
        ("mysql://harvester@127.0.0.1:{free}", "refused"),
        ("mysql://harvester@no-such-host.invalid:3306", "dns"),
    ],
)
def test_unreachable_servers_name_the_failing_stage(dsn, stage):
    source = actions.create_source(
        SYSTEM, name="down", kind="mysql", config={"dsn": dsn.format(free=_free_port()), "connect_timeout_s": 2}
    )
    check = actions.test_source_connection(SYSTEM, source)
    assert (check.ok, check.stage) == (False, stage), check.message
    run = harvest(source)
    assert run.status == RunStatus.FAILED and run.errors[0]["code"] == stage


def test_wrong_password_fails_at_auth_and_changes_nothing(source):
    harvest(source)
    before = export()
    source = actions.update_source(SYSTEM, source, secrets={"password": "definitely-wrong"})
    check = actions.test_source_connection(SYSTEM, source)
    assert (check.ok, check.stage) == (False, "auth") and "definitely-wrong" not in check.message
    run = harvest(source)
    assert run.status == RunStatus.FAILED and run.errors[0]["code"] == "auth"
    assert export() == before


def test_a_user_without_privileges_fails_at_permission():
    with mysql_source(grants=()) as (dsn, password, _, _):
        source = actions.create_source(
            SYSTEM, name="nothing", kind="mysql", config={"dsn": dsn}, secrets={"password": password}
        )
        check = actions.test_source_connection(SYSTEM, source)
        assert (check.ok, check.stage) == (False, "permission"), check.message


def test_bad_config_is_refused_with_field_errors():
    from apps.core.errors import ActionError

    with pytest.raises(ActionError) as err:
        actions.create_source(
            SYSTEM, name="bad", kind="mysql", config={"dsn": "postgresql://x@h/db", "statement_timeout_ms": 5}
        )
    fields = {field for field, _, _ in err.value.errors}
    assert fields == {"config.dsn", "config.statement_timeout_ms"}


def test_add_source_moves_the_dsn_password_into_secrets_and_harvests(shop):
    dsn, password, prefix, user = shop
    with_password = dsn.replace(f"{user}@", f"{user}:{password}@")
    out = StringIO()
    call_command(
        "add_source",
        "cli-mysql",
        "--kind",
        "mysql",
        "--config",
        json.dumps({"dsn": with_password}),
        "--test",
        stdout=out,
    )
    assert "secrets set: password" in out.getvalue() and "Connection: ok" in out.getvalue()
    assert password not in out.getvalue()
    call_command("harvest", "cli-mysql", stdout=StringIO())
    names = {d["name"] for d in export()["datasets"]}
    assert f"{prefix}_sales.customers" in names and len(names) == 8
