"""Every write to sources and harvest runs. Pages, GraphQL, REST and commands call these.

Only admins (the platform team) manage sources and trigger harvests. Secrets are accepted
here and stored encrypted; nothing returned or recorded ever contains them.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.actors import actor_label, is_admin
from apps.core.errors import ActionError, ConflictError
from apps.core.history import record_change
from apps.core.models import ChangeAction
from apps.core.writes import require, validate
from apps.harvest.asyncapi_uploads import UploadError as AsyncAPIUploadError
from apps.harvest.asyncapi_uploads import store_documents
from apps.harvest.harvesters.base import ConfigError, ConnectionCheck, harvester_registry
from apps.harvest.harvesters.dbt.artifacts import ArtifactError
from apps.harvest.models import HarvestRun, RunStatus, Source
from apps.harvest.schedule import remove_schedule, sync_schedule
from apps.harvest.uploads import store_artifacts
from apps.harvest.validation import parse_schedule, validate_mapping_rules

ADMINS_ONLY = "Only admins (the platform team) manage sources and harvests."
SOURCE_FIELDS = {
    "name",
    "description",
    "config",
    "secrets",
    "schedule",
    "mapping_rules",
    "enabled",
    "max_removal_share",
}


def source_snapshot(source: Source) -> dict:
    """The recorded state of a source: secrets appear only as the names of the keys set."""
    return {
        "name": source.name,
        "kind": source.kind,
        "description": source.description,
        "config": source.config,
        "secret_keys": source.secret_keys,
        "schedule": source.schedule,
        "mapping_rules": source.mapping_rules,
        "enabled": source.enabled,
        "max_removal_share": source.max_removal_share,
    }


def _harvester_class(kind: str):
    if kind not in harvester_registry:
        known = ", ".join(sorted(harvester_registry)) or "none"
        raise ActionError(f"Unknown source kind '{kind}' (known: {known}).", field="kind", code="unknown_kind")
    return harvester_registry[kind]


def _clean(source: Source, config: dict, secrets: dict | None) -> None:
    """Validate everything about ``source``; collect every field error before raising."""
    cls = _harvester_class(source.kind)
    errors = []
    if not isinstance(config, dict):
        raise ActionError("The configuration is a JSON object.", field="config", code="invalid")
    config, inline_secrets = cls.split_secrets(config)
    merged = {**(source.secrets or {}), **inline_secrets, **(secrets or {})}
    merged = {k: v for k, v in merged.items() if v not in (None, "")}
    unknown = set(merged) - set(cls.secret_fields)
    if unknown:
        errors.append(
            (
                "secrets",
                "unknown_key",
                f"Unknown secret(s) {', '.join(sorted(unknown))}; '{source.kind}' takes: {', '.join(cls.secret_fields) or 'none'}.",
            )
        )
    try:
        source.config = cls.validate_config(config)
    except ConfigError as exc:
        errors += [
            (f"config.{key}", "invalid", message) for key, messages in exc.errors.items() for message in messages
        ]
    errors += validate_mapping_rules(source.mapping_rules)
    try:
        parse_schedule(source.schedule)
    except ValueError as exc:
        errors.append(("schedule", "invalid", str(exc)))
    if errors:
        raise ActionError(errors[0][2], errors=errors)
    source.secrets = merged
    validate(source)


def create_source(
    actor,
    *,
    name: str,
    kind: str,
    config: dict,
    secrets: dict | None = None,
    schedule: str = "",
    mapping_rules=None,
    description: str = "",
    enabled: bool = True,
    max_removal_share: float = 0.5,
    via: str = "web",
) -> Source:
    require(is_admin(actor), ADMINS_ONLY)
    source = Source(
        name=name,
        kind=kind,
        description=description,
        schedule=schedule or "",
        mapping_rules=mapping_rules or [],
        enabled=enabled,
        max_removal_share=max_removal_share,
    )
    _clean(source, config, secrets)
    with transaction.atomic():
        source.save()
        sync_schedule(source)
        record_change(actor, source, ChangeAction.CREATE, after=source_snapshot(source), via=via)
    return source


def update_source(actor, source: Source, *, via: str = "web", **fields) -> Source:
    """Change a source. ``secrets`` are merged: a key set to None or "" is removed."""
    unknown = set(fields) - SOURCE_FIELDS
    if unknown:
        raise ActionError(f"Unknown source field(s): {', '.join(sorted(unknown))}", code="unknown_field")
    require(is_admin(actor), ADMINS_ONLY)
    with transaction.atomic():
        source = Source.objects.select_for_update().get(pk=source.pk)
        before = source_snapshot(source)
        secrets = fields.pop("secrets", None)
        config = fields.pop("config", source.config)
        if secrets:
            source.secrets = {k: v for k, v in {**source.secrets, **secrets}.items() if v not in (None, "")}
            secrets = None
        for key, value in fields.items():
            setattr(source, key, value)
        _clean(source, config, secrets)
        source.save()
        sync_schedule(source)
        record_change(actor, source, ChangeAction.UPDATE, before=before, after=source_snapshot(source), via=via)
    return source


def delete_source(actor, source: Source, *, via: str = "web") -> None:
    """Delete a source; its datasets stay in the catalog (their ``source`` becomes empty)."""
    require(is_admin(actor), ADMINS_ONLY)
    with transaction.atomic():
        before = source_snapshot(source)
        remove_schedule(source)
        pk = source.pk
        source.delete()
        source.pk = pk
        record_change(actor, source, ChangeAction.DELETE, before=before, via=via)


def test_source_connection(actor, source: Source) -> ConnectionCheck:
    """Try to reach the source; ``stage`` names what failed (dns, refused, auth, database, permission)."""
    require(is_admin(actor), ADMINS_ONLY)
    cls = _harvester_class(source.kind)
    try:
        config = cls.validate_config(source.config)
    except ConfigError as exc:
        return ConnectionCheck(ok=False, stage="config", message=str(exc))
    from apps.harvest.runner import redact

    check = cls(source.name, config, source.secrets or {}).test_connection()
    check.message = redact(check.message, source.secrets)
    return check


def check_connection(actor, *, kind: str, config: dict, secrets: dict | None = None) -> ConnectionCheck:
    """ "Test connection" for a source not saved yet (a create form): nothing is stored."""
    require(is_admin(actor), ADMINS_ONLY)
    cls = _harvester_class(kind)
    config, inline = cls.split_secrets(config if isinstance(config, dict) else {})
    try:
        config = cls.validate_config(config)
    except ConfigError as exc:
        return ConnectionCheck(ok=False, stage="config", message=str(exc))
    from apps.harvest.runner import redact

    merged = {**inline, **(secrets or {})}
    check = cls("unsaved", config, merged).test_connection()
    check.message = redact(check.message, merged)
    return check


def trigger_harvest(
    actor, source: Source, *, triggered_by: str = "", run_async: bool = True, allow_removals: bool = False
) -> HarvestRun:
    """Queue a harvest (a Celery task) or, with ``run_async=False``, run it here and return it finished.

    A second trigger while a run of the source is queued or running is refused
    (``ConflictError``, code ``already_running``).
    """
    from apps.harvest.runner import claim_run, execute_run, fail_stale_runs

    require(is_admin(actor), ADMINS_ONLY)
    if not source.enabled:
        raise ActionError(
            f"Source '{source.name}' is disabled; enable it to harvest.", field="enabled", code="disabled"
        )
    fail_stale_runs()
    user = actor if getattr(actor, "pk", None) and not getattr(actor, "is_system", False) else None
    try:
        with transaction.atomic():
            run = HarvestRun.objects.create(
                source=source, triggered_by=(triggered_by or actor_label(actor))[:150], user=user
            )
    except IntegrityError:
        active = HarvestRun.objects.filter(source=source, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).first()
        raise ConflictError(
            f"A harvest of '{source.name}' is already {active.status if active else 'active'} (run #{active.pk if active else '?'}); wait for it to finish.",
            code="already_running",
        ) from None
    if not run_async:
        return execute_run(claim_run(run.pk), allow_removals=allow_removals)

    def enqueue():
        from kombu.exceptions import OperationalError as BrokerUnreachable

        from apps.harvest.tasks import run_harvest

        try:
            result = run_harvest.apply_async(kwargs={"run_id": run.pk, "allow_removals": allow_removals})
        except BrokerUnreachable as exc:
            # Left queued, the run would block every later trigger until the sweep's timeout.
            HarvestRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
                status=RunStatus.FAILED,
                finished_at=timezone.now(),
                errors=[
                    {
                        "code": "broker_unreachable",
                        "message": f"The run could not be handed to the workers: the broker is unreachable ({exc}).",
                        "subject": "",
                        "count": 1,
                    }
                ],
            )
            return
        HarvestRun.objects.filter(pk=run.pk).update(celery_task_id=result.id or "")

    transaction.on_commit(enqueue)
    return run


def _check_upload_target(actor, source, kind: str, what: str) -> None:
    """Uploads are for admins, to a source of ``kind`` that reads uploads (no ``path``)."""
    require(is_admin(actor), ADMINS_ONLY)
    if source.kind != kind:
        raise ActionError(
            f"Source '{source.name}' is a {source.kind} source; {what} are uploaded to {kind} sources.",
            field="source",
            code="wrong_kind",
        )
    if source.config.get("path"):
        raise ActionError(
            f"Source '{source.name}' reads its {what} from {source.config['path']}; remove 'path' from its config to harvest uploads.",
            field="config.path",
            code="reads_from_path",
        )


def _harvest_upload(actor, source):
    """Queue the source's harvest; None when a run is active (the stored set is current for it)."""
    try:
        return trigger_harvest(actor, source, triggered_by="upload", run_async=True)
    except ConflictError:
        return None


