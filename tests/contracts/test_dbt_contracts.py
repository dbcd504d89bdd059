"""Contracts on dbt models: drafted from the harvested tests, checked against dbt test results."""

import pytest

from apps.catalog import actions as catalog_actions
from apps.catalog.models import QualityCheck
from apps.catalog.testing import make_mesh
from apps.contracts import actions, odcs
from apps.contracts.drafts import draft_yaml
from apps.contracts.models import CheckRun
from apps.core.testing import SYSTEM
from tests.harvest.dbt.conftest import (
    _private_lineage_cache,  # noqa: F401  (autouse fixture)
    dbt_artifacts,  # noqa: F401  (session fixture)
)
from tests.harvest.dbt.test_dbt_pipeline import FAILING_TEST, dbt_source, harvest

pytestmark = pytest.mark.django_db


def test_a_drafted_contract_follows_dbt_test_results(dbt_artifacts):  # noqa: F811
    mesh = make_mesh()
    source = dbt_source(dbt_artifacts)
    harvest(source)
    failing = QualityCheck.objects.select_related("dataset").get(key=FAILING_TEST)
    dataset = failing.dataset
    port = catalog_actions.create_port(SYSTEM, mesh.orders, name="dbt-port", direction="output", datasets=[dataset])

    text = draft_yaml(port)
    parsed = odcs.parse(text)
    assert parsed.ok, parsed.problems
    props = {p["name"]: p for p in parsed.data["schema"][0]["properties"]}
    rules = props[failing.column_name]["quality"]
    assert any(r["metric"] == "invalidValues" and r["arguments"]["validValues"] for r in rules)

    actions.submit_contract(mesh.owner, text.replace("status: draft", "status: active"), port=port, via="test")
    harvest(source)
    run = CheckRun.objects.get(dataset=dataset)
    assert run.verdict == "violated"
    violated = [c for c in run.clauses if c["verdict"] == "violated"]
    assert [c["clause"] for c in violated] == [f"{dataset.short_name}.{failing.column_name} quality invalidValues"]
    assert violated[0]["evidence"].startswith("dbt accepted_values: fail")
    assert run.met_count > 0
