"""``export_catalog``: the whole catalog as JSON on stdout (format in README "Harvesting")."""

import orjson
from django.core.management.base import BaseCommand

from apps.harvest.export import export_catalog


class Command(BaseCommand):
    """Writes domains, products with ports, and datasets with columns and lineage, deterministically ordered."""

    help = "Write the whole catalog as JSON to stdout; removed datasets only with --include-removed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--include-removed", action="store_true", help='Include soft-deleted datasets (with "removed": true).'
        )

    def handle(self, *args, include_removed=False, **options):
        data = orjson.dumps(export_catalog(include_removed=include_removed), option=orjson.OPT_INDENT_2)
        self.stdout.write(data.decode())
