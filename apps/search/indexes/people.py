"""Teams and people: found by name, username and e-mail; their link filters search by owner."""

from apps.search.indexes.base import SearchIndex, register, search_page

MEMBER_LABELS = """(SELECT string_agg(u.username || ' ' || u.first_name || ' ' || u.last_name, ' ')
    FROM catalog_team_members m JOIN auth_user u ON u.id = m.user_id WHERE m.team_id = t.id)"""
TEAM_NAMES = """(SELECT string_agg(tm.name, ' ') FROM catalog_team_members m JOIN catalog_team tm ON tm.id = m.team_id WHERE m.user_id = t.id)"""
FULL_NAME = "trim(t.first_name || ' ' || t.last_name)"


def _members_of_teams(pks):
    from apps.catalog.models import Team

    return "id", list(Team.members.through.objects.filter(team_id__in=pks).values_list("user_id", flat=True))


def _owners(pks):
    from apps.catalog.models import Ownership

    return "id", list(Ownership.objects.filter(pk__in=pks, user__isnull=False).values_list("user_id", flat=True))


TEAMS = register(
    SearchIndex(
        kind="team",
        source="catalog_team t",
        name="t.name",
        qualified_name="t.slug",
        url_arg="t.slug",
        url=search_page("owner"),
        keys=("t.name", "t.slug"),
        weights={"A": ("t.name", "t.slug"), "C": ("t.description", "t.email", "t.chat_channel"), "D": (MEMBER_LABELS,)},
        summary="t.description",
        context="'members: ' || coalesce(" + MEMBER_LABELS + ", '')",
        depends={"catalog.Team": lambda pks: ("id", pks)},
        order=1,
    )
)

PEOPLE = register(
    SearchIndex(
        kind="person",
        source="auth_user t",
        # People are searchable once they take part in the mesh: a team or an ownership.
        where="""t.is_active AND (EXISTS (SELECT 1 FROM catalog_team_members m WHERE m.user_id = t.id)
            OR EXISTS (SELECT 1 FROM catalog_ownership o WHERE o.user_id = t.id))""",
        name=f"coalesce(nullif({FULL_NAME}, ''), t.username)",
        qualified_name="t.username",
        url_arg="t.username",
        url=search_page("owner"),
        keys=("t.username", FULL_NAME),
        weights={"A": ("t.username", "t.first_name", "t.last_name"), "C": ("t.email",), "D": (TEAM_NAMES,)},
        summary="t.email",
        context="'teams: ' || coalesce(" + TEAM_NAMES + ", '')",
        depends={"auth.User": lambda pks: ("id", pks), "catalog.Team": _members_of_teams, "catalog.Ownership": _owners},
        order=1,
    )
)
