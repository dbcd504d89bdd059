"""Which dbt nodes are datasets, and the relation each materializes into.

A model, seed, snapshot or source *is* the relation it materializes into
(``database.schema.alias`` on the warehouse namespace), lower-cased as PostgreSQL folds
unquoted names, so the dbt node and the harvested warehouse table are one dataset.
Ephemeral models have no relation: they appear in lineage (as the ``via`` of an edge)
but never as datasets.
"""

from dataclasses import dataclass

from apps.harvest.records import DatasetRef

PHYSICAL_TYPES = ("model", "seed", "snapshot")
# When a seed and a source describe the same relation, the dataset's facts come from the
# node that builds it (model, snapshot, seed) before the one that only declares it.
PRIORITY = {"model": 0, "snapshot": 1, "seed": 2, "source": 3}
_KIND_BY_MATERIALIZATION = {"view": "view", "materialized_view": "materialized_view"}


def node_meta(node: dict) -> dict:
    """``config.meta`` wins over the top-level ``meta`` (dbt 1.10 moved meta under config)."""
    meta = dict(node.get("meta") or {})
    meta.update((node.get("config") or {}).get("meta") or {})
    return meta


def node_tags(node: dict) -> tuple[str, ...]:
    tags = (node.get("config") or {}).get("tags") or node.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]
    return tuple(dict.fromkeys(str(t) for t in tags))


def materialization(node: dict) -> str:
    return str((node.get("config") or {}).get("materialized") or "")


def is_ephemeral(node: dict) -> bool:
    return node.get("resource_type") == "model" and materialization(node) == "ephemeral"


def is_dataset_node(node: dict) -> bool:
    """Enabled models (not ephemeral), seeds, snapshots and sources; not tests, analyses, ..."""
    rtype = node.get("resource_type")
    if rtype not in (*PHYSICAL_TYPES, "source") or is_ephemeral(node):
        return False
    return (node.get("config") or {}).get("enabled", True) is not False


def dataset_kind(node: dict) -> str:
    if node.get("resource_type") == "model":
        return _KIND_BY_MATERIALIZATION.get(materialization(node), "table")
    return "table"


def relation_name(node: dict) -> str:
    """``database.schema.alias`` (``identifier`` for sources), lower-cased, without quotes."""
    relation = node.get("identifier") if node.get("resource_type") == "source" else None
    relation = relation or node.get("alias") or node.get("name") or ""
    parts = [node.get("database") or "", node.get("schema") or "", relation]
    return ".".join(p.strip('"').lower() for p in parts if p)


@dataclass(frozen=True)
class NodeIndex:
    """Every node and source of a manifest by unique id, and the dataset each one is."""

    nodes: dict
    refs: dict  # unique_id -> DatasetRef, for dataset nodes only

    @classmethod
    def build(cls, manifest: dict, namespace: str) -> "NodeIndex":
        nodes = {**manifest.get("nodes", {}), **manifest.get("sources", {})}
        refs = {uid: DatasetRef(namespace, relation_name(node)) for uid, node in nodes.items() if is_dataset_node(node)}
        return cls(nodes=nodes, refs=refs)

    def upstream_refs(self, unique_id: str) -> tuple[list[DatasetRef], list[str]]:
        """Dataset parents of a node, looking through ephemeral models; also the ephemeral ids crossed."""
        found: dict[DatasetRef, None] = {}
        via: list[str] = []
        seen: set[str] = set()
        stack = list(reversed(_parents(self.nodes.get(unique_id, {}))))
        while stack:
            parent = stack.pop()
            if parent in seen:
                continue
            seen.add(parent)
            if parent in self.refs:
                found[self.refs[parent]] = None
            elif is_ephemeral(self.nodes.get(parent, {})):
                via.append(parent)
                stack.extend(reversed(_parents(self.nodes[parent])))
        return list(found), via


def _parents(node: dict) -> list[str]:
    return list((node.get("depends_on") or {}).get("nodes") or [])
