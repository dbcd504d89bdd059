"""python manage.py load_demo — load the demo mesh (idempotent)."""
from django.core.management.base import BaseCommand

from apps.catalog.demo import DEMO_FILE, load_demo


class Command(BaseCommand):
    help = "Load the demo mesh from fixtures/demo_mesh.yaml (safe to run repeatedly)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEMO_FILE), help="Demo mesh YAML file.")

    def handle(self, *args, **options):
        from pathlib import Path

        counts = load_demo(Path(options["file"]))
        self.stdout.write(self.style.SUCCESS("Demo mesh loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items())))
        self.stdout.write(
            "Log in at /login/ as\n"
            "  olivia / mesh-demo-owner     (owner of Orders and Customer Lifetime Value)\n"
            "  casey  / mesh-demo-consumer  (a consumer)\n"
            "  admin  / mesh-demo-admin     (platform admin, /admin/)"
        )
