"""GraphQL for costs: ``productCosts(slug, months)``, per currency, never mixed."""

import graphene
from graphql import GraphQLError

from apps.catalog.models import DataProduct
from apps.costs import reports
from apps.costs.api.views import MAX_MONTHS


class MonthAmount(graphene.ObjectType):
    month = graphene.String(required=True, description="YYYY-MM")
    amount = graphene.String(required=True, description="Decimal amount, as text to keep precision.")


class ServiceAmount(graphene.ObjectType):
    service = graphene.String(required=True)
    amount = graphene.String(required=True)


class CurrencyCost(graphene.ObjectType):
    """The product's cost in one currency (amounts in different currencies are never added)."""

    currency = graphene.String(required=True)
    total = graphene.String(required=True)
    this_month = graphene.String(required=True)
    by_month = graphene.List(graphene.NonNull(MonthAmount), required=True)
    by_service = graphene.List(graphene.NonNull(ServiceAmount), required=True, description="This month.")


class ProductCost(graphene.ObjectType):
    product = graphene.String(required=True)
    currencies = graphene.List(graphene.NonNull(CurrencyCost), required=True)
    manual_amount = graphene.String(description="The owners' hand-typed estimate per month, if any.")
    manual_currency = graphene.String()


class CostsQuery(graphene.ObjectType):
    product_costs = graphene.Field(
        ProductCost,
        slug=graphene.String(required=True),
        months=graphene.Int(default_value=12),
        description="Measured cost of a product from imported billing exports.",
    )

    def resolve_product_costs(root, info, slug, months=12):
        user = info.context.user
        if not getattr(user, "is_authenticated", False):
            raise GraphQLError("Log in to read costs.")
        if not 1 <= months <= MAX_MONTHS:
            raise GraphQLError(f"months must be from 1 to {MAX_MONTHS}.")
        product = DataProduct.objects.filter(slug=slug).first()
        if product is None:
            return None
        data = reports.product_costs(product, months=months).as_dict()
        return ProductCost(
            product=product.slug,
            currencies=[
                CurrencyCost(
                    currency=c,
                    total=v["total"],
                    this_month=v["this_month"],
                    by_month=[
                        MonthAmount(month=m, amount=a) for m, a in zip(data["months"], v["by_month"], strict=True)
                    ],
                    by_service=[ServiceAmount(**s) for s in v["by_service"]],
                )
                for c, v in data["currencies"].items()
            ],
            manual_amount=str(product.cost_per_month) if product.cost_per_month is not None else None,
            manual_currency=product.cost_currency or None,
        )
