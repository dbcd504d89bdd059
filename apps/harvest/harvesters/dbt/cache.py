"""A small on-disk memo of parsed SQL lineage, keyed by content digest.

The key is the digest of the SQL and of the schemas it was resolved against, so an entry
is never stale: it is a pure function's result. One file per source under
``HARVEST_CACHE_DIR`` (default ``<MESH_DATA_DIR>/harvest-cache``); it is rewritten
atomically (temp file + rename) with only the entries the last run used, so it never grows
beyond one manifest's worth. Losing it costs one slower harvest, nothing else.
"""

import os
import tempfile
from pathlib import Path

import orjson
from django.conf import settings


def cache_dir() -> Path:
    return Path(getattr(settings, "HARVEST_CACHE_DIR", None) or Path(settings.DATA_DIR) / "harvest-cache")


class LineageCache:
    """Digest → parsed column lineage (a dict) or the reason it could not be parsed (a str)."""

    def __init__(self, path: Path | None):
        self.path = path
        self._old: dict = {}
        self._used: dict = {}
        if path is not None and path.is_file():
            try:
                self._old = orjson.loads(path.read_bytes())
            except (OSError, orjson.JSONDecodeError):
                self._old = {}  # a damaged cache is only a slower harvest

    @classmethod
    def for_source(cls, source_name: str, kind: str = "dbt") -> "LineageCache":
        return cls(cache_dir() / kind / f"{source_name}.lineage.json")

    def get(self, key: str):
        value = self._used.get(key) or self._old.get(key)
        if value is not None:
            self._used[key] = value
        return value

    def put(self, key: str, value) -> None:
        self._used[key] = value

    def save(self) -> None:
        if self.path is None or self._used == self._old:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".lineage-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(orjson.dumps(self._used))
            os.replace(tmp, self.path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
