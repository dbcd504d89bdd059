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


def format_path(path) -> str:
    """``("outputPorts", 0, "name")`` → ``outputPorts[0].name``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def key_problem(key, seen: dict, path: tuple, key_node) -> Problem | None:
    """What is wrong with a mapping key of a YAML document (not a string, or repeated), if anything."""
    line, column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
    if not isinstance(key, str):
        return Problem(format_path(path), "invalid_key", f"Keys are strings; got {key!r}.", line, column)
    if key in seen:
        return Problem(format_path(path + (key,)), "duplicate_key", f"'{key}' appears twice.", line, column)
    return None
