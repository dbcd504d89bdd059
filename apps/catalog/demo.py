"""Loading the demo mesh (fixtures/demo_mesh.yaml) through the catalog's actions.

Idempotent and create-only: every object is looked up by its natural key and created when
missing; an existing one is left exactly as it is, so loading again never reverts what a
person edited (a description, a port, an owner) and writes nothing the second time.

The fixture names warehouse tables in ``postgres://127.0.0.1:5432``; they are loaded into
the demo warehouse's namespace (``apps.core.demo_warehouse``: the embedded DuckDB file
when no PostgreSQL warehouse answers), with the ports' endpoint and protocol to match.
"""

from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from apps.catalog import actions
from apps.catalog.models import DataProduct, Dataset, Domain, Port, Team
from apps.core import demo_warehouse
from apps.core.actors import SystemActor

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo_mesh.yaml"
DEFAULT_NAMESPACE = "postgres://127.0.0.1:5432"
DEMO = SystemActor("demo-loader")
VIA = "demo"
CREATED: set = set()  # ("domain" | "product", pk) of what this run created


def load_demo(path: Path = DEMO_FILE) -> dict:
    data = yaml.safe_load(path.read_text())
    CREATED.clear()
    with transaction.atomic():
        users = _load_users(data.get("users", []))
        teams = _load_teams(data.get("teams", []), users)
        domains = _load_domains(data.get("domains", []))
        _load_datasets(data.get("datasets", []), data.get("lineage", []))
        products = _load_products(data.get("products", []), domains)
        # Owners only on what this run created: an owner a person removed stays removed.
        for spec in data.get("domains", []):
            if ("domain", domains[spec["slug"]].pk) in CREATED:
                _load_owners(domains[spec["slug"]], spec.get("owners", []), users, teams)
        for spec in data.get("products", []):
            if ("product", products[spec["slug"]].pk) in CREATED:
                _load_owners(products[spec["slug"]], spec.get("owners", []), users, teams)
    return {"users": len(users), "teams": len(teams), "domains": len(domains), "products": len(products)}


def _load_users(specs) -> dict:
    User = get_user_model()
    users = {}
    for spec in specs:
        user = User.objects.filter(username=spec["username"]).first()
        if user is None:
            user = User(
                username=spec["username"],
                email=spec.get("email", ""),
                first_name=spec.get("first_name", ""),
                last_name=spec.get("last_name", ""),
            )
            user.is_superuser = user.is_staff = bool(spec.get("superuser"))
            user.set_password(spec["password"])
            user.save()
        users[user.username] = user
    return users


def _load_teams(specs, users) -> dict:
    teams = {}
    for spec in specs:
        members = [users[m] for m in spec.get("members", [])]
        team = Team.objects.filter(slug=spec["slug"]).first()
        if team is None:
            team = actions.create_team(
                DEMO, slug=spec["slug"], name=spec["name"], email=spec.get("email", ""), members=members, via=VIA
            )
        teams[team.slug] = team
    return teams


def _load_domains(specs) -> dict:
    domains = {}
    for spec in specs:  # parents are listed before their children
        parent = domains.get(spec.get("parent")) if spec.get("parent") else None
        fields = {"name": spec["name"], "description": spec.get("description", ""), "parent": parent}
        domain = Domain.objects.filter(slug=spec["slug"]).first()
        if domain is None:
            domain = actions.create_domain(DEMO, slug=spec["slug"], via=VIA, **fields)
            CREATED.add(("domain", domain.pk))
        domains[domain.slug] = domain
    return domains


def _warehouse_namespace(namespace: str) -> str:
    return demo_warehouse.namespace() if namespace == DEFAULT_NAMESPACE else namespace


def _dataset_key(ref) -> tuple[str, str]:
    return (_warehouse_namespace(ref[0]), ref[1]) if isinstance(ref, list) else (demo_warehouse.namespace(), ref)


def _load_datasets(specs, lineage) -> None:
    platform_of = {"postgres": "postgres", "duckdb": "duckdb", "kafka": "kafka", "arn": "glue", "s3": "s3"}
    for spec in specs:
        namespace = _warehouse_namespace(spec["namespace"])
        if Dataset.objects.filter(namespace=namespace, name=spec["name"]).exists():
            continue  # harvested (or already loaded) metadata wins over the fixture
        actions.register_dataset(
            DEMO,
            namespace=namespace,
            name=spec["name"],
            platform=platform_of.get(namespace.split(":", 1)[0], "other"),
            kind=spec.get("kind", "table"),
            description=spec.get("description", ""),
            columns=spec.get("columns", []),
        )
    by_name = {d.name: d for d in Dataset.objects.filter(namespace=demo_warehouse.namespace())}
    if lineage and by_name and not _demo_loaded_before():
        _load_lineage(lineage, by_name)


def _demo_loaded_before() -> bool:
    return DataProduct.objects.exists()


def _load_lineage(lineage, by_name) -> None:
    for upstream, downstream in lineage:
        if upstream in by_name and downstream in by_name:
            actions.add_manual_lineage(DEMO, by_name[upstream], by_name[downstream])


def _product_fields(spec, domains) -> dict:
    cost = spec.get("cost") or {}
    return {
        "domain": domains[spec["domain"]],
        "name": spec["name"],
        "summary": spec.get("summary", ""),
        "description": spec.get("description", ""),
        "lifecycle": spec.get("lifecycle", "draft"),
        "classification": spec.get("classification", "internal"),
        "cost_per_month": Decimal(cost["per_month"]) if cost else None,
        "cost_currency": cost.get("currency", ""),
    }


def _load_products(specs, domains) -> dict:
    products = {}
    for spec in specs:
        fields = _product_fields(spec, domains)
        product = DataProduct.objects.filter(slug=spec["slug"]).first()
        if product is None:
            product = actions.create_product(DEMO, slug=spec["slug"], tags=spec.get("tags", []), via=VIA, **fields)
            CREATED.add(("product", product.pk))
        products[product.slug] = product
    # Output ports first: input ports point at them.
    for direction in ("output", "input"):
        for spec in specs:
            for port_spec in spec.get("ports", []):
                if port_spec["direction"] == direction:
                    _load_port(products[spec["slug"]], port_spec)
    return products


def _load_port(product, spec) -> Port:
    upstream = None
    if spec.get("upstream"):
        up_slug, up_port = spec["upstream"]
        upstream = Port.objects.get(product__slug=up_slug, direction="output", name=up_port)
    protocol, endpoint = spec.get("protocol", "other"), spec.get("endpoint", "")
    if protocol == "postgres":  # a warehouse port: in the demo warehouse actually used
        protocol = demo_warehouse.protocol()
        if endpoint.startswith(DEFAULT_NAMESPACE):
            endpoint = demo_warehouse.endpoint()
    fields = {
        "protocol": protocol,
        "format": spec.get("format", ""),
        "endpoint": endpoint,
        "description": spec.get("description", ""),
        "upstream_port": upstream,
    }
    datasets = [_dataset_key(ref) for ref in spec.get("datasets", [])]
    port = Port.objects.filter(product=product, direction=spec["direction"], name=spec["name"]).first()
    if port is None:
        return actions.create_port(
            DEMO, product, name=spec["name"], direction=spec["direction"], datasets=datasets, via=VIA, **fields
        )
    return port


def _load_owners(target, specs, users, teams) -> None:
    for spec in specs:
        actions.add_owner(
            DEMO,
            target,
            user=users.get(spec.get("user")),
            team=teams.get(spec.get("team")),
            role=spec.get("role", "owner"),
            via=VIA,
        )
