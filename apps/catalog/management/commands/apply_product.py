"""``manage.py apply_product FILE [--dry-run] [--user USERNAME]``: make the catalog match a descriptor."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.catalog.descriptors import DescriptorInvalid, apply_descriptor
from apps.catalog.management.commands.validate_product import read_descriptor
from apps.core.actors import SystemActor
from apps.core.errors import ActionError


class Command(BaseCommand):
    """Applies a data product descriptor (or previews the diff with ``--dry-run``)."""

    help = "Apply a data product descriptor to the catalog; --dry-run prints the diff without changing anything."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; change nothing.")
        parser.add_argument(
            "--confirm-deletions",
            action="store_true",
            help="Allow deleting ports that have consumers or sample queries (run --dry-run first).",
        )
        parser.add_argument(
            "--user", help="Apply as this user (their permissions apply). Default: the platform (admin rights)."
        )

    def handle(self, *args, file, dry_run, user, confirm_deletions=False, **options):
        text = read_descriptor(file)
        actor = SystemActor("apply_product")
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"No user '{user}'.")
        try:
            result = apply_descriptor(actor, text, dry_run=dry_run, via="cli", confirm_deletions=confirm_deletions)
        except DescriptorInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{file}: {len(exc.problems)} problem(s); nothing was applied.") from None
        except ActionError as exc:
            for problem in getattr(exc, "problems", None) or []:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{file}: {exc.message} Nothing was applied.") from None
        if not result.changes:
            self.stdout.write(f"'{result.slug}' already matches {file}: nothing to do.")
            return
        for change in result.changes:
            self.stdout.write(str(change))
        for warning in result.warnings:
            self.stdout.write(f"warning: {warning}")
        verb = "would change" if dry_run else "changed"
        self.stdout.write(
            f"{verb} {len(result.changes)} thing(s) of '{result.slug}'"
            + (" (dry run: nothing applied)." if dry_run else ".")
        )
