"""Unchanged dbt datasets are reported by digest: no record, no lineage, no SQL parsed, catalog kept."""

import orjson
import pytest

from apps.catalog.models import ColumnLineageEdge, Dataset, LineageEdge
from apps.harvest.harvesters.dbt import DbtHarvester
from apps.harvest.harvesters.dbt.cache import LineageCache
from apps.harvest.records import ColumnLineageRecord, DatasetRecord, HarvestWarning, LineageRecord, SourceDigest
from tests.harvest.dbt.conftest import NAMESPACE, WAREHOUSE_DB, dbt_config
from tests.harvest.dbt.test_dbt_pipeline import dbt_source, harvest


def name(table: str) -> str:
    return f"{WAREHOUSE_DB}.{table}"


def extract(path, known=None, **config):
    harvester = DbtHarvester("dbt-digests", DbtHarvester.validate_config(dbt_config(path, **config)), {})
    harvester.known_digests = dict(known or {})
    records = list(harvester.extract())
    digests = {r.ref: r.digest for r in records if isinstance(r, SourceDigest)}
    return records, digests, harvester.stats


def of(records, cls):
    return [r for r in records if isinstance(r, cls)]


def edit(path, filename, change):
    document = orjson.loads((path / filename).read_bytes())
    change(document)
    (path / filename).write_bytes(orjson.dumps(document))


def test_same_artifacts_give_same_digests_and_nothing_to_read(dbt_artifacts):
    records, digests, _ = extract(dbt_artifacts)
    assert len(digests) == len(of(records, DatasetRecord)) == 16 and not any(
        r.unchanged for r in of(records, SourceDigest)
    )
    again, digests_again, stats = extract(dbt_artifacts, known=digests)
    assert digests_again == digests and all(r.unchanged for r in of(again, SourceDigest))
    assert not of(again, DatasetRecord) and not of(again, LineageRecord) and not of(again, ColumnLineageRecord)
    assert (stats["sql_parsed"], stats["sql_cached"], stats["datasets_unchanged_by_digest"]) == (0, 0, 16)


def test_a_changed_model_alone_is_read_and_parsed_again(artifacts_copy):
    _, digests, _ = extract(artifacts_copy)

    def touch(manifest):
        manifest["nodes"]["model.mesh_demo.daily_revenue"]["compiled_code"] += "\n-- reformatted"
        for node in manifest["nodes"].values():
            node["created_at"] = 1.0  # dbt rewrites it on every parse: it must not count as a change

    edit(artifacts_copy, "manifest.json", touch)
    records, after, stats = extract(artifacts_copy, known=digests)
    changed = {ref.name for ref in after if after[ref] != digests[ref]}
    assert changed == {name("finance.daily_revenue")}
    assert [r.ref.name for r in of(records, DatasetRecord)] == [name("finance.daily_revenue")]
    assert {r.downstream.name for r in of(records, LineageRecord) + of(records, ColumnLineageRecord)} == changed
    assert (stats["sql_parsed"], stats["datasets_unchanged_by_digest"]) == (1, 15)


def test_upstream_schema_and_exposure_changes_reach_the_datasets_they_feed(artifacts_copy):
    _, digests, _ = extract(artifacts_copy)
    edit(
        artifacts_copy,
        "catalog.json",
        lambda c: c["nodes"]["model.mesh_demo.stg_payments"]["columns"].pop(
            next(iter(c["nodes"]["model.mesh_demo.stg_payments"]["columns"]))
        ),
    )
    _, after, _ = extract(artifacts_copy, known=digests)
    changed = {ref.name for ref in after if after[ref] != digests[ref]}
    assert name("staging.stg_payments") in changed and name("sales.orders") in changed  # reads it (via ephemeral)
    assert name("staging.stg_customers") not in changed

    def rename(manifest):
        manifest["exposures"]["exposure.mesh_demo.executive_sales_dashboard"]["label"] = "Renamed dashboard"

    edit(artifacts_copy, "manifest.json", rename)
    _, renamed, _ = extract(artifacts_copy, known=after)
    assert {ref.name for ref in renamed if renamed[ref] != after[ref]} == {
        name("sales.customer_lifetime_value"),
        name("finance.daily_revenue"),
    }  # the two the dashboard consumes


def test_unparseable_sql_still_warns_when_unchanged(artifacts_copy):
    edit(
        artifacts_copy,
        "manifest.json",
        lambda m: m["nodes"]["model.mesh_demo.daily_revenue"].update(compiled_code="select from where (("),
    )
    _, digests, _ = extract(artifacts_copy)
    records, _, stats = extract(artifacts_copy, known=digests)
    [warning] = [w for w in of(records, HarvestWarning) if w.code == "dbt_sql_unparsed"]
    assert warning.subject == "model.mesh_demo.daily_revenue" and stats["sql_parsed"] == 0


@pytest.mark.django_db
def test_unchanged_reharvest_keeps_every_row_and_edge(artifacts_copy, django_assert_max_num_queries):
    source = dbt_source(artifacts_copy)
    harvest(source)
    before = (
        sorted(LineageEdge.objects.filter(source=source).values_list("upstream__name", "downstream__name", "details")),
        sorted(ColumnLineageEdge.objects.filter(source=source).values_list("upstream__name", "downstream__name")),
        sorted(Dataset.objects.filter(namespace=NAMESPACE).values_list("name", "description", "properties")),
    )
    with django_assert_max_num_queries(60):  # the same for 16 datasets or 5,000
        run = harvest(source)
    assert run.counts["datasets_unchanged"] == 16 and run.counts["column_lineage_edges_added"] == 0
    after = (
        sorted(LineageEdge.objects.filter(source=source).values_list("upstream__name", "downstream__name", "details")),
        sorted(ColumnLineageEdge.objects.filter(source=source).values_list("upstream__name", "downstream__name")),
        sorted(Dataset.objects.filter(namespace=NAMESPACE).values_list("name", "description", "properties")),
    )
    assert after == before and len(before[1]) > 50

    edit(
        artifacts_copy,
        "manifest.json",
        lambda m: m["nodes"]["model.mesh_demo.orders"].update(description="Orders, one row each."),
    )
    run = harvest(source)
    assert run.counts["datasets_changed"] == 1 and run.counts["column_lineage_edges_removed"] == 0
    assert Dataset.objects.get(name=name("sales.orders")).description == "Orders, one row each."
    assert ColumnLineageEdge.objects.filter(source=source).count() == len(before[1])


def test_lineage_cache_is_read_only_when_an_entry_is_needed(tmp_path):
    path = tmp_path / "dbt" / "src.lineage.json"
    first = LineageCache(path)
    first.put("a", {"id": [["db.s.t", "id", "identity"]]})
    first.put("b", "cannot parse the SQL")
    first.save()
    unchanged = LineageCache(path)
    unchanged.keep("a")
    unchanged.keep("b")
    assert unchanged.failure("b") == "cannot parse the SQL" and unchanged.failure("a") is None
    unchanged.save()
    assert unchanged._old is None  # the big file was neither read nor rewritten
    changed = LineageCache(path)
    changed.keep("a")
    changed.put("c", {"x": []})
    changed.save()
    assert set(orjson.loads(path.read_bytes())) == {"a", "c"}  # kept without being read; "b" is gone
    assert orjson.loads(changed.failures_path.read_bytes()) == {}
