"""Who may call the REST API at all; object-level rules live in ``apps.catalog.permissions``."""

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission


def read_allowed(user) -> bool:
    return settings.MESH_PUBLIC_READ or bool(getattr(user, "is_authenticated", False))


class MeshAccess(BasePermission):
    """Reads need a login unless public read is on; writes need a login, then the action decides."""

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return read_allowed(request.user)
        return bool(request.user and request.user.is_authenticated)
