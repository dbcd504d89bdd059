"""``harvest NAME [--async]``: run a harvest here and print its report, or queue it for the workers."""

import gc
import logging
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from apps.core.actors import SystemActor
from apps.core.errors import ActionError
from apps.harvest.actions import trigger_harvest
from apps.harvest.models import RunStatus, Source
from apps.harvest.runner import run_report_lines


class Command(BaseCommand):
    """Triggers ``apps.harvest.actions.trigger_harvest``; exits non-zero when the run failed."""

    help = "Harvest a source now (foreground, prints the report) or with --async on the Celery workers."
    # The system checks import every URLconf (the GraphQL schema, the MCP server, ...): 1.5-3 s
    # of a scheduled harvest's start-up spent on code it never runs. `check`/`runserver` run them.
    requires_system_checks: list[str] = []
    foreground = False

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--async", dest="run_async", action="store_true", help="Queue the run for a worker and return at once."
        )
        parser.add_argument(
            "--allow-removals", action="store_true", help="Override the fail-safe on soft-deleting many datasets."
        )

    def run_from_argv(self, argv):
        """From the command line, a foreground run ends the process without tearing the heap down.

        The interpreter's exit freed every object one by one — Django, every app, what the run
        left — 0.3-0.4 s of CPU after an unchanged 5,000-model dbt harvest that itself takes ~1 s.
        The run has committed and its report is written: flush, close, and leave.
        (``call_command`` does not come through here: tests and callers in a process are unaffected.)
        """
        code = 0
        try:
            super().run_from_argv(argv)  # closes the database connections when it returns
        except SystemExit as exc:  # a CommandError: Django printed it and exits with its code
            if not self.foreground:
                raise
            code = exc.code if isinstance(exc.code, int) else 1
        if self.foreground:
            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def handle(self, *args, name, run_async=False, allow_removals=False, **options):
        source = Source.objects.filter(name=name).first()
        if source is None:
            known = ", ".join(Source.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"No source named '{name}' (known: {known}).")
        if not run_async:
            self.foreground = True
            # Everything loaded so far (Django, every app) lives until the exit: keep the
            # collector from rescanning it during the run's allocation bursts.
            gc.freeze()
        try:
            run = trigger_harvest(
                SystemActor("cli"), source, triggered_by="cli", run_async=run_async, allow_removals=allow_removals
            )
        except ActionError as exc:
            raise CommandError(exc.message) from None
        if run_async:
            self.stdout.write(f"Harvest of '{name}' queued as run #{run.pk}.")
            return
        self.stdout.write("\n".join(run_report_lines(run)))
        if run.status == RunStatus.FAILED:
            raise CommandError(f"Harvest of '{name}' failed.")
