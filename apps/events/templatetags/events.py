from django import template

from apps.events.describe import summary

register = template.Library()


@register.filter
def event_summary(event) -> str:
    return summary(event)
