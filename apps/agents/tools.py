"""What an agent can do, as plain functions of (user, arguments) → compact, citable dicts.

The MCP layer (``server.py``) only adapts these to the protocol; every rule lives in the
apps they call: search ranks, ``query_access`` and the lab runner decide what runs,
``apps.governance.actions.request_access`` files the request. Answers cite catalog URLs so
a person can check what the agent read; long lists are cut with a note on how to page.
"""

from django.conf import settings
from django.db.models import Count, Prefetch

from apps.catalog.lineage_graph import dataset_neighbourhood
from apps.catalog.models import Column, DataProduct, Dataset, Ownership, Port, PortDirection
from apps.core.errors import ActionError, PermissionDeniedError
from apps.governance import actions as governance_actions
from apps.governance.access import query_access
from apps.lab.models import SampleQuery
from apps.lab.runner import run_query as lab_run_query
from apps.search.service import search as search_catalog

MAX_COLUMNS = 200
MAX_ROWS = 50


class ToolError(Exception):
    """A refusal the agent should read and act on (request access, narrow the query…)."""


def _url(path: str) -> str:
    base = getattr(settings, "MESH_PUBLIC_URL", "").rstrip("/")
    return f"{base}{path}"


def _require_reader(user) -> None:
    if not getattr(user, "is_authenticated", False):
        raise ToolError("Authenticate with a personal access token (Authorization: Bearer …).")


def search(user, query: str, *, kind: str | None = None, domain: str | None = None, page: int = 1) -> dict:
    _require_reader(user)
    filters = {}
    if kind:
        filters["type"] = [kind]
    if domain:
        filters["domain"] = [domain]
    try:
        result = search_catalog(query[:500], filters=filters, page=page, page_size=10, user=user)
    except Exception as exc:  # SearchQueryError and friends: say what was wrong
        raise ToolError(str(exc)) from None
    hits = [
        {
            "type": h.type,
            "name": h.name,
            "qualified_name": h.qualified_name,
            "summary": h.summary[:200],
            "url": _url(h.url),
        }
        for h in result.results
    ]
    more = result.count > page * 10
    return {
        "count": result.count,
        "results": hits,
        "facets": {k: dict(list(v.items())[:8]) for k, v in result.facets.items()},
        "note": f"Showing page {page}; call search again with page={page + 1} for more." if more else "",
    }


def _product(slug: str) -> DataProduct:
    product = DataProduct.objects.select_related("domain").filter(slug=slug).first()
    if product is None:
        raise ToolError(f"No data product with slug {slug!r}; use search to find one.")
    return product


def get_data_product(user, slug: str) -> dict:
    _require_reader(user)
    product = _product(slug)
    owners = Ownership.objects.filter(product=product).select_related("user", "team")
    ports = (
        Port.objects.filter(product=product)
        .select_related("upstream_port__product")
        .prefetch_related(Prefetch("datasets", queryset=Dataset.objects.only("id", "namespace", "name", "kind")))
        .order_by("direction", "name")
    )
    out_ports = []
    for port in ports:
        access = query_access(user, port) if port.direction == PortDirection.OUTPUT else None
        out_ports.append(
            {
                "name": port.name,
                "direction": port.direction,
                "protocol": port.protocol,
                "endpoint": port.endpoint,
                "datasets": [
                    {"id": d.pk, "name": d.name, "namespace": d.namespace, "url": _url(d.get_absolute_url())}
                    for d in port.datasets.all()[:20]
                ],
                "consumes": f"{port.upstream_port.product.slug}:{port.upstream_port.name}"
                if port.upstream_port
                else None,
                "you_can_query": access.allowed if access else None,
                "access_note": (access.reason if access and not access.allowed else ""),
            }
        )
    data = {
        "slug": product.slug,
        "name": product.name,
        "summary": product.summary,
        "documentation": product.description[:4000],
        "domain": product.domain.slug,
        "lifecycle": product.lifecycle,
        "classification": product.classification,
        "owners": [f"{o.holder_label} ({o.get_role_display()})" for o in owners],
        "ports": out_ports,
        "url": _url(product.get_absolute_url()),
    }
    data.update(_trust_extras(product))
    return data


def _trust_extras(product) -> dict:
    """Maturity, open incidents and the contract verdict: the trust signals an agent should weigh."""
    from apps.contracts.models import DatasetVerdict
    from apps.trust.models import Incident, ProductMaturity

    maturity = ProductMaturity.objects.filter(product=product).first()
    incidents = list(
        Incident.objects.filter(product=product, resolved_at__isnull=True).values("title", "severity", "opened_at")[:5]
    )
    verdicts = list(
        DatasetVerdict.objects.filter(dataset__ports__product=product, dataset__ports__direction=PortDirection.OUTPUT)
        .values_list("verdict", flat=True)
        .distinct()
    )
    return {
        "maturity": {"score": round(maturity.score), "level": maturity.level, "weakest": maturity.weakest}
        if maturity
        else None,
        "open_incidents": [{**i, "opened_at": i["opened_at"].isoformat()} for i in incidents],
        "contract": ("violated" if "violated" in verdicts else "met" if "met" in verdicts else "unknown")
        if verdicts
        else "no contract",
    }


