"""Panels other apps add to a source's page (the lab shows its reader's privileges there).

Harvest sits below the lab, so it cannot import it; the lab registers a panel from its
``AppConfig.ready()`` instead. A panel is loaded by htmx after the page renders, so a slow
or unreachable database never delays the page itself.
"""

from dataclasses import dataclass

from apps.core.registry import Registry


@dataclass(frozen=True)
class SourcePanel:
    """A titled section of the source page whose body is fetched from ``url_name``(source name)."""

    title: str
    url_name: str
    kinds: frozenset[str] = frozenset()  # empty: every kind

    def applies_to(self, source) -> bool:
        return not self.kinds or source.kind in self.kinds


SOURCE_PANELS = Registry("source panels")


def panels_for(source) -> list[SourcePanel]:
    return [panel for _, panel in sorted(SOURCE_PANELS.items()) if panel.applies_to(source)]
