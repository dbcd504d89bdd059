"""History as people speak: "Olivia updated the data product Orders (summary)", not "updated dataproduct"."""

from django import template

register = template.Library()

# What people call the objects whose model names read badly when lower-cased.
NAMES = {"dataproduct": "data product", "samplequery": "sample query", "objectchange": "change"}


@register.filter(name="change_subject")
def change_subject(change) -> str:
    """The changed object's kind in words, from its model's verbose name."""
    ct = change.content_type
    model = ct.model_class() if ct is not None else None
    if model is not None:
        return str(model._meta.verbose_name)
    return NAMES.get(getattr(ct, "model", ""), getattr(ct, "model", "object"))


@register.filter(name="field_label")
def field_label(name: str) -> str:
    """``cost_per_month`` → "cost per month"."""
    return str(name).replace("_", " ")


@register.filter(name="changed_field_labels")
def changed_field_labels(change) -> str:
    """The fields an update changed, in words, without bookkeeping fields."""
    return ", ".join(field_label(f) for f in (change.changed_fields or {}) if f not in ("revision", "updated_at"))
