"""Sections that apps above the catalog add to its product and domain pages.

The catalog must not import costs, trust or contracts, yet their panels belong on its pages.
An app registers a lazily loaded section here from ``AppConfig.ready()``; the page renders
one ``hx-get`` placeholder per section, so the section's own queries never count against the
product page's budget and a slow panel never delays the page.
"""

from dataclasses import dataclass

from apps.core.registry import Registry


@dataclass(frozen=True)
class PageSection:
    """A lazily loaded section: ``url_name`` is reversed with the product's (or domain's) slug."""

    key: str
    title: str
    url_name: str
    order: int = 100


PRODUCT_SECTIONS: Registry = Registry("product page sections")
DOMAIN_SECTIONS: Registry = Registry("domain page sections")


def register_product_section(key: str, title: str, url_name: str, *, order: int = 100) -> PageSection:
    return PRODUCT_SECTIONS.register(key, PageSection(key, title, url_name, order))


def register_domain_section(key: str, title: str, url_name: str, *, order: int = 100) -> PageSection:
    return DOMAIN_SECTIONS.register(key, PageSection(key, title, url_name, order))


def product_sections() -> list[PageSection]:
    return sorted(PRODUCT_SECTIONS.values(), key=lambda s: (s.order, s.key))


def domain_sections() -> list[PageSection]:
    return sorted(DOMAIN_SECTIONS.values(), key=lambda s: (s.order, s.key))
