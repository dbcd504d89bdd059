"""The ``glue`` source kind: databases, tables and views of the AWS Glue Data Catalog.

Config keys: ``region`` (required), ``catalog_id`` (the account; default: the caller's
account), ``endpoint_url`` (e.g. a VPC endpoint or a test server), ``profile``,
``include_databases`` / ``exclude_databases`` (glob patterns), ``partition_count_limit``
(stop counting a table's partitions there; default 10,000, 0 = don't count).
Credentials come from the standard AWS chain (environment, profile, instance role); the
optional secrets ``aws_access_key_id`` / ``aws_secret_access_key`` / ``aws_session_token``
are stored encrypted, never in the config.

Datasets are named as OpenLineage names them: namespace ``arn:aws:glue:<region>:<account>``,
name ``table/<db>/<table>``. Athena views (``/* Presto View: <base64 JSON> */``) and Hive
views are parsed with sqlglot for table- and column-level lineage. Throttling and
transient errors are retried with backoff; AccessDenied on one database is a warning.
"""

import base64
import fnmatch
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import boto3
import orjson
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
)

from apps.harvest.harvesters.base import (
    ConfigError,
    ConnectionCheck,
    Harvester,
    SourceError,
    TransientSourceError,
    register_harvester,
)
from apps.harvest.harvesters.sql.lineage import SqlLineageError, column_lineage, table_sources
from apps.harvest.records import (
    ColumnLineageRecord,
    ColumnRecord,
    DatasetRecord,
    DatasetRef,
    HarvestRecord,
    HarvestWarning,
    LineageRecord,
)

CONFIG_KEYS = {
    "region",
    "catalog_id",
    "endpoint_url",
    "profile",
    "include_databases",
    "exclude_databases",
    "partition_count_limit",
}
SECRET_KEYS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
THROTTLING = {
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ServiceUnavailableException",
    "InternalServiceException",
    "InternalServerException",
}
DENIED = {"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"}
AUTH = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredTokenException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
}
EVIDENCE = "glue_view"
PRESTO_PREFIX, PRESTO_SUFFIX = "/* Presto View: ", " */"
# Parameters that are bookkeeping, not meaning (and change on every write).
NOISY_PARAMETERS = {
    "transient_lastDdlTime",
    "last_modified_time",
    "last_modified_by",
    "numFiles",
    "COLUMN_STATS_ACCURATE",
}
VIEW_DIALECTS = ("trino", "spark")


