"""``manage.py recompute_maturity [--product SLUG ...]``: re-score the mesh (or some products)."""

import time

from django.core.management.base import BaseCommand, CommandError

from apps.catalog.models import DataProduct


class Command(BaseCommand):
    help = "Recompute DATSIS maturity scores (all products, or the ones named); writes only what changed."

    def add_arguments(self, parser):
        parser.add_argument("--product", action="append", default=[], help="A product slug (repeatable).")
        parser.add_argument("--timings", action="store_true", help="Print the seconds spent per criterion.")

    def handle(self, *args, product, timings, **options):
        from apps.trust.rubric import RubricError, reload_rubric
        from apps.trust.scoring import recompute

        try:
            rubric = reload_rubric()
        except RubricError as exc:
            raise CommandError(f"Invalid maturity rubric, scores left as they were: {exc}") from None
        ids = None
        if product:
            found = dict(DataProduct.objects.filter(slug__in=product).values_list("slug", "pk"))
            missing = sorted(set(product) - set(found))
            if missing:
                raise CommandError(f"No product named {', '.join(missing)}.")
            ids = list(found.values())
        spent: dict = {}
        started = time.perf_counter()
        counts = recompute(ids, rubric=rubric, timings=spent)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Scored {counts['products']} products in {elapsed:.2f} s: {counts['changed']} changed, "
            f"{counts['trend_points']} trend points, {counts['level_changes']} level changes."
        )
        if timings:
            for key, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
                self.stdout.write(f"  {key:28} {seconds:.3f} s")
