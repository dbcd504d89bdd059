"""``python manage.py import_costs FILE --format focus|cur [--source NAME]``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.core.actors import SystemActor
from apps.costs.actions import import_costs


class Command(BaseCommand):
    help = "Import a billing export (FinOps FOCUS 1.x or AWS CUR 2.0 CSV) and attribute it to products."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["focus", "cur"], required=True)
        parser.add_argument("--source", default="", help="Billing source name (default: the file's folder name).")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        source = options["source"] or path.resolve().parent.name
        with path.open("rb") as fh:
            result = import_costs(
                SystemActor("cli"),
                fh,
                fmt=options["format"],
                source_name=source,
                file_name=path.name,
                size=path.stat().st_size,
            )
        if result.status != "succeeded":
            raise CommandError("; ".join(f"line {e.get('line', 0)}: {e['message']}" for e in result.errors))
        self.stdout.write(
            f"Imported {result.line_count} lines for {', '.join(result.periods)} in {result.duration_ms} ms; "
            f"totals {result.totals}; attributed {result.attributed}"
        )
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning["message"]))
