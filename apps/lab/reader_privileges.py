"""Least privilege by construction: the lab refuses to run as a role that could do harm.

The READ ONLY transaction and the function allow-list stop what the lab's SQL can say; the
role it connects as bounds what a mistake in either could do. A superuser (or a role with
REPLICATION, CREATEROLE or BYPASSRLS, or a member of the server-file and signalling
roles) can create replication slots, reset statistics, read the data directory or ignore
row-level security — none of which a transaction rollback undoes. A role that owns a
port's table may ALTER or DROP it and bypasses its row-level security. So before every
run, on the run's own connection (one round trip), the role is inspected and the run is
refused with instructions for creating a proper reader.

The same inspection, with the role's table privileges, is shown on the source page.
"""

from dataclasses import dataclass, field

import psycopg

from apps.lab.sql_checks import PortTable

# Predefined roles whose members read or write server files, run programs or signal backends.
RISKY_MEMBERSHIPS = (
    "pg_read_server_files",
    "pg_write_server_files",
    "pg_execute_server_program",
    "pg_signal_backend",
    "pg_write_all_data",
)

CREATE_READER_HINT = (
    "Create a dedicated reader and set it as the source's reader_dsn (secret reader_password), e.g. "
    "CREATE ROLE lab_reader LOGIN PASSWORD '…' NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS; "
    "GRANT USAGE ON SCHEMA <schema> TO lab_reader; GRANT SELECT ON <schema>.<table> TO lab_reader; "
    "(SELECT on the port's tables only, and never make it a table owner)."
)

_ROLE_SQL = """
SELECT r.rolname, r.rolsuper, r.rolreplication, r.rolcreaterole, r.rolbypassrls,
       ARRAY(SELECT b.rolname FROM pg_roles b
              WHERE b.rolname = ANY(%(risky)s) AND pg_has_role(r.oid, b.oid, 'MEMBER') ORDER BY 1) AS memberships,
       ARRAY(SELECT n.nspname || '.' || c.relname
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN unnest(%(schemas)s::text[], %(tables)s::text[]) AS t(s, n) ON t.s = n.nspname AND t.n = c.relname
              WHERE pg_has_role(r.oid, c.relowner, 'USAGE') ORDER BY 1) AS owned
  FROM pg_roles r WHERE r.rolname = current_user
"""

_TABLE_PRIVILEGES_SQL = """
SELECT t.s || '.' || t.n,
       to_regclass(quote_ident(t.s) || '.' || quote_ident(t.n)) IS NOT NULL,
       COALESCE(has_table_privilege(to_regclass(quote_ident(t.s) || '.' || quote_ident(t.n)), 'SELECT'), false),
       COALESCE(has_table_privilege(to_regclass(quote_ident(t.s) || '.' || quote_ident(t.n)),
                                    'INSERT,UPDATE,DELETE,TRUNCATE'), false)
  FROM unnest(%(schemas)s::text[], %(tables)s::text[]) AS t(s, n) ORDER BY 1
"""


class UnsafeReaderError(psycopg.ProgrammingError):
    """The lab's role is over-privileged; the runner records it as a failed run with this message."""


@dataclass
class ReaderPrivileges:
    """What the reader role may do: its attributes, risky memberships, owned and readable tables."""

    role: str
    superuser: bool = False
    replication: bool = False
    createrole: bool = False
    bypassrls: bool = False
    memberships: list[str] = field(default_factory=list)
    owned_tables: list[str] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)  # {name, exists, select, write}

    @property
    def problems(self) -> list[str]:
        found = [
            label
            for flag, label in (
                (self.superuser, "is a superuser"),
                (self.replication, "has REPLICATION"),
                (self.createrole, "has CREATEROLE"),
                (self.bypassrls, "has BYPASSRLS"),
            )
            if flag
        ]
        found += [f"is a member of {m}" for m in self.memberships]
        if self.owned_tables:
            found.append("owns " + ", ".join(self.owned_tables))
        return found

    @property
    def safe(self) -> bool:
        return not self.problems

    def refusal(self) -> str:
        return (
            f"The lab refuses to run as role {self.role!r}: it " + "; ".join(self.problems) + ". " + CREATE_READER_HINT
        )


def _table_args(tables: list[PortTable]) -> dict:
    named = [t for t in tables if t.schema]
    return {"schemas": [t.schema for t in named], "tables": [t.table for t in named]}


def inspect_reader(conn: psycopg.Connection, tables: list[PortTable], *, with_tables: bool = False) -> ReaderPrivileges:
    """The privileges of ``conn``'s current role, in one query (two with ``with_tables``)."""
    args = _table_args(tables)
    with conn.cursor() as cur:
        cur.execute(_ROLE_SQL, {"risky": list(RISKY_MEMBERSHIPS), **args})
        role, superuser, replication, createrole, bypassrls, memberships, owned = cur.fetchone()
        privileges = ReaderPrivileges(
            role=role,
            superuser=superuser,
            replication=replication,
            createrole=createrole,
            bypassrls=bypassrls,
            memberships=list(memberships),
            owned_tables=list(owned),
        )
        if with_tables:
            cur.execute(_TABLE_PRIVILEGES_SQL, args)
            privileges.tables = [
                {"name": name, "exists": exists, "select": select, "write": write}
                for name, exists, select, write in cur.fetchall()
            ]
    return privileges


def require_least_privilege(conn: psycopg.Connection, tables: list[PortTable]) -> None:
    """Raise UnsafeReaderError unless ``conn`` runs as a role fit for the lab."""
    privileges = inspect_reader(conn, tables)
    if not privileges.safe:
        raise UnsafeReaderError(privileges.refusal())
