from django.apps import AppConfig


class EventsConfig(AppConfig):
    """Routing of the outbox's events to people: follows, inbox, e-mail, signed webhooks."""

    name = "apps.events"
    label = "events"

    def ready(self):
        from apps.core import events, slots
        from apps.events.dispatch import on_events_committed
        from apps.events.views import render_follow_button

        if on_events_committed not in events._listeners:
            events.register_event_listener(on_events_committed)
        if render_follow_button not in slots._object_actions:
            slots.register_object_action(render_follow_button)
