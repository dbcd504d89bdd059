from django import template
from django.utils.safestring import mark_safe

from apps.core.slots import render_object_actions

register = template.Library()


@register.simple_tag(takes_context=True)
def object_actions(context, obj):
    """Controls other apps contribute for ``obj`` (renderers return escaped HTML)."""
    request = context.get("request")
    if request is None or obj is None:
        return ""
    return mark_safe(render_object_actions(request, obj))  # renderers escape through their templates
