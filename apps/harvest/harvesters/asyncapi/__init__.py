"""The AsyncAPI harvester: event streams described by AsyncAPI 2.x / 3.x documents in a folder.

Config: ``path`` (a folder of ``.yaml``/``.yml``/``.json`` documents and the ``.avsc`` /
schema files they reference), ``server`` (which server of each document names the
channels' namespace; default the channel's first, else the document's first),
``max_file_bytes``, ``max_files``. Each channel becomes a dataset of kind topic
(``kafka://host:port`` + topic, ``amqp://host:port`` + address), its payload fields become
columns; each document's application becomes a service dataset with lineage to the
channels it sends to and from the channels it receives from.
"""

import re
from pathlib import Path

from apps.harvest.harvesters.asyncapi.documents import Folder
from apps.harvest.harvesters.asyncapi.payloads import AvroTypes
from apps.harvest.harvesters.asyncapi.spec import DocumentReader
from apps.harvest.harvesters.base import ConfigError, ConnectionCheck, Harvester, SourceError, register_harvester
from apps.harvest.records import (
    ColumnRecord,
    DatasetKind,
    DatasetRecord,
    DatasetRef,
    HarvestWarning,
    LineageEvidence,
    LineageRecord,
    OwnershipHint,
)

DEFAULTS = {"server": "", "max_file_bytes": 10 * 1024 * 1024, "max_files": 5000}
KEYS = {"path", *DEFAULTS}
SERVICE_NAMESPACE = "service://asyncapi"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def read_folder(root: Path, *, max_file_bytes: int, max_files: int, server: str = "") -> list:
    """Every AsyncAPI document under ``root``, read (``DocumentError`` names the file, line and column)."""
    folder = Folder(root, max_file_bytes=max_file_bytes, max_files=max_files)
    paths = folder.documents()
    avro = AvroTypes(folder)
    return [DocumentReader(folder, avro, path, server).read() for path in paths]


@register_harvester
class AsyncAPIHarvester(Harvester):
    """Reads channels, payload schemas (JSON Schema or Avro) and operations from AsyncAPI documents."""

    kind = "asyncapi"

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        if not isinstance(config, dict):
            raise ConfigError({"config": ["The configuration is a JSON object."]})
        errors: dict[str, list[str]] = {}
        for key in sorted(set(config) - KEYS):
            errors.setdefault(key, []).append(f"Unknown key. Allowed keys: {', '.join(sorted(KEYS))}.")
        out = {**DEFAULTS, **{k: v for k, v in config.items() if k in KEYS}}
        path = out.get("path")
        if path is not None and (not isinstance(path, str) or not path.strip() or len(path) > 1000):
            errors.setdefault("path", []).append(
                "The folder holding the AsyncAPI documents (leave it out to harvest uploaded documents)."
            )
        elif path:
            out["path"] = path.strip()
        if not isinstance(out["server"], str) or len(out["server"]) > 200:
            errors.setdefault("server", []).append("The name of a server in the documents' servers section.")
        for key, low, high in (("max_file_bytes", 1024, 200 * 1024 * 1024), ("max_files", 1, 100_000)):
            value = out[key]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                errors.setdefault(key, []).append(f"A whole number between {low} and {high}.")
        if errors:
            raise ConfigError(errors)
        return out

    def _root(self) -> Path:
        if self.config.get("path"):
            return Path(self.config["path"])
        from apps.harvest.asyncapi_uploads import current_documents_dir

        uploaded = current_documents_dir(self.source_name)
        if uploaded is None:
            raise SourceError(
                f"No 'path' is configured and no documents were uploaded for source {self.source_name!r}.", stage="path"
            )
        return uploaded

    def _read(self):
        documents = read_folder(
            self._root(),
            max_file_bytes=self.config["max_file_bytes"],
            max_files=self.config["max_files"],
            server=self.config["server"],
        )
        self.queries_sent += len(documents)
        return documents

    def test_connection(self) -> ConnectionCheck:
        try:
            documents = self._read()
        except SourceError as exc:
            return ConnectionCheck(ok=False, stage=exc.stage, message=str(exc))
        if not documents:
            return ConnectionCheck(ok=False, stage="path", message=f"No AsyncAPI document in {self.config['path']}.")
        channels = sum(len(d.channels) for d in documents)
        return ConnectionCheck(
            ok=True, message=f"{len(documents)} AsyncAPI document(s), {channels} channel(s) readable."
        )

    def extract(self):
        documents = self._read()
        topics: dict[DatasetRef, tuple] = {}
        lineage = {}
        produced: set[DatasetRef] = set()
        for doc in documents:
            service = DatasetRef(SERVICE_NAMESPACE, doc.title)
            yield DatasetRecord(
                ref=service,
                platform="asyncapi",
                kind=DatasetKind.OTHER,
                description=doc.description,
                owner=doc.owner,
                properties={
                    "asyncapi": {
                        "document": doc.path,
                        "version": doc.version,
                        "api_version": doc.info_version,
                        "id": doc.id,
                        "service": True,
                    }
                },
            )
            if EMAIL.match(doc.owner):
                yield OwnershipHint(dataset=service, owner=doc.owner)
            refs = {}
            sends = {op.channel for op in doc.operations if op.action == "send"}
            for key, channel in doc.channels.items():
                ref = DatasetRef(channel.namespace, channel.address)
                refs[key] = ref
                if ref in topics:
                    first_doc, first = topics[ref]
                    # The producer's document describes a channel; a consumer's copy may lag behind.
                    if (not first.fields and channel.fields) or (key in sends and ref not in produced):
                        topics[ref] = (doc, channel)
                        produced.update({ref} if key in sends else set())
                    elif channel.fields and [(f.path, f.data_type) for f in channel.fields] != [
                        (f.path, f.data_type) for f in first.fields
                    ]:
                        yield HarvestWarning(
                            code="channel_schema_conflict",
                            message=f"{doc.path} and {first_doc.path} describe this channel's payload differently; the first is kept.",
                            subject=ref.name,
                        )
                    continue
                topics[ref] = (doc, channel)
                if key in sends:
                    produced.add(ref)
            for op in doc.operations:
                channel_ref = refs[op.channel]
                edge = (service, channel_ref) if op.action == "send" else (channel_ref, service)
                lineage.setdefault(edge, {"operations": []})["operations"].append(op.id)
        for ref, (doc, channel) in topics.items():
            yield self._topic(ref, doc, channel)
            owner = channel.owner if EMAIL.match(channel.owner) else ""
            if owner or channel.domain or channel.product:
                yield OwnershipHint(dataset=ref, owner=owner, domain=channel.domain, data_product=channel.product)
        for (upstream, downstream), details in lineage.items():
            yield LineageRecord(
                upstream=upstream, downstream=downstream, evidence=LineageEvidence.ASYNCAPI, details=details
            )

    def _topic(self, ref: DatasetRef, doc, channel) -> DatasetRecord:
        scheme = ref.namespace.split("://", 1)[0]
        return DatasetRecord(
            ref=ref,
            platform=scheme if scheme in ("kafka", "amqp", "mqtt") else "asyncapi",
            kind=DatasetKind.TOPIC,
            description=channel.description,
            owner=channel.owner,
            columns=tuple(
                ColumnRecord(
                    name=f.path[:300],
                    ordinal=i,
                    data_type=f.data_type,
                    nullable=f.nullable,
                    default=f.default,
                    description=f.description,
                )
                for i, f in enumerate(channel.fields, start=1)
            ),
            properties={"asyncapi": {**channel.properties, "version": doc.version, "service": doc.title}},
        )
