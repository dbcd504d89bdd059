"""Shared test helpers of the ground floor: the system actor and people.

The small mesh built through the catalog's actions is ``apps.catalog.testing.make_mesh``:
core knows no domain model.
"""

from django.contrib.auth import get_user_model

from apps.core.actors import SystemActor

SYSTEM = SystemActor("tests")


def make_user(username: str, *, superuser: bool = False, password: str = "pw-for-tests"):
    """A person with a known password (and an admin when ``superuser``)."""
    User = get_user_model()
    user = User.objects.create_user(username=username, password=password, email=f"{username}@example.com")
    if superuser:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    return user


def __getattr__(name: str):
    # A signpost, not a shim: code written against the old location fails with the new one.
    if name == "make_mesh":
        raise ImportError("make_mesh moved to apps.catalog.testing (core does not import the catalog)")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
