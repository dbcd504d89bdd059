"""Writes to ports: add, change, remove, link datasets, consume another product's port."""

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from apps.catalog.events import changed_fields, port_event
from apps.catalog.models import Dataset, Port, PortDataset, PortDirection
from apps.catalog.permissions import can_edit_product
from apps.core.errors import ActionError
from apps.core.limits import check_count, check_text
from apps.core.writes import delete_logged, require, save_logged

PORT_FIELDS = {
    "name",
    "direction",
    "protocol",
    "format",
    "endpoint",
    "endpoint_details",
    "description",
    "upstream_port",
}


def _check_upstream(port: Port) -> None:
    upstream = port.upstream_port
    if upstream is None:
        return
    if port.direction != PortDirection.INPUT:
        raise ActionError(
            "Only an input port can consume another product's output port.",
            field="upstream_port",
            code="invalid_direction",
        )
    if upstream.direction != PortDirection.OUTPUT:
        raise ActionError(
            f"'{upstream}' is an input port; an input port can only consume an output port.",
            field="upstream_port",
            code="not_an_output_port",
        )
    if upstream.product_id == port.product_id:
        raise ActionError(
            "A product cannot consume its own output port.", field="upstream_port", code="self_consumption"
        )


def _check_publishers(actor, port: Port, datasets: list[Dataset], *, recheck_all: bool = False) -> None:
    """Publishing a dataset another product already publishes needs that product's owners.

    Access follows the dataset: an owner who could bind another product's restricted table
    to their own output port would hand it to every consumer of that port. Consuming it
    (an input port) needs nothing; a dataset nobody publishes yet may be published freely.
    """
    if port.direction != PortDirection.OUTPUT or not datasets:
        return
    current = set(port.datasets.values_list("pk", flat=True)) if port.pk and not recheck_all else set()
    added = [d.pk for d in datasets if d.pk not in current]
    if not added:
        return
    others = (
        PortDataset.objects.filter(dataset_id__in=added, port__direction=PortDirection.OUTPUT)
        .exclude(port__product_id=port.product_id)
        .select_related("port__product__domain", "dataset")
        .order_by("dataset_id")
    )
    checked: dict[int, bool] = {}
    for link in others:
        product = link.port.product
        if product.pk not in checked:
            checked[product.pk] = can_edit_product(actor, product)
        if not checked[product.pk]:
            raise ActionError(
                f"{link.dataset.name} is published by {product.name}; only its owners can publish it on another "
                "output port. Consume it through an input port instead, or ask them.",
                field="datasets",
                code="published_by_another_product",
            )


def create_port(actor, product, *, name: str, direction: str, datasets=None, via: str = "web", **fields) -> Port:
    unknown = set(fields) - PORT_FIELDS
    if unknown:
        raise ActionError(f"Unknown port field(s): {', '.join(sorted(unknown))}", code="unknown_field")
    check_text("description", fields.get("description"))
    require(can_edit_product(actor, product))
    with transaction.atomic():
        limit = settings.MESH_MAX_PORTS_PER_PRODUCT
        check_count(
            "ports",
            Port.objects.filter(product=product).count() + 1,
            limit,
            "MESH_MAX_PORTS_PER_PRODUCT",
            "ports per product",
        )
        port = Port(product=product, name=name, direction=direction, **fields)
        _check_upstream(port)
        dataset_rows = _resolve_datasets(datasets) if datasets is not None else []
        _check_publishers(actor, port, dataset_rows)
        port = save_logged(actor, port, via=via, after_save=lambda p: p.datasets.set(dataset_rows))
        port_event("created", actor, port, upstream_port_id=port.upstream_port_id)
        return port


def update_port(actor, port: Port, *, via: str = "web", datasets=None, **fields) -> Port:
    unknown = set(fields) - PORT_FIELDS
    if unknown:
        raise ActionError(f"Unknown port field(s): {', '.join(sorted(unknown))}", code="unknown_field")
    check_text("description", fields.get("description"))
    require(can_edit_product(actor, port.product))
    with transaction.atomic():
        port = Port.objects.select_for_update().select_related("product").get(pk=port.pk)
        before = port.history_snapshot()
        for key, value in fields.items():
            setattr(port, key, value)
        _check_upstream(port)
        dataset_rows = _resolve_datasets(datasets) if datasets is not None else None
        became_output = before.get("direction") != port.direction
        if dataset_rows is not None or became_output:
            rows = dataset_rows if dataset_rows is not None else list(port.datasets.all())
            _check_publishers(actor, port, rows, recheck_all=became_output)
        port = save_logged(
            actor,
            port,
            via=via,
            before=before,
            after_save=(lambda p: p.datasets.set(dataset_rows)) if dataset_rows is not None else None,
        )
        changes = changed_fields(before, port.history_snapshot())
        if changes:
            port_event("updated", actor, port, changes=changes)
        return port


def set_port_datasets(actor, port: Port, datasets, *, via: str = "web") -> Port:
    return update_port(actor, port, datasets=datasets, via=via)


def delete_port(actor, port: Port, *, via: str = "web") -> None:
    require(can_edit_product(actor, port.product))
    with transaction.atomic():
        port_event("deleted", actor, port, consumer_product_ids=_consuming_products(port))  # gone after the delete
        delete_logged(actor, port, via=via)


def _consuming_products(port: Port) -> list[int]:
    """Products whose input ports read this output port, or the datasets it publishes."""
    if port.direction != PortDirection.OUTPUT:
        return []
    inputs = Port.objects.filter(direction=PortDirection.INPUT).filter(
        Q(upstream_port=port) | Q(port_datasets__dataset__port_links__port=port)
    )
    return sorted(set(inputs.exclude(product_id=port.product_id).values_list("product_id", flat=True)))


def _resolve_datasets(datasets) -> list[Dataset]:
    """Accept Dataset rows, ids, or (namespace, name) pairs; refuse any that do not exist."""
    rows, ids, pairs = [], [], []
    for item in datasets:
        if isinstance(item, Dataset):
            rows.append(item)
        elif isinstance(item, int):
            ids.append(item)
        else:
            pairs.append(tuple(item))
    if ids:
        found = list(Dataset.objects.filter(pk__in=ids))
        missing = set(ids) - {d.pk for d in found}
        if missing:
            raise ActionError(
                f"No dataset with id {', '.join(map(str, sorted(missing)))}.", field="datasets", code="not_found"
            )
        rows += found
    for namespace, name in pairs:
        try:
            rows.append(Dataset.objects.get(namespace=namespace, name=name))
        except Dataset.DoesNotExist:
            raise ActionError(
                f"No dataset '{namespace}/{name}' in the catalog.", field="datasets", code="not_found"
            ) from None
    return rows


__all__ = ["PortDataset", "create_port", "delete_port", "set_port_datasets", "update_port"]
