"""``add_source NAME --kind postgres --config '<json>'``: register a source, or print what is wrong."""

import json

from django.core.management.base import BaseCommand, CommandError

from apps.core.actors import SystemActor
from apps.core.errors import ActionError
from apps.harvest.actions import create_source, test_source_connection


class Command(BaseCommand):
    """Creates a source through ``apps.harvest.actions.create_source``; secrets are never echoed."""

    help = "Register a metadata source. Secrets go in --secrets (JSON), in the DSN (moved to encrypted secrets), or in an environment variable named by 'password_env'."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--kind", required=True)
        parser.add_argument(
            "--config", required=True, help='JSON object, e.g. \'{"dsn": "postgresql://harvester@db:5432/warehouse"}\''
        )
        parser.add_argument("--secrets", default="", help='JSON object of secrets, e.g. \'{"password": "..."}\'')
        parser.add_argument("--schedule", default="", help="Cron expression for periodic harvests, e.g. '0 3 * * *'.")
        parser.add_argument("--mapping-rules", default="", help="JSON list of mapping rules (see README).")
        parser.add_argument("--max-removal-share", type=float, default=0.5)
        parser.add_argument("--test", action="store_true", help="Test the connection after saving.")

    def _json(self, value: str, option: str, default):
        if not value:
            return default
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{option} is not valid JSON: {exc}") from None

    def handle(self, *args, **o):
        actor = SystemActor("cli")
        try:
            source = create_source(
                actor,
                name=o["name"],
                kind=o["kind"],
                config=self._json(o["config"], "--config", {}),
                secrets=self._json(o["secrets"], "--secrets", None),
                schedule=o["schedule"],
                mapping_rules=self._json(o["mapping_rules"], "--mapping-rules", []),
                max_removal_share=o["max_removal_share"],
                via="cli",
            )
        except ActionError as exc:
            lines = [f"  {field or 'source'}: {message}" for field, _, message in exc.errors]
            raise CommandError("The source was not saved:\n" + "\n".join(lines)) from None
        secrets = f" (secrets set: {', '.join(source.secret_keys)})" if source.secret_keys else ""
        self.stdout.write(f"Source '{source.name}' ({source.kind}) saved{secrets}.")
        if o["test"]:
            check = test_source_connection(actor, source)
            self.stdout.write(f"Connection: {'ok' if check.ok else 'FAILED at ' + check.stage}: {check.message}")
