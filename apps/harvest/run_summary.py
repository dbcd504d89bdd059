"""A harvest run in words: the summary shown before the raw counters, and the empty-run warning.

A run that read no dataset "succeeds" technically but almost always means a filter or a
privilege is wrong; the page says so, naming the likely cause for the source's kind.
"""

EMPTY_CAUSES = {
    "postgres": "the include_schemas / exclude_schemas filters match no schema, or the harvesting role lacks "
    "USAGE on the schemas or SELECT on the tables (it only sees what it may read)",
    "duckdb": "the include_schemas / exclude_schemas filters match no schema, or the file has no tables yet",
    "dbt": "manifest.json has no models, seeds, snapshots or sources (a project compiled without models?)",
    "glue": "the include_databases / exclude_databases filters match no database, or the IAM role may not "
    "call glue:GetTables",
    "mysql": "the schema filters match nothing, or the harvesting user lacks SELECT on the tables",
}


def _n(counts: dict, key: str) -> int:
    value = counts.get(key) or 0
    return value if isinstance(value, int) else 0


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def summary(run) -> list[str]:
    """Sentences saying what the run read and what it changed in the catalog."""
    counts = run.counts or {}
    if not counts:
        return []
    read = _n(counts, "records_datasets")
    changes = [
        f"{_n(counts, k):,} {label}"
        for k, label in (
            ("datasets_added", "added"),
            ("datasets_changed", "changed"),
            ("datasets_removed", "removed"),
            ("datasets_unchanged", "unchanged"),
        )
        if _n(counts, k)
    ]
    out = [f"Read {_plural(read, 'dataset')}" + (f": {', '.join(changes)}." if changes else ".")]
    extras = [
        _plural(_n(counts, k), label)
        for k, label in (
            ("lineage_edges", "lineage edge"),
            ("column_lineage_edges", "column lineage edge"),
            ("quality_checks", "quality check"),
            ("sample_queries_created", "new sample query"),
        )
        if _n(counts, k)
    ]
    if extras:
        out.append("Found " + ", ".join(extras) + ".")
    return out


def empty_warning(run) -> str:
    """Why a finished run that read no dataset probably did, or ""."""
    counts = run.counts or {}
    if run.status not in ("succeeded", "partial") or "records_datasets" not in counts or _n(counts, "records_datasets"):
        return ""
    kind = getattr(run.source, "kind", "")
    cause = EMPTY_CAUSES.get(kind, "the source's filters match nothing, or its credentials may not read the objects")
    return f"This harvest found no datasets. Likely cause: {cause}."


def counter_label(key: str) -> str:
    return key.replace("_", " ")
