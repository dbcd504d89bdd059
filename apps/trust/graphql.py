"""GraphQL of the trust app: explained maturity, the leaderboard, incidents (mixins for the root).

Compose with ``class Query(TrustQuery, …)`` and ``class Mutation(TrustMutation, …)``.
Scores resolve from the stored explanation (one query per product asked for); lists are
capped and batched.
"""

import graphene
from django.db.models import Prefetch

from apps.catalog.models import DataProduct, Domain
from apps.catalog.permissions import can_edit_product
from apps.core.errors import NotFoundError
from apps.trust import actions
from apps.trust.models import Incident, IncidentUpdate, ProductMaturity
from apps.trust.rubric import PRINCIPLES
from apps.trust.scoring import explain, recompute
from mesh_catalog.graphql.mutations import VIA, ActionMutation

MAX_ROWS = 500


class MaturityEvidence(graphene.ObjectType):
    """Something at fault: an undescribed column, a failing check, a port without endpoint."""

    label = graphene.String(required=True)
    url = graphene.String()


class MaturityCriterion(graphene.ObjectType):
    """One rubric criterion for one product: passed (null: not applicable), points, evidence, fix."""

    id = graphene.String(required=True)
    passed = graphene.Boolean()
    points = graphene.Float(required=True)
    count = graphene.Int(required=True)
    note = graphene.String(required=True)
    evidence = graphene.List(graphene.NonNull(MaturityEvidence), required=True)
    explanation = graphene.String(required=True)
    fix = graphene.String(required=True)


class MaturityPrinciple(graphene.ObjectType):
    """A DATSIS principle's score (null when no criterion applies) and its criteria."""

    name = graphene.String(required=True)
    label = graphene.String(required=True)
    score = graphene.Float()
    criteria = graphene.List(graphene.NonNull(MaturityCriterion), required=True)


class MaturityNextAction(graphene.ObjectType):
    id = graphene.String(required=True)
    points = graphene.Float(required=True)
    fix = graphene.String(required=True)


class Maturity(graphene.ObjectType):
    """A product's DATSIS maturity: overall score, level, principles and what to fix next."""

    product = graphene.String(required=True, description="Product slug.")
    score = graphene.Float(required=True)
    level = graphene.Int(required=True)
    level_name = graphene.String(required=True)
    weakest = graphene.String(required=True)
    computed_at = graphene.String(required=True)
    principles = graphene.List(graphene.NonNull(MaturityPrinciple), required=True)
    next_actions = graphene.List(graphene.NonNull(MaturityNextAction), required=True)


def _maturity_object(slug: str, maturity: ProductMaturity) -> dict:
    data = explain(maturity)
    data["product"] = slug
    data["principles"] = [{"name": p, **data["principles"][p]} for p in PRINCIPLES]
    return data


class LeaderboardEntry(graphene.ObjectType):
    product = graphene.String(required=True)
    name = graphene.String(required=True)
    domain = graphene.String(required=True)
    score = graphene.Float(required=True)
    level = graphene.Int(required=True)
    weakest = graphene.String(required=True)


class IncidentUpdateType(graphene.ObjectType):
    class Meta:
        name = "IncidentUpdate"

    time = graphene.DateTime(required=True)
    kind = graphene.String(required=True)
    message = graphene.String(required=True)
    author_label = graphene.String(required=True)


class IncidentType(graphene.ObjectType):
    """Something wrong with a product: severity, cause, timeline; open until resolved."""

    class Meta:
        name = "Incident"

    id = graphene.ID(required=True)
    product = graphene.String(required=True)
    title = graphene.String(required=True)
    severity = graphene.String(required=True)
    cause = graphene.String(required=True)
    opened_at = graphene.DateTime(required=True)
    resolved_at = graphene.DateTime()
    is_open = graphene.Boolean(required=True)
    updates = graphene.List(graphene.NonNull(IncidentUpdateType), required=True)

    def resolve_product(incident, info):
        return incident.product.slug

    def resolve_updates(incident, info):
        return list(incident.updates.all())


def _incidents():
    return Incident.objects.select_related("product").prefetch_related(
        Prefetch("updates", queryset=IncidentUpdate.objects.order_by("time", "id"))
    )


