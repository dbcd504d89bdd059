"""``manage.py create_token USERNAME [--name N] [--expires-days D]``: print a new token once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.core.actions import create_token
from apps.core.errors import ActionError


class Command(BaseCommand):
    """Creates a personal access token for a user and prints it (it cannot be shown again)."""

    help = "Create a personal access token for USERNAME and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")
        parser.add_argument("--expires-days", type=int, default=None)

    def handle(self, *args, username, name, expires_days, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user '{username}'.") from None
        try:
            token, raw = create_token(user, name=name, expires_days=expires_days, via="cli")
        except ActionError as exc:
            raise CommandError(exc.message) from None
        expiry = f", expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else ", no expiry"
        self.stderr.write(f"Token '{token.name}' for {username}{expiry}. Store it now: it is not shown again.")
        self.stdout.write(raw)
