"""Read what detection needs from the catalog in a few set-based queries (no N+1)."""

from collections import defaultdict

from apps.catalog.models import Column, Dataset, DatasetConstraint
from apps.privacy.categories import Category
from apps.privacy.detection.detector import ColumnFacts
from apps.privacy.detection.sampling import DatasetToSample

# Column tags that declare a category (dbt tags, harvested meta): "pii:email", "pii_email",
# "email" under a "pii" tag, and the ODCS classification values we understand.
_CATEGORY_ALIASES = {c: c for c in Category.values} | {
    "mail": Category.EMAIL,
    "e-mail": Category.EMAIL,
    "phone_number": Category.PHONE,
    "telephone": Category.PHONE,
    "person_name": Category.NAME,
    "full_name": Category.NAME,
    "first_name": Category.NAME,
    "last_name": Category.NAME,
    "postal_address": Category.ADDRESS,
    "ssn": Category.NATIONAL_ID,
    "credit_card": Category.PAYMENT_CARD,
    "card": Category.PAYMENT_CARD,
    "dob": Category.DATE_OF_BIRTH,
    "birth_date": Category.DATE_OF_BIRTH,
    "ip": Category.IP_ADDRESS,
    "geo": Category.LOCATION,
}


ANY_PERSONAL = "*"  # ``meta: {pii: true}``: personal data, category left to detection


def declared_categories(tags) -> set[str]:
    """Categories a column's harvested tags declare (dbt ``meta: {pii: email}`` arrives as ``pii:email``)."""
    out = set()
    for raw in tags or ():
        tag = str(raw).strip().lower()
        if tag == "pii":
            out.add(ANY_PERSONAL)
        for prefix in ("pii:", "pii_", "pii.", "subject:", "classification:"):
            if tag.startswith(prefix):
                category = _CATEGORY_ALIASES.get(tag[len(prefix) :])
                if category:
                    out.add(category)
    return out


def gather(dataset_ids: list[int]) -> tuple[list[ColumnFacts], dict[int, set[str]], list[DatasetToSample]]:
    """Facts per column, declared categories per column, and datasets as the sampler needs them."""
    keys: dict[int, set[str]] = defaultdict(set)
    for dataset_id, _kind, columns in DatasetConstraint.objects.filter(
        dataset_id__in=dataset_ids, kind__in=("primary_key", "unique")
    ).values_list("dataset_id", "kind", "columns"):
        if len(columns or []) == 1:
            keys[dataset_id].add(columns[0])
    datasets = {
        row[0]: row
        for row in Dataset.objects.filter(pk__in=dataset_ids, removed_at__isnull=True).values_list(
            "id", "name", "short_name", "namespace", "platform", "source_id"
        )
    }
    facts, declared = [], {}
    to_sample: dict[int, DatasetToSample] = {}
    columns = Column.objects.filter(dataset_id__in=list(datasets))
    for cid, did, name, dtype, desc, pk in columns.order_by("dataset_id", "ordinal").values_list(
        "id", "dataset_id", "name", "data_type", "description", "is_primary_key"
    ):
        d = datasets[did]
        facts.append(ColumnFacts(cid, name, dtype, desc, pk or name in keys[did], d[2]))
        entry = to_sample.get(did) or to_sample.setdefault(did, DatasetToSample(did, d[1], d[3], d[4], d[5], []))
        entry.columns.append((cid, name, dtype))
    # Tags apart: most columns have none, and decoding 100,000 empty JSON lists cost more than the rules
    for cid, tags in columns.exclude(tags=[]).values_list("id", "tags"):
        cats = declared_categories(tags)
        if cats:
            declared[cid] = cats
    return facts, declared, list(to_sample.values())
