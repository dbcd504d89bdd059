"""A small on-disk memo of parsed SQL lineage, keyed by content digest.

The key is the digest of the SQL and of the schemas it was resolved against, so an entry
is never stale: it is a pure function's result. One file per source under
``HARVEST_CACHE_DIR`` (default ``<MESH_DATA_DIR>/harvest-cache``); it is rewritten
atomically (temp file + rename) with only the entries the last run used or kept, so it never
grows beyond one manifest's worth. Losing it costs one slower harvest, nothing else.

The file is read only when an entry is actually needed: an unchanged re-harvest (every model
reported unchanged by digest) only *keeps* its keys and reads the small side file of the
SQL that could not be parsed (``*.unparsed.json``), so that those models still warn. A run
that parsed nothing new leaves both files as they are.
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
        self._old: dict | None = None  # read on first use
        self._failures: dict | None = None
        self._used: dict = {}
        self._kept: set[str] = set()
        self._changed = False

    @classmethod
    def for_source(cls, source_name: str, kind: str = "dbt") -> "LineageCache":
        return cls(cache_dir() / kind / f"{source_name}.lineage.json")

    @property
    def failures_path(self) -> Path | None:
        return self.path.with_name(self.path.name.replace(".json", ".unparsed.json")) if self.path else None

    def _read(self, path: Path | None) -> dict | None:
        if path is None or not path.is_file():
            return None
        try:
            found = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None  # a damaged cache is only a slower harvest
        return found if isinstance(found, dict) else None

    def _entries(self) -> dict:
        if self._old is None:
            self._old = self._read(self.path) or {}
        return self._old

    def get(self, key: str):
        value = self._used.get(key) or self._entries().get(key)
        if value is not None:
            self._used[key] = value
        return value

    def keep(self, key: str) -> None:
        """Carry ``key``'s entry into the rewritten file without reading it now."""
        self._kept.add(key)

    def failure(self, key: str) -> str | None:
        """Why the SQL of ``key`` could not be parsed, or None (parsed, or unknown)."""
        if self._failures is None:
            failures = self._read(self.failures_path)
            if failures is None:  # a cache written before the side file existed: write it this run
                failures = {k: v for k, v in self._entries().items() if isinstance(v, str)}
                self._changed = bool(self._old)
            self._failures = failures
        return self._failures.get(key)

    def put(self, key: str, value) -> None:
        self._used[key] = value
        self._changed = True

    def save(self) -> None:
        if self.path is None or self.failures_path is None:
            return
        if not self._changed and (self._old is None or set(self._used) | self._kept >= set(self._old)):
            return  # nothing new, nothing to drop: the files on disk are already right
        old = self._entries()
        entries = {key: old[key] for key in self._kept if key in old}
        entries.update(self._used)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._write(self.path, entries)
        self._write(self.failures_path, {k: v for k, v in entries.items() if isinstance(v, str)})

    def _write(self, path: Path, entries: dict) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".lineage-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(orjson.dumps(entries))
            os.replace(tmp, path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
