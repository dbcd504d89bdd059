"""Markdown documentation rendered to safe HTML: markdown-it-py, then nh3.

Owners write product and domain documentation in Markdown. Raw HTML in the source is
escaped by the parser (``html=False``) and the result is sanitized again by nh3 with a
strict allow-list, so a ``<script>`` tag, an event handler or a ``javascript:`` link never
reaches a page, whatever markdown-it-py's link validation does.

Both libraries are imported on first render: the catalog's views import this module and
CatalogConfig.ready() imports the views, so every process (``manage.py harvest``, workers)
would load them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "details",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align", "style"},
    "td": {"align", "style"},
    "code": {"class"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return (
        MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
        .enable("table")
        .enable("strikethrough")
    )


def render_markdown(text: str | None, *, heading_offset: int = 2) -> str:
    """Markdown → sanitized HTML (a plain ``str``; callers mark it safe).

    Headings move down ``heading_offset`` levels: documentation sits under the page's own
    ``h1``/``h2``, so an owner's ``# Title`` must not become a second ``h1`` of the page.
    """
    if not text:
        return ""
    parser = _parser()
    tokens = parser.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + heading_offset)}"
    html = parser.renderer.render(tokens, parser.options, {})
    import nh3

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags={"script", "style"},
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer nofollow",
    )
