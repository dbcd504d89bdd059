"""Plain-dict shapes of classifications, conflicts and forget requests (REST, exports)."""

from apps.privacy.categories import tag_for


def classification(c) -> dict:
    return {
        "id": c.pk,
        "column": {"id": c.column_id, "name": c.column.name, "data_type": c.column.data_type},
        "dataset_id": c.column.dataset_id,
        "category": c.category,
        "tag": tag_for(c.category),
        "state": c.state,
        "origin": c.origin,
        "confidence": round(c.confidence, 3),
        "reason": c.reason,
        "rule": c.rule,
        "sampled": c.sampled,
        "matched": c.matched,
        "weak": c.weak,
        "propagated_from": c.propagated_from_id,
        "decided_by": c.decided_by.get_username() if c.decided_by_id else None,
        "decided_at": c.decided_at.isoformat() if c.decided_at else None,
    }


def conflict(c) -> dict:
    return {
        "id": c.pk,
        "product": {"slug": c.product.slug, "name": c.product.name, "domain": c.product.domain.slug},
        "classification": c.classification,
        "categories": c.categories,
        "confirmed": c.confirmed,
        "columns": c.columns,
        "detected_at": c.detected_at.isoformat(),
        "updated_at": c.updated_at.isoformat(),
    }


def task(t) -> dict:
    return {
        "id": t.pk,
        "product": t.product.slug if t.product_id else None,
        "product_name": t.product_name,
        "status": t.status,
        "comment": t.comment,
        "done_by": t.done_by.get_username() if t.done_by_id else None,
        "updated_at": t.updated_at.isoformat(),
        "datasets": t.datasets,
    }


def forget_request(r, *, tasks=None) -> dict:
    tasks = list(r.tasks.all()) if tasks is None else tasks
    return {
        "id": r.pk,
        "identifier_type": r.identifier_type,
        "reference": r.reference,
        "note": r.note,
        "status": r.status,
        "requested_by": r.requested_by.get_username() if r.requested_by_id else None,
        "created_at": r.created_at.isoformat(),
        "closed_at": r.closed_at.isoformat() if r.closed_at else None,
        "tasks": [task(t) for t in tasks],
    }


CSV_FIELDS = [
    "request",
    "reference",
    "identifier_type",
    "product",
    "task_status",
    "task_comment",
    "dataset",
    "server",
    "columns",
    "personal_columns",
    "retention",
    "select",
    "erase",
]


def csv_rows(r, tasks) -> list[dict]:
    rows = []
    for t in tasks:
        for d in t.datasets or [{}]:
            rows.append(
                {
                    "request": r.pk,
                    "reference": r.reference,
                    "identifier_type": r.identifier_type,
                    "product": t.product_name,
                    "task_status": t.status,
                    "task_comment": t.comment,
                    "dataset": (d.get("dataset") or {}).get("name", ""),
                    "server": d.get("server", ""),
                    "columns": " ".join(c["name"] for c in d.get("columns", [])),
                    "personal_columns": " ".join(f"{p['name']}:{p['category']}" for p in d.get("personal_columns", [])),
                    "retention": d.get("retention", ""),
                    "select": (d.get("queries") or {}).get("select", ""),
                    "erase": (d.get("queries") or {}).get("erase", ""),
                }
            )
    return rows
