"""The set-based catalog queries: each reads one kind of fact for every relation at once.

Their number does not depend on the number of tables. Relations are the ones a catalog
shows: tables, partitioned tables (partitions are rolled into their root), views,
materialized views and foreign tables, in the schemas passed as ``%(schemas)s`` (oids).
"""

import hashlib

# Bump when the digest covers other facts or computes them otherwise: the first run after
# a deploy then finds no stored digest equal and reads every relation once.
SCHEME = "pg-2"

DATABASE = "select current_database(), current_user"

SCHEMAS = """
select n.oid, n.nspname, has_schema_privilege(n.oid, 'USAGE'), d.description
from pg_namespace n
left join pg_description d on d.objoid = n.oid and d.classoid = 'pg_namespace'::regclass
where n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
order by n.nspname
"""

# ``/*only*/`` marks where ``restrict()`` narrows a query to the relations in ``%(only)s``.
_RELATION_FILTER = (
    "c.relnamespace = any(%(schemas)s) and c.relkind in ('r', 'p', 'v', 'm', 'f') and not c.relispartition /*only*/"
)

# Sizes and row counts are the planner's estimates (relpages, reltuples, table + TOAST +
# indexes): reading them takes no lock, unlike pg_total_relation_size or pg_partition_tree,
# which lock every relation they touch and would exhaust the lock table on a database with
# thousands of tables. Partitions are summed into their root.
_SIZE = """((r.relpages
    + coalesce((select t.relpages from pg_class t where t.oid = r.reltoastrelid), 0)
    + coalesce((select sum(i.relpages) from pg_index x join pg_class i on i.oid = x.indexrelid where x.indrelid = r.oid), 0)
  )::bigint * current_setting('block_size')::bigint)"""

_LEAVES = f"""with leaves as materialized (
    select pg_partition_root(r.oid) as root, sum(greatest(r.reltuples, 0))::bigint as row_estimate, sum({_SIZE})::bigint as bytes, count(*) as n
    from pg_class r
    where r.relispartition and r.relkind = 'r'
    group by 1
)"""
# What a relation's record reads, after its oid, schema and name (``build.RecordBuilder._dataset``).
_RELATION_FIELDS = f"""c.relkind, pg_get_userbyid(c.relowner), d.description,
       case when c.relkind = 'p' then coalesce((select l.row_estimate from leaves l where l.root = c.oid), 0)
            when c.relkind in ('r', 'm') and c.reltuples >= 0 then c.reltuples::bigint end,
       case when c.relkind = 'p' then coalesce((select l.bytes from leaves l where l.root = c.oid), 0)
            when c.relkind in ('r', 'm') then {_SIZE.replace("r.", "c.")} end,
       case when c.relkind = 'p' then coalesce((select l.n from leaves l where l.root = c.oid), 0) end,
       case when c.relkind = 'p' then pg_get_partkeydef(c.oid) end,
       case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid, true) end,
       case when c.relkind in ('r', 'm', 'p') then greatest(pg_stat_get_last_analyze_time(c.oid), pg_stat_get_last_autoanalyze_time(c.oid)) end,
       has_table_privilege(c.oid, 'SELECT'),
       c.relpersistence,
       (select fs.srvname from pg_foreign_table ft join pg_foreign_server fs on fs.oid = ft.ftserver where ft.ftrelid = c.oid)"""

RELATIONS = f"""
{_LEAVES}
select c.oid, n.nspname, c.relname, {_RELATION_FIELDS}
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join pg_description d on d.objoid = c.oid and d.classoid = 'pg_class'::regclass and d.objsubid = 0
where {_RELATION_FILTER}
order by n.nspname, c.relname
"""

COLUMNS = f"""
select a.attrelid, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(ad.adbin, ad.adrelid), a.attgenerated <> '', d.description
from pg_attribute a
join pg_class c on c.oid = a.attrelid
left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
left join pg_description d on d.objoid = a.attrelid and d.classoid = 'pg_class'::regclass and d.objsubid = a.attnum
where {_RELATION_FILTER} and a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum
"""

