"""What dbt declares about ownership and use: ``meta`` keys, groups, exposures, ``meta.queries``.

``meta`` keys are configurable per source (``meta_keys``: our field → the project's meta
key), defaulting to ``owner``, ``domain``, ``data_product``, ``classification``. A model's
group owner is its owner when ``meta`` names none. Exposures consume the datasets they
depend on (looking through ephemeral models).
"""

from collections.abc import Iterator

from apps.harvest.harvesters.dbt.nodes import NodeIndex, node_meta
from apps.harvest.records import ConsumerRecord, HarvestWarning, OwnershipHint, SampleQueryRecord

DEFAULT_META_KEYS = {
    "owner": "owner",
    "domain": "domain",
    "data_product": "data_product",
    "classification": "classification",
}


class Placement:
    """Reads ownership and placement of nodes with one source's ``meta_keys``."""

    def __init__(self, manifest: dict, meta_keys: dict):
        self.keys = {**DEFAULT_META_KEYS, **(meta_keys or {})}
        self.group_owners = {}
        for group in (manifest.get("groups") or {}).values():
            owner = group.get("owner") or {}
            self.group_owners[group.get("name")] = owner.get("email") or owner.get("name") or ""

    def declared(self, node: dict) -> dict:
        meta = node_meta(node)
        found = {field: _text(meta.get(key)) for field, key in self.keys.items()}
        group = node.get("group") or (node.get("config") or {}).get("group") or ""
        found["group"] = group
        if not found["owner"] and group:
            found["owner"] = self.group_owners.get(group, "")
        return found

    def owner_of(self, node: dict) -> str:
        return self.declared(node)["owner"]


def ownership_hints(index: NodeIndex, placement: Placement) -> Iterator[OwnershipHint]:
    seen = set()
    for uid in sorted(index.refs, key=lambda u: (index.nodes[u].get("resource_type") == "source", u)):
        ref = index.refs[uid]
        declared = placement.declared(index.nodes[uid])
        if ref in seen or not any(declared.values()):
            continue
        seen.add(ref)  # the node that builds a relation speaks for it, not the source declaring it
        yield OwnershipHint(dataset=ref, **declared)


def sample_queries(index: NodeIndex) -> Iterator[SampleQueryRecord | HarvestWarning]:
    for uid in sorted(index.refs):
        queries = node_meta(index.nodes[uid]).get("queries")
        if queries is None:
            continue
        if not isinstance(queries, list):
            yield HarvestWarning(
                "dbt_meta_queries_invalid", "meta.queries must be a list of {name, sql, description}.", uid
            )
            continue
        for position, query in enumerate(queries, start=1):
            if not isinstance(query, dict) or not _text(query.get("sql")):
                yield HarvestWarning("dbt_meta_queries_invalid", f"meta.queries item {position} has no sql.", uid)
                continue
            yield SampleQueryRecord(
                dataset=index.refs[uid],
                name=_text(query.get("name")) or f"Query {position}",
                sql=_text(query["sql"]),
                description=_text(query.get("description")),
            )


def exposure_consumers(manifest: dict, index: NodeIndex) -> Iterator[ConsumerRecord]:
    for uid in sorted(manifest.get("exposures") or {}):
        exposure = manifest["exposures"][uid]
        found = {}
        for parent in (exposure.get("depends_on") or {}).get("nodes") or []:
            if parent in index.refs:
                found[index.refs[parent]] = None
            else:
                upstream, _ = index.upstream_refs(parent) if parent in index.nodes else ([], [])
                found.update(dict.fromkeys(upstream))
        if not found:
            continue
        owner = exposure.get("owner") or {}
        yield ConsumerRecord(
            name=exposure.get("label") or exposure.get("name") or uid,
            kind=str(exposure.get("type") or "exposure"),
            depends_on=tuple(sorted(found, key=lambda r: r.name)),
            owner=owner.get("email") or owner.get("name") or "",
            url=exposure.get("url") or "",
            description=(exposure.get("description") or "").strip(),
        )


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""
