"""``python manage.py detect_pii [--source NAME] [--sample]``: classify columns on demand."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Detect personal data in column names, descriptions, types and (with --sample) sampled values."

    def add_arguments(self, parser):
        parser.add_argument("--source", help="Only the datasets harvested by this source (its name).")
        parser.add_argument("--sample", action="store_true", help="Sample up to 100 values per column (read-only).")
        parser.add_argument("--connections", type=int, default=None, help="Concurrent source connections (default 4).")

    def handle(self, *args, source=None, sample=False, connections=None, **options):
        from apps.harvest.models import Source
        from apps.privacy.actions import detect_pii

        src = None
        if source:
            src = Source.objects.filter(name=source).first()
            if src is None:
                raise CommandError(f"No source named {source!r}.")
        if connections is not None and not 1 <= connections <= 16:
            raise CommandError("--connections must be between 1 and 16.")
        run = detect_pii(source=src, sample_values=sample, trigger="command", max_connections=connections)
        self.stdout.write(
            f"Checked {run.columns_checked} columns of {run.datasets} datasets"
            + (f", sampled {run.columns_sampled}" if sample else "")
            + f": {run.suggestions} suggestions written, {run.removed} stale removed ({run.timings})."
        )
        for warning in run.warnings:
            self.stderr.write(f"warning: {warning}")