def get_dataset(user, dataset_id: int) -> dict:
    _require_reader(user)
    dataset = Dataset.objects.filter(pk=dataset_id).annotate(n_columns=Count("columns")).first()
    if dataset is None:
        raise ToolError(f"No dataset with id {dataset_id}; datasets are listed by get_data_product and search.")
    columns = list(
        Column.objects.filter(dataset=dataset)
        .order_by("ordinal")
        .values("name", "data_type", "nullable", "is_primary_key", "description")[:MAX_COLUMNS]
    )
    publishers = list(
        Port.objects.filter(datasets=dataset, direction=PortDirection.OUTPUT).values_list("product__slug", "name")
    )
    return {
        "id": dataset.pk,
        "namespace": dataset.namespace,
        "name": dataset.name,
        "kind": dataset.kind,
        "description": dataset.description[:2000],
        "row_estimate": dataset.row_estimate,
        "published_by": [f"{slug}:{port}" for slug, port in publishers],
        "columns": [{**c, "description": (c["description"] or "")[:300]} for c in columns],
        "note": f"First {MAX_COLUMNS} of {dataset.n_columns} columns." if dataset.n_columns > MAX_COLUMNS else "",
        "url": _url(dataset.get_absolute_url()),
    }


def get_lineage(user, dataset_id: int, *, direction: str = "both", depth: int = 2) -> dict:
    _require_reader(user)
    if direction not in ("up", "down", "both"):
        raise ToolError("direction is one of up, down, both.")
    depth = max(1, min(int(depth), 5))
    if not Dataset.objects.filter(pk=dataset_id).exists():
        raise ToolError(f"No dataset with id {dataset_id}.")
    nodes, edges, truncated = dataset_neighbourhood({dataset_id}, depth=depth)[:3]
    if direction != "both":
        keep = {dataset_id}
        frontier = {dataset_id}
        for _ in range(depth):
            if direction == "up":
                frontier = {u for (u, d) in edges if d in frontier} - keep
            else:
                frontier = {d for (u, d) in edges if u in frontier} - keep
            keep |= frontier
        nodes, edges = keep, {(u, d) for (u, d) in edges if u in keep and d in keep}
    names = dict(Dataset.objects.filter(pk__in=nodes).values_list("pk", "name"))
    products = {}
    for ds_id, slug in Port.objects.filter(datasets__in=nodes, direction=PortDirection.OUTPUT).values_list(
        "datasets", "product__slug"
    ):
        products.setdefault(ds_id, set()).add(slug)
    return {
        "focus": dataset_id,
        "datasets": [
            {"id": pk, "name": names.get(pk, "?"), "products": sorted(products.get(pk, ()))} for pk in sorted(nodes)
        ],
        "edges": [{"from": names.get(u, u), "to": names.get(d, d)} for u, d in sorted(edges)],
        "note": "The graph was cut at its size limit; ask with a smaller depth." if truncated else "",
    }


def list_sample_queries(user, slug: str) -> dict:
    _require_reader(user)
    product = _product(slug)
    queries = SampleQuery.objects.filter(port__product=product).select_related("port").order_by("port__name", "title")
    return {
        "product": product.slug,
        "sample_queries": [
            {"id": q.pk, "port": q.port.name, "title": q.title, "description": q.description[:300], "sql": q.sql}
            for q in queries[:50]
        ],
    }


def _output_port(slug: str, port_name: str) -> Port:
    port = (
        Port.objects.select_related("product", "product__domain")
        .filter(product__slug=slug, name=port_name, direction=PortDirection.OUTPUT)
        .first()
    )
    if port is None:
        raise ToolError(f"No output port {port_name!r} on product {slug!r}; get_data_product lists its ports.")
    return port


def run_query(user, slug: str, port_name: str, sql: str) -> dict:
    """Through the lab's runner: the same checks, grants, limits, masking and history as a person."""
    _require_reader(user)
    port = _output_port(slug, port_name)
    try:
        result = lab_run_query(user, port, sql[:20_000], row_cap=MAX_ROWS, client="agent")
    except PermissionDeniedError as exc:
        raise ToolError(
            f"{exc.message} Use request_access(slug={slug!r}, port={port_name!r}, reason=…) and wait for an owner."
        ) from None
    except ActionError as exc:
        raise ToolError(exc.message) from None
    if not result.ok:
        raise ToolError(f"The query did not run: {result.error}")
    return {
        "columns": result.columns,
        "rows": result.rows,
        "row_count": result.row_count,
        "truncated": bool(result.truncated),
        "note": (
            f"Only the first {result.row_count} rows are returned; aggregate or add a LIMIT/WHERE."
            if result.truncated
            else ""
        ),
        "query_run": result.run.token,
    }


def request_access(user, slug: str, port_name: str, reason: str) -> dict:
    _require_reader(user)
    port = _output_port(slug, port_name)
    try:
        request = governance_actions.request_access(user, port, reason=reason[:2000], via="agent")
    except ActionError as exc:
        raise ToolError(exc.message) from None
    return {
        "request": request.pk,
        "status": request.status,
        "note": "The product's owners decide; you can query the port once they approve.",
    }
