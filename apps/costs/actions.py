"""Every write of the costs app: imports (platform team), budgets (owners), exchange rates (admins)."""

import hashlib
import io
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction

from apps.catalog.permissions import can_edit_product
from apps.core.actors import actor_label, is_admin
from apps.core.errors import ActionError
from apps.core.events import emit
from apps.core.history import record_change
from apps.core.models import ChangeAction
from apps.core.writes import require
from apps.costs.formats import READERS
from apps.costs.formats.common import BillingFileError
from apps.costs.formats.common import currency as parse_currency
from apps.costs.importer import import_billing_file
from apps.costs.models import Budget, CostImport, ExchangeRate, ImportStatus

DEFAULT_MAX_BYTES = 2 * 1024**3


def import_costs(actor, stream, *, fmt: str, source_name: str, file_name: str, size: int | None = None) -> CostImport:
    """Import a billing export (binary stream). Only admins (the platform team) import."""
    require(is_admin(actor), "Only the platform team imports billing files.")
    if fmt not in READERS:
        raise ActionError(f"Unknown format {fmt!r}; use one of: {', '.join(sorted(READERS))}.", field="format")
    source_name = (source_name or "").strip()
    if not source_name or len(source_name) > 100:
        raise ActionError("Name the billing source (1–100 characters), e.g. aws-main.", field="source")
    limit = getattr(settings, "MESH_COST_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES)
    if size is not None and size > limit:
        raise ActionError(f"The file is larger than {limit} bytes (MESH_COST_MAX_UPLOAD_BYTES).", code="too_large")
    digest = hashlib.sha256()
    hashing = _HashingReader(stream, digest, limit)
    text = io.TextIOWrapper(hashing, encoding="utf-8-sig", errors="strict", newline="")
    result = import_billing_file(
        text, fmt=fmt, source_name=source_name, file_name=file_name, sha256="", actor_label=actor_label(actor)
    )
    CostImport.objects.filter(pk=result.pk).update(sha256=digest.hexdigest())
    result.sha256 = digest.hexdigest()
    if result.status == ImportStatus.SUCCEEDED:
        with transaction.atomic():
            emit(
                "mesh.cost.imported",
                subject=f"cost-import/{result.pk}",
                data={"source": source_name, "lines": result.line_count, "periods": result.periods},
                actor=actor,
            )
    return result


class _HashingReader(io.RawIOBase):
    """Reads through a binary stream, hashing it and refusing more than ``limit`` bytes."""

    def __init__(self, stream, digest, limit: int):
        self.stream, self.digest, self.limit, self.read_bytes = stream, digest, limit, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        chunk = self.stream.read(len(buffer))
        if not chunk:
            return 0
        self.read_bytes += len(chunk)
        if self.read_bytes > self.limit:
            raise BillingFileError(f"The file is larger than {self.limit} bytes (MESH_COST_MAX_UPLOAD_BYTES).")
        self.digest.update(chunk)
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _amount(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ActionError("Give an amount such as 1200.50.", field=field) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal(10) ** 12:
        raise ActionError("The amount must be between 0 and 10¹².", field=field)
    return amount.quantize(Decimal("0.01"))


def set_budget(actor, product, *, amount, currency: str, via: str = "web") -> Budget | None:
    """Set (or with ``amount`` None, remove) a product's monthly budget. Owners only."""
    require(can_edit_product(actor, product), "Only the product's owners set its budget.")
    existing = Budget.objects.filter(product=product).first()
    before = {"amount": str(existing.amount), "currency": existing.currency} if existing else None
    with transaction.atomic():
        if amount in (None, ""):
            if existing:
                existing.delete()
                record_change(
                    actor, product, ChangeAction.UPDATE, before={"budget": before}, after={"budget": None}, via=via
                )
            return None
        try:
            code = parse_currency(currency, line=0, column="currency")
        except BillingFileError as exc:
            raise ActionError(exc.message, field="currency") from None
        budget = existing or Budget(product=product)
        budget.amount, budget.currency = _amount(amount, "amount"), code
        budget.updated_by = actor if getattr(actor, "pk", None) else None
        budget.last_alerted_month = (
            None if before != {"amount": str(budget.amount), "currency": code} else budget.last_alerted_month
        )
        budget.save()
        record_change(
            actor,
            product,
            ChangeAction.UPDATE,
            before={"budget": before},
            after={"budget": {"amount": str(budget.amount), "currency": code}},
            via=via,
        )
        return budget


def set_exchange_rate(actor, *, month, currency: str, to_currency: str, rate) -> ExchangeRate:
    require(is_admin(actor), "Only admins set exchange rates.")
    try:
        code = parse_currency(currency, line=0, column="currency")
        target = parse_currency(to_currency, line=0, column="to_currency")
    except BillingFileError as exc:
        raise ActionError(exc.message, field=exc.column) from None
    try:
        value = Decimal(str(rate))
    except InvalidOperation:
        raise ActionError("The rate must be a number.", field="rate") from None
    if not value.is_finite() or value <= 0:
        raise ActionError("The rate must be positive.", field="rate")
    obj, _ = ExchangeRate.objects.update_or_create(
        month=month.replace(day=1), currency=code, to_currency=target, defaults={"rate": value}
    )
    return obj
