"""Storage of dbt artifacts uploaded by CI (``POST /api/v1/sources/<name>/dbt-artifacts``).

Each source has a directory ``<DBT_UPLOAD_DIR>/<source>/`` (default
``<MESH_DATA_DIR>/uploads/dbt``) holding complete artifact sets in ``sets/<id>/`` and a
symlink ``current`` naming the set in use. A new upload is written and checked in a fresh
set directory, then ``current`` is swapped with one ``rename`` — atomic on POSIX — so a
harvest sees either the previous set or the new one, never a mix, and a broken upload
changes nothing. After the swap, sets older than the previous one are deleted (the
previous one stays, for a harvest that may still be reading it).

Storage only (the dbt harvester reads ``current_artifacts_dir``); the write that accepts an
upload is ``apps.harvest.actions.upload_dbt_artifacts``.
"""

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from apps.harvest.harvesters.dbt.artifacts import CATALOG, MANIFEST, RUN_RESULTS, SOURCES, ArtifactError, read_artifact
from apps.harvest.harvesters.dbt.shapes import MAX_PROBLEMS_REPORTED, catalog_problems, manifest_problems

ARTIFACT_FILES = (MANIFEST, CATALOG, RUN_RESULTS, SOURCES)
CHUNK = 1024 * 1024


@dataclass
class StoredArtifacts:
    """What an upload stored: the set's directory, its files and their schema versions."""

    path: Path
    versions: dict[str, int]
    invocation_id: str


def upload_root() -> Path:
    return Path(getattr(settings, "DBT_UPLOAD_DIR", None) or Path(settings.DATA_DIR) / "uploads" / "dbt")


def source_dir(source_name: str) -> Path:
    if not source_name or "/" in source_name or source_name.startswith("."):
        raise ValueError(f"not a source name: {source_name!r}")
    return upload_root() / source_name


def current_artifacts_dir(source_name: str) -> Path | None:
    """The directory of the set in use for ``source_name``, or None before the first upload."""
    link = source_dir(source_name) / "current"
    if not link.is_symlink() and not link.is_dir():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def store_artifacts(source_name: str, files: dict) -> StoredArtifacts:
    """Check and store one artifact set, then make it current; raise ``ArtifactError`` and keep the old set otherwise.

    ``files`` maps an artifact file name to bytes or to a file-like object (an uploaded
    file, read in chunks). ``manifest.json`` is required.
    """
    unknown = sorted(set(files) - set(ARTIFACT_FILES))
    if unknown:
        raise ArtifactError(unknown[0], f"is not a dbt artifact we read (send {', '.join(ARTIFACT_FILES)})")
    if MANIFEST not in files:
        raise ArtifactError(MANIFEST, "is required in every upload")
    limit = settings.MESH_MAX_UPLOAD_BYTES
    for name, content in files.items():
        size = len(content) if isinstance(content, (bytes, bytearray)) else getattr(content, "size", None)
        if size is not None and size > limit:
            raise ArtifactError(name, f"is {size:,} bytes; the limit is {limit:,} (MESH_MAX_UPLOAD_BYTES)")
    base = source_dir(source_name)
    previous = current_artifacts_dir(source_name)
    new_set = base / "sets" / uuid.uuid4().hex
    new_set.mkdir(parents=True)
    try:
        versions = {}
        for name, content in files.items():
            path = new_set / name
            _write(path, content, limit, name)
            document, versions[name] = read_artifact(name, path.read_bytes())
            if name == MANIFEST:
                invocation_id = (document.get("metadata") or {}).get("invocation_id") or ""
            _check_shapes(name, document)
            del document
        _swap_current(base, new_set)
    except BaseException:
        shutil.rmtree(new_set, ignore_errors=True)
        raise
    _remove_old_sets(base, keep={new_set.resolve(), previous})
    return StoredArtifacts(path=new_set, versions=versions, invocation_id=invocation_id)


def _check_shapes(name: str, document: dict) -> None:
    """Refuse the set when a node has a shape the harvester cannot read (before it becomes current)."""
    problems = (
        manifest_problems(document) if name == MANIFEST else catalog_problems(document) if name == CATALOG else []
    )
    if problems:
        shown = "; ".join(problems[:MAX_PROBLEMS_REPORTED])
        more = f" (and {len(problems) - MAX_PROBLEMS_REPORTED} more)" if len(problems) > MAX_PROBLEMS_REPORTED else ""
        raise ArtifactError(name, f"{len(problems)} node(s) have an unusable shape: {shown}{more}")


def _write(path: Path, content, limit: int, name: str) -> None:
    """Write in chunks, stopping as soon as the file passes ``limit`` (a stream's size may be unknown)."""
    written = 0
    with open(path, "wb") as out:
        if isinstance(content, (bytes, bytearray)):
            chunks = [content]
        elif hasattr(content, "chunks"):
            chunks = content.chunks(CHUNK)
        else:
            chunks = iter(lambda: content.read(CHUNK), b"")
        for chunk in chunks:
            written += len(chunk)
            if written > limit:
                raise ArtifactError(name, f"is larger than {limit:,} bytes (MESH_MAX_UPLOAD_BYTES)")
            out.write(chunk)


def _swap_current(base: Path, new_set: Path) -> None:
    tmp_link = base / f".current-{uuid.uuid4().hex}"
    os.symlink(os.path.relpath(new_set, base), tmp_link)
    os.replace(tmp_link, base / "current")  # rename(2): readers see the old set or the new one


def _remove_old_sets(base: Path, keep: set) -> None:
    for old in (base / "sets").iterdir():
        if old.resolve() not in keep and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
