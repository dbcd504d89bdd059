"""Relevance on the judged query set: every case at its place, and MRR pinned."""

import pytest
from django.db import connection

from apps.search.service import search
from tests.search.judged import CASES, evaluate

# The MRR reached when the set was judged; a change that ranks worse fails here.
PINNED_MRR = 0.99


@pytest.mark.django_db
def test_judged_queries_find_the_right_thing_first(mesh_with_generated):
    mrr, failures = evaluate(lambda q: search(q, page_size=10).results)
    print(f"\nsearch relevance on {connection.vendor}: {len(CASES)} judged queries, MRR {mrr:.3f}")
    assert len(CASES) >= 40
    assert not failures, "\n".join(failures)
    assert mrr >= PINNED_MRR
