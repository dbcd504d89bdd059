"""One readable sentence per event, for the inbox and e-mails (the data stays structured)."""


def summary(event) -> str:
    d = event.data or {}
    who = event.actor_label or "someone"
    product = d.get("product_name") or d.get("product") or ""
    port = f"{d.get('product', '')}:{d.get('port', '')}"
    t = event.type
    if t == "mesh.product.created":
        return f"{who} created the data product {product}."
    if t == "mesh.product.updated":
        return f"{who} changed {', '.join(sorted(d.get('changes', {}))) or 'details'} of {product}."
    if t == "mesh.product.deleted":
        return f"{who} deleted the data product {product}."
    if t == "mesh.product.lifecycle_changed":
        return f"{product} moved from {d.get('before')} to {d.get('after')}."
    if t.startswith("mesh.port."):
        return f"{who} {t.rsplit('.', 1)[1]} the port {port}."
    if t.startswith("mesh.ownership."):
        verb = "gave" if t.endswith("created") else "removed"
        scope = product or d.get("domain", "")
        return f"{who} {verb} the {d.get('role', 'owner')} role on {scope} {'to' if verb == 'gave' else 'from'} {d.get('holder')}."
    if t == "mesh.dataset.schema_changed":
        kind = "Breaking schema change" if d.get("breaking") else "Schema change"
        cols = ", ".join(f"{c['type'].replace('_', ' ')} {c['column']}" for c in d.get("changes", [])[:5])
        return f"{kind} on {d.get('name', event.subject)}: {cols}."
    if t == "mesh.harvest.failed":
        first = (d.get("errors") or [{}])[0].get("message", "")
        return f"The harvest of {d.get('source')} failed: {first}"
    if t.startswith("mesh.access."):
        kind = t.rsplit(".", 1)[1]
        if kind == "requested":
            return f"{d.get('requester')} requested access to {port}: “{d.get('reason', '')[:140]}”"
        extra = f" — “{d['comment']}”" if d.get("comment") else ""
        return f"Access of {d.get('requester')} to {port} was {kind}{extra}."
    return f"{t} on {event.subject}."
