"""Cached results of the product page query (``dataProduct(slug)``), safe to share between readers.

Why: the page's cost is CPU in graphql-core completing ~2,000 values (issue 17), not SQL,
and the page changes only when someone writes. A result is cached under a key made of

- the document, operation name and variables (the exact request),
- the *viewer class* (anonymous, user, staff, superuser) — a second line of defence,
- a fingerprint read from the database in one query: the product's id, ``revision``,
  ``updated_at``, the newest schema version of its datasets and the newest change-log entry
  (so a write made by another process, or a database restored under an old cache, never
  hits an old entry),

and stored with the catalog's *generation*, a token replaced after every committed write to
a catalog model or a user (``apps.core.hooks`` listener, registered in ``CatalogConfig``): a
lineage edge, port, owner, tag, domain or harvest changes the generation and every cached
page is recomputed on its next read. Writes that bypass the actions renew it too: users
(``post_save``; a login's ``last_login`` excepted) and every change the admin logs
(``LogEntry``). Only a bulk admin action on many rows at once logs with ``bulk_create``,
which sends no signal: its pages may be ``MESH_GRAPHQL_CACHE_SECONDS`` old. The generation and the entry are read together (one
round trip to the cache).

Only documents whose every field is in ``PUBLIC_FIELDS`` are cached: fields whose value is
the same for every reader and changes only through writes that reach the hooks. A field
added to one of those types later is not cached until someone lists it here (a test compares
the schema with this table), so a permission-dependent field can never leak from one
reader's cached page to another's. Multi-hop lineage and history are left out: they depend
on far-away rows, and the page does not use them.

``MESH_GRAPHQL_CACHE_SECONDS`` (0 disables) bounds how long an entry lives; entries live in the
``graphql_pages`` cache (Redis with ``REDIS_URL``, shared by every process; else this process's memory).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction

if TYPE_CHECKING:  # graphql-core is imported by the plan and the view: not by every process's start-up
    from graphql import ExecutionResult, FieldNode, GraphQLSchema, OperationDefinitionNode, TypeInfo

CACHE_ALIAS = "graphql_pages"  # apart from the default cache (settings.CACHES says why)
GENERATION_KEY = "catalog:gql:generation"
log = logging.getLogger(__name__)
ENTRY_PREFIX = "catalog:gql:page:"
ROOT_FIELDS = {"dataProduct"}  # root fields whose result is cached, each taking ``slug``

_CONNECTION = {"totalCount", "edges", "pageInfo"}
_EDGE = {"node", "cursor"}
# GraphQL type → fields that are the same for every reader and invalidated through the hooks.
PUBLIC_FIELDS: dict[str, set[str]] = {
    "DataProduct": {
        "id",
        "slug",
        "name",
        "summary",
        "description",
        "lifecycle",
        "classification",
        "revision",
        "costPerMonth",
        "costCurrency",
        "createdAt",
        "updatedAt",
        "url",
        "domain",
        "tags",
        "ports",
        "owners",
    },
    "Domain": {"id", "slug", "name", "description", "path", "depth", "url", "parent", "children", "owners"},
    "Ownership": {"id", "role", "user", "team", "holder"},
    "User": {"id", "username", "fullName"},
    "Team": {"id", "slug", "name", "description", "email", "chatChannel", "members"},
    "Port": {
        "id",
        "name",
        "direction",
        "protocol",
        "format",
        "endpoint",
        "endpointDetails",
        "description",
        "product",
        "upstreamPort",
        "consumers",
        "datasets",
    },
    "Dataset": {
        "id",
        "namespace",
        "name",
        "qualifiedName",
        "shortName",
        "platform",
        "kind",
        "description",
        "owner",
        "rowEstimate",
        "sizeBytes",
        "lastModifiedAt",
        "removedAt",
        "url",
        "columns",
        "upstream",
        "downstream",
    },
    "Column": {"id", "name", "ordinal", "dataType", "nullable", "description", "isPrimaryKey", "tags"},
    "LineageEdge": {"upstream", "downstream", "evidence"},
    "PageInfo": {"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"},
}
for _node in ("DataProduct", "Domain", "Ownership", "Port", "Dataset", "Column"):
    PUBLIC_FIELDS[f"{_node}Connection"] = set(_CONNECTION)
    PUBLIC_FIELDS[f"{_node}Edge"] = set(_EDGE)
del _node


def _cache():
    return caches[CACHE_ALIAS]


def enabled() -> bool:
    return getattr(settings, "MESH_GRAPHQL_CACHE_SECONDS", 0) > 0


def viewer_class(user) -> str:
    """The coarse class of reader a cached page is shared with."""
    if not getattr(user, "is_authenticated", False):
        return "anonymous"
    if user.is_superuser:
        return "superuser"
    return "staff" if user.is_staff else "user"


class _Plan:
    """A cacheable document's single root field, and how to read its ``slug`` argument."""

    def __init__(self, field: FieldNode, arg_type):
        self.field = field
        self.arg_type = arg_type

    def slug(self, variables) -> Any:
        from graphql import value_from_ast

        for arg in self.field.arguments:
            if arg.name.value == "slug":
                return value_from_ast(arg.value, self.arg_type, variables)
        return None


