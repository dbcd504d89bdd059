"""Writes to teams and their membership."""

from django.db import transaction

from apps.catalog.models import Team
from apps.catalog.permissions import can_manage_team
from apps.core.actors import is_admin
from apps.core.errors import ActionError
from apps.core.writes import require, save_logged

TEAM_FIELDS = {"name", "description", "email", "chat_channel"}


def create_team(actor, *, slug: str, name: str, members=(), via: str = "web", **fields) -> Team:
    require(is_admin(actor), "Only admins create teams.")
    with transaction.atomic():
        return save_logged(
            actor, Team(slug=slug, name=name, **fields), via=via, after_save=lambda t: t.members.set(members)
        )


def update_team(actor, team: Team, *, via: str = "web", **fields) -> Team:
    unknown = set(fields) - TEAM_FIELDS
    if unknown:
        raise ActionError(f"Unknown team field(s): {', '.join(sorted(unknown))}", code="unknown_field")
    require(can_manage_team(actor, team))
    with transaction.atomic():
        before = team.history_snapshot()
        for key, value in fields.items():
            setattr(team, key, value)
        return save_logged(actor, team, via=via, before=before)


def set_team_members(actor, team: Team, members, *, via: str = "web") -> Team:
    require(can_manage_team(actor, team))
    with transaction.atomic():
        before = team.history_snapshot()
        return save_logged(actor, team, via=via, before=before, after_save=lambda t: t.members.set(members))
