"""An OpenLineage RunEvent (a JSON object) → checked fields and harvest records.

Input and output datasets become ``DatasetRecord`` (the ``schema`` facet gives columns,
``documentation`` the description, ``ownership`` the owner, ``datasetType`` the kind);
each (input, output) pair a ``LineageRecord``; the ``columnLineage`` facet of an output
``ColumnLineageRecord``; an input's ``dataQualityAssertions`` facet (Great Expectations,
dbt and Soda integrations send it) one ``QualityRecord`` per assertion, with this run's
result. Anything malformed raises ``MalformedEvent`` naming the field.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings

from apps.harvest.harvesters.dbt.quality import CATEGORY_BY_TEST
from apps.harvest.records import (
    ColumnLineageRecord,
    ColumnRecord,
    DatasetRecord,
    DatasetRef,
    LineageRecord,
    QualityRecord,
)

EVIDENCE = "openlineage"
EVENT_TYPES = ("START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER")
KIND_BY_DATASET_TYPE = {
    "TABLE": "table",
    "VIEW": "view",
    "MATERIALIZED_VIEW": "materialized_view",
    "TOPIC": "topic",
    "STREAM": "topic",
    "FILE": "file",
    "MODEL": "dbt_model",
}
PLATFORM_BY_SCHEME = {
    "postgresql": "postgres",
    "postgres": "postgres",
    "s3a": "s3",
    "s3n": "s3",
    "gs": "gcs",
    "abfss": "azure",
    "awsathena": "athena",
}
MAX_DATASETS = 1000  # per event: a client bug, not a job, sends more
MAX_ASSERTIONS = 1000  # per input dataset
# What the catalog's columns hold (Dataset.namespace/name, Column.name, the event's job
# fields): a longer value is refused, never truncated, since truncating could merge two
# different datasets into one identity (and an over-long value was a 500).
MAX_NAMESPACE, MAX_NAME, MAX_COLUMN_NAME = 300, 500, 300


class MalformedEvent(ValueError):
    """The posted JSON is not a usable RunEvent; ``field`` is the JSON path of the problem."""

    def __init__(self, field_path: str, message: str):
        self.field = field_path
        super().__init__(f"{field_path}: {message}" if field_path else message)
        self.message = message


@dataclass
class ParsedEvent:
    """A RunEvent's identity and the records it implies."""

    run_id: str
    event_type: str
    event_time: datetime
    job_namespace: str
    job_name: str
    producer: str
    datasets: list[DatasetRecord] = field(default_factory=list)
    described: set = field(default_factory=set)  # refs whose event carried a schema facet
    lineage: list[LineageRecord] = field(default_factory=list)
    column_lineage: list[ColumnLineageRecord] = field(default_factory=list)
    quality: list[QualityRecord] = field(default_factory=list)


def parse_run_event(event) -> ParsedEvent:
    if not isinstance(event, dict):
        raise MalformedEvent("", "the body must be a JSON object (an OpenLineage RunEvent)")
    if "run" not in event and ("dataset" in event or "job" in event):
        raise MalformedEvent("run", "only RunEvents are accepted (this looks like a DatasetEvent or JobEvent)")
    run = _object(event, "run")
    job = _object(event, "job")
    run_id = _text(run, "runId", "run.runId")
    try:
        run_id = str(uuid.UUID(run_id))
    except ValueError:
        raise MalformedEvent("run.runId", f"must be a UUID, got {run_id[:60]!r}") from None
    event_type = str(event.get("eventType") or "OTHER").upper()
    if event_type not in EVENT_TYPES:
        raise MalformedEvent("eventType", f"must be one of {', '.join(EVENT_TYPES)}, got {event_type[:30]!r}")
    event_time = _time(event.get("eventTime"))
    parsed = ParsedEvent(
        run_id=run_id,
        event_type=event_type,
        event_time=event_time,
        job_namespace=_text(job, "namespace", "job.namespace", MAX_NAMESPACE),
        job_name=_text(job, "name", "job.name", MAX_NAME),
        producer=str(event.get("producer") or "")[:500],
    )
    inputs = _datasets(event, "inputs", parsed)
    outputs = _datasets(event, "outputs", parsed)
    job_label = f"{parsed.job_namespace}/{parsed.job_name}"
    for output in outputs:
        for upstream in inputs:
            if upstream != output:
                parsed.lineage.append(
                    LineageRecord(upstream=upstream, downstream=output, evidence=EVIDENCE, details={"job": job_label})
                )
    for position, item in enumerate(event.get("outputs") or []):
        parsed.column_lineage += _column_lineage(item, outputs[position], f"outputs[{position}]")
    return parsed


