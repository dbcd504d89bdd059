"""``python manage.py reindex``: rebuild the whole search index from the catalog."""

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    """Rebuilds every search entry from the catalog in one transaction, kind by kind."""

    help = "Rebuild the search index from the catalog (set-based; safe to run any time)."

    def handle(self, *args, **options):
        from apps.search.indexer import rebuild

        started = time.monotonic()
        counts = rebuild(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"Indexed {sum(counts.values())} entries in {time.monotonic() - started:.1f}s")
        )
