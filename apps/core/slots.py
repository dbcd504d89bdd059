"""Page slots: upper apps add controls to lower apps' pages without being imported by them.

A page renders ``{% load mesh_slots %}{% object_actions obj %}``; apps register a renderer
``renderer(request, obj) -> str (HTML, already escaped) or ""`` from ``AppConfig.ready()``
(the events app adds its Follow button this way). The header renders ``{% nav_links %}``:
apps register a ``NavLink`` to the page a person should be able to reach from anywhere
(the maturity leaderboard, the personal-data finder, the mesh's costs).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

_object_actions: list[Callable] = []


def register_object_action(renderer: Callable) -> None:
    if renderer in _object_actions:
        raise ValueError(f"object action {renderer!r} is already registered")
    _object_actions.append(renderer)


def render_object_actions(request, obj) -> str:
    return "".join(renderer(request, obj) or "" for renderer in _object_actions)


@dataclass(frozen=True)
class NavLink:
    """A header link: ``audience`` is who sees it — ``reader`` (whoever may read the catalog),
    ``user`` (logged in), ``staff`` or ``admin`` (superusers) — matching what the page requires."""

    label: str
    url_name: str
    order: int = 50
    audience: Literal["reader", "user", "staff", "admin"] = "user"


_nav_links: list[NavLink] = []


def register_nav_link(link: NavLink) -> None:
    if any(known.url_name == link.url_name for known in _nav_links):
        raise ValueError(f"a nav link to {link.url_name!r} is already registered")
    _nav_links.append(link)
    _nav_links.sort(key=lambda known: (known.order, known.label))


def nav_links_for(user, *, can_read: bool) -> list[NavLink]:
    """The registered links this visitor may follow, in order."""
    signed_in = user.is_authenticated
    allowed = {
        "reader": can_read,
        "user": signed_in,
        "staff": signed_in and user.is_staff,
        "admin": signed_in and user.is_superuser,
    }
    return [link for link in _nav_links if allowed[link.audience]]
