"""What the contracts app tells people, through the outbox (``apps.core.events``).

Every emission of this app goes through this module, so routing (the events app: inbox,
e-mail, webhooks) can change without touching the actions. Events are written in the
caller's transaction: a rolled-back harvest or contract write tells nobody anything.
"""

from apps.core.events import emit, emit_many, register_event_type

EVENT_TYPES = {
    "mesh.contract.violated": ("A dataset no longer meets its active data contract.", True),
    "mesh.contract.met": ("A dataset meets its data contract again.", True),
    "mesh.contract.breaking_change_proposed": ("A new contract version would break consumers.", True),
    "mesh.contract.breaking_change_detected": ("A harvest found a change that breaks consumers of a contract.", True),
    "mesh.contract.version_published": ("A contract version was submitted or changed status.", False),
    "mesh.contract.acknowledged": ("A consumer acknowledged a breaking change.", False),
}
MAX_CONSUMERS_IN_EVENT = 200


def register_event_types() -> None:
    for name, (description, downstream) in EVENT_TYPES.items():
        register_event_type(name, description, downstream=downstream)


def _port_products(contract_ids) -> dict[int, tuple[str, str, str]]:
    """{contract id: (odcs id, product slug, domain slug)} in one query."""
    from apps.contracts.models import Contract

    return {
        pk: (odcs_id, product or "", domain or "")
        for pk, odcs_id, product, domain in Contract.objects.filter(pk__in=list(contract_ids)).values_list(
            "pk", "odcs_id", "port__product__slug", "port__product__domain__slug"
        )
    }


def verdicts_changed(runs) -> None:
    """One event per (contract, dataset) whose verdict turned violated or recovered."""
    if not runs:
        return
    names = _port_products({r.contract_id for r in runs})
    emit_many(
        [
            {
                "type": f"mesh.contract.{run.verdict}",
                "subject": f"contract/{names[run.contract_id][0]}/{run.object_name}",
                "data": {
                    "contract": names[run.contract_id][0],
                    "dataset_id": run.dataset_id,
                    "object": run.object_name,
                    "verdict": run.verdict,
                    "violations": [c for c in run.clauses if c["verdict"] == "violated"][:50],
                },
                "actor_label": "harvest",
                "product": names[run.contract_id][1],
                "domain": names[run.contract_id][2],
            }
            for run in runs
        ]
    )


def impact_published(report, entries, actor=None) -> None:
    """The breaking change and, for each consumer, exactly what changes for them."""
    odcs_id, product, domain = _port_products([report.contract_id]).get(report.contract_id, ("", "", ""))
    kind = "proposed" if report.trigger == "proposal" else "detected"
    emit(
        f"mesh.contract.breaking_change_{kind}",
        subject=f"contract/{odcs_id}",
        data={
            "contract": odcs_id,
            "impact_report": report.pk,
            "changes": report.changes,
            "affected": report.affected_count,
            "informed": report.informed_count,
            "consumers": [
                {
                    "kind": e.kind,
                    "level": e.level,
                    "product_id": e.product_id,
                    "dataset_id": e.dataset_id,
                    "user_id": e.user_id,
                    "columns": e.columns,
                    "message": e.reason,
                }
                for e in entries[:MAX_CONSUMERS_IN_EVENT]
            ],
        },
        actor=actor,
        product=product,
        domain=domain,
    )


def version_published(version, actor, *, what: str) -> None:
    odcs_id, product, domain = _port_products([version.contract_id]).get(version.contract_id, ("", "", ""))
    emit(
        "mesh.contract.version_published",
        subject=f"contract/{odcs_id}/{version.version}",
        data={
            "contract": odcs_id,
            "version": version.version,
            "status": version.status,
            "what": what,
            "level": version.level,
        },
        actor=actor,
        product=product,
        domain=domain,
    )


def acknowledged(entry, actor) -> None:
    report = entry.report
    odcs_id, product, domain = _port_products([report.contract_id]).get(report.contract_id, ("", "", ""))
    emit(
        "mesh.contract.acknowledged",
        subject=f"contract/{odcs_id}/impact/{report.pk}",
        data={"contract": odcs_id, "impact_report": report.pk, "entry": entry.pk, "kind": entry.kind},
        actor=actor,
        product=product,
        domain=domain,
    )
