"""Bad input gets a sensible answer or a clear SearchQueryError — never a crash, never a full scan."""

import pytest
from django.db import connection

from apps.search.service import SearchQueryError, autocomplete, search
from apps.search.text import MAX_QUERY_TERMS, parse_query

pytestmark = pytest.mark.django_db


WITHOUT_WORDS = ["", "   ", "&|!:*()'\"\\", "!!!", "<>:&", "';", None]
SYNTAX = [
    "orders & customers",
    "orders | (customers",
    "orders:* !payments",
    'o\'brien "quoted" back\\slash',
    "NEAR(orders customers)",
    "orders AND OR NOT",
    "column:orders",
    "'; DROP TABLE search_searchentry; --",
    "%_%",
]
UNICODE = ["Ünïcode Éété", "注文", "заказы", "🚀 orders", "orders\x00", "Straße", "ǅemal"]


def test_queries_without_words_return_nothing_without_touching_the_database(demo_mesh, django_assert_num_queries):
    for q in WITHOUT_WORDS:
        with django_assert_num_queries(0):
            result = search(q)
            suggestions = autocomplete(q)
        assert result.count == 0 and result.results == [] and suggestions == []


def test_query_syntax_characters_are_plain_text(demo_mesh):
    for q in SYNTAX:
        result = search(q)
        assert result.count >= 0, q
        autocomplete(q)
    assert search("orders & customers").count > 0
    assert search("orders").results[0].name == "Orders"  # nothing was dropped


def test_unicode_queries_are_answered(demo_mesh):
    for q in UNICODE:
        assert search(q).count >= 0
        autocomplete(q)
    assert search("🚀 orders").results[0].name == "Orders"


def test_a_10000_character_query_is_refused_before_any_sql(db, django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(SearchQueryError, match="too long"):
        search("orders " * 1430)


def test_many_words_are_capped(db):
    query = parse_query(" ".join(f"word{i}" for i in range(40)))
    assert len(query.terms) == MAX_QUERY_TERMS
    assert search(" ".join(f"orders{i}" for i in range(40))).count >= 0


def test_unknown_filters_are_refused_and_unknown_values_match_nothing(db):
    with pytest.raises(SearchQueryError, match="Unknown filter"):
        search("orders", filters={"colour": ["red"]})
    assert search("orders", filters={"domain": ["no-such-domain"]}).count == 0
    assert search("orders", filters={"type": ["spaceship"]}).count == 0
    with pytest.raises(SearchQueryError):
        search("orders", filters={"tag": [f"t{i}" for i in range(50)]})
    with pytest.raises(SearchQueryError):
        search("orders", page=0)
    with pytest.raises(SearchQueryError):
        search("orders", page_size=1000)
    with pytest.raises(SearchQueryError):
        search("orders", page=10**6)


def test_a_search_with_facets_is_a_constant_number_of_queries(mesh_with_generated, django_assert_num_queries):
    # typo correction, then candidates + facets + page in one statement — whatever the number of hits or filters
    with django_assert_num_queries(2):
        small = search("payments")
    with django_assert_num_queries(2):
        large = search(
            "amount order customer",
            filters={"type": ["column", "dataset"], "tag": ["pii", "gold"], "domain": ["sales"]},
        )
    with django_assert_num_queries(2):
        large = search("amount order customer", page_size=100)
    assert large.count > small.count
    with django_assert_num_queries(1):
        autocomplete("custo")


def test_word_queries_use_the_full_text_index_not_a_scan(mesh_with_generated):
    from apps.search.backends import get_backend

    query = parse_query("orders_archive_2019")
    pool, pool_params = get_backend().pool(query, "", [])
    columns, column_params = get_backend().column_pool(parse_query("orders.order_id"), "", [])
    match, params = get_backend().match(query)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test catalog is small enough for the planner to prefer scans (columns have no
            # entries): forbid them to check that every tier *can* be served by an index.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {pool}", pool_params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            for index in ("search_entry_keys_gin", "search_entry_small_gin", "search_entry_dataset_gin"):
                assert index in plan, plan
            assert "Seq Scan" not in plan, plan
            # Columns: names by the prefix of their words, then columns by name.
            cursor.execute(f"EXPLAIN {columns}", column_params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            for index in ("search_columnname_words", "search_column_name_idx"):
                assert index in plan, plan
            assert "Seq Scan" not in plan, plan
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN SELECT e.id FROM search_searchentry e WHERE {match}", params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan, plan  # FTS5 answers the MATCH
            assert "SCAN e" not in plan, plan  # entries are fetched by id, not scanned
