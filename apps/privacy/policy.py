"""Security levels with teeth: the policy of a product's classification, and who sees PII."""

from apps.catalog.permissions import can_edit_domain, can_edit_product
from apps.core.actors import is_admin
from apps.privacy.models import DEFAULT_POLICIES, LevelPolicy


def policies() -> dict[str, dict]:
    """{level: policy} from the table, falling back to the defaults for missing levels."""
    out = {level: dict(p) for level, p in DEFAULT_POLICIES.items()}
    for row in LevelPolicy.objects.values("level", "allows_personal_data", "mask_personal_data", "hide_sample_queries"):
        out[row.pop("level")] = row
    return out


def policy_for(level: str) -> dict:
    return policies().get(level, DEFAULT_POLICIES["internal"])


def can_classify(user, dataset, products=None) -> bool:
    """Owners of a product publishing or consuming the dataset, its domain's owners, admins."""
    if is_admin(user):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if dataset.domain_id and can_edit_domain(user, dataset.domain):
        return True
    if products is None:
        from apps.catalog.models import DataProduct

        products = DataProduct.objects.filter(ports__datasets=dataset).select_related("domain").distinct()
    return any(can_edit_product(user, p) for p in products)
