"""Extending an access grant to personal data: the lab then shows those columns unmasked."""

from django.db import transaction

from apps.catalog.permissions import can_edit_product
from apps.core.errors import ActionError
from apps.core.history import record_change
from apps.core.models import ChangeAction
from apps.core.writes import require
from apps.privacy.models import PersonalDataGrant


def allow_personal_data(actor, grant, *, purpose: str, via: str = "web") -> PersonalDataGrant:
    require(can_edit_product(actor, grant.port.product), "Only the product's owners extend a grant to personal data.")
    purpose = (purpose or "").strip()
    if len(purpose) < 10 or len(purpose) > 500:
        raise ActionError("Record the purpose (10 to 500 characters).", field="purpose", code="required")
    if not grant.is_active:
        raise ActionError("The grant is not active.", field="grant", code="inactive")
    with transaction.atomic():
        pdg, created = PersonalDataGrant.objects.update_or_create(
            grant=grant, defaults={"purpose": purpose, "granted_by": actor if getattr(actor, "pk", None) else None}
        )
        record_change(
            actor,
            grant,
            ChangeAction.UPDATE,
            before={"personal_data": None},
            after={"personal_data": purpose},
            via=via,
        )
    return pdg


def revoke_personal_data(actor, grant, *, via: str = "web") -> None:
    require(can_edit_product(actor, grant.port.product), "Only the product's owners change a grant.")
    with transaction.atomic():
        deleted, _ = PersonalDataGrant.objects.filter(grant=grant).delete()
        if deleted:
            record_change(
                actor,
                grant,
                ChangeAction.UPDATE,
                before={"personal_data": "granted"},
                after={"personal_data": None},
                via=via,
            )
