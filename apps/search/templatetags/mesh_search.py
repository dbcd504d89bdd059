"""``{{ field|match_label }}``: why a search hit matched, in words."""

from django import template

from apps.search.views import MATCH_LABELS

register = template.Library()


@register.filter(name="match_label")
def match_label(field: str) -> str:
    return MATCH_LABELS.get(field, str(field).replace("_", " ").capitalize())
