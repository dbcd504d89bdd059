"""Tag normalisation shared by product and dataset writes."""

from django.utils.text import slugify

from apps.catalog.models import Tag
from apps.core.errors import ActionError


def resolve_tags(names) -> list[Tag]:
    """Turn tag names into Tag rows (created in bulk when new), keeping the given order."""
    slugs = []
    for name in names or []:
        slug = slugify(str(name))
        if not slug:
            raise ActionError(f"'{name}' is not a usable tag.", field="tags", code="invalid_tag")
        if slug not in slugs:
            slugs.append(slug)
    existing = {t.slug: t for t in Tag.objects.filter(slug__in=slugs)}
    missing = [Tag(slug=s, name=s) for s in slugs if s not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.slug: t for t in Tag.objects.filter(slug__in=slugs)}
    return [existing[s] for s in slugs]
