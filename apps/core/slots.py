"""Page slots: upper apps add controls to lower apps' pages without being imported by them.

A page renders ``{% load mesh_slots %}{% object_actions obj %}``; apps register a renderer
``renderer(request, obj) -> str (HTML, already escaped) or ""`` from ``AppConfig.ready()``
(the events app adds its Follow button this way).
"""

from collections.abc import Callable

_object_actions: list[Callable] = []


def register_object_action(renderer: Callable) -> None:
    if renderer in _object_actions:
        raise ValueError(f"object action {renderer!r} is already registered")
    _object_actions.append(renderer)


def render_object_actions(request, obj) -> str:
    return "".join(renderer(request, obj) or "" for renderer in _object_actions)
