"""The source form's fields per kind, so that nobody types a kind's JSON from memory.

A harvester kind may declare ``config_fields`` itself (a tuple of ``ConfigField``); the
kinds that predate this are described here. The form renders the fields of the chosen kind
and assembles the JSON config from them (``static/js/source_form.js``); the JSON box stays
the source of truth, so the page also works without JavaScript. PostgreSQL's ``dsn`` gets
a builder (host, port, database, user) so the connection string is never hand-written.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigField:
    """One config key as the form shows it. ``type``: text, list (comma-separated), int, bool, dsn."""

    key: str
    label: str
    type: str = "text"
    help: str = ""
    placeholder: str = ""
    required: bool = False


KNOWN: dict[str, tuple[ConfigField, ...]] = {
    "postgres": (
        ConfigField(
            "dsn",
            "Connection",
            "dsn",
            "Host, port, database and the harvesting role; the password goes into Secrets.",
            required=True,
        ),
        ConfigField(
            "include_schemas",
            "Schemas to include",
            "list",
            "Comma-separated globs; empty: all readable schemas.",
            "sales, mkt_*",
        ),
        ConfigField("exclude_schemas", "Schemas to exclude", "list", "Comma-separated globs.", "tmp_*"),
        ConfigField(
            "password_env",
            "Password environment variable",
            "text",
            "Instead of a stored secret.",
            "PGPASSWORD_WAREHOUSE",
        ),
        ConfigField(
            "reader_dsn",
            "Lab reader (optional)",
            "text",
            "A read-only role for the query lab; its password is the secret reader_password.",
            "postgresql://lab_reader@db:5432/analytics",
        ),
        ConfigField("statement_timeout_ms", "Statement timeout (ms)", "int", "", "60000"),
    ),
    "dbt": (
        ConfigField(
            "path",
            "Artifacts directory",
            "text",
            "Holds manifest.json (and catalog.json, run_results.json, sources.json). Empty: the last upload.",
            "/srv/shop/target",
        ),
        ConfigField(
            "warehouse_namespace",
            "Warehouse it builds into",
            "text",
            "The OpenLineage namespace of the warehouse's own source, so a model and its table are one dataset.",
            "postgres://db.internal:5432",
            required=True,
        ),
        ConfigField("dialect", "SQL dialect", "text", "Default: the manifest's adapter.", "postgres"),
        ConfigField("column_lineage", "Column lineage", "bool", "Parse compiled SQL for column-level lineage."),
    ),
    "glue": (
        ConfigField("region", "AWS region", "text", "", "eu-west-1", required=True),
        ConfigField("catalog_id", "Catalog id", "text", "Default: the account's own catalog.", "123456789012"),
        ConfigField("include_databases", "Databases to include", "list", "Comma-separated globs.", "sales_*"),
        ConfigField("exclude_databases", "Databases to exclude", "list", "Comma-separated globs.", "tmp_*"),
        ConfigField(
            "profile", "AWS profile", "text", "Credentials come from the profile or the environment.", "catalog-reader"
        ),
        ConfigField("endpoint_url", "Endpoint URL", "text", "Only for a Glue-compatible endpoint.", ""),
    ),
}


def fields_by_kind(registry) -> dict[str, list[dict]]:
    """Every registered kind's fields as plain dicts (for the template and its script)."""
    out = {}
    for kind, cls in sorted(registry.items()):
        fields = getattr(cls, "config_fields", None) or KNOWN.get(kind, ())
        out[kind] = [f.__dict__ for f in fields]
    return out
