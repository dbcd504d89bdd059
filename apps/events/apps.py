from django.apps import AppConfig


class EventsConfig(AppConfig):
    """Routing of the outbox's events to people: follows, inbox, e-mail, signed webhooks."""

    name = "apps.events"
    label = "events"

    def ready(self):
        from apps.core.events import register_event_listener
        from apps.events.dispatch import on_events_committed

        if on_events_committed not in __import__("apps.core.events", fromlist=["_listeners"])._listeners:
            register_event_listener(on_events_committed)
