"""Glue tables as records: columns (partition keys last), format, storage, partitions, kind."""

from datetime import UTC, datetime

from apps.harvest.harvesters.glue.views import view_sql
from apps.harvest.records import ColumnRecord, DatasetRecord, DatasetRef

# Parameters that are bookkeeping, not meaning (and change on every write).
NOISY_PARAMETERS = {
    "transient_lastDdlTime",
    "last_modified_time",
    "last_modified_by",
    "numFiles",
    "COLUMN_STATS_ACCURATE",
}


def dataset_record(namespace: str, database: str, table: dict, partitions: dict | None) -> DatasetRecord:
    """The record of one Glue table or view (``partitions``: its counted partitions, if any)."""
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


def _utc(value):
    """botocore returns times in the local zone (tzlocal); store them in UTC."""
    return value.astimezone(UTC) if isinstance(value, datetime) and value.tzinfo else value


def _int(value) -> int | None:
    try:
        return int(float(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
