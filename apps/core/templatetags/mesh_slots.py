from django import template
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from apps.core.slots import nav_links_for, render_object_actions

register = template.Library()


@register.simple_tag(takes_context=True)
def object_actions(context, obj):
    """Controls other apps contribute for ``obj`` (renderers return escaped HTML)."""
    request = context.get("request")
    if request is None or obj is None:
        return ""
    return mark_safe(render_object_actions(request, obj))  # renderers escape through their templates


@register.simple_tag(takes_context=True)
def nav_links(context):
    """The header links other apps register (``apps.core.slots.NavLink``), for this visitor."""
    request = context.get("request")
    if request is None:
        return ""
    links = nav_links_for(request.user, can_read=bool(context.get("mesh_can_read")))
    rows = []
    for link in links:
        url = reverse(link.url_name)
        current = mark_safe(' aria-current="page"') if request.path.startswith(url) else ""
        rows.append((url, current, link.label))
    return format_html_join("\n", '<a href="{}"{}>{}</a>', rows)
