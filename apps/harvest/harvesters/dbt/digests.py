"""A digest per dbt dataset of everything its records are made from, for unchanged re-harvests.

An unchanged manifest used to cost a full read every run: every record rebuilt, every
column edge looked up in the SQL cache and yielded, and the pipeline comparing them all.
Instead each dataset gets the digest of its inputs — its nodes (without ``created_at``,
which dbt rewrites on every parse), its catalog entry, the owner and placement its meta and
group give it, the exposures consuming it, the datasets it reads (through ephemeral models)
and, with column lineage, the key of its SQL analysis (compiled SQL, upstream schemas,
dialect) — plus the source's config and ``SCHEME``. A dataset whose digest equals the one
the last run stored is reported unchanged (``SourceDigest``) with no record, no lineage and
no SQL parsed; the pipeline keeps its rows and the lineage into it.

Bump ``SCHEME`` whenever the harvester turns the same inputs into different records.
Nodes are serialised in the manifest's own key order (dbt writes it deterministically): sorting
the keys of 38 MB of nodes cost more than copying and hashing them.
"""

import hashlib

import orjson

from apps.harvest.harvesters.dbt.nodes import NodeIndex
from apps.harvest.records import ConsumerRecord, DatasetRef

SCHEME = "dbt-2"
VOLATILE_KEYS = frozenset({"created_at"})  # rewritten by dbt on every parse, read by nothing here


def dataset_digests(
    index: NodeIndex,
    catalog: dict,
    declared_of,
    consumers: list[ConsumerRecord],
    sql_keys: dict[str, str],
    setup: dict,
) -> dict[DatasetRef, str]:
    """``DatasetRef`` → hex digest. ``declared_of(node)`` is ``Placement.declared``; ``sql_keys``
    maps a model's unique id to its column-lineage cache key (empty without column lineage)."""
    entries = {**(catalog.get("nodes") or {}), **(catalog.get("sources") or {})}
    consumed: dict[DatasetRef, list] = {}
    for consumer in consumers:
        shape = [consumer.name, consumer.kind, consumer.owner, consumer.url, consumer.description]
        for ref in consumer.depends_on:
            consumed.setdefault(ref, []).append(shape)
    by_ref: dict[DatasetRef, list[str]] = {}
    for uid, ref in index.refs.items():
        by_ref.setdefault(ref, []).append(uid)
    prefix = orjson.dumps([SCHEME, setup], option=orjson.OPT_SORT_KEYS)
    digests = {}
    for ref, uids in by_ref.items():
        parts = []
        for uid in sorted(uids):
            node = index.nodes[uid]
            upstreams, via = index.upstream_refs(uid)
            volatile = [key for key in VOLATILE_KEYS if key in node]
            if volatile:
                node = dict(node)  # a shallow copy without them; the manifest stays as read
                for key in volatile:
                    del node[key]
            parts.append(
                [
                    uid,
                    node,
                    entries.get(uid),
                    declared_of(node),
                    [[r.namespace, r.name] for r in upstreams],
                    via,
                    sql_keys.get(uid, ""),
                ]
            )
        digest = hashlib.sha256(prefix)
        digest.update(orjson.dumps([parts, consumed.get(ref, [])]))
        digests[ref] = digest.hexdigest()
    return digests
