"""The ``mesh`` CLI as CI runs it: a real process talking HTTP to a live catalog server."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from apps.catalog.models import Dataset
from apps.contracts.models import ContractVersion
from apps.core.actions import create_token
from tests.contracts.conftest import contract_yaml

FIXTURES = Path(settings.BASE_DIR).parent.parent / "shared" / "fixtures" / "odcs"
if not FIXTURES.exists():
    FIXTURES = Path("/work/shared/fixtures/odcs")


def mesh(*args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "apps.contracts.cli", *map(str, args)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_validate_accepts_the_standards_examples_offline():
    result = mesh("validate", *sorted(FIXTURES.glob("*.yaml")))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok") == 4


def test_validate_reports_file_line_and_column_and_exits_1(tmp_path):
    bad = tmp_path / "bad.odcs.yaml"
    bad.write_text(
        (FIXTURES / "table-column.odcs.yaml").read_text().replace("logicalType: string", "logicalType: strng", 1)
    )
    result = mesh("validate", bad)
    assert result.returncode == 1
    assert f"{bad}:14:20: unknown_value: schema[0].properties[0].logicalType" in result.stderr


def test_validate_checks_an_odps_descriptor_too(tmp_path):
    descriptor = tmp_path / "product.yaml"
    descriptor.write_text(
        "apiVersion: v1.0.0\nkind: DataProduct\nid: orders\nname: Orders\ndomain: sales\nstatus: active\nbogus: 1\n"
    )
    result = mesh("validate", descriptor)
    assert result.returncode == 1 and "unknown_field" in result.stderr


def test_validate_against_the_previous_version_enforces_the_major_bump(tmp_path):
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    text = (FIXTURES / "full-example.odcs.yaml").read_text()
    old.write_text(text)
    new.write_text(
        text.replace("version: 1.1.0", "version: 1.2.0").replace(
            "physicalType: varchar(18)", "physicalType: varchar(10)", 1
        )
    )
    result = mesh("validate", new, "--against", old)
    assert result.returncode == 1
    assert "major BREAKING: type_narrowed tbl_1.rcvr_id" in result.stdout and "new major version" in result.stderr
    new.write_text(new.read_text().replace("version: 1.2.0", "version: 2.0.0"))
    assert mesh("validate", new, "--against", old).returncode == 0


def test_usage_errors_exit_2(tmp_path):
    assert mesh().returncode == 2
    assert mesh("validate", tmp_path / "missing.yaml").returncode == 2
    result = mesh("diff", FIXTURES / "table-column.odcs.yaml")
    assert result.returncode == 2 and "--catalog" in result.stderr
    unreachable = mesh("diff", FIXTURES / "table-column.odcs.yaml", "--catalog", "http://127.0.0.1:9", "--token", "x")
    assert unreachable.returncode == 2 and "Cannot reach" in unreachable.stderr


@pytest.mark.django_db(transaction=True)
def test_apply_then_diff_a_breaking_change_against_a_live_catalog(live_server, mesh_world, tmp_path):
    people, port = mesh_world
    token = create_token(people.owner, name="ci")[1]
    customers = Dataset.objects.get(short_name="customers")
    contract = tmp_path / "contract.yaml"
    contract.write_text(contract_yaml(customers))
    common = ("--catalog", live_server.url, "--token", token)

    applied = mesh("apply", contract, *common, "--port", "orders/customers")
    assert applied.returncode == 0, applied.stderr
    assert "contract orders-customers version 1.0.0 (active)" in applied.stdout

    contract.write_text(contract_yaml(customers, version="1.1.0", email_type="varchar(50)"))
    refused = mesh("diff", contract, *common)
    assert refused.returncode == 1 and "major_bump_required" in refused.stderr

    contract.write_text(contract_yaml(customers, version="2.0.0", status="proposed", email_type="varchar(50)"))
    diff = mesh("diff", contract, *common)
    assert diff.returncode == 0, diff.stderr
    assert "major BREAKING: type_narrowed customers.email" in diff.stdout
    assert mesh("diff", contract, *common, "--fail-on-breaking").returncode == 1
    assert ContractVersion.objects.count() == 1  # diff writes nothing

    wrong_token = mesh("apply", contract, "--catalog", live_server.url, "--token", "nope")
    assert wrong_token.returncode == 1


@pytest.fixture
def mesh_world(shop):
    from apps.catalog import actions as catalog_actions
    from apps.catalog.testing import make_mesh
    from apps.core.testing import SYSTEM
    from apps.harvest import actions as harvest_actions
    from tests.contracts.conftest import harvest

    people = make_mesh()
    source = harvest_actions.create_source(SYSTEM, name="shop", kind="postgres", config={"dsn": shop[0]})
    harvest(source)
    customers = Dataset.objects.get(short_name="customers")
    port = catalog_actions.create_port(
        SYSTEM, people.orders, name="customers", direction="output", datasets=[customers]
    )
    return people, port