@register_harvester
class GlueHarvester(Harvester):
    """Reads the Glue Data Catalog through boto3 paginators and yields records."""

    kind = "glue"
    secret_fields = SECRET_KEYS
    backoff_base = 0.5  # seconds; doubled on each retry of a throttled call
    max_attempts = 5  # ours, around botocore's own retries (which Stubber bypasses)
    max_threads = 8  # concurrent AWS calls (listing databases' tables, counting partitions)
    botocore_max_attempts = 3

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

    # --- AWS access ----------------------------------------------------------------

    def client(self, service: str = "glue"):
        session = boto3.session.Session(
            profile_name=self.config.get("profile"),
            region_name=self.config["region"],
            **{k: v for k, v in (self.secrets or {}).items() if k in SECRET_KEYS and v},
        )
        retries = Config(
            retries={"max_attempts": self.botocore_max_attempts, "mode": "adaptive"},
            connect_timeout=5,
            read_timeout=30,
            user_agent_extra="mesh-catalog",
        )
        return session.client(service, endpoint_url=self.config.get("endpoint_url"), config=retries)

    def account(self) -> str:
        if self.config.get("catalog_id"):
            return self.config["catalog_id"]
        return self._call(lambda: self.client("sts").get_caller_identity()["Account"], "sts:GetCallerIdentity")

    def namespace(self, account: str) -> str:
        return f"arn:aws:glue:{self.config['region']}:{account}"

    def _call(self, fn, what: str):
        """Run one AWS call, retrying throttling and transient network errors with backoff."""
        attempt = 0
        while True:
            try:
                result = fn()
                self._count_call()
                return result
            except (ClientError, EndpointConnectionError, NoCredentialsError) as exc:
                attempt += 1
                self._retry_or_raise(exc, attempt, what)

    def _retry_or_raise(self, exc: Exception, attempt: int, what: str) -> None:
        """Sleep before the next attempt of a throttled/transient call, or raise a clear error."""
        if isinstance(exc, NoCredentialsError):
            raise SourceError(
                f"{what}: no AWS credentials found (environment, profile or instance role)", stage="auth"
            ) from None
        transient = isinstance(exc, EndpointConnectionError)
        code = "" if transient else exc.response.get("Error", {}).get("Code", "")
        if code in AUTH:
            raise SourceError(f"{what}: the AWS credentials were refused ({code})", stage="auth") from None
        if not transient and code not in THROTTLING:
            raise exc
        if attempt >= self.max_attempts:
            if transient:
                raise TransientSourceError(f"{what}: cannot reach the endpoint ({exc})", stage="refused") from None
            raise TransientSourceError(
                f"{what}: still throttled after {attempt} attempts ({code})", stage="throttled"
            ) from None
        time.sleep(self.backoff_base * 2 ** (attempt - 1))

    def _pages(self, client, operation: str, key: str, page_size: int | None = None, **params) -> Iterator[dict]:
        """Items of a paginated operation; a throttled page is retried from its own token."""
        token, attempt = None, 0
        while True:
            config = {"StartingToken": token} if token else {}
            if page_size:
                config["PageSize"] = page_size
            try:
                for page in client.get_paginator(operation).paginate(**params, PaginationConfig=config):
                    attempt = 0
                    self._count_call()
                    yield from page.get(key, [])
                    token = page.get("NextToken")
                    if not token:
                        return
                return
            except (ClientError, EndpointConnectionError, NoCredentialsError) as exc:
                attempt += 1
                self._retry_or_raise(exc, attempt, operation)

    def _count_call(self) -> None:
        """AWS calls answered, for the run report's ``source_queries`` (threads share the count)."""
        with self._calls_lock:
            self.queries_sent += 1

    def _catalog_params(self) -> dict:
        return {"CatalogId": self.config["catalog_id"]} if self.config.get("catalog_id") else {}

    # --- connection test -----------------------------------------------------------

    def test_connection(self) -> ConnectionCheck:
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
                dict(zip(partitioned, pool.map(lambda key: self._partition_count(glue, *key), partitioned)))
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
                record = self._dataset(namespace, name, table, counts.get((name, table["Name"])))
                schema.setdefault(name.lower(), {})[table["Name"].lower()] = {
                    c.name.lower(): c.data_type for c in record.columns
                }
                if record.kind == "view":
                    views.append((record, table))
                yield record
        for record, table in views:
            yield from self._view_lineage(namespace, record, table, schema)

    def _list_tables(self, glue, database: str) -> tuple[str, list | None, str]:
        """``(database, tables, "")``, or ``(database, None, error code)`` when access is denied."""
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

    def _dataset(self, namespace: str, database: str, table: dict, partitions: dict | None) -> DatasetRecord:
        storage = table.get("StorageDescriptor") or {}
        parameters = {k: v for k, v in (table.get("Parameters") or {}).items() if k not in NOISY_PARAMETERS}
        partition_keys = table.get("PartitionKeys") or []
        columns = [
            ColumnRecord(
                name=c["Name"],
                ordinal=i,
                data_type=c.get("Type", ""),
                description=c.get("Comment", ""),
                tags=("partition_key",) if i > len(storage.get("Columns") or []) else (),
            )
            for i, c in enumerate([*(storage.get("Columns") or []), *partition_keys], start=1)
        ]
        table_type = table.get("TableType") or ""
        data_format = table_format(table)
        glue_props = {
            "database": database,
            "table_type": table_type,
            "format": data_format,
            "location": storage.get("Location") or "",
            "input_format": storage.get("InputFormat") or "",
            "output_format": storage.get("OutputFormat") or "",
            "serde": (storage.get("SerdeInfo") or {}).get("SerializationLibrary") or "",
            "parameters": dict(sorted(parameters.items())),
            "partition_keys": [c["Name"] for c in partition_keys],
        }
        if partitions:
            glue_props.update(partitions)
        if table_type == "VIRTUAL_VIEW":
            glue_props["view_sql"] = view_sql(table)[0]
        return DatasetRecord(
            ref=DatasetRef(namespace, f"table/{database}/{table['Name']}"),
            platform="glue",
            kind="view"
            if table_type == "VIRTUAL_VIEW"
            else (
                "table"
                if data_format in ("iceberg", "delta", "hudi") or table_type == "MANAGED_TABLE"
                else "external_table"
            ),
            description=table.get("Description") or parameters.get("comment", ""),
            owner=table.get("Owner") or parameters.get("owner", ""),
            row_estimate=_int(parameters.get("recordCount") or parameters.get("numRows")),
            size_bytes=_int(parameters.get("totalSize") or parameters.get("sizeKey")),
            last_modified_at=_utc(table.get("UpdateTime") or table.get("CreateTime")),
            columns=tuple(columns),
            tags=(data_format,) if data_format in ("iceberg", "delta", "hudi") else (),
            properties={"glue": glue_props},
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

    def _view_lineage(
        self, namespace: str, record: DatasetRecord, table: dict, schema: dict
    ) -> Iterator[HarvestRecord]:
        sql, default_db, dialect = view_sql(table)
        subject = record.ref.name
        if not sql:
            yield HarvestWarning("glue_view_without_sql", "The view has no SQL text; no lineage.", subject)
            return
        database = record.properties["glue"]["database"].lower()
        try:
            lineage = column_lineage(
                sql, schema, dialect, default_db="", default_schema=(default_db or database).lower()
            )
        except SqlLineageError as exc:
            yield HarvestWarning("glue_view_unparsed", f"No lineage from the view's SQL: {exc}", subject)
            return
        tables = {}
        for column, edges in lineage.items():
            for source_table, source_column, transformation in edges:
                upstream = _glue_ref(namespace, source_table)
                tables[upstream] = None
                yield ColumnLineageRecord(
                    upstream=upstream,
                    upstream_column=source_column,
                    downstream=record.ref,
                    downstream_column=column,
                    evidence=EVIDENCE,
                    transformation=transformation,
                )
        for source_table in table_sources(sql, dialect):
            tables[
                _glue_ref(
                    namespace, source_table if source_table.count(".") else f"{default_db or database}.{source_table}"
                )
            ] = None
        for upstream in sorted(tables, key=lambda r: r.name):
            if upstream != record.ref:
                yield LineageRecord(
                    upstream=upstream, downstream=record.ref, evidence=EVIDENCE, details={"view": record.ref.name}
                )


def view_sql(table: dict) -> tuple[str, str, str]:
    """``(sql, default schema, sqlglot dialect)`` of a Glue view: Athena's base64 form or Hive text."""
    original = (table.get("ViewOriginalText") or "").strip()
    if original.startswith(PRESTO_PREFIX) and original.endswith(PRESTO_SUFFIX):
        encoded = original[len(PRESTO_PREFIX) : -len(PRESTO_SUFFIX)].strip()
        try:
            view = orjson.loads(base64.b64decode(encoded + "=" * (-len(encoded) % 4)))
            return str(view.get("originalSql") or ""), str(view.get("schema") or ""), "trino"
        except (ValueError, orjson.JSONDecodeError):
            return "", "", "trino"
    return (table.get("ViewExpandedText") or original or "").strip(), "", "spark"


def presto_view_text(sql: str, schema: str, columns: list[tuple[str, str]], catalog: str = "awsdatacatalog") -> str:
    """The ``ViewOriginalText`` Athena writes for a view (used by tests, benchmarks and fixtures)."""
    body = {
        "originalSql": sql,
        "catalog": catalog,
        "schema": schema,
        "columns": [{"name": n, "type": t} for n, t in columns],
    }
    return PRESTO_PREFIX + base64.b64encode(orjson.dumps(body)).decode() + PRESTO_SUFFIX


def table_format(table: dict) -> str:
    """iceberg, delta, hudi, or the storage format (parquet, orc, avro, json, csv, ...)."""
    parameters = {k.lower(): str(v).lower() for k, v in (table.get("Parameters") or {}).items()}
    storage = table.get("StorageDescriptor") or {}
    hints = " ".join(
        [storage.get("InputFormat") or "", (storage.get("SerdeInfo") or {}).get("SerializationLibrary") or ""]
    ).lower()
    if parameters.get("table_type") == "iceberg" or "metadata_location" in parameters:
        return "iceberg"
    if (
        parameters.get("table_type") == "delta"
        or parameters.get("spark.sql.sources.provider") == "delta"
        or "delta" in hints
    ):
        return "delta"
    if "hudi" in hints or parameters.get("table_type") == "hudi":
        return "hudi"
    if parameters.get("classification"):
        return parameters["classification"]
    for name in ("parquet", "orc", "avro", "json", "csv", "text"):
        if name in hints:
            return name
    return ""


def _glue_ref(namespace: str, dotted: str) -> DatasetRef:
    parts = [p for p in dotted.split(".") if p]
    database, table = (parts[-2], parts[-1]) if len(parts) >= 2 else ("", parts[-1])
    return DatasetRef(namespace, f"table/{database}/{table}")


def _utc(value):
    """botocore returns times in the local zone (tzlocal); store them in UTC."""
    return value.astimezone(UTC) if isinstance(value, datetime) and value.tzinfo else value


def _int(value) -> int | None:
    try:
        return int(float(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
