"""Route outbox events nobody routed yet and (re)queue webhook deliveries that are due.

Beat runs the same sweep every 15 s; this command is for operators and for the embedded
mode, where no beat runs (there the deliveries run in this process).
"""

from django.core.management.base import BaseCommand

from apps.events.dispatch import sweep


class Command(BaseCommand):
    help = "Route missed events and queue due or abandoned webhook deliveries."

    def handle(self, *args, **options):
        result = sweep()
        self.stdout.write(f"routed {result['routed']} event(s), queued {result['queued']} delivery(ies)")
