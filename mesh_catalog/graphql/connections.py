"""Relay connections with ``totalCount`` and a bounded page size, for lists and querysets.

A queryset is counted and sliced in the database (never loaded whole); a list (from a
loader) is sliced in memory. The page's objects are tracked as siblings so that loaders
batch the next level over them.
"""

from functools import partial

import graphene
from django.db.models.query import QuerySet
from graphene import NonNull
from graphene.relay.connection import connection_adapter, page_info_adapter
from graphql import GraphQLError
from graphql_relay import connection_from_array_slice, cursor_to_offset

from mesh_catalog.graphql.dataloaders import track

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


class CountedConnection(graphene.relay.Connection):
    """A connection that also says how many items there are in all."""

    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="Number of items across all pages.")

    def resolve_total_count(root, info):
        return root.length


def _offset(cursor, default):
    if cursor is None:
        return default
    offset = cursor_to_offset(cursor)
    if offset is None:
        raise GraphQLError(f"Invalid cursor {cursor!r}.")
    return offset


def page_bounds(args, total: int) -> tuple[int, int]:
    """[start, end) of the requested page; refuses pages larger than MAX_PAGE_SIZE."""
    first, last = args.get("first"), args.get("last")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not (0 <= value <= MAX_PAGE_SIZE):
            raise GraphQLError(f"'{name}' must be between 0 and {MAX_PAGE_SIZE}.")
    start = _offset(args.get("after"), -1) + 1
    end = min(_offset(args.get("before"), total), total)
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    if first is None and last is None:
        end = min(end, start + DEFAULT_PAGE_SIZE)
    return max(start, 0), max(end, start)


class CountedConnectionField(graphene.relay.ConnectionField):
    """A connection field whose resolver may return a queryset or a list."""

    @classmethod
    def resolve_connection(cls, connection_type, args, resolved):
        if isinstance(resolved, connection_type):
            return resolved
        if isinstance(resolved, QuerySet):
            total = resolved.count()
            start, end = page_bounds(args, total)
            items = list(resolved[start:end]) if end > start else []
        else:
            resolved = list(resolved)
            total = len(resolved)
            start, end = page_bounds(args, total)
            items = resolved[start:end]
        page_args = {k: v for k, v in args.items() if k not in ("first", "last", "after", "before")}
        connection = connection_from_array_slice(
            items,
            page_args,
            slice_start=start,
            array_length=total,
            array_slice_length=len(items),
            connection_type=partial(connection_adapter, connection_type),
            edge_type=connection_type.Edge,
            page_info_type=page_info_adapter,
        )
        connection.page_info.has_next_page = end < total
        connection.page_info.has_previous_page = start > 0
        connection.iterable = items
        connection.length = total
        return connection

    @classmethod
    def connection_resolver(cls, resolver, connection_type, root, info, **args):
        resolved = resolver(root, info, **args)
        if isinstance(connection_type, NonNull):
            connection_type = connection_type.of_type
        connection = cls.resolve_connection(connection_type, args, resolved)
        track(info.context, connection.iterable)
        return connection