_plans: dict[tuple[int, str | None], tuple[Any, _Plan | None]] = {}


def plan_for(schema: GraphQLSchema, document, operation: OperationDefinitionNode | None) -> _Plan | None:
    """A plan if the document may be served from the cache, else None (computed once per document)."""
    key = (id(document), operation.name.value if operation and operation.name else None)
    found = _plans.get(key)
    if found is not None and found[0] is document:
        return found[1]
    plan = _make_plan(schema, document, operation)
    if len(_plans) > 512:
        _plans.clear()
    _plans[key] = (document, plan)  # the document is kept alive with its id
    return plan


def _make_plan(schema, document, operation) -> _Plan | None:
    from graphql import FieldNode, OperationType, TypeInfo, TypeInfoVisitor, visit

    if operation is None or operation.operation != OperationType.QUERY:
        return None
    roots = operation.selection_set.selections
    if len(roots) != 1 or not isinstance(roots[0], FieldNode) or roots[0].name.value not in ROOT_FIELDS:
        return None
    if roots[0].directives or operation.directives:
        return None
    type_info = TypeInfo(schema)
    checker = _public_fields_only()(type_info)
    visit(document, TypeInfoVisitor(type_info, checker))
    if not checker.public:
        return None
    query_type = schema.query_type
    assert query_type is not None
    return _Plan(roots[0], query_type.fields[roots[0].name.value].args["slug"].type)


@functools.cache
def _public_fields_only() -> type:
    """The visitor class, defined on first use.

    Its base class is graphql-core's ``Visitor``: defined at module level it would import
    graphql-core into every process that registers this module's change listeners
    (``CatalogConfig.ready``: ``manage.py harvest``, workers), which never plan a page.
    """
    from graphql import Visitor, get_named_type

    class _PublicFieldsOnly(Visitor):
        """Walks every field of the document (fragments too); ``public`` is False at the first non-public one."""

        def __init__(self, type_info: TypeInfo):
            super().__init__()
            self.type_info = type_info
            self.public = True

        def enter_field(self, node: FieldNode, *_):
            name = node.name.value
            parent = self.type_info.get_parent_type()
            if name == "__typename":
                return None
            if parent is None:  # validation rules this out; refuse rather than guess
                self.public = False
                return self.BREAK
            parent_name = get_named_type(parent).name
            if parent_name == "Query":
                if name not in ROOT_FIELDS:
                    self.public = False
            elif name not in PUBLIC_FIELDS.get(parent_name, ()):
                self.public = False
            return None if self.public else self.BREAK

    return _PublicFieldsOnly