# Column numbers (conkey, confkey) are turned into names from the COLUMNS rows: resolving
# them here, per constraint, cost more than all the other queries together.
CONSTRAINTS = f"""
select con.conrelid, con.conname, con.contype, con.conkey, rn.nspname, rc.relname, con.confrelid, con.confkey,
       pg_get_constraintdef(con.oid)
from pg_constraint con
join pg_class c on c.oid = con.conrelid
left join pg_class rc on rc.oid = coalesce(pg_partition_root(con.confrelid), nullif(con.confrelid, 0))
left join pg_namespace rn on rn.oid = rc.relnamespace
where {_RELATION_FILTER} and con.contype in ('p', 'u', 'f')
order by con.conrelid, con.conname
"""

# What each view's rewrite rule depends on (pg_depend): the fallback lineage for view SQL
# that cannot be parsed. Partitions are mapped to their root.
VIEW_DEPENDENCIES = """
select distinct r.ev_class, rn.nspname, rc.relname
from pg_rewrite r
join pg_class v on v.oid = r.ev_class
join pg_depend dep on dep.classid = 'pg_rewrite'::regclass and dep.objid = r.oid
                  and dep.refclassid = 'pg_class'::regclass and dep.refobjid <> r.ev_class
join pg_class rc on rc.oid = coalesce(pg_partition_root(dep.refobjid), dep.refobjid)
join pg_namespace rn on rn.oid = rc.relnamespace
where v.relnamespace = any(%(schemas)s) and v.relkind in ('v', 'm') and rc.relkind in ('r', 'p', 'v', 'm', 'f') /*only*/
"""

# Partitions by name, so that a view reading one partition gets lineage to its root.
PARTITIONS = """
select n.nspname, c.relname, rn.nspname, r.relname
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_class r on r.oid = pg_partition_root(c.oid)
join pg_namespace rn on rn.oid = r.relnamespace
where c.relispartition and c.relnamespace = any(%(schemas)s)
"""


def restrict(sql: str, alias: str = "c") -> str:
    """``sql`` narrowed to the relation oids passed as ``%(only)s``."""
    return sql.replace("/*only*/", f" and {alias}.oid = any(%(only)s)")


# One digest per relation, in one pass over pg_class: the relation's own facts (each field
# RELATIONS reads), its columns (each field COLUMNS reads) and its constraints, and the oids
# of the relations its record depends on — a view's upstreams (its column lineage is
# resolved against their columns) and a foreign key's target, whose digests
# ``combine_digests`` folds in. Per relation the columns and constraints are index probes.
#
# The server returns one 64-bit hash per relation (``hash_record_extended``: the type's own
# hash function per field, no text). Columns and constraints are combined with ``bit_xor``:
# order-free, so no sort, and each row's hash covers its key (attnum, conname), so two rows
# never cancel. Turning 101,750 column rows into text for md5 cost ~40 % of the query.
#
# Some facts are digested by what determines their text rather than by the text:
#  - a view's definition (``pg_get_viewdef``, which opens and locks every relation it reads)
#    is its rewrite rule's query tree plus the current name of every object the rule depends
#    on (``pg_describe_object`` of its pg_depend rows: relations, columns, functions, types,
#    operators — a rename of any of them changes the decompiled text);
#  - a constraint's definition (``pg_get_constraintdef``) is its pg_constraint row plus the
#    names of what it references (the referenced table's columns, schema and name); its own
#    columns' names are in the relation's column digest;
#  - a column's type (``format_type``) is its type oid and modifier; only types created
#    after initdb (oid >= 16384: extensions, enums, domains, which can be renamed) are also
#    digested by their formatted name.
# These are stable for a given server; ``combine_digests`` folds in ``SCHEME`` and the
# server's version, so a new major version (another rule tree format, another hash) or a
# change of this scheme reads everything once.
_RULE_DIGEST = """(select hashtextextended(r.ev_action::text || coalesce((
        select string_agg(pg_describe_object(dep.refclassid, dep.refobjid, dep.refobjsubid), '|'
                          order by dep.refclassid, dep.refobjid, dep.refobjsubid)
        from pg_depend dep where dep.classid = 'pg_rewrite'::regclass and dep.objid = r.oid), ''), 0)
    from pg_rewrite r where r.ev_class = c.oid and r.rulename = '_RETURN')"""

