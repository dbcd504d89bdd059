"""Validation of a source's parts that every kind shares: mapping rules and schedule."""

from celery.schedules import crontab

from apps.catalog.models import DataProduct, Domain

RULE_MATCHERS = ("schema", "name", "namespace")
RULE_TARGETS = ("domain", "product")
RULE_KEYS = {*RULE_MATCHERS, *RULE_TARGETS, "port"}


def validate_mapping_rules(rules) -> list[tuple[str, str, str]]:
    """Field-level errors of ``rules``: [(field, code, message)], empty when valid.

    A rule is ``{"schema": glob | "name": glob | "namespace": glob, "domain": slug,
    "product": slug, "port": name}`` with at least one matcher and one target.
    """
    if rules in (None, ""):
        return []
    if not isinstance(rules, list):
        return [("mapping_rules", "invalid", "Mapping rules are a list of objects.")]
    errors = []
    domains, products = set(), set()
    for i, rule in enumerate(rules):
        field = f"mapping_rules[{i}]"
        if not isinstance(rule, dict):
            errors.append((field, "invalid", "Each mapping rule is an object."))
            continue
        unknown = set(rule) - RULE_KEYS
        if unknown:
            errors.append(
                (
                    field,
                    "unknown_key",
                    f"Unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(RULE_KEYS))}.",
                )
            )
        if not any(rule.get(k) for k in RULE_MATCHERS):
            errors.append(
                (
                    field,
                    "no_matcher",
                    "Say which datasets the rule matches: 'schema', 'name' or 'namespace' (glob patterns).",
                )
            )
        if not any(rule.get(k) for k in RULE_TARGETS):
            errors.append((field, "no_target", "Say where matching datasets go: 'domain' and/or 'product'."))
        if rule.get("port") and not rule.get("product"):
            errors.append(
                (field, "port_without_product", "'port' names an output port of 'product'; give the product too.")
            )
        for key in (*RULE_MATCHERS, *RULE_TARGETS, "port"):
            if key in rule and not isinstance(rule[key], str):
                errors.append((f"{field}.{key}", "invalid", f"'{key}' must be a string."))
        if isinstance(rule.get("domain"), str) and rule.get("domain"):
            domains.add((field, rule["domain"]))
        if isinstance(rule.get("product"), str) and rule.get("product"):
            products.add((field, rule["product"]))
    known_domains = (
        set(Domain.objects.filter(slug__in={s for _, s in domains}).values_list("slug", flat=True))
        if domains
        else set()
    )
    known_products = (
        set(DataProduct.objects.filter(slug__in={s for _, s in products}).values_list("slug", flat=True))
        if products
        else set()
    )
    errors += [(f"{f}.domain", "not_found", f"No domain '{s}'.") for f, s in sorted(domains) if s not in known_domains]
    errors += [
        (f"{f}.product", "not_found", f"No data product '{s}'.") for f, s in sorted(products) if s not in known_products
    ]
    return errors


def parse_schedule(schedule: str) -> dict | None:
    """A five-field cron expression → crontab fields; None for no schedule. Raises ValueError."""
    schedule = (schedule or "").strip()
    if not schedule:
        return None
    parts = schedule.split()
    if len(parts) != 5:
        raise ValueError(
            "Use a five-field cron expression: minute hour day-of-month month day-of-week (e.g. '0 3 * * *')."
        )
    minute, hour, day_of_month, month_of_year, day_of_week = parts
    crontab(minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year, day_of_week=day_of_week)
    return {
        "minute": minute,
        "hour": hour,
        "day_of_month": day_of_month,
        "month_of_year": month_of_year,
        "day_of_week": day_of_week,
    }
