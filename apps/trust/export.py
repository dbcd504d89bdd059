"""The maturity level in a product's ODPS export (``customProperties.maturity``)."""


def maturity_properties(product) -> dict:
    from apps.trust.models import ProductMaturity

    row = ProductMaturity.objects.filter(product_id=product.pk).values("score", "level").first()
    return {"maturity": {"level": row["level"], "score": row["score"]}} if row else {}
