"""Who a billing line belongs to: by tag first, then by the resource it names, else nobody.

1. A product tag (keys in ``MESH_COST_PRODUCT_TAG_KEYS``, value a product slug — which is also
   its ODPS id) attributes the line to that product.
2. A domain tag (``MESH_COST_DOMAIN_TAG_KEYS``) makes it a shared cost of that domain, split
   later across the domain's products by ``MESH_COST_SHARED_SPLIT``.
3. Untagged, the ``ResourceId`` is matched to harvested datasets — a Glue table ARN
   (namespace + ``:`` + name), or an S3 bucket/ARN against the datasets' ``location`` — and from
   there to the products whose output ports publish them (split equally when several do).
4. Otherwise the line is unattributed: reported, never dropped.

Everything the rules need is loaded once per import into dictionaries, so attributing a
million lines costs no query.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings

from apps.catalog.models import DataProduct, Domain, PortDataset, PortDirection
from apps.costs.models import Basis


@dataclass(frozen=True, slots=True)
class Attribution:
    basis: str
    product_ids: tuple[int, ...] = ()
    domain_id: int | None = None
    unknown_tag: str = ""  # a product tag that named no product


def _normalise_key(key: str) -> str:
    return key.strip().lower().replace("_", "-")


def _keys(setting: str, default: str) -> frozenset[str]:
    raw = getattr(settings, setting, default)
    return frozenset(_normalise_key(k) for k in raw.split(",") if k.strip())


def _bucket_of(resource: str) -> str:
    if resource.startswith("arn:aws:s3:::"):
        return resource[len("arn:aws:s3:::") :].split("/", 1)[0]
    if resource.startswith("s3://"):
        return resource[5:].split("/", 1)[0]
    return ""


class Attributor:
    """The attribution rules with the catalog's products, domains and datasets in memory."""

    def __init__(self):
        self.product_keys = _keys("MESH_COST_PRODUCT_TAG_KEYS", "data-product,dataproduct")
        self.domain_keys = _keys("MESH_COST_DOMAIN_TAG_KEYS", "domain")
        self.products: dict[str, tuple[int, int]] = {
            slug: (pk, domain_id) for pk, slug, domain_id in DataProduct.objects.values_list("pk", "slug", "domain_id")
        }
        self.domains: dict[str, int] = dict(Domain.objects.values_list("slug", "pk"))
        self.product_domain = dict(self.products.values())
        self.by_arn: dict[str, set[int]] = defaultdict(set)
        self.by_bucket: dict[str, set[int]] = defaultdict(set)
        published = PortDataset.objects.filter(
            port__direction=PortDirection.OUTPUT, dataset__removed_at__isnull=True
        ).values_list("port__product_id", "dataset__namespace", "dataset__name", "dataset__properties__location")
        for product_id, namespace, name, location in published:
            if namespace.startswith("arn:"):
                self.by_arn[f"{namespace}:{name}"].add(product_id)
            bucket = _bucket_of(location or "") if isinstance(location, str) else ""
            if bucket:
                self.by_bucket[bucket].add(product_id)

    def attribute(self, tags: dict, resource_id: str) -> Attribution:
        unknown = ""
        domain_id = None
        for key, value in tags.items():
            normalised = _normalise_key(key)
            if normalised in self.product_keys:
                hit = self.products.get(value.strip())
                if hit is not None:
                    return Attribution(Basis.PRODUCT_TAG, (hit[0],), hit[1])
                unknown = value.strip()
            elif normalised in self.domain_keys and domain_id is None:
                domain_id = self.domains.get(value.strip())
        if domain_id is not None:
            return Attribution(Basis.SHARED, (), domain_id, unknown)
        if resource_id:
            products = self.by_arn.get(resource_id) or self.by_bucket.get(_bucket_of(resource_id))
            if products:
                ids = tuple(sorted(products))
                domains = {self.product_domain.get(p) for p in ids}
                return Attribution(Basis.RESOURCE, ids, domains.pop() if len(domains) == 1 else None, unknown)
        return Attribution(Basis.UNATTRIBUTED, (), None, unknown)
