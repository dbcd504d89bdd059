"""The shape every dbt node must have before anything reads it.

An upload whose node had ``columns: "oops"`` was accepted, became the current set, and
every later harvest failed with ``AttributeError``. So the shapes the harvester relies on
are checked in one place: on upload (the set is refused, naming the node and the field,
and the previous set stays current) and at harvest (a bad node in a set stored before
this check, or read from a path, is skipped with a warning; the rest is harvested).
"""

from collections.abc import Iterator

DATASET_TYPES = ("model", "seed", "snapshot", "source")
MAX_PROBLEMS_REPORTED = 20


def _type_name(value) -> str:
    return {dict: "an object", list: "a list", str: "a string"}.get(type(value), type(value).__name__)


def node_problems(unique_id: str, node) -> list[str]:
    """What is wrong with one manifest node (``nodes`` or ``sources`` entry); empty when usable."""
    if not isinstance(node, dict):
        return [f"{unique_id}: is {_type_name(node)}, not an object"]
    problems = []
    rtype = node.get("resource_type")
    if not isinstance(rtype, str) or not rtype:
        problems.append(f"{unique_id}: 'resource_type' is missing or not a string")
    elif rtype in DATASET_TYPES:
        for key in ("schema", "name"):
            if not isinstance(node.get(key), str) or not node.get(key):
                problems.append(f"{unique_id}: '{key}' is missing or not a string")
        if "database" not in node or not isinstance(node["database"], (str, type(None))):
            problems.append(f"{unique_id}: 'database' is missing or not a string")
    for key in ("columns", "config", "meta", "depends_on"):
        if key in node and node[key] is not None and not isinstance(node[key], dict):
            problems.append(f"{unique_id}: '{key}' is {_type_name(node[key])}, not an object")
    columns = node.get("columns")
    if isinstance(columns, dict):
        for name, column in columns.items():
            if not isinstance(column, dict):
                problems.append(f"{unique_id}: column '{name}' is {_type_name(column)}, not an object")
    depends = node.get("depends_on")
    if isinstance(depends, dict) and depends.get("nodes") is not None and not isinstance(depends["nodes"], list):
        problems.append(f"{unique_id}: 'depends_on.nodes' is not a list")
    tags = node.get("tags")
    if tags is not None and not isinstance(tags, (list, str)):
        problems.append(f"{unique_id}: 'tags' is {_type_name(tags)}, not a list")
    return problems


def catalog_entry_problems(unique_id: str, entry) -> list[str]:
    if not isinstance(entry, dict):
        return [f"{unique_id}: is {_type_name(entry)}, not an object"]
    problems = []
    if entry.get("metadata") is not None and not isinstance(entry["metadata"], dict):
        problems.append(f"{unique_id}: 'metadata' is not an object")
    columns = entry.get("columns")
    if columns is not None and not isinstance(columns, dict):
        problems.append(f"{unique_id}: 'columns' is {_type_name(columns)}, not an object")
    elif isinstance(columns, dict):
        problems += [
            f"{unique_id}: column '{n}' is not an object" for n, c in columns.items() if not isinstance(c, dict)
        ]
    return problems


def _sections(document: dict, names) -> Iterator[tuple[str, str, dict]]:
    for section in names:
        entries = document.get(section)
        if entries is None:
            continue
        if not isinstance(entries, dict):
            yield section, section, entries  # reported as a node that is not an object
            continue
        for unique_id, node in entries.items():
            yield section, unique_id, node


def manifest_problems(manifest: dict) -> list[str]:
    """Every problem of the manifest's ``nodes`` and ``sources`` (empty when all are usable)."""
    problems = []
    for _, unique_id, node in _sections(manifest, ("nodes", "sources")):
        problems += node_problems(unique_id, node)
    return problems


def catalog_problems(catalog: dict) -> list[str]:
    problems = []
    for _, unique_id, entry in _sections(catalog, ("nodes", "sources")):
        problems += catalog_entry_problems(unique_id, entry)
    return problems


def drop_bad_nodes(manifest: dict, catalog: dict) -> list[str]:
    """Remove unusable nodes (in place) so a harvest reads the rest; returns what was dropped, why."""
    dropped = []
    for document, check in ((manifest, node_problems), (catalog, catalog_entry_problems)):
        for section in ("nodes", "sources"):
            entries = document.get(section)
            if entries is None:
                continue
            if not isinstance(entries, dict):
                dropped.append(f"{section}: is {_type_name(entries)}, not an object")
                document[section] = {}
                continue
            for unique_id in [u for u, node in entries.items() if check(u, node)]:
                dropped += check(unique_id, entries.pop(unique_id))
    return dropped
