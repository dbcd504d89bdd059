"""A problem in a document someone submitted (descriptor, contract), with where it is."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document, and where: ``path`` like ``outputPorts[0].name``."""

    path: str
    code: str
    message: str
    line: int | None = None
    column: int | None = None

    def as_dict(self) -> dict:
        return {
            "field": self.path or None,
            "code": self.code,
            "message": self.message,
            "line": self.line,
            "column": self.column,
        }

    def __str__(self):
        where = f"line {self.line}, column {self.column}: " if self.line else ""
        return f"{where}{self.path or '(document)'}: {self.message}"
