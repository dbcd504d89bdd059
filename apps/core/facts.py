"""Product facts: what one app knows about products, read by an app that may not import it.

An app registers ``PRODUCT_FACTS.register(name, fn)`` from ``AppConfig.ready()``, where
``fn(product_ids) -> {product id: Fact}`` answers for many products in a few queries (a
product it has nothing to say about is left out). The reader asks by name. Contracts
supplies ``contract_met`` this way and trust's maturity criteria read it: the two are
sibling layers and never import each other.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from apps.core.registry import Registry


@dataclass(frozen=True)
class Fact:
    """One product's standing on one question, with the evidence a person can follow."""

    passed: bool | None  # None: the question does not apply to this product
    evidence: list[dict] = field(default_factory=list)  # {"label", "url"}, the first few
    count: int = 0  # how many things are at fault
    note: str = ""


PRODUCT_FACTS: Registry[str, Callable[[list[int]], dict[int, Fact]]] = Registry("product facts")
