"""The MySQL/MariaDB source's configuration: keys, validation, and what it implies (names, password)."""

import os
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

from apps.harvest.harvesters.base import ConfigError, SourceError

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
SCHEMES = ("mysql", "mariadb")
# Never catalogued: the server's own schemas.
SYSTEM_SCHEMAS = ("mysql", "information_schema", "performance_schema", "sys")


@dataclass(frozen=True)
class Target:
    """Where the server is and who connects, as the catalog names it (``mysql://host:port``)."""

    host: str
    port: int
    user: str
    database: str = ""

    @property
    def namespace(self) -> str:
        return f"mysql://{self.host}:{self.port}"


def parse_dsn(dsn: str) -> tuple[Target, str]:
    """(target, password written in the DSN or "") of ``mysql://user@host:port[/db]``; ValueError with a readable message."""
    if not isinstance(dsn, str) or "://" not in dsn:
        raise ValueError("A connection URL such as mysql://harvester@db.example.com:3306 (did you miss '://'?).")
    scheme = dsn.split("://", 1)[0]
    if scheme not in SCHEMES:
        raise ValueError(f"Unknown scheme '{scheme}://'; use mysql://user@host:3306.")
    parts = urlsplit(dsn)
    try:
        port = parts.port or 3306
    except ValueError:
        raise ValueError("The port in the DSN is not a number.") from None
    if not 0 < port < 65536:
        raise ValueError("The port in the DSN is out of range.")
    if not parts.hostname:
        raise ValueError("Name the host, e.g. mysql://harvester@db.example.com:3306.")
    if not parts.username:
        raise ValueError("Name the user, e.g. mysql://harvester@db.example.com:3306.")
    database = parts.path.strip("/")
    return Target(parts.hostname, port, unquote(parts.username), unquote(database)), unquote(parts.password or "")


def validate(config: dict) -> dict:
    """The normalised config, or ``ConfigError`` naming each bad field."""
    if not isinstance(config, dict):
        raise ConfigError({"config": ["The configuration is a JSON object."]})
    errors: dict[str, list[str]] = {}
    for key in sorted(set(config) - KEYS):
        errors.setdefault(key, []).append(f"Unknown key. Allowed keys: {', '.join(sorted(KEYS))}.")
    out = {**DEFAULTS, **{k: v for k, v in config.items() if k in KEYS}}
    for key, required in (("dsn", True), ("reader_dsn", False)):
        value = out.get(key)
        if not value:
            if required:
                errors.setdefault(key, []).append("Required: a connection URL such as mysql://harvester@db:3306.")
            continue
        if len(str(value)) > 1000:
            errors.setdefault(key, []).append("At most 1,000 characters.")
            continue
        try:
            _, password = parse_dsn(value)
            if password:
                errors.setdefault(key, []).append(
                    "Keep the password out of the DSN: give it as a secret or name an environment variable in 'password_env'."
                )
        except ValueError as exc:
            errors.setdefault(key, []).append(str(exc))
    for key in ("include_schemas", "exclude_schemas"):
        value = out[key]
        if not isinstance(value, list) or len(value) > 500 or not all(isinstance(v, str) and v for v in value):
            errors.setdefault(key, []).append("A list of schema name patterns (globs such as 'sales' or 'stg_*').")
    if out["password_env"] and (not isinstance(out["password_env"], str) or not ENV_NAME.match(out["password_env"])):
        errors.setdefault("password_env", []).append("The name of an environment variable, e.g. MYSQL_PASSWORD.")
    for key, low, high in (("statement_timeout_ms", 100, 3_600_000), ("connect_timeout_s", 1, 120)):
        value = out[key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors.setdefault(key, []).append(f"A whole number between {low} and {high}.")
    if errors:
        raise ConfigError(errors)
    return out


def split_password(config: dict) -> tuple[dict, dict]:
    """Move passwords written into the DSNs out into the secrets (``password``, ``reader_password``)."""
    secrets = {}
    config = dict(config)
    for key, secret in (("dsn", "password"), ("reader_dsn", "reader_password")):
        dsn = config.get(key)
        try:
            _, password = parse_dsn(dsn)
        except ValueError:
            continue
        if password:
            parts = urlsplit(dsn)
            netloc = parts.netloc.rsplit("@", 1)
            user = netloc[0].split(":", 1)[0]
            config[key] = urlunsplit((parts.scheme, f"{user}@{netloc[1]}", parts.path, parts.query, parts.fragment))
            secrets[secret] = password
    return config, secrets


def target(config: dict) -> Target:
    return parse_dsn(config["dsn"])[0]


def password(config: dict, secrets: dict, secret: str = "password") -> str:
    if secrets.get(secret):
        return secrets[secret]
    env = config.get("password_env")
    if env and secret == "password":
        if env not in os.environ:
            raise SourceError(
                f"The environment variable {env} named in 'password_env' is not set on this worker.", stage="config"
            )
        return os.environ[env]
    return ""