class TrustQuery(graphene.ObjectType):
    """Maturity scores and incidents."""

    product_maturity = graphene.Field(
        Maturity, slug=graphene.String(required=True), description="A product's explained score."
    )
    maturity_leaderboard = graphene.List(
        graphene.NonNull(LeaderboardEntry),
        required=True,
        level=graphene.Int(),
        domain=graphene.String(description="Domain slug; includes its sub-domains."),
        first=graphene.Int(default_value=50),
    )
    incidents = graphene.List(
        graphene.NonNull(IncidentType),
        required=True,
        product=graphene.String(description="Product slug."),
        open=graphene.Boolean(description="Only open (true) or resolved (false) incidents."),
        first=graphene.Int(default_value=50),
    )

    def resolve_product_maturity(root, info, slug):
        product = DataProduct.objects.filter(slug=slug).only("id", "slug").first()
        if product is None:
            return None
        maturity = ProductMaturity.objects.filter(product=product).first()
        if maturity is None:
            recompute([product.pk])
            maturity = ProductMaturity.objects.get(product=product)
        return _maturity_object(product.slug, maturity)

    def resolve_maturity_leaderboard(root, info, level=None, domain=None, first=50):
        rows = ProductMaturity.objects.select_related("product__domain").order_by("-score", "product__slug")
        if level is not None:
            rows = rows.filter(level=level)
        if domain:
            found = Domain.objects.filter(slug=domain).first()
            if found is None:
                return []
            rows = rows.filter(product__domain__path__startswith=found.path)
        return [
            {
                "product": r.product.slug,
                "name": r.product.name,
                "domain": r.product.domain.slug,
                "score": r.score,
                "level": r.level,
                "weakest": r.weakest,
            }
            for r in rows[: max(1, min(first, MAX_ROWS))]
        ]

    def resolve_incidents(root, info, product=None, open=None, first=50):
        qs = _incidents().order_by("-opened_at", "-id")
        if product:
            qs = qs.filter(product__slug=product)
        if open is not None:
            qs = qs.filter(resolved_at__isnull=open)
        return list(qs[: max(1, min(first, MAX_ROWS))])


class OpenIncident(ActionMutation):
    """Open an incident on a product (its owners)."""

    class Arguments:
        product = graphene.String(required=True, description="Product slug.")
        title = graphene.String(required=True)
        severity = graphene.String(default_value="major", description="critical | major | minor")
        message = graphene.String()

    incident = graphene.Field(IncidentType)
    permission = staticmethod(can_edit_product)
    permission_message = "Only the product's owners may open an incident on it."

    @classmethod
    def get_target(cls, info, product, **args):
        found = DataProduct.objects.select_related("domain").filter(slug=product).first()
        if found is None:
            raise NotFoundError(f"No product '{product}'.", field="product")
        return found

    @classmethod
    def perform(cls, info, target, title, severity="major", message="", **args):
        incident = actions.open_incident(
            info.context.user, target, title=title, severity=severity, message=message or "", via=VIA
        )
        return {"incident": _incidents().get(pk=incident.pk)}


class ResolveIncident(ActionMutation):
    """Resolve an open incident (the product's owners)."""

    class Arguments:
        id = graphene.ID(required=True)
        message = graphene.String()

    incident = graphene.Field(IncidentType)
    permission = staticmethod(lambda user, incident: can_edit_product(user, incident.product))
    permission_message = "Only the product's owners may resolve its incidents."

    @classmethod
    def get_target(cls, info, id, **args):
        found = _incidents().select_related("product__domain").filter(pk=id).first() if str(id).isdigit() else None
        if found is None:
            raise NotFoundError(f"No incident '{id}'.", field="id")
        return found

    @classmethod
    def perform(cls, info, target, message="", **args):
        actions.resolve_incident(info.context.user, target, message=message or "", via=VIA)
        return {"incident": _incidents().get(pk=target.pk)}


class TrustMutation(graphene.ObjectType):
    open_incident = OpenIncident.Field()
    resolve_incident = ResolveIncident.Field()
