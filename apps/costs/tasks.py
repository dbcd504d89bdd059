"""Scheduled imports: every new billing file in a folder or an S3 prefix, once.

``MESH_COST_IMPORT_URI`` names a folder (``/data/billing`` or ``file:///data/billing``) or an
S3 prefix (``s3://bucket/exports/``). A file is imported when no succeeded import has its
SHA-256 yet, so the task is idempotent and safe to retry; a file's format is told from its
header (FOCUS's ``BilledCost`` or CUR's ``line_item_*``), its billing source from its folder.
"""

import hashlib
import logging
import os
from pathlib import Path
from urllib.parse import urlparse

from celery import shared_task
from django.conf import settings

from apps.core.actors import SystemActor
from apps.costs.actions import import_costs
from apps.costs.models import CostImport, ImportStatus

log = logging.getLogger(__name__)
ACTOR = SystemActor("cost import")


def _sniff(head: bytes) -> str | None:
    first = head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    if "BilledCost" in first:
        return "focus"
    if "line_item_unblended_cost" in first:
        return "cur"
    return None


def _seen(digest: str) -> bool:
    return CostImport.objects.filter(sha256=digest, status=ImportStatus.SUCCEEDED).exists()


def _import_local(root: Path) -> list[int]:
    done = []
    for path in sorted(root.rglob("*.csv")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if _seen(digest):
            continue
        with path.open("rb") as fh:
            fmt = _sniff(fh.read(4096))
            if fmt is None:
                log.warning("cost import: %s is neither FOCUS nor CUR; skipped", path)
                continue
            fh.seek(0)
            source = path.parent.name if path.parent != root else root.name
            result = import_costs(ACTOR, fh, fmt=fmt, source_name=source, file_name=path.name, size=path.stat().st_size)
            done.append(result.pk)
    return done


def _import_s3(bucket: str, prefix: str) -> list[int]:
    import boto3

    client = boto3.client("s3", endpoint_url=os.environ.get("MESH_COST_S3_ENDPOINT_URL") or None)
    done = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            key = item["Key"]
            if not key.endswith(".csv"):
                continue
            body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
            digest = hashlib.sha256(body).hexdigest()
            if _seen(digest):
                continue
            fmt = _sniff(body[:4096])
            if fmt is None:
                log.warning("cost import: s3://%s/%s is neither FOCUS nor CUR; skipped", bucket, key)
                continue
            import io

            parts = key.rsplit("/", 2)
            source = parts[-2] if len(parts) >= 2 else bucket
            result = import_costs(ACTOR, io.BytesIO(body), fmt=fmt, source_name=source, file_name=key, size=len(body))
            done.append(result.pk)
    return done


@shared_task(acks_late=True, name="costs.import_configured")
def import_configured(uri: str | None = None) -> list[int]:
    """Import what is new under ``uri`` (default ``MESH_COST_IMPORT_URI``); returns the import ids."""
    uri = uri or getattr(settings, "MESH_COST_IMPORT_URI", "")
    if not uri:
        return []
    parsed = urlparse(uri)
    if parsed.scheme == "s3":
        return _import_s3(parsed.netloc, parsed.path.lstrip("/"))
    root = Path(parsed.path if parsed.scheme == "file" else uri)
    if not root.is_dir():
        raise FileNotFoundError(f"MESH_COST_IMPORT_URI {uri!r} is not a folder")
    return _import_local(root)
