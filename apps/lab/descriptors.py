"""The lab's part of a product descriptor: an output port's curated ``sampleQueries``.

Registered into the catalog's ``port_sections`` from ``LabConfig.ready()``, so applying a
descriptor makes a port's curated queries exactly what the file lists (when it lists any),
through the lab's actions, and exporting writes them back; queries imported from dbt are
not the file's to manage.
"""

from apps.catalog.descriptors.plan import Change
from apps.catalog.descriptors.sections import PortSection
from apps.core.errors import ActionError
from apps.lab import actions
from apps.lab.models import QueryOrigin, SampleQuery


class SampleQueriesSection(PortSection):
    """``sampleQueries: [{title, sql, description}]`` on an output port: curated queries by title."""

    key = "sampleQueries"

    def parse(self, raw, path, parsed):
        wanted = [(q["title"].strip(), q["sql"].strip(), (q.get("description") or "").strip()) for q in raw]
        titles = [title for title, _, _ in wanted]
        problems = [
            parsed.locate(path + (j, "title"), "duplicate_title", f"Two sample queries are titled '{title}'.")
            for j, title in enumerate(titles)
            if titles.index(title) != j
        ]
        return wanted, problems

    def read(self, product):
        existing: dict = {}
        for q in SampleQuery.objects.filter(port__product=product, origin=QueryOrigin.CURATED):
            existing.setdefault(q.port_id, {})[q.title] = q
        return existing

    def plan(self, port_name, wanted, existing):
        changes, titles = [], set()
        for title, sql, description in wanted:
            titles.add(title)
            have = existing.get(title)
            if have is None:
                changes.append(Change("create", "sample_query", f"{port_name}:{title}", {"sql": [None, sql]}))
            elif (have.sql, have.description) != (sql, description):
                pairs = (("sql", have.sql, sql), ("description", have.description, description))
                diff = {k: [b, a] for k, b, a in pairs if b != a}
                changes.append(Change("update", "sample_query", f"{port_name}:{title}", diff))
        for title in sorted(set(existing) - titles):
            changes.append(Change("delete", "sample_query", f"{port_name}:{title}"))
        return changes

    def execute(self, actor, port, wanted, existing, *, locate, via):
        titles = set()
        for j, (title, sql, description) in enumerate(wanted):
            titles.add(title)
            have = existing.get(title)
            try:
                if have is None:
                    actions.create_sample_query(actor, port, title=title, sql=sql, description=description, via=via)
                elif (have.sql, have.description) != (sql, description):
                    actions.update_sample_query(actor, have, sql=sql, description=description, via=via)
            except ActionError as exc:
                raise locate((j,), exc) from None
        for title in set(existing) - titles:
            actions.delete_sample_query(actor, existing[title], via=via)

    def export(self, product):
        out: dict = {}
        for q in SampleQuery.objects.filter(port__product=product, origin=QueryOrigin.CURATED).order_by("title"):
            item = {"title": q.title, "sql": q.sql, "description": q.description}
            out.setdefault(q.port_id, []).append({k: v for k, v in item.items() if v})
        return out
