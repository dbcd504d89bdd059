"""GraphQL of the privacy app: classifications, conflicts, the finder, forget requests.

Compose with ``class Query(PrivacyQuery, …)`` and ``class Mutation(PrivacyMutation, …)``.
Lists are bounded by ``first`` (≤ 500) and load related rows with ``select_related`` in the
list's one query; mutations go through ``apps.privacy.actions`` with typed errors.
"""

import graphene
from graphene.types.generic import GenericScalar

from apps.catalog.models import Column
from apps.core.errors import NotFoundError
from apps.privacy import actions
from apps.privacy.categories import tag_for
from apps.privacy.conflicts import conflicts_by_domain
from apps.privacy.finder import find
from apps.privacy.models import ColumnClassification, ForgetRequest, ForgetTask
from mesh_catalog.graphql.mutations import VIA, ActionMutation


def _bounded(first: int) -> int:
    return max(1, min(first or 100, 500))


class ColumnClassificationType(graphene.ObjectType):
    """A personal-data category or subject identifier on a column, with its state and evidence."""

    class Meta:
        name = "ColumnClassification"

    id = graphene.ID(required=True)
    column_id = graphene.ID(required=True)
    column_name = graphene.String(required=True)
    dataset_id = graphene.ID(required=True)
    category = graphene.String(required=True)
    tag = graphene.String(required=True, description="pii:<category> or subject:<identifier>")
    state = graphene.String(required=True, description="suggested | confirmed | rejected")
    origin = graphene.String(required=True, description="detected | propagated | declared | manual")
    confidence = graphene.Float(required=True)
    reason = graphene.String(required=True)
    rule = graphene.String(required=True)
    sampled = graphene.Int(description="Values sampled (never stored).")
    matched = graphene.Int(description="Sampled values the rule accepted.")
    weak = graphene.Boolean(required=True, description="Propagated along table lineage only.")
    decided_by = graphene.String()
    decided_at = graphene.DateTime()

    resolve_column_name = staticmethod(lambda c, info: c.column.name)
    resolve_dataset_id = staticmethod(lambda c, info: c.column.dataset_id)
    resolve_tag = staticmethod(lambda c, info: tag_for(c.category))
    resolve_decided_by = staticmethod(lambda c, info: c.decided_by.get_username() if c.decided_by_id else None)


class ConflictType(graphene.ObjectType):
    """A product publishing personal data at a classification that does not allow it."""

    class Meta:
        name = "ClassificationConflict"

    id = graphene.ID(required=True)
    product_slug = graphene.String(required=True)
    product_name = graphene.String(required=True)
    domain_slug = graphene.String(required=True)
    classification = graphene.String(required=True)
    categories = graphene.List(graphene.NonNull(graphene.String), required=True)
    confirmed = graphene.Boolean(required=True)
    columns = GenericScalar(required=True, description="[{id, dataset, name, category, state, weak}]")
    detected_at = graphene.DateTime(required=True)

    resolve_product_slug = staticmethod(lambda c, info: c.product.slug)
    resolve_product_name = staticmethod(lambda c, info: c.product.name)
    resolve_domain_slug = staticmethod(lambda c, info: c.product.domain.slug)


class ForgetTaskType(graphene.ObjectType):
    """One owning product's part of a forget request."""

    class Meta:
        name = "ForgetTask"

    id = graphene.ID(required=True)
    product_slug = graphene.String()
    product_name = graphene.String(required=True)
    status = graphene.String(required=True, description="open | done | not_applicable")
    comment = graphene.String(required=True)
    datasets = GenericScalar(required=True, description="The finder's entries: columns, queries, retention.")

    resolve_product_slug = staticmethod(lambda t, info: t.product.slug if t.product_id else None)


class ForgetRequestType(graphene.ObjectType):
    """A right-to-be-forgotten case: one task per owning product."""

    class Meta:
        name = "ForgetRequest"

    id = graphene.ID(required=True)
    identifier_type = graphene.String(required=True)
    reference = graphene.String(required=True)
    note = graphene.String(required=True)
    status = graphene.String(required=True)
    created_at = graphene.DateTime(required=True)
    closed_at = graphene.DateTime()
    tasks = graphene.List(graphene.NonNull(ForgetTaskType), required=True)

    resolve_tasks = staticmethod(lambda r, info: list(r.tasks.all()))


def _visible_requests(user):
    from apps.catalog.permissions import editable_products
    from apps.privacy.actions.forget import can_open_requests

    rows = ForgetRequest.objects.order_by("-created_at").prefetch_related("tasks__product")
    if not can_open_requests(user):
        rows = rows.filter(tasks__product__in=editable_products(user)).distinct()
    return rows


