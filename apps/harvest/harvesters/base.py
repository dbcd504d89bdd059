"""What every harvester kind provides, and the registry of kinds.

A kind is one module: a config schema, a connection test, and ``extract()`` yielding
records (``apps.harvest.records``). It never touches the ORM; the pipeline owns writes.
Kinds register from ``HarvestConfig.ready()``; registering a kind twice is an error.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from apps.core.registry import Registry
from apps.harvest.records import DatasetRef, HarvestRecord

harvester_registry: "Registry[str, type[Harvester]]" = Registry("harvester kinds")


@dataclass
class ConnectionCheck:
    """Outcome of "test connection": ``stage`` says exactly what failed (dns, refused, auth, permission, ...)."""

    ok: bool
    message: str
    stage: str = ""


class ConfigError(ValueError):
    """Invalid source configuration; ``errors`` maps a field to its problems."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))


class SourceError(Exception):
    """Reading the source failed; ``stage`` says where (dns, refused, auth, database, permission, query...)."""

    def __init__(self, message: str, stage: str = "source") -> None:
        super().__init__(message)
        self.stage = stage


class TransientSourceError(SourceError):
    """The source could not be reached right now (retry later with backoff)."""


class Harvester(ABC):
    """Base class of a harvester kind. Subclasses set ``kind`` and implement the three hooks."""

    kind: str = ""
    secret_fields: tuple[str, ...] = ()

    def __init__(self, source_name: str, config: dict[str, Any], secrets: dict[str, Any]) -> None:
        self.source_name = source_name
        self.config = config
        self.secrets = secrets
        self.queries_sent = 0  # statements sent to the source, for the run report
        # The SourceDigest of each dataset as of the last run (set by the runner); a harvester
        # that computes digests may report a match as unchanged instead of reading it again.
        self.known_digests: dict[DatasetRef, str] = {}

    @classmethod
    def split_secrets(cls, config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Move secret values given inside ``config`` (``secret_fields``) out into secrets."""
        config = dict(config)
        secrets = {key: config.pop(key) for key in cls.secret_fields if key in config}
        return config, secrets

    @classmethod
    @abstractmethod
    def validate_config(cls, config: dict[str, Any]) -> dict[str, Any]:
        """Return the normalised config or raise ``ConfigError`` with field-level errors."""

    @abstractmethod
    def test_connection(self) -> ConnectionCheck:
        """Try the source with this config and secrets; never raise, say which ``stage`` failed."""

    @abstractmethod
    def extract(self) -> Iterator[HarvestRecord]:
        """Yield the source's records (no ORM access); raise ``SourceError`` when reading fails."""


def register_harvester(cls: type[Harvester]) -> type[Harvester]:
    """Class decorator: make ``cls`` the harvester of its ``kind``."""
    if not cls.kind:
        raise ValueError(f"{cls.__name__} has no kind")
    return harvester_registry.register(cls.kind, cls)
