"""Opening a read-only, time-limited connection to MySQL/MariaDB, and saying exactly why one failed."""

from apps.harvest.harvesters.base import SourceError, TransientSourceError
from apps.harvest.harvesters.mysql.config import password, target

# Server error numbers: (stage, transient, what it means).
ERRNOS = {
    1045: ("auth", False, "Authentication failed: wrong user or password, or the user may not connect from here."),
    1044: ("permission", False, "Permission denied: the user may not use this database."),
    1049: ("database", False, "The database named in the DSN does not exist on this server."),
    1142: ("permission", False, "Permission denied on a table the harvest reads."),
    1143: ("permission", False, "Permission denied on a column the harvest reads."),
    1227: ("permission", False, "Permission denied: the statement needs a privilege the user lacks."),
    1040: ("unavailable", True, "The server has too many connections."),
    1969: ("timeout", False, "A catalog query exceeded the statement timeout (max_statement_time)."),
    3024: ("timeout", False, "A catalog query exceeded the statement timeout (max_execution_time)."),
    2006: ("connection_lost", True, "The server has gone away."),
    2013: ("connection_lost", True, "The connection to the server was lost during a query."),
}
# Error 2003 ("Can't connect") says why only in its text.
CONNECT_PATTERNS = [
    ("Name or service not known", "dns", False, "The host name does not resolve (DNS)."),
    ("nodename nor servname", "dns", False, "The host name does not resolve (DNS)."),
    ("Temporary failure in name resolution", "dns", True, "The host name does not resolve right now (DNS)."),
    (
        "Connection refused",
        "refused",
        True,
        "The server refused the connection: nothing listens on that host and port.",
    ),
    ("timed out", "timeout", True, "The connection timed out: the host does not answer."),
    ("No route to host", "unreachable", True, "No network route to the host."),
    ("Network is unreachable", "unreachable", True, "The network is unreachable."),
]


def classify(exc: Exception) -> SourceError:
    """Turn a PyMySQL error into a SourceError whose ``stage`` says what failed."""
    args = getattr(exc, "args", ())
    errno = args[0] if args and isinstance(args[0], int) else None
    detail = str(args[1] if len(args) > 1 else exc).strip().splitlines()[0][:300] if str(exc) else type(exc).__name__
    stage = transient = message = None
    if errno in ERRNOS:
        stage, transient, message = ERRNOS[errno]
    elif errno == 2003 or isinstance(exc, OSError):
        for needle, s, t, m in CONNECT_PATTERNS:
            if needle in str(exc):
                stage, transient, message = s, t, m
                break
    if stage is None:
        import pymysql

        stage, transient, message = (
            "connection",
            isinstance(exc, pymysql.OperationalError),
            "Could not talk to the server.",
        )
    cls = TransientSourceError if transient else SourceError
    return cls(f"{message} ({detail})", stage=stage)


def is_mariadb(version: str) -> bool:
    return "mariadb" in version.lower()


def connect(config: dict, secrets: dict, *, dsn_key: str = "dsn", secret: str = "password"):
    """A connection in a read-only REPEATABLE READ transaction with a statement timeout.

    The timeout is MariaDB's ``max_statement_time`` (seconds) or MySQL's
    ``max_execution_time`` (milliseconds, SELECT only): the server is asked which it is.
    """
    import pymysql  # here, not at start-up: every process imports the harvesters (their registry)

    where = target({"dsn": config[dsn_key]})
    try:
        conn = pymysql.connect(
            host=where.host,
            port=where.port,
            user=where.user,
            password=password(config, secrets, secret),
            database=where.database or None,
            connect_timeout=config["connect_timeout_s"],
            read_timeout=max(5, config["statement_timeout_ms"] // 1000 + 5),
            charset="utf8mb4",
            autocommit=True,
            program_name="mesh-catalog",
        )
    except (pymysql.Error, OSError) as exc:
        raise classify(exc) from None
    try:
        with conn.cursor() as cur:
            cur.execute("select version()")
            version = cur.fetchone()[0]
            timeout = int(config["statement_timeout_ms"])
            if is_mariadb(version):
                cur.execute(f"set session max_statement_time = {timeout / 1000:.3f}")
            else:
                cur.execute(f"set session max_execution_time = {timeout}")
            cur.execute("set session time_zone = '+00:00'")  # information_schema times in UTC
            cur.execute("set session transaction isolation level repeatable read")
            cur.execute("start transaction read only")
    except pymysql.Error as exc:
        conn.close()
        raise classify(exc) from None
    conn.server_version_text = version
    return conn
