"""Reading dbt's artifacts from a directory: plain JSON (orjson), checked by schema version.

dbt writes ``manifest.json`` (required), ``catalog.json``, ``run_results.json`` and
``sources.json`` (optional). We read them as dictionaries rather than through dbt's own
classes: that keeps dbt out of our dependencies and tolerates fields later dbt versions
add. Each artifact declares ``metadata.dbt_schema_version``; a version we have not
checked, or a broken file, is refused with an error naming the file and the problem.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from apps.harvest.harvesters.base import SourceError

MANIFEST = "manifest.json"
CATALOG = "catalog.json"
RUN_RESULTS = "run_results.json"
SOURCES = "sources.json"

# Versions whose shape we rely on: manifest v10 (dbt 1.6), v11 (1.7), v12 (1.8–1.12).
SUPPORTED_VERSIONS = {
    MANIFEST: ("manifest", {10, 11, 12}),
    CATALOG: ("catalog", {1}),
    RUN_RESULTS: ("run-results", {4, 5, 6}),
    SOURCES: ("sources", {3}),
}
_VERSION_RE = re.compile(r"/dbt/(?P<kind>[a-z-]+)/v(?P<version>\d+)\.json$")


class ArtifactError(SourceError):
    """A dbt artifact is missing, broken, or of a schema version we do not read."""

    def __init__(self, filename: str, problem: str):
        self.filename = filename
        self.problem = problem
        super().__init__(f"{filename}: {problem}", stage="artifacts")


@dataclass
class DbtArtifacts:
    """The parsed artifacts of one dbt project; the optional ones are empty dicts when absent."""

    manifest: dict
    catalog: dict = field(default_factory=dict)
    run_results: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)

    @property
    def invocation_id(self) -> str:
        return self.manifest.get("metadata", {}).get("invocation_id") or ""


def load_artifacts(directory: Path | str) -> DbtArtifacts:
    """Read and check every artifact in ``directory``; raise ``ArtifactError`` on the first problem."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ArtifactError(str(directory), "is not a directory holding dbt artifacts")
    if not (directory / MANIFEST).is_file():
        raise ArtifactError(
            MANIFEST, f"not found in {directory} (run `dbt compile`, `dbt build` or `dbt docs generate` first)"
        )
    loaded, versions = {}, {}
    for filename in (MANIFEST, CATALOG, RUN_RESULTS, SOURCES):
        path = directory / filename
        if path.is_file():
            loaded[filename], versions[filename] = read_artifact(filename, path.read_bytes())
    return DbtArtifacts(
        manifest=loaded[MANIFEST],
        catalog=loaded.get(CATALOG, {}),
        run_results=loaded.get(RUN_RESULTS, {}),
        sources=loaded.get(SOURCES, {}),
        versions=versions,
    )


def read_artifact(filename: str, data: bytes) -> tuple[dict, int]:
    """Parse one artifact's bytes and check its kind and schema version."""
    if not data.strip():
        raise ArtifactError(filename, "is empty")
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        hint = (
            " — the file looks truncated"
            if "unexpected end" in str(exc).lower() or not data.rstrip().endswith(b"}")
            else ""
        )
        raise ArtifactError(filename, f"is not valid JSON ({exc}){hint}") from None
    if not isinstance(document, dict):
        raise ArtifactError(filename, f"must hold a JSON object, not {type(document).__name__}")
    version = check_version(filename, document)
    _check_shape(filename, document)
    return document, version


def check_version(filename: str, document: dict) -> int:
    expected_kind, supported = SUPPORTED_VERSIONS[filename]
    metadata = document.get("metadata")
    if not isinstance(metadata, dict) or not metadata.get("dbt_schema_version"):
        raise ArtifactError(filename, "has no metadata.dbt_schema_version; is it a dbt artifact?")
    url = str(metadata["dbt_schema_version"])
    match = _VERSION_RE.search(url)
    if not match:
        raise ArtifactError(filename, f"has an unrecognised schema version {url!r}")
    if match["kind"] != expected_kind:
        raise ArtifactError(filename, f"is a dbt {match['kind']} artifact, expected {expected_kind}")
    version = int(match["version"])
    if version not in supported:
        known = ", ".join(f"v{v}" for v in sorted(supported))
        raise ArtifactError(
            filename,
            f"has schema version v{version} (dbt {metadata.get('dbt_version', '?')}); supported: {known}",
        )
    return version


_REQUIRED_MAPPINGS = {MANIFEST: ("nodes", "sources"), CATALOG: ("nodes",), RUN_RESULTS: (), SOURCES: ()}
_REQUIRED_LISTS = {MANIFEST: (), CATALOG: (), RUN_RESULTS: ("results",), SOURCES: ("results",)}


def _check_shape(filename: str, document: dict) -> None:
    """The few top-level keys we depend on must be there and of the right type."""
    for key in _REQUIRED_MAPPINGS[filename]:
        if not isinstance(document.get(key), dict):
            raise ArtifactError(filename, f"has no {key!r} object")
    for key in _REQUIRED_LISTS[filename]:
        if not isinstance(document.get(key), list):
            raise ArtifactError(filename, f"has no {key!r} list")
