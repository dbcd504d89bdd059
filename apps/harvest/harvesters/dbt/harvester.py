"""The ``dbt`` source kind: a dbt project's artifacts → datasets, lineage, quality, owners.

Config keys:
  ``warehouse_namespace`` (required) — the OpenLineage namespace the models materialize
      into, e.g. ``postgres://db.internal:5432``; the same namespace the warehouse's own
      source uses, so that dbt nodes and warehouse tables are one dataset each.
  ``path`` — directory holding ``manifest.json`` (+ ``catalog.json``, ``run_results.json``,
      ``sources.json``). Omit it to read the set last uploaded through
      ``POST /api/v1/sources/<name>/dbt-artifacts``.
  ``meta_keys`` — our field → the project's ``meta`` key, for ``owner``, ``domain``,
      ``data_product``, ``classification`` (default: the same names).
  ``column_lineage`` — parse compiled SQL for column-level lineage (default true).
  ``dialect`` — sqlglot dialect of the compiled SQL (default: the manifest's adapter).
"""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

from apps.harvest.harvesters.base import ConfigError, ConnectionCheck, Harvester
from apps.harvest.harvesters.dbt.artifacts import ArtifactError, DbtArtifacts, load_artifacts
from apps.harvest.harvesters.dbt.cache import LineageCache
from apps.harvest.harvesters.dbt.datasets import dataset_records
from apps.harvest.harvesters.dbt.digests import dataset_digests
from apps.harvest.harvesters.dbt.gcpause import collector_paused
from apps.harvest.harvesters.dbt.lineage import column_lineage, lineage_jobs, table_lineage, warehouse_schema
from apps.harvest.harvesters.dbt.nodes import NodeIndex
from apps.harvest.harvesters.dbt.placement import (
    DEFAULT_META_KEYS,
    Placement,
    exposure_consumers,
    ownership_hints,
    sample_queries,
)
from apps.harvest.harvesters.dbt.quality import freshness_records, model_run_warnings, test_records, unit_test_records
from apps.harvest.harvesters.dbt.shapes import drop_bad_nodes
from apps.harvest.records import HarvestRecord, HarvestWarning, SourceDigest

CONFIG_KEYS = {"path", "warehouse_namespace", "meta_keys", "column_lineage", "dialect"}
DIALECT_BY_ADAPTER = {
    "postgres": "postgres",
    "redshift": "redshift",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
    "databricks": "databricks",
    "spark": "spark",
    "trino": "trino",
    "duckdb": "duckdb",
    "athena": "athena",
    "clickhouse": "clickhouse",
    "sqlserver": "tsql",
}