def upload_dbt_artifacts(actor, source, files: dict, *, harvest: bool = True, via: str = "rest"):
    """Store an uploaded artifact set for a dbt ``source`` and (by default) queue its harvest.

    Admins only (the platform team, or CI with an admin's token), like every source write.
    Returns ``(StoredArtifacts, HarvestRun or None)``: None when not asked to harvest, or
    when a harvest of the source is already queued or running (the set is stored either
    way; that run or the next one reads it). Raises ``ActionError`` with the file and the
    problem when the set is refused; the previous set stays current.
    """
    _check_upload_target(actor, source, "dbt", "artifacts")
    try:
        stored = store_artifacts(source.name, files)
    except ArtifactError as exc:
        raise ActionError(str(exc), field=exc.filename, code="invalid_artifact") from None
    record_change(
        actor,
        source,
        ChangeAction.UPDATE,
        via=via,
        before={"dbt_artifacts": None},
        after={"dbt_artifacts": {"files": sorted(stored.versions), "invocation_id": stored.invocation_id}},
    )
    return stored, _harvest_upload(actor, source) if harvest else None


def upload_asyncapi_documents(actor, source, files: dict, *, harvest: bool = True, via: str = "rest"):
    """Store uploaded documents for an asyncapi ``source`` and (by default) queue its harvest.

    Admins only, like every source write. Returns ``(StoredDocuments, HarvestRun or None)``.
    Raises ``ActionError`` naming the file and the problem; the previous set stays current.
    """
    _check_upload_target(actor, source, "asyncapi", "AsyncAPI documents")
    try:
        stored = store_documents(source.name, files)
    except AsyncAPIUploadError as exc:
        raise ActionError(str(exc), field=exc.filename or "files", code="invalid_document") from None
    record_change(
        actor,
        source,
        ChangeAction.UPDATE,
        via=via,
        before={"asyncapi_documents": None},
        after={"asyncapi_documents": {"documents": stored.documents, "channels": stored.channels}},
    )
    return stored, _harvest_upload(actor, source) if harvest else None
