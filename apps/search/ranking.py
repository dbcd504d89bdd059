"""The ranking formula, as one portable SQL expression over a search entry ``e``.

Strongest first: the query is an exact name of the thing (``orders``, ``sales.orders``,
``order items`` for ``order_items``); a typo-corrected exact name; the bare name of a part
(a column's own name: its exact name is qualified by its dataset); a name that starts with
the query or contains it as whole words. Then, per query word (so that matching more words ranks higher): a whole name
word, a name word prefix, a corrected name word, then qualified names and tags (B),
descriptions and column names (C), owners and context (D). Then the static boost (kind,
lifecycle), a shorter-name nudge (below 1 point), and popularity (below 0.01 point):
popularity only orders what text and boosts left tied.
"""

from apps.search.backends.base import SearchBackend
from apps.search.text import ParsedQuery

EXACT, EXACT_CORRECTED, PART_NAME, NAME_PREFIX, NAME_INFIX = 100, 60, 35, 30, 20
NAME_WORD, NAME_PREFIX_WORD, NAME_CORRECTED_WORD = 10, 7, 6
FIELD_WORD = {"text_b": 4, "text_c": 2, "text_d": 1}
FIELD_CORRECTED_WORD = {"text_b": 3, "text_c": 1.5, "text_d": 0.5}
POPULARITY_CAP = 1000.0
POPULARITY_WEIGHT = 0.009  # < 0.01: never outweighs the smallest text or length difference


def score_sql(query: ParsedQuery, backend: SearchBackend) -> tuple[str, list]:
    pos = backend.strpos
    params: list = []

    def has(column: str, needle: str) -> str:
        params.append(needle)
        return f"{pos}(e.{column}, %s) > 0"

    parts = []
    if query.terms:
        phrase, corrected = query.phrase, query.corrected_phrase
        exact = [f"WHEN {has('keys', f'|{phrase}|')} THEN {EXACT}"]
        if corrected != phrase:
            exact.append(f"WHEN {has('keys', f'|{corrected}|')} THEN {EXACT_CORRECTED}")
        params.append(f" {phrase} ")
        exact.append(f"WHEN e.text_a = %s THEN {PART_NAME}")
        exact.append(f"WHEN {has('keys', f'|{phrase}')} THEN {NAME_PREFIX}")
        exact.append(f"WHEN {has('keys', f' {phrase}')} THEN {NAME_INFIX}")
        parts.append(f"(CASE {' '.join(exact)} ELSE 0 END)")
    for term in query.terms:
        whens = [f"WHEN {has('text_a', f' {term} ')} THEN {NAME_WORD}"]
        if query.is_prefix_term(term):
            whens.append(f"WHEN {has('text_a', f' {term}')} THEN {NAME_PREFIX_WORD}")
        for alt in query.corrections.get(term, []):
            whens.append(f"WHEN {has('text_a', f' {alt} ')} THEN {NAME_CORRECTED_WORD}")
        for column, weight in FIELD_WORD.items():
            needle = f" {term}" if query.is_prefix_term(term) else f" {term} "
            whens.append(f"WHEN {has(column, needle)} THEN {weight}")
            for alt in query.corrections.get(term, []):
                whens.append(f"WHEN {has(column, f' {alt} ')} THEN {FIELD_CORRECTED_WORD[column]}")
        parts.append(f"(CASE {' '.join(whens)} ELSE 0 END)")
    parts.append("e.boost")
    parts.append("- (CASE WHEN length(e.name) > 90 THEN 90 ELSE length(e.name) END) / 100.0")
    parts.append(
        f"+ (CASE WHEN e.popularity > {POPULARITY_CAP} THEN {POPULARITY_CAP} ELSE e.popularity END) * {POPULARITY_WEIGHT / POPULARITY_CAP}"
    )
    sql = " + ".join(parts[:-2]) + " " + " ".join(parts[-2:])
    return f"({sql})", params
