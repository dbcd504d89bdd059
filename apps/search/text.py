"""How text becomes search words, the same at index time and at query time.

Names are split where people split them: ``order_items``, ``order-items``, ``orderItems``
and ``OrderItems`` all become ``order items``. The database does the same through the SQL
function ``mesh_search_words`` (a PostgreSQL function created by a migration, a Python
function registered on every SQLite connection), so index rows built with INSERT … SELECT
and queries parsed here agree word for word; a test pins that agreement.
"""

import re
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 500
MAX_QUERY_TERMS = 8
MAX_TERM_CHARS = 64
# Words in most descriptions: matching on them alone would make every entry a candidate.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "per",
        "the",
        "to",
        "with",
    ]
)

_CAMEL_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_ACRONYM = re.compile(r"([A-Z])([A-Z][a-z])")
_NON_WORD = re.compile(r"[\W_]+")


def search_words(text: str | None) -> str:
    """``'OrderItems_v2'`` → ``'order items v2'``: lower-case words separated by one space."""
    if not text:
        return ""
    text = _CAMEL_ACRONYM.sub(r"\1 \2", _CAMEL_LOWER_UPPER.sub(r"\1 \2", text))
    return _NON_WORD.sub(" ", text.lower()).strip()


@dataclass
class ParsedQuery:
    """A user's query reduced to at most ``MAX_QUERY_TERMS`` distinct words.

    ``corrections`` maps a word that is in no indexed document to the indexed words it is
    probably a typo of (filled by the backend, which knows the vocabulary).
    """

    raw: str
    terms: list[str]
    corrections: dict[str, list[str]] = field(default_factory=dict)

    @property
    def phrase(self) -> str:
        return " ".join(self.terms)

    @property
    def corrected_phrase(self) -> str:
        return " ".join((self.corrections.get(t) or [t])[0] for t in self.terms)

    def alternatives(self, term: str) -> list[str]:
        return [term, *self.corrections.get(term, [])]

    def is_prefix_term(self, term: str) -> bool:
        """Prefix-match the word being typed (the last) and every word long enough to be safe.

        A single letter is never a prefix: it would expand to a good part of the vocabulary.
        """
        return len(term) >= 3 or (len(term) == 2 and term == self.terms[-1])

    @property
    def match_terms(self) -> list[str]:
        """The words that select candidates: stop words only rank (and count when alone)."""
        return [t for t in self.terms if t not in STOP_WORDS] or self.terms


def parse_query(raw: str) -> ParsedQuery:
    from apps.search.errors import SearchQueryError

    raw = (raw or "").strip()
    if len(raw) > MAX_QUERY_CHARS:
        raise SearchQueryError(f"The query is too long ({len(raw)} characters); use at most {MAX_QUERY_CHARS}.")
    terms: list[str] = []
    for word in search_words(raw).split():
        word = word[:MAX_TERM_CHARS]
        if word not in terms:
            terms.append(word)
        if len(terms) == MAX_QUERY_TERMS:
            break
    return ParsedQuery(raw=raw, terms=terms)


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau–Levenshtein distance (adjacent transpositions count 1), capped at ``limit + 1``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def allowed_typos(term: str) -> int:
    """Short words tolerate no typo (``id`` must not become ``in``), long words two."""
    return 0 if len(term) <= 3 else 1 if len(term) <= 7 else 2


def pick_corrections(term: str, candidates: list[tuple[str, int]], limit: int = 3) -> list[str]:
    """The closest indexed words to ``term`` within its typo allowance, most common first."""
    budget = allowed_typos(term)
    if not budget:
        return []
    scored = []
    for word, ndoc in candidates:
        if word == term:
            return []
        distance = edit_distance(term, word, budget)
        if distance <= budget:
            scored.append((distance, -ndoc, word))
    scored.sort()
    return [word for _, _, word in scored[:limit]]


_LAST_TWO = re.compile(r"[^./]*[./]?[^./]+$")


def last_two_parts(name: str | None) -> str:
    """``'db.sales.orders'`` → ``'sales.orders'`` (twin of the SQL function ``mesh_last_two``)."""
    match = _LAST_TWO.search(name or "")
    return match.group(0) if match else ""
