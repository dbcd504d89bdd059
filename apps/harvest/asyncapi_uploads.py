"""Storage of AsyncAPI documents uploaded by CI (``POST /api/v1/sources/<name>/asyncapi-documents``).

Like dbt uploads (``apps.harvest.uploads``): each source has ``<ASYNCAPI_UPLOAD_DIR>/<source>/``
(default ``<MESH_DATA_DIR>/uploads/asyncapi``) holding complete sets in ``sets/<id>/`` and a
symlink ``current``. A new upload is written to a fresh set, read by the harvester's own
parser (every document, every ``$ref``, every Avro schema), and only then swapped in with one
atomic rename: a broken upload changes nothing and says which file, line and column.
"""

import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from apps.harvest.harvesters.asyncapi.documents import DocumentError
from apps.harvest.harvesters.base import SourceError
from apps.harvest.harvesters.dbt.artifacts import ArtifactError
from apps.harvest.uploads import _remove_old_sets, _swap_current, _write

SUFFIXES = (".yaml", ".yml", ".json", ".avsc")
SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")
MAX_FILES = 2000
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024


class UploadError(ValueError):
    """An upload refused as a whole; ``filename`` names the file at fault."""

    def __init__(self, filename: str, message: str):
        super().__init__(f"{filename}: {message}" if filename and not message.startswith(filename) else message)
        self.filename = filename


@dataclass
class StoredDocuments:
    """What an upload stored: the set's directory, its documents and channel count."""

    path: Path
    documents: list[str]
    channels: int


def upload_root() -> Path:
    return Path(getattr(settings, "ASYNCAPI_UPLOAD_DIR", None) or Path(settings.DATA_DIR) / "uploads" / "asyncapi")


def source_dir(source_name: str) -> Path:
    if not source_name or "/" in source_name or source_name.startswith("."):
        raise ValueError(f"not a source name: {source_name!r}")
    return upload_root() / source_name


def current_documents_dir(source_name: str) -> Path | None:
    link = source_dir(source_name) / "current"
    if not link.is_symlink() and not link.is_dir():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def check_names(files: dict) -> None:
    if not files:
        raise UploadError(
            "", "Send the documents as multipart files, each field named by its path (orders.yaml, schemas/order.avsc)."
        )
    if len(files) > MAX_FILES:
        raise UploadError("", f"{len(files)} files; at most {MAX_FILES} an upload.")
    for name in files:
        if not SAFE_NAME.match(name) or ".." in name.split("/") or len(name) > 300:
            raise UploadError(name, "not a relative file name (letters, digits, _ . - and / only; no '..').")
        if not name.lower().endswith(SUFFIXES):
            raise UploadError(name, f"only {', '.join(SUFFIXES)} files are read.")


def store_documents(source_name: str, files: dict) -> StoredDocuments:
    """Check and store one set of documents, then make it current; raise ``UploadError`` and keep the old set otherwise."""
    from apps.harvest.harvesters.asyncapi import read_folder

    check_names(files)
    base = source_dir(source_name)
    previous = current_documents_dir(source_name)
    new_set = base / "sets" / uuid.uuid4().hex
    new_set.mkdir(parents=True)
    try:
        total = 0
        for name, content in files.items():
            path = new_set / name
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                _write(path, content, MAX_FILE_BYTES, name)
            except ArtifactError as exc:  # the shared writer stops at the limit
                raise UploadError(
                    name, f"more than {MAX_FILE_BYTES:,} bytes; at most {MAX_FILE_BYTES:,} a file."
                ) from exc
            size = path.stat().st_size
            total += size
            if size > MAX_FILE_BYTES:
                raise UploadError(name, f"{size:,} bytes; at most {MAX_FILE_BYTES:,} a file.")
            if total > MAX_TOTAL_BYTES:
                raise UploadError(name, f"the upload passes {MAX_TOTAL_BYTES:,} bytes.")
        try:
            documents = read_folder(new_set, max_file_bytes=MAX_FILE_BYTES, max_files=MAX_FILES)
        except (DocumentError, SourceError) as exc:
            text = str(exc)  # "file:line:column: problem" or "file: problem"
            raise UploadError(text.split(":", 1)[0] if ":" in text else "", text) from None
        if not documents:
            raise UploadError("", "no AsyncAPI document in the upload (a YAML/JSON file with an 'asyncapi' key).")
        _swap_current(base, new_set)
    except BaseException:
        shutil.rmtree(new_set, ignore_errors=True)
        raise
    _remove_old_sets(base, keep={new_set.resolve(), previous})
    return StoredDocuments(
        path=new_set, documents=sorted(d.path for d in documents), channels=sum(len(d.channels) for d in documents)
    )
