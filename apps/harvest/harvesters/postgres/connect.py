"""Opening a read-only, time-limited connection, and saying exactly why one failed."""

import psycopg
from psycopg.conninfo import conninfo_to_dict

from apps.harvest.harvesters.base import SourceError, TransientSourceError
from apps.harvest.harvesters.postgres.config import password

# (stage, transient, what libpq says) — libpq reports connection failures as text only;
# the server's SQLSTATE is used first when there is one.
SQLSTATES = {
    "28P01": ("auth", False, "Authentication failed: wrong password for this user."),
    "28000": ("auth", False, "Authentication failed: the server does not accept this user from here."),
    "3D000": ("database", False, "The database does not exist on this server."),
    "42501": ("permission", False, "Permission denied: the user may not connect to this database."),
    "57P01": ("connection_lost", True, "The server terminated the connection (administrator command or shutdown)."),
    "57P02": ("connection_lost", True, "The server crashed and closed the connection."),
    "57P03": ("unavailable", True, "The server is starting up or shutting down."),
    "53300": ("unavailable", True, "The server has too many connections."),
    "57014": ("timeout", False, "A catalog query exceeded the statement timeout."),
}
PATTERNS = [
    ("could not translate host name", "dns", False, "The host name does not resolve (DNS)."),
    ("Name or service not known", "dns", False, "The host name does not resolve (DNS)."),
    (
        "Connection refused",
        "refused",
        True,
        "The server refused the connection: nothing listens on that host and port.",
    ),
    ("timeout expired", "timeout", True, "The connection timed out: the host does not answer."),
    ("No route to host", "unreachable", True, "No network route to the host."),
    ("Network is unreachable", "unreachable", True, "The network is unreachable."),
    (
        "permission denied",
        "permission",
        False,
        "Permission denied: the user may not connect to this database or read its catalog.",
    ),  # before "database": the message names one
    ("password authentication failed", "auth", False, "Authentication failed: wrong password for this user."),
    (
        "no password supplied",
        "auth",
        False,
        "Authentication failed: the server wants a password and none is configured (set the 'password' secret or 'password_env').",
    ),
    (
        "no pg_hba.conf entry",
        "auth",
        False,
        "Authentication failed: the server does not accept this user from here (pg_hba.conf).",
    ),
    ("too many connections", "unavailable", True, "The server has too many connections."),  # also 'for role "…"'
    ("too many clients", "unavailable", True, "The server has too many connections."),  # max_connections
    ('role "', "auth", False, "Authentication failed: the user does not exist on this server."),
    ('database "', "database", False, "The database does not exist on this server."),
    ("server closed the connection", "connection_lost", True, "The server closed the connection unexpectedly."),
    ("terminating connection", "connection_lost", True, "The server terminated the connection."),
    ("consuming input failed", "connection_lost", True, "The connection to the server was lost."),
]


def classify(exc: Exception) -> SourceError:
    """Turn a psycopg error into a SourceError whose ``stage`` says what failed."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    sqlstate = getattr(exc, "sqlstate", None)
    stage = transient = message = None
    if sqlstate in SQLSTATES:
        stage, transient, message = SQLSTATES[sqlstate]
    else:
        text = str(exc)
        for needle, s, t, m in PATTERNS:
            if needle in text:
                stage, transient, message = s, t, m
                break
    if stage is None:
        stage, transient, message = (
            "connection",
            isinstance(exc, psycopg.OperationalError),
            "Could not talk to the server.",
        )
    cls = TransientSourceError if transient else SourceError
    return cls(f"{message} ({detail})", stage=stage)


def connect(config: dict, secrets: dict, *, application_name: str = "mesh-catalog-harvest") -> psycopg.Connection:
    """A connection whose transactions are read-only, with a statement timeout, resolving
    names only in ``pg_catalog`` (so that view definitions come back schema-qualified).

    JIT is off: the planner's estimates over catalog views are poor, and compiling the
    digest query took seconds on a loaded server where running it takes a fraction of one."""
    params = conninfo_to_dict(config["dsn"])
    secret = password(config, secrets)
    if secret:
        params["password"] = secret
    params.setdefault("connect_timeout", config["connect_timeout_s"])
    params["application_name"] = application_name
    params["options"] = (
        f"-c default_transaction_read_only=on -c statement_timeout={int(config['statement_timeout_ms'])} -c search_path=pg_catalog -c lock_timeout=5000 -c jit=off"
    )
    try:
        conn = psycopg.connect(**params)
    except psycopg.Error as exc:
        raise classify(exc) from None
    conn.read_only = True
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ  # one snapshot for all queries
    return conn