def _datasets(event: dict, key: str, parsed: ParsedEvent) -> list[DatasetRef]:
    items = event.get(key) or []
    if not isinstance(items, list):
        raise MalformedEvent(key, "must be a list of datasets")
    if len(items) > MAX_DATASETS:
        raise MalformedEvent(key, f"holds {len(items)} datasets; at most {MAX_DATASETS} per event")
    refs = []
    for position, item in enumerate(items):
        path = f"{key}[{position}]"
        if not isinstance(item, dict):
            raise MalformedEvent(path, "must be an object with namespace and name")
        ref = DatasetRef(
            _text(item, "namespace", f"{path}.namespace", MAX_NAMESPACE), _text(item, "name", f"{path}.name", MAX_NAME)
        )
        facets = item.get("facets") or {}
        if not isinstance(facets, dict):
            raise MalformedEvent(f"{path}.facets", "must be an object")
        columns = _schema_columns(facets.get("schema"), f"{path}.facets.schema")
        if key == "inputs":
            parsed.quality += _assertions(item, ref, parsed, path)
        if columns is not None:
            parsed.described.add(ref)
        parsed.datasets.append(
            DatasetRecord(
                ref=ref,
                platform=platform_of(ref.namespace),
                kind=KIND_BY_DATASET_TYPE.get(
                    str((facets.get("datasetType") or {}).get("datasetType") or "").upper(), "table"
                ),
                description=str((facets.get("documentation") or {}).get("description") or "")[:10000],
                owner=_owner(facets.get("ownership")),
                columns=tuple(columns or ()),
                properties={
                    "openlineage": {"job": f"{parsed.job_namespace}/{parsed.job_name}", "producer": parsed.producer}
                },
                complete_columns=columns is not None,
            )
        )
        refs.append(ref)
    return refs


def _schema_columns(facet, path: str) -> list[ColumnRecord] | None:
    if facet is None:
        return None
    fields = facet.get("fields") if isinstance(facet, dict) else None
    if not isinstance(fields, list):
        raise MalformedEvent(f"{path}.fields", "must be a list of {name, type, description}")
    limit = settings.MESH_MAX_COLUMNS_PER_DATASET
    if len(fields) > limit:
        raise MalformedEvent(
            f"{path}.fields", f"holds {len(fields):,} fields; at most {limit:,} (MESH_MAX_COLUMNS_PER_DATASET)"
        )
    columns, seen = [], set()
    for position, column in enumerate(fields, start=1):
        if not isinstance(column, dict) or not isinstance(column.get("name"), str) or not column["name"]:
            raise MalformedEvent(f"{path}.fields[{position - 1}].name", "every field needs a name")
        if len(column["name"]) > MAX_COLUMN_NAME:
            raise MalformedEvent(f"{path}.fields[{position - 1}].name", f"is longer than {MAX_COLUMN_NAME} characters")
        if column["name"] in seen:
            raise MalformedEvent(f"{path}.fields[{position - 1}].name", f"duplicate field {column['name']!r}")
        seen.add(column["name"])
        columns.append(
            ColumnRecord(
                name=column["name"][:300],
                ordinal=position,
                data_type=str(column.get("type") or "")[:200],
                description=str(column.get("description") or ""),
            )
        )
    return columns


def _assertions(item: dict, ref: DatasetRef, parsed: ParsedEvent, path: str) -> list[QualityRecord]:
    """``inputFacets.dataQualityAssertions.assertions[{assertion, success, column?}]`` (or under ``facets``)."""
    where, facet = (
        f"{path}.inputFacets.dataQualityAssertions",
        (item.get("inputFacets") or {}).get("dataQualityAssertions"),
    )
    if facet is None:
        where, facet = f"{path}.facets.dataQualityAssertions", (item.get("facets") or {}).get("dataQualityAssertions")
    if facet is None:
        return []
    assertions = facet.get("assertions") if isinstance(facet, dict) else None
    if not isinstance(assertions, list):
        raise MalformedEvent(f"{where}.assertions", "must be a list of {assertion, success, column}")
    if len(assertions) > MAX_ASSERTIONS:
        raise MalformedEvent(f"{where}.assertions", f"holds {len(assertions):,}; at most {MAX_ASSERTIONS:,}")
    job, records = f"{parsed.job_namespace}/{parsed.job_name}", []
    for position, spec in enumerate(assertions):
        at = f"{where}.assertions[{position}]"
        if not isinstance(spec, dict) or not isinstance(spec.get("success"), bool):
            raise MalformedEvent(f"{at}.success", "every assertion needs a boolean success")
        name = _text(spec, "assertion", f"{at}.assertion", 300)
        column = spec.get("column") or ""
        if not isinstance(column, str) or len(column) > MAX_COLUMN_NAME:
            raise MalformedEvent(f"{at}.column", f"must be a column name of at most {MAX_COLUMN_NAME} characters")
        records.append(
            QualityRecord(
                dataset=ref,
                key=f"openlineage:{job}:{name}:{column}"[:500],
                name=str(spec.get("name") or (f"{name} ({column})" if column else name))[:300],
                check_type=name[:100],
                category=CATEGORY_BY_TEST.get(name.lower(), "other"),
                column_name=column,
                status="pass" if spec["success"] else "fail",
                observed_at=parsed.event_time,
                run_key=parsed.run_id,
                message=_expectation(spec),
                definition={"job": job, "producer": parsed.producer, "severity": str(spec.get("severity") or "")[:20]},
            )
        )
    return records


