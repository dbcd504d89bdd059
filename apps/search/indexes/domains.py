"""Domains: by name and slug, then description and owners."""

from apps.search.indexes.base import SearchIndex, register, route

OWNER_LABELS = """(SELECT string_agg(coalesce(u.username || ' ' || u.first_name || ' ' || u.last_name, tm.slug || ' ' || tm.name), ' ')
    FROM catalog_ownership o LEFT JOIN auth_user u ON u.id = o.user_id LEFT JOIN catalog_team tm ON tm.id = o.team_id
    WHERE o.domain_id = t.id)"""


def _domains_of_teams(pks):
    from apps.catalog.models import Ownership

    return "id", list(
        Ownership.objects.filter(team_id__in=pks, domain__isnull=False).values_list("domain_id", flat=True)
    )


DOMAINS = register(
    SearchIndex(
        kind="domain",
        source="catalog_domain t",
        name="t.name",
        qualified_name="replace(substr(t.path, 2, length(t.path) - 2), '/', '.')",
        url_arg="t.slug",
        url=route("catalog:domain_detail"),
        keys=("t.name", "t.slug"),
        weights={"A": ("t.name", "t.slug"), "C": ("t.description",), "D": (OWNER_LABELS,)},
        summary="t.description",
        domain="t.slug",
        multi_facets={
            "owner": """SELECT o.domain_id AS object_id, coalesce(u.username, tm.slug) AS value FROM catalog_ownership o
                LEFT JOIN auth_user u ON u.id = o.user_id LEFT JOIN catalog_team tm ON tm.id = o.team_id WHERE o.domain_id IS NOT NULL""",
        },
        depends={"catalog.Domain": lambda pks: ("id", pks), "catalog.Team": _domains_of_teams},
        order=1,
    )
)
