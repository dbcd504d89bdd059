"""The one compatibility rule table: every rule, from the consumer's side."""

import pytest

from apps.catalog import compatibility as c


def kinds(changes):
    return [(ch.kind, ch.subject) for ch in changes]


@pytest.mark.parametrize(
    "before, after, kind",
    [
        ("text", "integer", "type_incompatible"),
        ("integer", "text", "type_incompatible"),
        ("varchar(100)", "varchar(50)", "type_narrowed"),
        ("character varying(100)", "VARCHAR(50)", "type_narrowed"),
        ("numeric(12,2)", "numeric(10,2)", "type_narrowed"),
        ("numeric(12,2)", "numeric(12,1)", "type_narrowed"),
        ("timestamptz", "timestamp", "type_narrowed"),
        ("timestamp with time zone", "timestamp without time zone", "type_narrowed"),
        ("bigint", "integer", "type_narrowed"),
        ("double precision", "real", "type_narrowed"),
        ("text", "varchar(20)", "type_narrowed"),
        ("numeric", "numeric(10,2)", "type_narrowed"),
        ("int", "bigint", "type_widened"),
        ("int4", "int8", "type_widened"),
        ("varchar(50)", "varchar(100)", "type_widened"),
        ("varchar(50)", "text", "type_widened"),
        ("numeric(10,2)", "numeric(12,2)", "type_widened"),
        ("numeric(10,2)", "numeric(12,4)", "type_widened"),
        ("integer", "numeric(12,0)", "type_widened"),
        ("integer", "numeric(8,0)", "type_narrowed"),
        ("real", "double precision", "type_widened"),
        ("timestamp", "timestamptz", "type_widened"),
        ("date", "timestamp", "type_widened"),
        ("integer", "number", "type_widened"),  # ODCS logical types
        ("boolean", "date", "type_incompatible"),
    ],
)
def test_type_changes_are_classified(before, after, kind):
    assert c.type_change(before, after) == kind
    assert c.RULES[kind].breaking is (kind != "type_widened")


def test_same_type_spelled_differently_is_no_change():
    assert c.type_change("int4", "INTEGER") is None
    assert c.type_change("character varying(20)", "varchar(20)") is None
    assert c.type_change("timestamp with time zone", "timestamptz") is None
    assert c.type_change("decimal(10, 2)", "numeric(10,2)") is None


def test_logical_types_widen_integer_to_number_only():
    assert c.type_change("integer", "integer") is None
    assert c.type_change("number", "integer") == "type_incompatible"
    assert c.type_change("string", "integer") == "type_incompatible"


def test_column_removed_is_breaking_and_added_is_not():
    changes = c.diff_columns({"a": {"type": "int", "ordinal": 1}}, {"b": {"type": "text", "ordinal": 1}})
    assert kinds(changes) == [("column_removed", "a"), ("column_added", "b")]
    assert [ch.breaking for ch in changes] == [True, False]
    assert [ch.level for ch in changes] == ["major", "minor"]


def test_rename_is_told_apart_when_type_and_position_match():
    old = {"id": {"type": "int", "ordinal": 1}, "name": {"type": "text", "ordinal": 2}}
    new = {"id": {"type": "integer", "ordinal": 1}, "full_name": {"type": "text", "ordinal": 2}}
    changes = c.diff_columns(old, new)
    assert kinds(changes) == [("column_renamed", "name")]
    assert changes[0].after == "full_name" and changes[0].breaking


def test_ambiguous_rename_stays_remove_and_add():
    old = {"a": {"type": "text", "ordinal": 1}}
    new = {"b": {"type": "int", "ordinal": 1}}
    assert [k for k, _ in kinds(c.diff_columns(old, new))] == ["column_removed", "column_added"]
    assert [k for k, _ in kinds(c.diff_columns(old, new, detect_renames=False))] == ["column_removed", "column_added"]


def test_became_nullable_breaks_and_became_required_does_not():
    (loose,) = c.diff_column("x", {"nullable": False}, {"nullable": True})
    (strict,) = c.diff_column("x", {"nullable": True}, {"nullable": False})
    assert (loose.kind, loose.breaking) == ("became_nullable", True)
    assert (strict.kind, strict.breaking, strict.level) == ("became_required", False, "minor")


def test_primary_key_and_uniqueness_dropped_break():
    changes = c.diff_column("id", {"primary_key": True, "unique": True}, {"primary_key": False, "unique": False})
    assert [(ch.kind, ch.breaking) for ch in changes] == [("primary_key_dropped", True), ("unique_dropped", True)]
    added = c.diff_column("id", {"primary_key": False, "unique": False}, {"primary_key": True, "unique": True})
    assert [(ch.kind, ch.breaking) for ch in added] == [("primary_key_added", False), ("unique_added", False)]


def test_accepted_value_removed_breaks_added_does_not():
    changes = c.diff_column("status", {"accepted_values": ["new", "paid"]}, {"accepted_values": ["paid", "sent"]})
    assert [(ch.kind, ch.breaking) for ch in changes] == [
        ("accepted_value_removed", True),
        ("accepted_value_added", False),
    ]
    assert changes[0].before == ["new"] and changes[1].after == ["sent"]


def test_classification_raised_breaks_lowered_does_not():
    (raised,) = c.diff_column("email", {"classification": "internal"}, {"classification": "restricted"})
    (lowered,) = c.diff_column("email", {"classification": "confidential"}, {"classification": "public"})
    assert (raised.kind, raised.breaking) == ("classification_raised", True)
    assert (lowered.kind, lowered.breaking) == ("classification_lowered", False)


def test_docs_change_is_a_patch():
    (docs,) = c.diff_column("x", {"description": "old"}, {"description": "new"})
    assert (docs.kind, docs.breaking, docs.level) == ("docs_changed", False, "patch")


def test_sla_loosened_breaks_tightened_does_not():
    old = {
        "latency": {"value": 4, "unit": "h"},
        "retention": {"value": 3, "unit": "y"},
        "frequency": {"value": 1, "unit": "d"},
    }
    new = {
        "latency": {"value": 1, "unit": "d"},
        "retention": {"value": 5, "unit": "y"},
        "availability": {"value": "99.9%"},
    }
    changes = {ch.subject: ch.kind for ch in c.diff_slas(old, new)}
    assert changes == {
        "sla.latency": "sla_loosened",  # 4 h → 1 day: later
        "sla.retention": "sla_tightened",  # kept longer
        "sla.frequency": "sla_loosened",  # dropped
        "sla.availability": "sla_tightened",  # new promise
    }
    assert (
        c.diff_slas({"availability": {"value": "99.9%"}}, {"availability": {"value": "99%"}})[0].kind == "sla_loosened"
    )


def test_dataset_rules_and_levels():
    assert c.RULES["dataset_removed"].breaking and c.RULES["dataset_removed"].level == "major"
    assert not c.RULES["dataset_added"].breaking
    assert c.highest_level([c.Change("docs_changed", "x"), c.Change("column_added", "y")]) == "minor"
    assert c.highest_level([]) is None


def test_every_rule_has_a_level_and_description():
    for rule in c.RULES.values():
        assert rule.level in (c.MAJOR, c.MINOR, c.PATCH) and rule.description
        assert rule.breaking == (rule.level == c.MAJOR)