def _expectation(spec: dict) -> str:
    """ "expected …, got …" from an assertion's optional ``expected``/``actual``, else its description."""
    expected, actual = spec.get("expected"), spec.get("actual")
    if expected is not None or actual is not None:
        return f"expected {str(expected)[:200]}, got {str(actual)[:200]}"
    return str(spec.get("description") or "")[:1000]


def _column_lineage(item: dict, output: DatasetRef, path: str) -> list[ColumnLineageRecord]:
    facet = (item.get("facets") or {}).get("columnLineage")
    if facet is None:
        return []
    fields = facet.get("fields") if isinstance(facet, dict) else None
    if not isinstance(fields, dict):
        raise MalformedEvent(f"{path}.facets.columnLineage.fields", "must map output columns to their inputFields")
    records = []
    for column, spec in fields.items():
        inputs = spec.get("inputFields") if isinstance(spec, dict) else None
        if not isinstance(inputs, list):
            raise MalformedEvent(f"{path}.facets.columnLineage.fields.{column}.inputFields", "must be a list")
        for position, source in enumerate(inputs):
            where = f"{path}.facets.columnLineage.fields.{column}.inputFields[{position}]"
            if not isinstance(source, dict):
                raise MalformedEvent(where, "must be an object with namespace, name and field")
            upstream = DatasetRef(
                _text(source, "namespace", f"{where}.namespace", MAX_NAMESPACE),
                _text(source, "name", f"{where}.name", MAX_NAME),
            )
            records.append(
                ColumnLineageRecord(
                    upstream=upstream,
                    upstream_column=_text(source, "field", f"{where}.field", MAX_COLUMN_NAME),
                    downstream=output,
                    downstream_column=_checked_column(column, f"{path}.facets.columnLineage.fields"),
                    evidence=EVIDENCE,
                    transformation=_transformation(source, spec),
                )
            )
    return records


def _transformation(source: dict, spec: dict) -> str:
    """OpenLineage 1.x ``transformations[{type, subtype}]``, or the older ``transformationType``."""
    for item in source.get("transformations") or []:
        if isinstance(item, dict) and item.get("type"):
            kind, subtype = str(item["type"]).upper(), str(item.get("subtype") or "").lower()
            if kind == "DIRECT":
                return {"identity": "identity", "aggregation": "aggregation"}.get(subtype, "expression")
            return f"indirect:{subtype}"[:30] if subtype else "indirect"
    legacy = str(spec.get("transformationType") or "").lower()
    return {"identity": "identity", "": ""}.get(legacy, legacy[:30])


def platform_of(namespace: str) -> str:
    if namespace.startswith("arn:aws:glue"):
        return "glue"
    scheme = namespace.split("://", 1)[0].lower() if "://" in namespace else namespace.split(":", 1)[0].lower()
    return PLATFORM_BY_SCHEME.get(scheme, scheme)[:30] or "other"


def _owner(facet) -> str:
    owners = (facet or {}).get("owners") if isinstance(facet, dict) else None
    if not isinstance(owners, list) or not owners or not isinstance(owners[0], dict):
        return ""
    name = str(owners[0].get("name") or "")
    return name.split(":", 1)[1] if name.startswith(("user:", "team:", "group:")) else name


def _object(event: dict, key: str) -> dict:
    value = event.get(key)
    if not isinstance(value, dict):
        raise MalformedEvent(key, "is required and must be an object")
    return value


def _text(obj: dict, key: str, path: str, max_length: int | None = None) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MalformedEvent(path, "is required and must be a non-empty string")
    if max_length is not None and len(value.strip()) > max_length:
        raise MalformedEvent(path, f"is longer than {max_length} characters ({len(value.strip()):,})")
    return value.strip()


def _checked_column(name: str, path: str) -> str:
    if len(name) > MAX_COLUMN_NAME:
        raise MalformedEvent(path, f"names a column longer than {MAX_COLUMN_NAME} characters")
    return name


def _time(value) -> datetime:
    if not isinstance(value, str):
        raise MalformedEvent("eventTime", "is required (ISO 8601 date-time)")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedEvent("eventTime", f"is not an ISO 8601 date-time: {value[:60]!r}") from None
    if parsed.tzinfo is None:
        raise MalformedEvent("eventTime", "must carry a time zone offset (e.g. 2026-11-20T10:00:00Z)")
    return parsed
