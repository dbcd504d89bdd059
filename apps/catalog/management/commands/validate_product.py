"""``manage.py validate_product FILE``: list every problem of a descriptor, with its place."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.catalog.descriptors import DescriptorInvalid, validate_descriptor


class Command(BaseCommand):
    """Validates a data product descriptor (YAML) against the schema and the catalog."""

    help = "Validate a data product descriptor: YAML syntax, fields, and references to the catalog."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        text = read_descriptor(file)
        try:
            _, desired = validate_descriptor(text)
        except DescriptorInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{file}: {len(exc.problems)} problem(s).") from None
        self.stdout.write(f"{file}: valid descriptor of data product '{desired.slug}' ({len(desired.ports)} port(s)).")


def read_descriptor(file: str) -> str:
    path = Path(file)
    if not path.is_file():
        raise CommandError(f"No file '{file}'.")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{file} is not UTF-8 text.") from None
