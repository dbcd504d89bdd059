"""python manage.py load_demo — load the demo mesh (idempotent).

The catalog's own demo (domains, teams, products, ports) loads first; then every app in
``INSTALLED_APPS`` order that has a ``demo`` module with ``load_demo_data(stdout)`` adds its
part (harvested sources, sample queries, ...), so each app owns its own demo data.
"""

from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.apps import apps
from django.core.management.base import BaseCommand

from apps.catalog.demo import DEMO_FILE, load_demo


class Command(BaseCommand):
    help = "Load the demo mesh from fixtures/demo_mesh.yaml and each app's demo data (safe to run repeatedly)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(DEMO_FILE), help="Demo mesh YAML file.")

    def handle(self, *args, **options):
        counts = load_demo(Path(options["file"]))
        self.stdout.write(self.style.SUCCESS("Demo mesh loaded: " + ", ".join(f"{v} {k}" for k, v in counts.items())))
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if config.name.startswith("apps.") and config.name != "apps.catalog" and find_spec(module_name):
                import_module(module_name).load_demo_data(self.stdout)
        self.stdout.write(
            "Log in at /login/ as\n"
            "  olivia / mesh-demo-owner     (owner of Orders and Customer Lifetime Value)\n"
            "  casey  / mesh-demo-consumer  (a consumer)\n"
            "  admin  / mesh-demo-admin     (platform admin, /admin/)"
        )
