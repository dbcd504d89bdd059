"""Sections and header badges that upper apps add to the product and domain pages.

The catalog sits below contracts, trust, privacy and costs, so its templates cannot name
their views; those apps register a ``PageSection`` (a lazily loaded htmx section with a link
in the section nav, so its queries never count against the page's budget) and a badge
provider from ``AppConfig.ready()`` instead.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from apps.core.registry import Registry


@dataclass(frozen=True)
class PageSection:
    """A section of a product or domain page: ``url_name`` takes the object's slug and returns a fragment."""

    anchor: str
    title: str
    url_name: str
    order: int = 100

    def url(self, obj) -> str:
        return reverse(self.url_name, args=[obj.slug])


@dataclass(frozen=True)
class Badge:
    """A small label on a product's header or search hit (``css`` picks the colour)."""

    label: str
    css: str
    title: str = ""
    href: str = ""


PRODUCT_SECTIONS: Registry = Registry("product page sections")
DOMAIN_SECTIONS: Registry = Registry("domain page sections")
#: name -> provider(product ids) -> {product id: [Badge]} (one query per provider)
PRODUCT_BADGES: Registry = Registry("product badges")


def register_product_section(section: PageSection) -> None:
    PRODUCT_SECTIONS.register(section.anchor, section)


def register_domain_section(section: PageSection) -> None:
    DOMAIN_SECTIONS.register(section.anchor, section)


def register_product_badges(name: str, provider: Callable[[list[int]], dict]) -> None:
    PRODUCT_BADGES.register(name, provider)


def _sections(registry: Registry, obj) -> list[dict]:
    return [
        {"anchor": s.anchor, "title": s.title, "url": s.url(obj)}
        for s in sorted(registry.values(), key=lambda s: (s.order, s.anchor))
    ]


def sections_for(product) -> list[dict]:
    return _sections(PRODUCT_SECTIONS, product)


def domain_sections_for(domain) -> list[dict]:
    return _sections(DOMAIN_SECTIONS, domain)


def badges_for(product_ids: list[int]) -> dict[int, list[Badge]]:
    out: dict[int, list[Badge]] = {}
    for provider in PRODUCT_BADGES.values():
        for pk, badges in provider(list(product_ids)).items():
            out.setdefault(pk, []).extend(badges)
    return out