def fingerprint(slug) -> tuple | None:
    """What the database says about the product's page, in one statement.

    (id, revision, updated_at, newest schema version of its datasets, newest change-log
    entry). The change log makes every logged write — owners, ports, domains, teams — seen by
    a process whose cache the hooks of another process cannot reach (several workers, each
    with its own memory cache); the schema version does the same for harvests of the
    product's datasets. Plain SQL with scalar subqueries: the ORM's joins and GROUP BY cost
    PostgreSQL more to plan (0.3–1.8 ms) than the whole cached request's other work.
    """
    from apps.catalog.models import DataProduct, Port, PortDataset, SchemaVersion
    from apps.core.models import ObjectChange

    sql = (
        f"SELECT p.id, p.revision, p.updated_at, (SELECT MAX(sv.id) FROM {SchemaVersion._meta.db_table} sv"
        f" JOIN {PortDataset._meta.db_table} pd ON pd.dataset_id = sv.dataset_id"
        f" JOIN {Port._meta.db_table} po ON po.id = pd.port_id WHERE po.product_id = p.id),"
        f" (SELECT MAX(c.id) FROM {ObjectChange._meta.db_table} c)"
        f" FROM {DataProduct._meta.db_table} p WHERE p.slug = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug])
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1], str(row[2]), row[3], row[4])


def _entry_key(query: str, operation_name, variables, viewer: str, fp: tuple) -> str:
    raw = orjson.dumps(
        [query, operation_name, variables or {}, viewer, list(fp)], option=orjson.OPT_SORT_KEYS, default=str
    )
    return ENTRY_PREFIX + hashlib.sha256(raw).hexdigest()


def current_generation(value=None) -> str:
    if value is None:
        value = uuid.uuid4().hex
        if not _cache().add(GENERATION_KEY, value, timeout=None):
            value = _cache().get(GENERATION_KEY) or value
    return value


def execute_cached(
    schema: GraphQLSchema,
    request,
    document,
    operation: OperationDefinitionNode | None,
    query: str,
    operation_name,
    variables,
    run: Callable[[], ExecutionResult],
) -> ExecutionResult:
    """``run()``'s result, from the cache when the document is cacheable and nothing changed."""
    from graphql import ExecutionResult

    if not enabled():
        return run()
    plan = plan_for(schema, document, operation)
    if plan is None:
        return run()
    try:
        slug = plan.slug(variables)
    except Exception:  # a malformed variable: let execution report it
        return run()
    fp = fingerprint(slug) if isinstance(slug, str) else None
    if fp is None:
        return run()
    key = _entry_key(query, operation_name, variables, viewer_class(request.user), fp)
    try:
        found = _cache().get_many([GENERATION_KEY, key])
        generation = current_generation(found.get(GENERATION_KEY))
    except Exception:  # the cache is down: the page is computed, as without a cache
        log.warning("graphql page cache: read failed", exc_info=True)
        return run()
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        return ExecutionResult(data=entry[1])
    result = run()
    if not result.errors and result.data is not None:
        try:
            _cache().set(key, (generation, result.data), timeout=settings.MESH_GRAPHQL_CACHE_SECONDS)
        except Exception:
            log.warning("graphql page cache: write failed", exc_info=True)
    return result


def forget_all() -> None:
    """Every cached page is recomputed on its next read (a new generation).

    Never raises: it runs among other after-commit listeners (search indexing), which a
    cache outage must not stop. Entries a failed renewal leaves live out their timeout.
    """
    try:
        _cache().set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        log.exception("graphql page cache: renewing the generation failed; pages may be stale until they expire")


def on_objects_changed(model, pks) -> None:
    """Change listener: a committed write to a catalog model or a user makes a new generation."""
    if enabled() and (model._meta.app_label == "catalog" or model._meta.label == settings.AUTH_USER_MODEL):
        forget_all()


def on_user_saved(sender, update_fields=None, **kwargs) -> None:
    """Users are written by Django's auth and admin, not through our actions: no hook tells us.

    A login saves only ``last_login``, which no page shows: it keeps the cache.
    """
    if enabled() and set(update_fields or ()) != {"last_login"}:
        transaction.on_commit(forget_all)


def on_admin_logged(sender, **kwargs) -> None:
    """The admin writes domains, teams, owners and ports without our actions; it logs each change."""
    if enabled():
        transaction.on_commit(forget_all)
