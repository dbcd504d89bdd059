"""Lab engines, one per warehouse kind, and how a port picks its engine.

``ENGINES`` is filled from ``LabConfig.ready()`` (and from any upper app that adds a
kind); ``resolve(port)`` picks the engine for a port from its datasets' namespaces. A port
whose datasets live in two warehouses is queried through the engine that has a reader
and the most datasets (a port normally lives in one warehouse).
"""

from dataclasses import dataclass, field

from apps.core.registry import Registry
from apps.lab.engines.base import Engine, EngineError, Execution, cap_rows, dataset_engine_kind

ENGINES = Registry("lab engines")

__all__ = ["ENGINES", "Engine", "EngineError", "Execution", "Resolution", "cap_rows", "register_engine", "resolve"]


def register_engine(engine: Engine) -> Engine:
    if not engine.kind or not engine.dialect:
        raise ValueError(f"{type(engine).__name__} needs a kind and a dialect")
    return ENGINES.register(engine.kind, engine)


@dataclass
class Resolution:
    """The engine a port's queries run on, the tables it exposes there, and the reader."""

    engine: Engine | None = None
    tables: list = field(default_factory=list)
    reader: object | None = None

    @property
    def runnable(self) -> bool:
        return self.engine is not None and bool(self.tables) and self.reader is not None

    @property
    def configure_hint(self) -> str:
        return self.engine.configure_hint if self.engine is not None and self.tables and self.reader is None else ""


def resolve(port, datasets=None, *, with_reader: bool = True) -> Resolution:
    """Pick the engine for ``port`` (``datasets``: its datasets with ``source`` loaded)."""
    if datasets is None:
        datasets = list(port.datasets.select_related("source"))
    counts: dict[str, int] = {}
    for d in datasets:
        kind = dataset_engine_kind(d)
        if d.removed_at is None and kind in ENGINES:
            counts[kind] = counts.get(kind, 0) + 1
    first = None
    for kind in sorted(counts, key=lambda k: (-counts[k], k)):
        engine = ENGINES[kind]
        tables = engine.port_tables(datasets)
        if not with_reader:
            return Resolution(engine, tables)
        resolution = Resolution(engine, tables, engine.reader(port, datasets))
        if resolution.reader is not None:
            return resolution
        first = first or resolution
    return first or Resolution()
