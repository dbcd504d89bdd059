"""The PostgreSQL source's configuration: keys, validation, and what it implies (names, password)."""

import os
import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit, urlunsplit

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from apps.harvest.harvesters.base import ConfigError, SourceError

# ``reader_dsn`` (with the secret ``reader_password``) is the lab's dedicated read-only
# connection for running sample queries; the harvest never uses it.
DEFAULTS = {
    "include_schemas": [],
    "exclude_schemas": [],
    "password_env": "",
    "statement_timeout_ms": 60000,
    "connect_timeout_s": 10,
    "reader_dsn": "",
}
KEYS = {"dsn", *DEFAULTS}
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Target:
    """Where the source is, as the catalog names it (OpenLineage: ``postgres://host:port``)."""

    host: str
    port: int
    dbname: str

    @cached_property  # read once per relation of a run
    def namespace(self) -> str:
        return f"postgres://{self.host}:{self.port}"


def validate(config: dict) -> dict:
    """The normalised config, or ``ConfigError`` naming each bad field."""
    if not isinstance(config, dict):
        raise ConfigError({"config": ["The configuration is a JSON object."]})
    errors: dict[str, list[str]] = {}
    for key in sorted(set(config) - KEYS):
        errors.setdefault(key, []).append(f"Unknown key. Allowed keys: {', '.join(sorted(KEYS))}.")
    out = {**DEFAULTS, **{k: v for k, v in config.items() if k in KEYS}}
    dsn = out.get("dsn")
    if not dsn or not isinstance(dsn, str):
        errors.setdefault("dsn", []).append(
            "Required: a connection string such as postgresql://harvester@db.example.com:5432/warehouse."
        )
    else:
        try:
            params = parse_dsn(dsn)
            if params.get("password"):
                errors.setdefault("dsn", []).append(
                    "Keep the password out of the DSN: give it as a secret ('password') or name an environment variable in 'password_env'."
                )
            if not params.get("dbname"):
                errors.setdefault("dsn", []).append("Name the database, e.g. postgresql://user@host:5432/<database>.")
        except ValueError as exc:
            errors.setdefault("dsn", []).append(str(exc))
    if out["reader_dsn"]:
        try:
            if not isinstance(out["reader_dsn"], str):
                raise ValueError("A connection string such as postgresql://lab_reader@host:5432/warehouse.")
            if parse_dsn(out["reader_dsn"]).get("password"):
                errors.setdefault("reader_dsn", []).append(
                    "Keep the password out of the DSN: give it as the secret 'reader_password'."
                )
        except ValueError as exc:
            errors.setdefault("reader_dsn", []).append(str(exc))
    for key in ("include_schemas", "exclude_schemas"):
        value = out[key]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            errors.setdefault(key, []).append("A list of schema name patterns (globs such as 'sales' or 'stg_*').")
    if out["password_env"] and (not isinstance(out["password_env"], str) or not ENV_NAME.match(out["password_env"])):
        errors.setdefault("password_env", []).append("The name of an environment variable, e.g. PGPASSWORD_WAREHOUSE.")
    for key, low, high in (("statement_timeout_ms", 100, 3_600_000), ("connect_timeout_s", 1, 120)):
        value = out[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors.setdefault(key, []).append(f"A whole number between {low} and {high}.")
    if errors:
        raise ConfigError(errors)
    return out


def parse_dsn(dsn: str) -> dict:
    """libpq parameters of ``dsn`` (URL or key=value); ValueError with a readable message on typos."""
    if "://" in dsn:
        scheme = dsn.split("://", 1)[0]
        if scheme not in ("postgresql", "postgres"):
            raise ValueError(f"Unknown scheme '{scheme}://'; use postgresql://user@host:5432/database.")
        try:
            port = urlsplit(dsn).port
        except ValueError:
            raise ValueError("The port in the DSN is not a number.") from None
        if port is not None and not 0 < port < 65536:
            raise ValueError("The port in the DSN is out of range.")
    elif "=" not in dsn:
        raise ValueError("Not a connection string: use postgresql://user@host:5432/database (did you miss '://'?).")
    try:
        return conninfo_to_dict(dsn)
    except Exception as exc:  # psycopg.ProgrammingError: libpq's own parse message
        raise ValueError(f"Not a valid connection string: {str(exc).strip()}") from None


def split_password(config: dict) -> tuple[dict, dict]:
    """Move a password written into the DSN out into the secrets."""
    dsn = config.get("dsn")
    if not isinstance(dsn, str):
        return config, {}
    try:
        params = parse_dsn(dsn)
    except ValueError:
        return config, {}
    password = params.pop("password", None)
    if not password:
        return config, {}
    if "://" in dsn:
        parts = urlsplit(dsn)
        netloc = parts.netloc.rsplit("@", 1)
        user = netloc[0].split(":", 1)[0] if len(netloc) == 2 else ""
        host = netloc[-1]
        clean = urlunsplit((parts.scheme, f"{user}@{host}" if user else host, parts.path, parts.query, parts.fragment))
    else:
        clean = make_conninfo(**params)
    return {**config, "dsn": clean}, {"password": password}


def target(config: dict) -> Target:
    params = parse_dsn(config["dsn"])
    host = params.get("host") or params.get("hostaddr") or "localhost"
    if host.startswith("/"):
        host = "localhost"  # a Unix socket directory is not a network name
    return Target(
        host=host.split(",")[0], port=int(str(params.get("port") or 5432).split(",")[0]), dbname=params["dbname"]
    )


def password(config: dict, secrets: dict) -> str | None:
    if secrets.get("password"):
        return secrets["password"]
    env = config.get("password_env")
    if env:
        if env not in os.environ:
            raise SourceError(
                f"The environment variable {env} named in 'password_env' is not set on this worker.", stage="config"
            )
        return os.environ[env]
    return None
