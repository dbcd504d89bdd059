"""The run report: counters, phase timings, bounded and de-duplicated warnings and errors."""

import time
from contextlib import contextmanager

MAX_MESSAGES = 100  # per list; a broken source must not write megabytes of warnings


class RunReport:
    """What a run did, shaped for ``HarvestRun.counts / timings / warnings / errors``.

    Messages are de-duplicated by (code, message, subject) and capped; every occurrence is
    still counted, so the report says how many were left out.
    """

    def __init__(self) -> None:
        self.changed_dataset_ids: list[int] = []  # set by reconcile(): what listeners were told about
        self.counts: dict[str, int] = {}
        self.timings: dict[str, float] = {}
        self.warnings: list[dict] = []
        self.errors: list[dict] = []
        self._seen: dict[tuple, dict] = {}
        self.dropped = {"warnings": 0, "errors": 0}

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def set(self, key: str, n: int) -> None:
        self.counts[key] = n

    def warn(self, code: str, message: str, subject: str = "") -> None:
        self._append("warnings", self.warnings, code, message, subject)

    def error(self, code: str, message: str, subject: str = "") -> None:
        self._append("errors", self.errors, code, message, subject)

    def _append(self, kind: str, target: list, code: str, message: str, subject: str) -> None:
        key = (kind, code, message, subject)
        if key in self._seen:
            self._seen[key]["count"] += 1
            return
        if len(target) >= MAX_MESSAGES:
            self.dropped[kind] += 1
            return
        entry = {"code": code, "message": message, "subject": subject, "count": 1}
        self._seen[key] = entry
        target.append(entry)

    @contextmanager
    def phase(self, name: str):
        """Time a phase; nested names use dots (``reconcile.columns``)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = round(self.timings.get(name, 0.0) + time.perf_counter() - start, 4)

    def bounded_warnings(self) -> list[dict]:
        if self.dropped["warnings"]:
            return [
                *self.warnings,
                {
                    "code": "truncated",
                    "message": f"{self.dropped['warnings']} more warnings left out",
                    "subject": "",
                    "count": self.dropped["warnings"],
                },
            ]
        return list(self.warnings)

    def bounded_errors(self) -> list[dict]:
        if self.dropped["errors"]:
            return [
                *self.errors,
                {
                    "code": "truncated",
                    "message": f"{self.dropped['errors']} more errors left out",
                    "subject": "",
                    "count": self.dropped["errors"],
                },
            ]
        return list(self.errors)
