"""The set-based information_schema queries: each reads one kind of fact for every table at once.

Their number does not depend on the number of tables: every query takes the chosen schemas
as one ``IN %(schemas)s`` list. ``information_schema`` lists only what the connecting user
has some privilege on, so a least-privilege harvester sees exactly what it may read.
Column lists are the ones MySQL 8 and MariaDB 10.x both have.
"""

SCHEMATA = """
select schema_name, default_character_set_name, default_collation_name
from information_schema.schemata
order by schema_name
"""

TABLES = """
select table_schema, table_name, table_type, engine, table_rows, data_length, index_length,
       create_time, update_time, table_comment, table_collation, create_options
from information_schema.tables
where table_schema in %(schemas)s
order by table_schema, table_name
"""

COLUMNS = """
select table_schema, table_name, column_name, ordinal_position, column_default, is_nullable,
       column_type, character_set_name, collation_name, column_key, extra, column_comment,
       generation_expression
from information_schema.columns
where table_schema in %(schemas)s
order by table_schema, table_name, ordinal_position
"""

# Primary, unique and foreign keys with their columns in order. KEY_COLUMN_USAGE holds only
# these three kinds: the primary key is always named PRIMARY and a foreign key names what it
# references, so no join with TABLE_CONSTRAINTS is needed (that join costs MariaDB seconds).
KEYS = """
select table_schema, table_name, constraint_name, column_name,
       referenced_table_schema, referenced_table_name, referenced_column_name
from information_schema.key_column_usage
where table_schema in %(schemas)s
order by table_schema, table_name, constraint_name, ordinal_position
"""

INDEXES = """
select table_schema, table_name, index_name, non_unique, column_name, index_type, sub_part
from information_schema.statistics
where table_schema in %(schemas)s
order by table_schema, table_name, index_name, seq_in_index
"""

# VIEW_DEFINITION is empty unless the user may see it (SHOW VIEW, or the view's definer).
VIEWS = """
select table_schema, table_name, view_definition, is_updatable, security_type
from information_schema.views
where table_schema in %(schemas)s
"""

# Partitions are rolled into their table: how many, by what, and (sub)partition names.
PARTITIONS = """
select table_schema, table_name, count(*), max(partition_method), max(partition_expression),
       max(subpartition_method), count(distinct subpartition_name)
from information_schema.partitions
where table_schema in %(schemas)s and partition_name is not null
group by table_schema, table_name
"""

# CHECK constraints (MySQL 8.0.16+, MariaDB 10.2+). MariaDB's CHECK_CONSTRAINTS has the
# table name — its column-level checks are named after the column, so names repeat across
# tables; MySQL's names are unique per schema and its table comes from TABLE_CONSTRAINTS.
# MariaDB's JSON type is an alias of LONGTEXT with a ``json_valid(col)`` check: that is how
# we tell it.
CHECKS_MARIADB = """
select constraint_schema, table_name, constraint_name, check_clause
from information_schema.check_constraints
where constraint_schema in %(schemas)s
order by constraint_schema, table_name, constraint_name
"""
CHECKS_MYSQL = """
select t.table_schema, t.table_name, t.constraint_name, c.check_clause
from information_schema.table_constraints t
join information_schema.check_constraints c
  on c.constraint_schema = t.constraint_schema and c.constraint_name = t.constraint_name
where t.table_schema in %(schemas)s and t.constraint_type = 'CHECK'
order by t.table_schema, t.table_name, t.constraint_name
"""

CATALOG = (
    ("tables", TABLES),
    ("columns", COLUMNS),
    ("keys", KEYS),
    ("indexes", INDEXES),
    ("views", VIEWS),
    ("partitions", PARTITIONS),
)


def catalog(mariadb: bool) -> tuple[tuple[str, str], ...]:
    """The (name, SQL) of every catalog query for this server flavour."""
    return (*CATALOG, ("checks", CHECKS_MARIADB if mariadb else CHECKS_MYSQL))
