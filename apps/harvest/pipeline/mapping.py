"""Placing harvested datasets into domains and products: the source's mapping rules, then hints.

Rules (validated when the source is saved, see ``apps.harvest.mapping_rules``) match by
schema or by name pattern. Domains are set with one set-based update per rule; products
are changed only through the catalog's port actions, as a system actor, so the product's
history shows what the harvest did.
"""

from fnmatch import fnmatchcase

from django.contrib.auth import get_user_model
from django.db.models import Q

from apps.catalog import actions as catalog_actions
from apps.catalog.models import DataProduct, Dataset, Domain, OwnershipRole, Port, PortDirection, PortProtocol
from apps.core.actors import SystemActor
from apps.core.errors import ActionError
from apps.harvest.pipeline.refs import label
from apps.harvest.records import DatasetRef

VIA = "harvest"
PROTOCOLS = {
    "postgres": PortProtocol.POSTGRES,
    "glue": PortProtocol.GLUE,
    "s3": PortProtocol.S3,
    "kafka": PortProtocol.KAFKA,
}


def schema_of(name: str) -> str:
    """The schema part of a dataset name: ``db.schema.table`` → schema, ``table/db/t`` → db."""
    if "/" in name:
        parts = name.split("/")
        return parts[-2] if len(parts) >= 2 else ""
    parts = name.split(".")
    return parts[-2] if len(parts) >= 2 else ""


def rule_matches(rule: dict, ref: DatasetRef) -> bool:
    """A rule matches when every pattern it sets (schema, name, namespace) matches the dataset."""
    subject = {"schema": schema_of(ref.name), "name": ref.name, "namespace": ref.namespace}
    return all(fnmatchcase(value, rule[key]) for key, value in subject.items() if key in rule)


def apply_mapping(source, batch, outcome, report) -> set[int]:
    """Returns the ids of datasets whose placement changed."""
    actor = SystemActor(f"harvest:{source.name}")
    live = {ref: pk for ref, pk in outcome.ids.items() if ref in batch.datasets or ref in batch.unchanged}
    domain_targets: dict[str, set[int]] = {}
    port_targets: dict[tuple[str, str], set[int]] = {}
    ruled = set()
    for rule in source.mapping_rules or []:
        matched = {pk for ref, pk in live.items() if rule_matches(rule, ref)}
        if rule.get("domain"):
            domain_targets.setdefault(rule["domain"], set()).update(matched)
            ruled |= matched
        if rule.get("product"):
            port_targets.setdefault((rule["product"], rule.get("port") or source.name), set()).update(matched)
    hint_owners: dict[str, set[str]] = {}
    for hint in batch.hints:
        pk = live.get(hint.dataset)
        if pk is None:
            continue
        if hint.domain and pk not in ruled:
            domain_targets.setdefault(hint.domain, set()).add(pk)
        if hint.data_product:
            port_targets.setdefault((hint.data_product, source.name), set()).add(pk)
            if hint.owner:
                hint_owners.setdefault(hint.data_product, set()).add(hint.owner)
    touched = _apply_domains(domain_targets, report)
    touched |= _apply_ports(actor, source, port_targets, report)
    _apply_owners(actor, hint_owners, report)
    return touched


def _apply_domains(targets: dict[str, set[int]], report) -> set[int]:
    if not targets:
        return set()
    domains = dict(Domain.objects.filter(slug__in=list(targets)).values_list("slug", "pk"))
    touched = set()
    for slug, ids in targets.items():
        if slug not in domains:
            report.warn(
                "unknown_domain",
                f"Mapping names domain '{slug}', which does not exist; {len(ids)} dataset(s) were left unplaced.",
                slug,
            )
            continue
        moving = list(
            Dataset.objects.filter(pk__in=ids)
            .filter(~Q(domain_id=domains[slug]) | Q(domain_id__isnull=True))
            .values_list("pk", flat=True)
        )
        if moving:
            Dataset.objects.filter(pk__in=moving).update(domain_id=domains[slug])
            touched.update(moving)
    report.add("datasets_placed_in_domains", len(touched))
    return touched


def _apply_ports(actor, source, targets: dict[tuple[str, str], set[int]], report) -> set[int]:
    if not targets:
        return set()
    products = {
        p.slug: p for p in DataProduct.objects.filter(slug__in={slug for slug, _ in targets}).select_related("domain")
    }
    touched = set()
    for (slug, port_name), ids in sorted(targets.items()):
        product = products.get(slug)
        if product is None:
            report.warn(
                "unknown_product",
                f"Mapping names data product '{slug}', which does not exist; {len(ids)} dataset(s) were not added to it.",
                slug,
            )
            continue
        if not ids:
            continue
        port = Port.objects.filter(product=product, direction=PortDirection.OUTPUT, name=port_name).first()
        try:
            if port is None:
                platform = source.kind
                catalog_actions.create_port(
                    actor,
                    product,
                    name=port_name,
                    direction=PortDirection.OUTPUT,
                    protocol=PROTOCOLS.get(platform, PortProtocol.OTHER),
                    datasets=sorted(ids),
                    via=VIA,
                )
                added = ids
            else:
                current = set(port.datasets.values_list("pk", flat=True))
                added = ids - current
                if added:
                    catalog_actions.set_port_datasets(actor, port, sorted(current | ids), via=VIA)
        except ActionError as exc:
            report.warn(
                "port_not_updated", f"Could not add datasets to port '{port_name}' of '{slug}': {exc.message}", slug
            )
            continue
        touched |= added
    report.add("datasets_added_to_ports", len(touched))
    return touched


def _apply_owners(actor, owners: dict[str, set[str]], report) -> None:
    if not owners:
        return
    User = get_user_model()
    wanted = {o for names in owners.values() for o in names}
    users = {}
    for user in User.objects.filter(Q(username__in=wanted) | Q(email__in=wanted)):
        users[user.username] = user
        if user.email:
            users[user.email] = user
    products = {p.slug: p for p in DataProduct.objects.filter(slug__in=list(owners)).select_related("domain")}
    for slug, names in sorted(owners.items()):
        product = products.get(slug)
        for name in sorted(names):
            user = users.get(name)
            if user is None:
                report.warn(
                    "unknown_owner",
                    f"The source names owner '{name}', who has no account here; no ownership was recorded.",
                    name,
                )
                continue
            if product is not None:
                catalog_actions.add_owner(actor, product, user=user, role=OwnershipRole.TECHNICAL_OWNER, via=VIA)


__all__ = ["apply_mapping", "label", "rule_matches", "schema_of"]
