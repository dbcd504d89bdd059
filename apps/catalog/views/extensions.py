"""Sections and header badges that upper apps add to the product page.

The catalog sits below contracts, trust and privacy, so its templates cannot name their
views; those apps register a ``ProductSection`` (a lazily loaded htmx section with a link
in the section nav) and a badge provider from ``AppConfig.ready()`` instead.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from apps.core.registry import Registry


@dataclass(frozen=True)
class ProductSection:
    """A section of the product page: ``url_name`` takes the product slug and returns a fragment."""

    anchor: str
    title: str
    url_name: str
    order: int = 100

    def url(self, product) -> str:
        return reverse(self.url_name, args=[product.slug])


@dataclass(frozen=True)
class Badge:
    """A small label on a product's header or search hit (``css`` picks the colour)."""

    label: str
    css: str
    title: str = ""
    href: str = ""


PRODUCT_SECTIONS: Registry = Registry("product page sections")
#: name -> provider(product ids) -> {product id: [Badge]} (one query per provider)
PRODUCT_BADGES: Registry = Registry("product badges")


def register_product_section(section: ProductSection) -> None:
    PRODUCT_SECTIONS.register(section.anchor, section)


def register_product_badges(name: str, provider: Callable[[list[int]], dict]) -> None:
    PRODUCT_BADGES.register(name, provider)


def sections_for(product) -> list[dict]:
    return [
        {"anchor": s.anchor, "title": s.title, "url": s.url(product)}
        for s in sorted(PRODUCT_SECTIONS.values(), key=lambda s: (s.order, s.anchor))
    ]


def badges_for(product_ids: list[int]) -> dict[int, list[Badge]]:
    out: dict[int, list[Badge]] = {}
    for provider in PRODUCT_BADGES.values():
        for pk, badges in provider(list(product_ids)).items():
            out.setdefault(pk, []).extend(badges)
    return out
