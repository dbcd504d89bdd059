"""Template context every page needs: whether anonymous visitors may read, and the demo accounts hint."""

from django.conf import settings


def mesh(request):
    """``mesh_can_read`` (the header search is offered), ``mesh_public_read`` and ``mesh_demo_hint``."""
    authenticated = getattr(getattr(request, "user", None), "is_authenticated", False)
    return {
        "mesh_public_read": settings.MESH_PUBLIC_READ,
        "mesh_can_read": settings.MESH_PUBLIC_READ or authenticated,
        # The demo's accounts are named on the login page of a development instance only.
        "mesh_demo_hint": settings.DEBUG and not authenticated and request.path.startswith("/login"),
    }
