"""Reading artifacts: supported schema versions, and clear errors for broken input."""

from pathlib import Path

import orjson
import pytest

from apps.harvest.harvesters.base import ConfigError
from apps.harvest.harvesters.dbt import DbtHarvester
from apps.harvest.harvesters.dbt.artifacts import ArtifactError, load_artifacts
from apps.harvest.records import DatasetRecord, LineageRecord, QualityRecord
from tests.harvest.dbt.conftest import COMMITTED, dbt_config


def harvest(path: Path, **config):
    harvester = DbtHarvester("dbt-test", DbtHarvester.validate_config(dbt_config(path, **config)), {})
    return list(harvester.extract())


def test_real_dbt_build_writes_every_artifact_in_a_supported_version(dbt_artifacts):
    artifacts = load_artifacts(dbt_artifacts)
    assert artifacts.versions == {"manifest.json": 12, "catalog.json": 1, "run_results.json": 6, "sources.json": 3}
    assert artifacts.manifest["metadata"]["dbt_version"].startswith("1.11.")


def test_truncated_manifest_is_refused_naming_the_file_and_the_problem():
    with pytest.raises(ArtifactError) as caught:
        load_artifacts(COMMITTED / "truncated")
    assert caught.value.filename == "manifest.json"
    assert "not valid JSON" in str(caught.value) and "truncated" in str(caught.value)


def test_truncating_a_real_catalog_names_the_catalog(artifacts_copy):
    catalog = artifacts_copy / "catalog.json"
    catalog.write_bytes(catalog.read_bytes()[:1000])
    with pytest.raises(ArtifactError, match=r"^catalog\.json: is not valid JSON"):
        load_artifacts(artifacts_copy)


def test_hand_broken_manifest_is_refused_with_what_is_wrong():
    with pytest.raises(ArtifactError, match=r"manifest\.json: has no 'nodes' object"):
        load_artifacts(COMMITTED / "broken")


def test_unsupported_schema_version_names_the_version_and_the_supported_ones():
    with pytest.raises(ArtifactError) as caught:
        load_artifacts(COMMITTED / "future")
    assert str(caught.value) == "manifest.json: has schema version v13 (dbt 2.0.0); supported: v10, v11, v12"


def test_artifact_of_the_wrong_kind_is_refused(artifacts_copy):
    (artifacts_copy / "catalog.json").write_bytes((artifacts_copy / "run_results.json").read_bytes())
    with pytest.raises(ArtifactError, match=r"catalog\.json: is a dbt run-results artifact, expected catalog"):
        load_artifacts(artifacts_copy)


def test_missing_manifest_says_how_to_produce_it(tmp_path):
    with pytest.raises(ArtifactError, match=r"manifest\.json: not found .* `dbt docs generate` first"):
        load_artifacts(tmp_path)


def test_failed_connection_check_reports_the_artifact_problem():
    harvester = DbtHarvester("dbt-test", DbtHarvester.validate_config(dbt_config(COMMITTED / "truncated")), {})
    check = harvester.test_connection()
    assert not check.ok and check.stage == "artifacts" and "manifest.json" in check.message


@pytest.mark.parametrize("version", [10, 11])
def test_old_manifest_versions_harvest_with_top_level_meta(version):
    records = harvest(COMMITTED / f"v{version}")
    datasets = {r.ref.name: r for r in records if isinstance(r, DatasetRecord)}
    orders = datasets["mesh_demo_warehouse.sales.orders"]
    assert orders.owner == "sales-analytics@example.com"  # from top-level meta: no config.meta before dbt 1.10
    assert orders.complete_columns is (version == 11)  # v10 fixture has no catalog.json
    assert {c.name for c in orders.columns} >= {"order_id", "order_total", "is_returned"}
    edges = {(r.upstream.name, r.downstream.name) for r in records if isinstance(r, LineageRecord)}
    assert (
        "mesh_demo_warehouse.staging.stg_payments",
        "mesh_demo_warehouse.sales.orders",
    ) in edges  # through the ephemeral model
    if version == 11:
        assert any(isinstance(r, QualityRecord) and r.status == "pass" for r in records)


def test_fields_added_by_later_dbt_versions_are_ignored(artifacts_copy):
    manifest_path = artifacts_copy / "manifest.json"
    manifest = orjson.loads(manifest_path.read_bytes())
    manifest["brand_new_section"] = {"x": 1}
    for node in manifest["nodes"].values():
        node["a_field_from_the_future"] = [1, 2, 3]
    manifest_path.write_bytes(orjson.dumps(manifest))
    assert any(isinstance(r, DatasetRecord) for r in harvest(artifacts_copy))


def test_config_errors_are_per_field():
    with pytest.raises(ConfigError) as caught:
        DbtHarvester.validate_config(
            {"warehouse_namespace": "not a url", "colour": 1, "meta_keys": {"team": "squad"}, "column_lineage": "yes"}
        )
    assert set(caught.value.errors) == {"warehouse_namespace", "colour", "meta_keys", "column_lineage"}
