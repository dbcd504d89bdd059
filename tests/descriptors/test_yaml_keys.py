"""A repeated or non-string key is a problem with its line and column, in descriptors and contracts alike."""

import pytest

from apps.catalog.descriptors import parsing
from apps.contracts import odcs


@pytest.mark.parametrize("parse", [parsing.parse, odcs.parse], ids=["descriptor", "contract"])
def test_a_repeated_key_is_named_with_its_line(parse):
    parsed = parse("name: Orders\nowners:\n  - a\nname: Again\n")
    [problem] = [p for p in parsed.problems if p.code == "duplicate_key"]
    assert (problem.path, problem.line, problem.column) == ("name", 4, 1)
    assert problem.message == "'name' appears twice."


@pytest.mark.parametrize("parse", [parsing.parse, odcs.parse], ids=["descriptor", "contract"])
def test_a_key_that_is_not_a_string_is_refused_and_skipped(parse):
    parsed = parse("ports:\n  1: first\n  name: x\n")
    [problem] = [p for p in parsed.problems if p.code == "invalid_key"]
    assert (problem.path, problem.line, problem.column) == ("ports", 2, 3)
    assert problem.message == "Keys are strings; got 1."
