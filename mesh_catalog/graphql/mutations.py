"""The base of every mutation: declared permission, one transaction, typed errors.

A mutation names its ``permission`` (a rule from ``apps.catalog.permissions`` taking
(user, target)) and how to find its ``target``; the base checks login and permission
once, runs ``perform`` in a transaction, and turns any ``ActionError`` into typed errors
``{field, code, message}`` in the payload — never a 500, never a bare exception. The
actions check permission again: the rule is the same for every interface.
"""

import json

import graphene
from django.db import transaction

from apps.core.errors import ActionError, ConflictError, PermissionDeniedError

VIA = "graphql"


class MutationError(graphene.ObjectType):
    """Why a mutation was refused: the field at fault (if any), a stable code, a message."""

    field = graphene.String()
    code = graphene.String(required=True)
    message = graphene.String(required=True)
    changes = graphene.JSONString(description="On a conflict: {field: [value you read, value now]}.")


def errors_from(exc: ActionError) -> list[MutationError]:
    changes = (
        json.loads(json.dumps({k: list(v) for k, v in exc.changes.items()}, default=str))
        if isinstance(exc, ConflictError)
        else None
    )
    return [
        MutationError(field=e["field"], code=e["code"], message=e["message"], changes=changes) for e in exc.as_dicts()
    ]


class ActionMutation(graphene.Mutation):
    """Subclasses set ``permission``, write ``get_target(info, **args)`` and ``perform``."""

    class Meta:
        abstract = True

    errors = graphene.List(graphene.NonNull(MutationError), required=True)

    permission = None  # callable(user, target) -> bool; None: the action alone decides
    permission_message = "You are not allowed to make this change."

    @classmethod
    def get_target(cls, info, **args):
        return None

    @classmethod
    def perform(cls, info, target, **args):
        raise NotImplementedError

    @classmethod
    def mutate(cls, root, info, **args):
        user = info.context.user
        if not getattr(user, "is_authenticated", False):
            return cls(
                errors=[
                    MutationError(
                        field=None, code="not_authenticated", message="Log in or send a personal access token."
                    )
                ]
            )
        try:
            with transaction.atomic():
                target = cls.get_target(info, **args)
                if cls.permission is not None and not cls.permission(user, target):
                    raise PermissionDeniedError(cls.permission_message)
                payload = cls.perform(info, target, **args)
        except ActionError as exc:
            return cls(errors=errors_from(exc))
        payload.setdefault("errors", [])
        return cls(**payload)
