"""Who performs a write: a person, or a system process acting for the platform."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """A non-human writer (a harvest, the demo loader, a YAML apply run by CI as admin).

    It passes every permission check; its label is what the change log shows.
    """

    label: str
    is_system: bool = True
    is_authenticated: bool = True
    is_superuser: bool = True
    is_staff: bool = True
    pk = None
    id = None

    def __str__(self):
        return self.label


def actor_label(actor) -> str:
    if actor is None:
        return "anonymous"
    if getattr(actor, "is_system", False):
        return actor.label
    return actor.get_username()


def is_admin(actor) -> bool:
    return bool(
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and (getattr(actor, "is_superuser", False) or getattr(actor, "is_system", False))
    )
