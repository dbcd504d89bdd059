"""Where a hit matched: its fields with the matching words wrapped in ``<mark>``, HTML-escaped.

Words are found the way the index splits them, so ``items`` is marked inside
``order_items`` and ``orderItems``.
"""

import re

from django.utils.html import escape

from apps.search.text import ParsedQuery

_WORD = re.compile(r"[^\W_]+")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
SNIPPET_CHARS = 160


def _pieces(text: str):
    """(start, end) of every index word in ``text``."""
    for word in _WORD.finditer(text):
        start = word.start()
        cuts = [m.start() for m in _CAMEL_BOUNDARY.finditer(word.group())] + [len(word.group())]
        prev = 0
        for cut in cuts:
            if cut > prev:
                yield start + prev, start + cut
            prev = cut


def _needles(query: ParsedQuery) -> list[tuple[str, bool]]:
    needles = []
    for term in query.terms:
        needles.append((term, query.is_prefix_term(term)))
        needles += [(alt, False) for alt in query.corrections.get(term, [])]
    return needles


def mark(text: str, query: ParsedQuery) -> str | None:
    """``text`` escaped with matches marked, cut to a snippet around the first; None if nothing matched."""
    if not text or not query.terms:
        return None
    needles = _needles(query)
    spans = []
    for start, end in _pieces(text):
        piece = text[start:end].lower()
        if any(piece.startswith(n) if prefix else piece == n for n, prefix in needles):
            spans.append((start, end))
    if not spans:
        return None
    lo, hi = 0, len(text)
    if len(text) > SNIPPET_CHARS:
        lo = max(0, spans[0][0] - SNIPPET_CHARS // 3)
        hi = min(len(text), lo + SNIPPET_CHARS)
    out, cursor = ["…" if lo else ""], lo
    for start, end in spans:
        if start < lo or end > hi:
            continue
        out += [escape(text[cursor:start]), "<mark>", escape(text[start:end]), "</mark>"]
        cursor = end
    out.append(escape(text[cursor:hi]) + ("…" if hi < len(text) else ""))
    return "".join(out)


def highlights(fields: dict[str, str], query: ParsedQuery) -> dict[str, str]:
    found = {}
    for name, text in fields.items():
        marked = mark(text, query)
        if marked is not None:
            found[name] = marked
    return found
