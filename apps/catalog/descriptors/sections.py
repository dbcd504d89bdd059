"""Parts of an output port's descriptor that apps above the catalog own.

The catalog reads, diffs, applies and exports products, ports and owners itself; a key under
an output port that belongs to another app (the lab's ``sampleQueries``) is handled by a
``PortSection`` that app registers in ``port_sections`` from its ``AppConfig.ready()``, as
search indexes are. The catalog never imports the app: it calls the section's five steps.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from apps.core.errors import ActionError
from apps.core.registry import Registry

# locate(subpath, exc): the ActionError re-raised at the section's place in the file.
Locate = Callable[[tuple, ActionError], ActionError]


class PortSection(ABC):
    """One key of an output port's descriptor (``key``), owned by the app that registers it.

    ``wanted`` is what ``parse`` returned for the port; ``existing`` is what ``read`` returned
    for the port's id (``{}`` for a new port). None of the steps may write except ``execute``.
    """

    key: str

    @abstractmethod
    def parse(self, raw: Any, path: tuple, parsed) -> tuple[Any, list]:
        """``(wanted, problems)`` from the JSON-Schema-valid value; problems via ``parsed.locate``."""

    @abstractmethod
    def read(self, product) -> dict:
        """``{port id: existing}`` for every output port of ``product`` (a handful of queries)."""

    @abstractmethod
    def plan(self, port_name: str, wanted: Any, existing: Any) -> list:
        """The ``plan.Change`` rows that applying ``wanted`` over ``existing`` makes."""

    @abstractmethod
    def execute(self, actor, port, wanted: Any, existing: Any, *, locate: Locate, via: str) -> None:
        """Apply ``wanted`` through the owning app's actions, in the caller's transaction."""

    @abstractmethod
    def export(self, product) -> dict:
        """``{port id: value}`` as it appears in the descriptor (applying it back changes nothing)."""


port_sections: Registry = Registry("descriptor port sections")


def register_port_section(section: PortSection) -> PortSection:
    """Register ``section`` under its descriptor key; a key registered twice is an error."""
    return port_sections.register(section.key, section)
