"""The rubric is data: the shipped one is valid; a bad one is refused with the line at fault."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from apps.trust.rubric import DEFAULT_RUBRIC, PRINCIPLES, RubricError, load_rubric, parse_rubric

SHIPPED = DEFAULT_RUBRIC.read_text()


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_shipped_rubric_is_valid_and_covers_every_principle():
    rubric = load_rubric()
    assert [p for p in PRINCIPLES if rubric.by_principle[p]] == list(PRINCIPLES)
    assert sum(rubric.principle_weights.values()) == 100
    for principle in PRINCIPLES:
        assert sum(c.weight for c in rubric.by_principle[principle]) == 100
    assert all(c.explanation and c.fix for c in rubric.criteria)
    assert [lv.level for lv in rubric.levels] == [1, 2, 3, 4, 5]
    assert rubric.level_for(0).level == 1 and rubric.level_for(100).level == 5


def test_an_unknown_criterion_is_refused_with_its_line():
    bad = SHIPPED.replace("- id: tagged", "- id: tagged_twice")
    with pytest.raises(RubricError) as exc:
        parse_rubric(bad, path=Path("rubric.yaml"))
    assert exc.value.line == line_of(bad, "- id: tagged_twice")
    assert "unknown criterion 'tagged_twice'" in str(exc.value) and str(exc.value).startswith("rubric.yaml:")


def test_weights_that_do_not_add_up_are_refused_with_the_line():
    bad = SHIPPED.replace("      - id: tagged\n        weight: 10", "      - id: tagged\n        weight: 15")
    with pytest.raises(RubricError) as exc:
        parse_rubric(bad)
    assert "'discoverable' add up to 105, not 100" in str(exc.value)
    assert exc.value.line == line_of(bad, "criteria:")  # the discoverable criteria list
    bad = SHIPPED.replace(
        "    weight: 17\n    criteria:\n      - id: summary_present",
        "    weight: 27\n    criteria:\n      - id: summary_present",
    )
    with pytest.raises(RubricError, match="principle weights add up to 110"):
        parse_rubric(bad)


@pytest.mark.parametrize(
    "old,new,message,needle",
    [
        ("  secure:\n", "  safe:\n", "unknown principle 'safe'", "  safe:"),
        (
            "        threshold: 0.95",
            "        threshold: lots",
            "threshold must be a non-negative number",
            "threshold: lots",
        ),
        (
            "  - {level: 3, min: 60, name: Defined}",
            "  - {level: 3, min: 20, name: Defined}",
            "levels must count up",
            "min: 20",
        ),
        (
            'naming_pattern: "^[a-z_][a-z0-9_]*$"',
            'naming_pattern: "([a-z"',
            "not a regular expression",
            "naming_pattern",
        ),
        ("version: 1", "version: 1\ncolour: blue", "unknown key 'colour'", "colour"),
        ("principles:", "principles: [oops", "not valid YAML", None),
    ],
)
def test_other_mistakes_name_their_line(old, new, message, needle):
    bad = SHIPPED.replace(old, new, 1)
    assert bad != SHIPPED
    with pytest.raises(RubricError, match=message) as exc:
        parse_rubric(bad)
    if needle:
        assert exc.value.line == line_of(bad, needle)
    else:
        assert exc.value.line is not None


def test_startup_refuses_an_invalid_rubric(tmp_path, settings):
    from django.apps import apps

    from apps.trust.rubric import set_rubric

    path = tmp_path / "rubric.yaml"
    path.write_text(SHIPPED.replace("- id: tagged", "- id: nope"))
    settings.MESH_TRUST_RUBRIC = str(path)
    set_rubric(None)
    config = apps.get_app_config("trust")
    with pytest.raises(ImproperlyConfigured, match=rf"{path}:\d+: unknown criterion 'nope'"):
        _ready_rubric_only(config)


def _ready_rubric_only(config):
    """The rubric step of ``TrustConfig.ready`` (the registrations refuse to run twice)."""
    from apps.trust.rubric import RubricError, get_rubric

    try:
        get_rubric()
    except RubricError as exc:
        raise ImproperlyConfigured(f"Invalid maturity rubric: {exc}") from None


@pytest.mark.django_db
def test_recompute_with_an_invalid_rubric_keeps_the_previous_scores(mesh, tmp_path, settings):
    from apps.trust.models import MaturityScore, ProductMaturity

    call_command("recompute_maturity", stdout=io.StringIO())
    before = list(ProductMaturity.objects.values_list("product_id", "score", "computed_at").order_by("product_id"))
    history = MaturityScore.objects.count()
    path = tmp_path / "rubric.yaml"
    path.write_text(SHIPPED.replace("        weight: 50\n", "        weight: 40\n", 1))
    settings.MESH_TRUST_RUBRIC = str(path)
    with pytest.raises(CommandError, match="add up to 90, not 100"):
        call_command("recompute_maturity", stdout=io.StringIO())
    assert (
        list(ProductMaturity.objects.values_list("product_id", "score", "computed_at").order_by("product_id")) == before
    )
    assert MaturityScore.objects.count() == history


@pytest.mark.django_db
def test_a_rubric_change_recomputes_everything(mesh, tmp_path, settings):
    from apps.trust.models import ProductMaturity

    out = io.StringIO()
    call_command("recompute_maturity", stdout=out)
    assert "Scored 2 products" in out.getvalue()
    orders_before = ProductMaturity.objects.get(product=mesh.orders)
    # Make tags count for everything in discoverable: orders has a tag, leads has none.
    changed = SHIPPED.replace("- {level: 2, min: 40, name: Emerging}", "- {level: 2, min: 5, name: Emerging}")
    path = tmp_path / "rubric.yaml"
    path.write_text(changed)
    settings.MESH_TRUST_RUBRIC = str(path)
    out = io.StringIO()
    call_command("recompute_maturity", stdout=out)
    assert "Scored 2 products" in out.getvalue() and "2 changed" in out.getvalue()
    after = ProductMaturity.objects.get(product=mesh.orders)
    assert after.rubric_digest != orders_before.rubric_digest and after.score == orders_before.score


def test_the_rubric_is_read_by_libyaml_where_pyyaml_has_it_with_the_same_result_and_lines():
    """Every process validates the rubric at start-up: libyaml's parser does it in ~1 ms, not ~15."""
    import yaml

    from apps.trust import rubric

    if hasattr(yaml, "CSafeLoader"):
        assert rubric._Loader is yaml.CSafeLoader
    assert yaml.load(SHIPPED, Loader=rubric._Loader) == yaml.safe_load(SHIPPED)
    fast, slow = yaml.compose(SHIPPED, Loader=rubric._Loader), yaml.compose(SHIPPED, Loader=yaml.SafeLoader)
    assert rubric._lines(fast) == rubric._lines(slow)
