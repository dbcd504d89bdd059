"""Hooks through which upper apps annotate catalog pages without the catalog importing them.

``register_column_annotator(fn)``: ``fn(dataset, columns)`` sets ``column.annotations`` (a
list of ``{"label", "state", "title", "url"}``) on the columns of the dataset page (one
query for the page, not per column). ``register_product_notice(fn)``: ``fn(product)``
returns notices ``{"level", "text", "url"}`` shown at the top of the product page.
Registered from the upper app's ``AppConfig.ready()``.
"""

from collections.abc import Callable

_column_annotators: list[Callable] = []
_product_notices: list[Callable] = []


def register_column_annotator(fn: Callable) -> None:
    if fn in _column_annotators:
        raise ValueError(f"column annotator {fn!r} is already registered")
    _column_annotators.append(fn)


def register_product_notice(fn: Callable) -> None:
    if fn in _product_notices:
        raise ValueError(f"product notice {fn!r} is already registered")
    _product_notices.append(fn)


def annotate_columns(dataset, columns) -> None:
    for column in columns:
        column.annotations = []
    for fn in _column_annotators:
        fn(dataset, columns)


def product_notices(product) -> list[dict]:
    return [notice for fn in _product_notices for notice in fn(product)]
