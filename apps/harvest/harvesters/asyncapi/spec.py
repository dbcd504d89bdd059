"""One AsyncAPI document (2.x or 3.x) → its servers, channels, messages and operations.

The two major versions differ in shape, not in meaning, so both read into the same small
model. AsyncAPI 2.x names operations from the *other* side: a channel's ``publish``
operation is what others publish and this application receives; ``subscribe`` is what the
application sends. 3.x says it plainly with ``action: send | receive``.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from apps.harvest.harvesters.asyncapi.documents import DocumentError, Folder
from apps.harvest.harvesters.asyncapi.payloads import AvroTypes, Field, avro_fields, json_schema_fields

PROTOCOL_SCHEMES = {
    "kafka": "kafka",
    "kafka-secure": "kafka",
    "amqp": "amqp",
    "amqps": "amqp",
    "mqtt": "mqtt",
    "secure-mqtt": "mqtt",
    "mqtts": "mqtt",
}
DEFAULT_PORTS = {"kafka": 9092, "amqp": 5672, "mqtt": 1883}
AVRO = "application/vnd.apache.avro"
VARIABLE = re.compile(r"\{([^}]+)\}")


@dataclass
class Channel:
    """A channel (topic, queue, routing key) and what flows through it."""

    key: str
    address: str
    namespace: str
    description: str = ""
    owner: str = ""
    domain: str = ""
    product: str = ""
    fields: list[Field] = field(default_factory=list)
    properties: dict = field(default_factory=dict)


@dataclass
class Operation:
    """The application sends to or receives from a channel."""

    id: str
    action: str  # send | receive
    channel: str  # channel key
    summary: str = ""


@dataclass
class Document:
    """What the harvester needs from one AsyncAPI document."""

    path: str
    version: str
    title: str
    info_version: str
    description: str
    owner: str
    id: str
    channels: dict[str, Channel] = field(default_factory=dict)
    operations: list[Operation] = field(default_factory=list)


def _substitute(host: str, variables: dict) -> str:
    """Server variables (``{port}``) replaced by their defaults."""

    def default(match):
        variable = variables.get(match.group(1))
        return str(variable.get("default", match.group(0))) if isinstance(variable, dict) else match.group(0)

    return VARIABLE.sub(default, host)


def _text(value, limit: int = 10000) -> str:
    return str(value)[:limit] if value not in (None, "") else ""


def _obj(value, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise DocumentError(f"{where}: expected an object, found {type(value).__name__}.")
    return value


class DocumentReader:
    """Reads one document of a folder; ``server`` names the server to take namespaces from."""

    def __init__(self, folder: Folder, avro: AvroTypes, path: Path, server: str = ""):
        self.folder, self.avro, self.path, self.server_name = folder, avro, path, server
        self.name = folder.name(path)
        self.doc = folder.load(path)

    def read(self) -> Document:
        doc = _obj(self.doc, self.name)
        version = _text(doc.get("asyncapi"))
        if not re.match(r"^[23]\.\d+\.\d+", version):
            raise DocumentError(f"{self.name}: 'asyncapi: {version}' is not a version we read (2.x or 3.x).")
        info = _obj(doc.get("info"), f"{self.name}: info")
        contact = _obj(info.get("contact"), f"{self.name}: info.contact")
        owner = _text(doc.get("x-owner") or info.get("x-owner") or contact.get("email"), 200)
        result = Document(
            path=self.name,
            version=version,
            title=_text(info.get("title"), 200) or Path(self.name).stem,
            info_version=_text(info.get("version"), 100),
            description=_text(info.get("description")),
            owner=owner,
            id=_text(doc.get("id"), 300),
        )
        self.servers = self._servers(_obj(doc.get("servers"), f"{self.name}: servers"), version)
        if version.startswith("2."):
            self._read_v2(doc, result)
        else:
            self._read_v3(doc, result)
        return result

    # --- servers -------------------------------------------------------------------------

    def _servers(self, servers: dict, version: str) -> dict[str, tuple[str, str]]:
        """name → (namespace, protocol)."""
        out = {}
        for name, server in servers.items():
            server, _ = self.folder.resolve(server, self.path)
            server = _obj(server, f"{self.name}: servers.{name}")
            protocol = _text(server.get("protocol")).lower()
            scheme = PROTOCOL_SCHEMES.get(protocol, protocol or "unknown")
            host = _text(server.get("url") if version.startswith("2.") else server.get("host"), 500)
            host = host.split("://", 1)[-1].split("/", 1)[0]
            variables = _obj(server.get("variables"), f"{self.name}: servers.{name}.variables")
            host = _substitute(host, variables)
            if host and ":" not in host and scheme in DEFAULT_PORTS:
                host = f"{host}:{DEFAULT_PORTS[scheme]}"
            out[name] = (f"{scheme}://{host}", protocol)
        return out

    def _namespace(self, channel_servers: list[str]) -> tuple[str, str]:
        names = [n for n in channel_servers if n in self.servers] or list(self.servers)
        if self.server_name in self.servers and (not channel_servers or self.server_name in channel_servers):
            names = [self.server_name]
        if not names:
            return "asyncapi://no-server", ""
        return self.servers[names[0]][0], names[0]

    # --- 2.x -----------------------------------------------------------------------------

    def _read_v2(self, doc: dict, result: Document) -> None:
        default_content = _text(doc.get("defaultContentType"))
        for key, channel in _obj(doc.get("channels"), f"{self.name}: channels").items():
            where = f"{self.name}: channels.{key}"
            channel, base = self.folder.resolve(channel, self.path)
            channel = _obj(channel, where)
            namespace, server = self._namespace([str(s) for s in channel.get("servers") or ()])
            messages = []
            for op_key, action in (("publish", "receive"), ("subscribe", "send")):
                operation = channel.get(op_key)
                if operation is None:
                    continue
                operation, op_base = self.folder.resolve(operation, base)
                operation = _obj(operation, f"{where}.{op_key}")
                result.operations.append(
                    Operation(
                        _text(operation.get("operationId"), 200) or f"{op_key} {key}",
                        action,
                        key,
                        _text(operation.get("summary"), 500),
                    )
                )
                message, msg_base = self.folder.resolve(operation.get("message") or {}, op_base)
                message = _obj(message, f"{where}.{op_key}.message")
                alternatives = message.get("oneOf") if isinstance(message.get("oneOf"), list) else [message]
                for alternative in alternatives:
                    alternative, alt_base = self.folder.resolve(alternative, msg_base)
                    alternative = _obj(alternative, f"{where}.{op_key}.message")
                    messages.append(
                        self._message(
                            alternative,
                            alt_base,
                            alternative.get("payload"),
                            alternative.get("schemaFormat"),
                            default_content,
                            where,
                        )
                    )
            result.channels[key] = self._channel(key, key, namespace, server, channel, messages, doc, where)

    # --- 3.x -----------------------------------------------------------------------------

    def _read_v3(self, doc: dict, result: Document) -> None:
        default_content = _text(doc.get("defaultContentType"))
        for key, channel in _obj(doc.get("channels"), f"{self.name}: channels").items():
            where = f"{self.name}: channels.{key}"
            channel, base = self.folder.resolve(channel, self.path)
            channel = _obj(channel, where)
            servers = [
                unquote(s["$ref"].rsplit("/", 1)[-1])
                for s in channel.get("servers") or ()
                if isinstance(s, dict) and "$ref" in s
            ]
            namespace, server = self._namespace(servers)
            messages = []
            for msg_key, message in _obj(channel.get("messages"), f"{where}.messages").items():
                message, msg_base = self.folder.resolve(message, base)
                message = _obj(message, f"{where}.messages.{msg_key}")
                payload, schema_format = message.get("payload"), None
                if isinstance(payload, dict) and "schemaFormat" in payload and "schema" in payload:
                    payload, schema_format = payload["schema"], payload["schemaFormat"]  # Multi Format Schema Object
                messages.append(
                    self._message(
                        message, msg_base, payload, schema_format, default_content, f"{where}.messages.{msg_key}"
                    )
                )
            address = channel.get("address")
            result.channels[key] = self._channel(
                key, _text(address, 500) or key, namespace, server, channel, messages, doc, where
            )
        for op_id, operation in _obj(doc.get("operations"), f"{self.name}: operations").items():
            operation, _ = self.folder.resolve(operation, self.path)
            operation = _obj(operation, f"{self.name}: operations.{op_id}")
            action = _text(operation.get("action"))
            ref = _obj(operation.get("channel"), f"{self.name}: operations.{op_id}.channel").get("$ref", "")
            channel_key = unquote(str(ref).rsplit("/", 1)[-1]).replace("~1", "/").replace("~0", "~")
            if action not in ("send", "receive"):
                raise DocumentError(f"{self.name}: operations.{op_id}.action is '{action}'; expected send or receive.")
            if channel_key not in result.channels:
                raise DocumentError(
                    f"{self.name}: operations.{op_id}.channel {ref!r} names no channel of the document."
                )
            result.operations.append(Operation(str(op_id), action, channel_key, _text(operation.get("summary"), 500)))

    # --- shared --------------------------------------------------------------------------

    def _message(self, message: dict, base: Path, payload, schema_format, default_content: str, where: str) -> tuple:
        schema_format = _text(schema_format or message.get("schemaFormat"))
        name = _text(message.get("name") or message.get("title"), 200)
        if payload is None:
            return name, schema_format, []
        if schema_format.startswith(AVRO):
            resolved, resolved_base = self.folder.resolve(payload, base)
            parsed = self.avro.files.get(resolved_base) if isinstance(payload, dict) and "$ref" in payload else None
            if parsed is None or (isinstance(payload, dict) and "#" in payload.get("$ref", "")):
                parsed = self.avro.parse(resolved, where)
            return name, "avro", avro_fields(parsed, self.avro.named)
        return name, "json-schema", json_schema_fields(payload, self.folder, base)

    def _channel(self, key, address, namespace, server, channel, messages, doc, where) -> Channel:
        fields: dict[str, Field] = {}
        counts: dict[str, int] = {}
        for _, _, message_fields in messages:
            for f in message_fields:
                counts[f.path] = counts.get(f.path, 0) + 1
                fields.setdefault(f.path, f)
        with_payload = sum(1 for m in messages if m[2])
        # A field that only some of the channel's messages carry is optional.
        merged = [
            f if counts[f.path] == with_payload else Field(f.path, f.data_type, True, f.description, f.default)
            for f in fields.values()
        ]
        info = _obj(doc.get("info"), "info")
        contact = _obj(info.get("contact"), "info.contact")
        owner = channel.get("x-owner") or doc.get("x-owner") or info.get("x-owner") or contact.get("email")
        domain = channel.get("x-domain") or doc.get("x-domain") or info.get("x-domain")
        product = channel.get("x-data-product") or doc.get("x-data-product") or info.get("x-data-product")
        properties = {
            "document": self.name,
            "server": server,
            "messages": sorted({m[0] for m in messages if m[0]}),
            "schema_formats": sorted({m[1] for m in messages if m[2]}),
        }
        parameters = sorted(_obj(channel.get("parameters"), f"{where}.parameters"))
        if parameters:
            properties["parameters"] = parameters
        return Channel(
            key=key,
            address=address,
            namespace=namespace,
            description=_text(channel.get("description")),
            owner=_text(owner, 200),
            domain=_text(domain, 100),
            product=_text(product, 100),
            fields=merged,
            properties=properties,
        )