_COLUMNS_DIGEST = """(select bit_xor(hash_record_extended(row(
            a.attname, a.attnum, a.atttypid, a.atttypmod,
            case when a.atttypid >= 16384 then format_type(a.atttypid, a.atttypmod) end, a.attnotnull,
            case when a.atthasdef then (select pg_get_expr(ad.adbin, ad.adrelid) from pg_attrdef ad
                                        where ad.adrelid = a.attrelid and ad.adnum = a.attnum) end,
            a.attgenerated), 0))
        from pg_attribute a
        where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped)"""
# The relation's comment (objsubid 0) and its columns' comments, in one probe.
_COMMENTS_DIGEST = """(select bit_xor(hash_record_extended(row(cd.objsubid, cd.description), 0))
    from pg_description cd where cd.objoid = c.oid and cd.classoid = 'pg_class'::regclass)"""
# A foreign key's record names its target's root table; its definition names the target's
# columns (and through them the table): both come from the constraint's pg_depend rows.
_CONSTRAINTS_DIGEST = """(select bit_xor(hash_record_extended(row(con,
            case when con.contype = 'f' then (
                select concat_ws('|', rn.nspname, rc.relname, (
                    select string_agg(pg_describe_object(dep.refclassid, dep.refobjid, dep.refobjsubid), '|'
                                      order by dep.refclassid, dep.refobjid, dep.refobjsubid)
                    from pg_depend dep
                    where dep.classid = 'pg_constraint'::regclass and dep.objid = con.oid and dep.refobjid <> con.conrelid))
                from pg_class rc join pg_namespace rn on rn.oid = rc.relnamespace
                where rc.oid = coalesce(pg_partition_root(con.confrelid), con.confrelid)) end), 0)) as digest,
        array_agg(distinct coalesce(pg_partition_root(con.confrelid), con.confrelid)::oid)
            filter (where con.contype = 'f' and con.confrelid <> con.conrelid) as targets
    from pg_constraint con
    where con.conrelid = c.oid and con.contype in ('p', 'u', 'f'))"""
_UPSTREAMS = """case when c.relkind in ('v', 'm') then (
        select array_agg(distinct rc.oid)
        from pg_rewrite r
        join pg_depend dep on dep.classid = 'pg_rewrite'::regclass and dep.objid = r.oid
                          and dep.refclassid = 'pg_class'::regclass and dep.refobjid <> r.ev_class
        join pg_class rc on rc.oid = coalesce(pg_partition_root(dep.refobjid), dep.refobjid)
        where r.ev_class = c.oid and rc.relkind in ('r', 'p', 'v', 'm', 'f')) end"""

# The relation's comment is in _COMMENTS_DIGEST: no pg_description join here.
_DIGESTED_FIELDS = _RELATION_FIELDS.replace("pg_get_viewdef(c.oid, true)", _RULE_DIGEST).replace(
    "d.description", "null::text"
)
_DIGESTS = f"""
{_LEAVES}
select c.oid, n.nspname, c.relname,
       hash_record_extended(row({_DIGESTED_FIELDS}, {_COMMENTS_DIGEST}, {_COLUMNS_DIGEST}, k.digest), 0),
       {_UPSTREAMS}, k.targets
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join lateral {_CONSTRAINTS_DIGEST} k on true
where {_RELATION_FILTER.replace("/*only*/", "/*part*/")}
"""

# Exported in the main connection's transaction; a helper connection imports it with
# ``SET TRANSACTION SNAPSHOT`` before its first query, so both read one catalog state. A hot
# standby cannot export one (the error would abort the run's transaction): null there.
EXPORT_SNAPSHOT = "select case when not pg_is_in_recovery() then pg_export_snapshot() end"


DIGESTS = _DIGESTS.replace("/*part*/", "")
# The digests of the relations whose hashed oid falls in part ``%(part)s`` of ``%(parts)s``,
# for one of several connections: a hash, not the oid itself, because DDL allocates oids in
# fixed strides (a table, its row and array types, TOAST, indexes), so parity can split unevenly.
DIGESTS_PART = _DIGESTS.replace("/*part*/", " and (hashoid(c.oid) & 2147483647) %% %(parts)s = %(part)s")