class DbtHarvester(Harvester):
    """Reads a dbt project's artifacts from disk (or the last upload) and yields records."""

    kind = "dbt"

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        errors: dict[str, list[str]] = {}
        if not isinstance(config, dict):
            raise ConfigError({"config": ["must be a JSON object"]})
        for key in sorted(set(config) - CONFIG_KEYS):
            errors.setdefault(key, []).append(f"unknown key (known: {', '.join(sorted(CONFIG_KEYS))})")
        namespace = config.get("warehouse_namespace")
        if not isinstance(namespace, str) or not namespace.strip():
            errors.setdefault("warehouse_namespace", []).append("required, e.g. postgres://db.internal:5432")
        else:
            parsed = urlparse(namespace.strip())
            # A file database's namespace has a path instead of a host (duckdb:///srv/wh.duckdb).
            if not parsed.scheme or not (parsed.netloc or (parsed.scheme == "duckdb" and parsed.path)):
                errors.setdefault("warehouse_namespace", []).append(
                    "must look like scheme://host:port, e.g. postgres://db.internal:5432 (duckdb:///path/to/file.duckdb)"
                )
        path = config.get("path")
        if path is not None and (not isinstance(path, str) or not path.strip()):
            errors.setdefault("path", []).append("must be the directory holding manifest.json")
        meta_keys = config.get("meta_keys", {})
        if not isinstance(meta_keys, dict) or any(not isinstance(v, str) or not v for v in meta_keys.values()):
            errors.setdefault("meta_keys", []).append("must map fields to meta key names (strings)")
        else:
            for key in sorted(set(meta_keys) - set(DEFAULT_META_KEYS)):
                errors.setdefault("meta_keys", []).append(
                    f"unknown field {key!r} (known: {', '.join(DEFAULT_META_KEYS)})"
                )
        if not isinstance(config.get("column_lineage", True), bool):
            errors.setdefault("column_lineage", []).append("must be true or false")
        if "dialect" in config and not (isinstance(config["dialect"], str) and config["dialect"]):
            errors.setdefault("dialect", []).append("must be a sqlglot dialect name, e.g. postgres")
        if errors:
            raise ConfigError(errors)
        normalised = {
            "warehouse_namespace": namespace.strip().rstrip("/"),
            "column_lineage": config.get("column_lineage", True),
        }
        if path:
            normalised["path"] = path.strip()
        if meta_keys:
            normalised["meta_keys"] = dict(meta_keys)
        if config.get("dialect"):
            normalised["dialect"] = config["dialect"]
        return normalised

    # --- where the artifacts are ---------------------------------------------------

    def artifacts_dir(self) -> Path:
        if self.config.get("path"):
            return Path(self.config["path"])
        from apps.harvest.uploads import current_artifacts_dir

        found = current_artifacts_dir(self.source_name)
        if found is None:
            raise ArtifactError(
                "manifest.json", f"no path is configured and no artifacts were uploaded for source {self.source_name!r}"
            )
        return found

    def test_connection(self) -> ConnectionCheck:
        try:
            artifacts = load_artifacts(self.artifacts_dir())
        except ArtifactError as exc:
            return ConnectionCheck(ok=False, message=str(exc), stage="artifacts")
        meta = artifacts.manifest.get("metadata", {})
        models = sum(1 for n in artifacts.manifest["nodes"].values() if n.get("resource_type") == "model")
        present = ", ".join(f"{name} v{v}" for name, v in artifacts.versions.items())
        return ConnectionCheck(
            ok=True,
            message=f"dbt {meta.get('dbt_version', '?')} project {meta.get('project_name', '?')}: {models} models ({present})",
            stage="artifacts",
        )

    # --- extraction ----------------------------------------------------------------

    def extract(self) -> Iterator[HarvestRecord]:
        with collector_paused():
            artifacts = load_artifacts(self.artifacts_dir())
            yield from self.records_from(artifacts)

    def records_from(self, artifacts: DbtArtifacts) -> Iterator[HarvestRecord]:
        for problem in drop_bad_nodes(artifacts.manifest, artifacts.catalog):
            yield HarvestWarning("dbt_bad_node", f"Skipped: {problem}", problem.split(":", 1)[0], partial=True)
        manifest = artifacts.manifest
        namespace = self.config["warehouse_namespace"]
        adapter = str(manifest.get("metadata", {}).get("adapter_type") or urlparse(namespace).scheme or "sql")
        dialect = self.config.get("dialect") or DIALECT_BY_ADAPTER.get(adapter, adapter)
        index = NodeIndex.build(manifest, namespace)
        placement = Placement(manifest, self.config.get("meta_keys", {}))
        with_columns = self.config.get("column_lineage", True)
        jobs = (
            lineage_jobs(index, warehouse_schema(artifacts.catalog, manifest, index), dialect) if with_columns else {}
        )
        consumers = list(exposure_consumers(manifest, index))
        setup = {k: v for k, v in self.config.items() if k != "path"} | {"adapter": adapter, "dialect": dialect}
        digests = dataset_digests(
            index, artifacts.catalog, placement.declared, consumers, {uid: job[0] for uid, job in jobs.items()}, setup
        )
        unchanged = frozenset(ref for ref, digest in digests.items() if self.known_digests.get(ref) == digest)
        for ref, digest in digests.items():
            yield SourceDigest(ref=ref, digest=digest, unchanged=ref in unchanged)

        yield from dataset_records(manifest, artifacts.catalog, index, adapter, placement.owner_of, unchanged)
        yield from table_lineage(index, unchanged)
        self.stats = {"datasets_unchanged_by_digest": len(unchanged)}
        if with_columns:
            cache = LineageCache.for_source(self.source_name)
            yield from column_lineage(index, jobs, cache, self.stats, unchanged)
            cache.save()
        yield from test_records(index, artifacts.run_results)
        yield from unit_test_records(manifest, index, artifacts.run_results)
        yield from model_run_warnings(index, artifacts.run_results)
        yield from freshness_records(index, artifacts.sources)
        yield from ownership_hints(index, placement)
        yield from sample_queries(index)
        yield from consumers
        yield from _invocation_warnings(artifacts, index)


def _invocation_warnings(artifacts: DbtArtifacts, index: NodeIndex) -> Iterator[HarvestWarning]:
    """Results naming nodes the manifest does not have mean artifacts of different projects or runs."""
    known = set(index.nodes)
    for section in ("exposures", "unit_tests", "metrics", "semantic_models", "saved_queries", "functions", "macros"):
        known.update(artifacts.manifest.get(section) or {})
    for name, document in (("run_results.json", artifacts.run_results), ("sources.json", artifacts.sources)):
        unknown = sorted(
            {
                r.get("unique_id")
                for r in document.get("results") or []
                if isinstance(r, dict) and r.get("unique_id") not in known
            }
        )
        if unknown:
            sample = ", ".join(unknown[:3])
            yield HarvestWarning(
                "dbt_artifacts_mismatch",
                f"{len(unknown)} results in {name} name nodes that manifest.json does not have (e.g. {sample}); "
                f"the artifacts come from different invocations ({name} invocation "
                f"{(document.get('metadata') or {}).get('invocation_id', '?')}, manifest {artifacts.invocation_id or '?'}).",
                name,
            )