class PrivacyQuery(graphene.ObjectType):
    """Column classifications, conflicts, the right-to-be-forgotten finder and forget requests."""

    dataset_classifications = graphene.List(
        graphene.NonNull(ColumnClassificationType), required=True, dataset_id=graphene.ID(required=True)
    )
    privacy_classifications = graphene.List(
        graphene.NonNull(ColumnClassificationType),
        required=True,
        state=graphene.String(),
        category=graphene.String(),
        first=graphene.Int(default_value=100),
    )
    privacy_conflicts = graphene.List(graphene.NonNull(ConflictType), required=True)
    subject_finder = GenericScalar(
        identifier_type=graphene.String(required=True),
        value=graphene.String(),
        description="Every dataset and column holding this subject identifier, with owners and queries.",
    )
    forget_requests = graphene.List(
        graphene.NonNull(ForgetRequestType), required=True, first=graphene.Int(default_value=50)
    )

    def resolve_dataset_classifications(root, info, dataset_id):
        if not str(dataset_id).isdigit():
            return []
        return list(
            ColumnClassification.objects.filter(column__dataset_id=dataset_id)
            .select_related("column", "decided_by")
            .order_by("column__ordinal", "category")
        )

    def resolve_privacy_classifications(root, info, state=None, category=None, first=100):
        rows = ColumnClassification.objects.select_related("column", "decided_by").order_by("-confidence", "id")
        if state:
            rows = rows.filter(state=state)
        if category:
            rows = rows.filter(category=category)
        return list(rows[: _bounded(first)])

    def resolve_privacy_conflicts(root, info):
        return [c for group in conflicts_by_domain() for c in group["conflicts"]]

    def resolve_subject_finder(root, info, identifier_type, value=None):
        from graphql import GraphQLError

        from apps.core.errors import ActionError

        try:
            return find(identifier_type, value=value)
        except ActionError as exc:
            raise GraphQLError(exc.message) from None

    def resolve_forget_requests(root, info, first=50):
        if not getattr(info.context.user, "is_authenticated", False):
            return []
        return list(_visible_requests(info.context.user)[: _bounded(first)])


class DecideClassification(ActionMutation):
    """Confirm or reject a suggested category (owners of a product using the dataset)."""

    class Arguments:
        id = graphene.ID(required=True)
        decision = graphene.String(required=True, description="confirm | reject")

    classification = graphene.Field(ColumnClassificationType)

    @classmethod
    def get_target(cls, info, id, **args):
        row = ColumnClassification.objects.filter(pk=id).first() if str(id).isdigit() else None
        if row is None:
            raise NotFoundError(f"No classification '{id}'.", field="id")
        return row

    @classmethod
    def perform(cls, info, target, decision, **args):
        row = actions.decide(info.context.user, target, decision, via=VIA)
        return {"classification": ColumnClassification.objects.select_related("column", "decided_by").get(pk=row.pk)}


class ClassifyColumn(ActionMutation):
    """Tag a column with a category detection missed (confirmed at once)."""

    class Arguments:
        column_id = graphene.ID(required=True)
        category = graphene.String(required=True)

    classification = graphene.Field(ColumnClassificationType)

    @classmethod
    def get_target(cls, info, column_id, **args):
        column = (
            Column.objects.select_related("dataset__domain").filter(pk=column_id).first()
            if str(column_id).isdigit()
            else None
        )
        if column is None:
            raise NotFoundError(f"No column '{column_id}'.", field="columnId")
        return column

    @classmethod
    def perform(cls, info, target, category, **args):
        row = actions.classify_column(info.context.user, target, category, via=VIA)
        return {"classification": ColumnClassification.objects.select_related("column", "decided_by").get(pk=row.pk)}


class OpenForgetRequest(ActionMutation):
    """Open a right-to-be-forgotten case: one task per owning product, owners are notified."""

    class Arguments:
        identifier_type = graphene.String(required=True)
        reference = graphene.String(required=True)
        note = graphene.String()

    forget_request = graphene.Field(ForgetRequestType)

    @classmethod
    def perform(cls, info, target, identifier_type, reference, note="", **args):
        return {
            "forget_request": actions.open_request(
                info.context.user, identifier_type=identifier_type, reference=reference, note=note or "", via=VIA
            )
        }


class SettleForgetTask(ActionMutation):
    """Mark your product's part of a forget request done or not applicable."""

    class Arguments:
        id = graphene.ID(required=True)
        status = graphene.String(required=True)
        comment = graphene.String()

    task = graphene.Field(ForgetTaskType)

    @classmethod
    def get_target(cls, info, id, **args):
        task = ForgetTask.objects.select_related("product__domain").filter(pk=id).first() if str(id).isdigit() else None
        if task is None:
            raise NotFoundError(f"No forget task '{id}'.", field="id")
        return task

    @classmethod
    def perform(cls, info, target, status, comment="", **args):
        return {"task": actions.settle_task(info.context.user, target, status=status, comment=comment or "", via=VIA)}


class PrivacyMutation(graphene.ObjectType):
    decide_classification = DecideClassification.Field()
    classify_column = ClassifyColumn.Field()
    open_forget_request = OpenForgetRequest.Field()
    settle_forget_task = SettleForgetTask.Field()


__all__ = ["PrivacyMutation", "PrivacyQuery"]
