"""``{{ text|markdown }}``: Markdown rendered and sanitized by ``apps.core.markdown``."""

from django import template
from django.utils.safestring import mark_safe

from apps.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return mark_safe(render_markdown(text))


@register.filter(name="highlight")
def highlight_filter(fragment):
    """A search highlight: only ``<mark>`` survives, everything else is escaped text."""
    import nh3

    return mark_safe(nh3.clean(str(fragment or ""), tags={"mark"}, attributes={}))
