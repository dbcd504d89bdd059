"""The Glue harvester: config validation, connection test and extraction in catalog order."""

import fnmatch
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from apps.harvest.harvesters.base import ConfigError, ConnectionCheck, Harvester, SourceError, register_harvester
from apps.harvest.harvesters.glue.client import DENIED, SECRET_KEYS, GlueAccess
from apps.harvest.harvesters.glue.tables import dataset_record
from apps.harvest.harvesters.glue.views import view_lineage
from apps.harvest.records import HarvestRecord, HarvestWarning

CONFIG_KEYS = {
    "region",
    "catalog_id",
    "endpoint_url",
    "profile",
    "include_databases",
    "exclude_databases",
    "partition_count_limit",
}


@register_harvester
class GlueHarvester(GlueAccess, Harvester):
    """Reads the Glue Data Catalog through boto3 paginators and yields records."""

    kind = "glue"
    secret_fields = SECRET_KEYS
    max_threads = 8  # concurrent AWS calls (listing databases' tables, counting partitions)

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        if not isinstance(config, dict):
            raise ConfigError({"config": ["must be a JSON object"]})
        errors: dict[str, list[str]] = {}
        for key in sorted(set(config) - CONFIG_KEYS):
            hint = " (credentials belong in the source's secrets or the AWS environment)" if key in SECRET_KEYS else ""
            errors.setdefault(key, []).append(f"unknown key{hint}; known: {', '.join(sorted(CONFIG_KEYS))}")
        region = config.get("region")
        if not isinstance(region, str) or not region.strip():
            errors.setdefault("region", []).append("required, e.g. eu-west-1")
        catalog_id = config.get("catalog_id")
        if catalog_id is not None and not (
            isinstance(catalog_id, str) and catalog_id.isdigit() and len(catalog_id) == 12
        ):
            errors.setdefault("catalog_id", []).append("must be a 12-digit AWS account id")
        for key in ("endpoint_url", "profile"):
            if key in config and not (isinstance(config[key], str) and config[key].strip()):
                errors.setdefault(key, []).append("must be a non-empty string")
        for key in ("include_databases", "exclude_databases"):
            value = config.get(key, [])
            if not isinstance(value, list) or not all(isinstance(p, str) and p for p in value):
                errors.setdefault(key, []).append('must be a list of glob patterns, e.g. ["sales_*"]')
        limit = config.get("partition_count_limit", 10000)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
            errors.setdefault("partition_count_limit", []).append("must be a whole number ≥ 0")
        if errors:
            raise ConfigError(errors)
        normalised = {k: v for k, v in config.items() if k in CONFIG_KEYS}
        normalised["region"] = region.strip()
        normalised.setdefault("include_databases", ["*"])
        normalised.setdefault("exclude_databases", [])
        normalised.setdefault("partition_count_limit", 10000)
        return normalised

    def __init__(self, source_name: str, config: dict, secrets: dict):
        super().__init__(source_name, config, secrets)
        self._calls_lock = threading.Lock()

    # --- connection test -----------------------------------------------------------

    def test_connection(self) -> ConnectionCheck:
        from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError  # see GlueAccess.client

        try:
            response = self._call(
                lambda: self.client().get_databases(MaxResults=1, **self._catalog_params()), "glue:GetDatabases"
            )
        except SourceError as exc:
            return ConnectionCheck(ok=False, message=str(exc), stage=exc.stage)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            stage = "permission" if error.get("Code") in DENIED else "source"
            return ConnectionCheck(
                ok=False, message=f"glue:GetDatabases: {error.get('Code')}: {error.get('Message', '')}", stage=stage
            )
        except (BotoCoreError, ParamValidationError, ValueError) as exc:
            return ConnectionCheck(ok=False, message=str(exc), stage="config")
        seen = len(response.get("DatabaseList", []))
        return ConnectionCheck(
            ok=True,
            message=f"Glue Data Catalog in {self.config['region']} is readable ({'databases found' if seen else 'no databases yet'}).",
            stage="ok",
        )

    # --- extraction ----------------------------------------------------------------

    def extract(self) -> Iterator[HarvestRecord]:
        glue = self.client()
        namespace = self.namespace(self.account())
        databases = [
            d["Name"]
            for d in self._pages(glue, "get_databases", "DatabaseList", **self._catalog_params())
            if self._selected(d["Name"])
        ]
        # AWS calls wait on the network: list databases and count partitions on several threads
        # (boto3 clients are thread-safe); records are still yielded in catalog order.
        with ThreadPoolExecutor(max_workers=self.max_threads) as pool:
            listed = list(pool.map(lambda db: self._list_tables(glue, db), databases))
            partitioned = [(db, t["Name"]) for db, tables, _ in listed for t in tables or () if t.get("PartitionKeys")]
            counts = (
                dict(
                    zip(partitioned, pool.map(lambda key: self._partition_count(glue, *key), partitioned), strict=True)
                )
                if self.config.get("partition_count_limit", 10000)
                else {}
            )
        views, schema = [], {}
        for name, tables, denied in listed:
            if denied:
                yield HarvestWarning(
                    "glue_database_denied", f"Skipped: no permission to list its tables ({denied}).", name, partial=True
                )
                continue
            for table in tables:
                record = dataset_record(namespace, name, table, counts.get((name, table["Name"])))
                schema.setdefault(name.lower(), {})[table["Name"].lower()] = {
                    c.name.lower(): c.data_type for c in record.columns
                }
                if record.kind == "view":
                    views.append((record, table))
                yield record
        for record, table in views:
            yield from view_lineage(namespace, record, table, schema)

    def _list_tables(self, glue, database: str) -> tuple[str, list | None, str]:
        """``(database, tables, "")``, or ``(database, None, error code)`` when access is denied."""
        from botocore.exceptions import ClientError

        try:
            return (
                database,
                list(self._pages(glue, "get_tables", "TableList", DatabaseName=database, **self._catalog_params())),
                "",
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code not in DENIED:
                raise
            return database, None, code

    def _selected(self, database: str) -> bool:
        include = self.config.get("include_databases") or ["*"]
        exclude = self.config.get("exclude_databases") or []
        return any(fnmatch.fnmatchcase(database, p) for p in include) and not any(
            fnmatch.fnmatchcase(database, p) for p in exclude
        )

    def _partition_count(self, glue, database: str, table: str) -> dict:
        """Count partitions without schemas, stopping at the limit: never page through millions."""
        limit = self.config.get("partition_count_limit", 10000)
        count = 0
        pages = self._pages(
            glue,
            "get_partitions",
            "Partitions",
            page_size=min(limit, 1000),
            DatabaseName=database,
            TableName=table,
            ExcludeColumnSchema=True,
            **self._catalog_params(),
        )
        for _ in pages:
            count += 1
            if count >= limit:
                return {"partition_count": count, "partition_count_capped": True}
        return {"partition_count": count}