# PostgreSQL 12 and 13 have neither ``hash_record_extended`` nor ``bit_xor`` (both came in 14):
# there a relation's digest is the md5 of its rows' text, as in the first scheme (index-ordered
# column rows, ~1.5× the server CPU). The server version is in every digest, so the two never meet.
HASHED_SINCE = 140000
_RULE_DIGEST_AS_TEXT = """(select md5(r.ev_action::text || coalesce((
        select string_agg(pg_describe_object(dep.refclassid, dep.refobjid, dep.refobjsubid), '|'
                          order by dep.refclassid, dep.refobjid, dep.refobjsubid)
        from pg_depend dep where dep.classid = 'pg_rewrite'::regclass and dep.objid = r.oid), ''))
    from pg_rewrite r where r.ev_class = c.oid and r.rulename = '_RETURN')"""
_COLUMNS_DIGEST_AS_TEXT = """(select md5(string_agg(q.t, '|')) from (
        select row(a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   case when a.atthasdef then (select pg_get_expr(ad.adbin, ad.adrelid) from pg_attrdef ad
                                               where ad.adrelid = a.attrelid and ad.adnum = a.attnum) end,
                   a.attgenerated)::text as t
        from pg_attribute a
        where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        order by a.attrelid, a.attnum) q)"""
_COMMENTS_AS_TEXT = """(select array_agg(row(cd.objsubid, cd.description) order by cd.objsubid)
    from pg_description cd where cd.objoid = c.oid and cd.classoid = 'pg_class'::regclass)"""
_CONSTRAINTS_DIGEST_AS_TEXT = """(select md5(string_agg(row(con.*, rn.nspname, rc.relname,
            case when con.contype = 'f' then (
                select string_agg(pg_describe_object(dep.refclassid, dep.refobjid, dep.refobjsubid), '|'
                                  order by dep.refclassid, dep.refobjid, dep.refobjsubid)
                from pg_depend dep
                where dep.classid = 'pg_constraint'::regclass and dep.objid = con.oid and dep.refobjid <> con.conrelid) end
        )::text, '|' order by con.conname)) as digest,
        array_agg(distinct coalesce(pg_partition_root(con.confrelid), con.confrelid)::oid)
            filter (where con.contype = 'f' and con.confrelid <> con.conrelid) as targets
    from pg_constraint con
    left join pg_class rc on rc.oid = coalesce(pg_partition_root(con.confrelid), nullif(con.confrelid, 0))
    left join pg_namespace rn on rn.oid = rc.relnamespace
    where con.conrelid = c.oid and con.contype in ('p', 'u', 'f'))"""
DIGESTS_AS_TEXT = f"""
{_LEAVES}
select c.oid, n.nspname, c.relname,
       md5(row({_RELATION_FIELDS.replace("pg_get_viewdef(c.oid, true)", _RULE_DIGEST_AS_TEXT)}, {_COMMENTS_AS_TEXT})::text
           || '#' || coalesce({_COLUMNS_DIGEST_AS_TEXT}, '') || '#' || coalesce(k.digest, '')),
       {_UPSTREAMS}, k.targets
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
left join pg_description d on d.objoid = c.oid and d.classoid = 'pg_class'::regclass and d.objsubid = 0
left join lateral {_CONSTRAINTS_DIGEST_AS_TEXT} k on true
where {_RELATION_FILTER.replace("/*only*/", "")}
"""


def digests_query(server_version: int) -> str:
    """The DIGESTS query this server can run."""
    return DIGESTS if server_version >= HASHED_SINCE else DIGESTS_AS_TEXT


def combine_digests(rows: list[tuple], server_version: int) -> list[tuple[int, str, str, str, list[int]]]:
    """``(oid, schema, name, digest, dependency oids)`` per relation from the DIGESTS rows.

    A relation's digest covers ``SCHEME``, the server's version, its own facts and the oid
    and own digest of each dependency, so that a view is read again when a table it reads
    changes (a dependency outside the harvested schemas has no digest here: what the record
    takes from it is in the relation's own digest)."""
    own = {oid: digest for oid, _, _, digest, _, _ in rows}
    prefix = f"{SCHEME}|{server_version}|"
    out = []
    for oid, schema, name, digest, upstreams, targets in rows:
        related = sorted({*(upstreams or ()), *(targets or ())})
        text = f"{prefix}{digest}|" + ",".join(f"{d}:{own.get(d, '')}" for d in related)
        out.append((oid, schema, name, hashlib.md5(text.encode(), usedforsecurity=False).hexdigest(), related))
    return out
