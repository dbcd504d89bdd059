"""``AnyOf`` selects what ``__in`` selects, with one parameter (runs on PostgreSQL and SQLite)."""

import pytest
from django.db import connection

from apps.catalog.models import Tag
from apps.core.lookups import AnyOf, array_literal

pytestmark = pytest.mark.django_db

AWKWARD = ["plain", 'with "quotes"', "back\\slash", "comma,brace}{", "NULL", "", "ünï"]


@pytest.fixture
def tags():
    return [Tag.objects.create(slug=f"t{i}", name=name) for i, name in enumerate(AWKWARD)]


def test_ids_and_names_select_the_same_rows_as_in(tags):
    ids = [t.pk for t in tags[::2]] + [10**12]
    assert set(Tag.objects.filter(AnyOf("id", ids))) == set(Tag.objects.filter(pk__in=ids))
    for name in AWKWARD:
        assert list(Tag.objects.filter(AnyOf("name", [name, "missing"]))) == list(Tag.objects.filter(name=name))


def test_none_and_an_empty_list_match_nothing(tags):
    assert not Tag.objects.filter(AnyOf("id", [])).exists()
    assert list(Tag.objects.filter(AnyOf("name", [None, "plain"])).values_list("name", flat=True)) == ["plain"]


def test_thousands_of_values_are_one_parameter(tags):
    ids = list(range(10**9, 10**9 + 5000)) + [tags[0].pk]
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert list(Tag.objects.filter(AnyOf("id", ids))) == [tags[0]]
    [(sql, params)] = sent
    assert sql.count("%s") == 1 and len(params) == 1


def test_array_literal_quotes_strings_and_keeps_ints_bare():
    assert array_literal([3, 1, None]) == ("{3,1}", "bigint")
    assert array_literal(['a"b', "c\\d"]) == ('{"a\\"b","c\\\\d"}', "text")
