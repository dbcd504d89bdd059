"""The RabbitMQ harvester: a broker's topology through its management HTTP API.

Config: ``management_url`` (http://host:15672), ``username`` (the password as the
``password`` secret or in ``password_env``), ``include_vhosts`` / ``exclude_vhosts`` (globs),
``include_system`` (the ``amq.*`` exchanges), ``timeout_s``, ``amqp_port`` (default: the
AMQP listener the broker reports). Five GET requests per run whatever the broker's size:
overview, vhosts, exchanges, queues, bindings.

Vhosts are schemas; exchanges (kind topic) and queues (kind queue) are datasets named
``exchange/<vhost>/<name>`` and ``queue/<vhost>/<name>`` (each part URL-encoded, so the
default vhost ``/`` is ``%2F``) in the namespace ``amqp://host:port``. Bindings are lineage
exchange → queue (or exchange → exchange) with their routing keys; message rates, depth and
consumer counts are properties.
"""

import os
import re
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from apps.harvest.harvesters.base import (
    ConfigError,
    ConnectionCheck,
    Harvester,
    SourceError,
    TransientSourceError,
    register_harvester,
)
from apps.harvest.records import DatasetKind, DatasetRecord, DatasetRef, HarvestWarning, LineageEvidence, LineageRecord

if TYPE_CHECKING:  # imported where a harvest talks HTTP: every process's start-up loads this module
    import requests

DEFAULTS = {
    "username": "",
    "password_env": "",
    "include_vhosts": [],
    "exclude_vhosts": [],
    "include_system": False,
    "timeout_s": 30,
    "amqp_port": 0,
}
KEYS = {"management_url", *DEFAULTS}
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_RESPONSE_BYTES = 512 * 1024 * 1024
EXCHANGE_COLUMNS = "name,vhost,type,durable,auto_delete,internal,arguments,message_stats"
QUEUE_COLUMNS = (
    "name,vhost,type,durable,auto_delete,exclusive,arguments,consumers,messages,messages_ready,"
    "messages_unacknowledged,state,message_stats"
)


def _rate(stats: dict | None, key: str) -> float | None:
    details = (stats or {}).get(f"{key}_details")
    return round(float(details["rate"]), 2) if isinstance(details, dict) and "rate" in details else None


def _part(text: str) -> str:
    return quote(text, safe="")


@register_harvester
class RabbitMQHarvester(Harvester):
    """Reads vhosts, exchanges, queues and bindings of one broker (or cluster)."""

    kind = "rabbitmq"
    secret_fields = ("password",)

    @classmethod
    def validate_config(cls, config: dict) -> dict:
        if not isinstance(config, dict):
            raise ConfigError({"config": ["The configuration is a JSON object."]})
        errors: dict[str, list[str]] = {}
        for key in sorted(set(config) - KEYS):
            errors.setdefault(key, []).append(f"Unknown key. Allowed keys: {', '.join(sorted(KEYS))}.")
        out = {**DEFAULTS, **{k: v for k, v in config.items() if k in KEYS}}
        url = out.get("management_url")
        if not isinstance(url, str) or len(url) > 1000 or not url.startswith(("http://", "https://")):
            errors.setdefault("management_url", []).append(
                "Required: the management API's base URL, e.g. http://rabbit.example.com:15672."
            )
        else:
            parts = urlsplit(url)
            try:
                parts.port  # noqa: B018 - raises on a bad port
            except ValueError:
                errors.setdefault("management_url", []).append("The port is not a number.")
            if not parts.hostname:
                errors.setdefault("management_url", []).append("Name the host, e.g. http://rabbit:15672.")
            if parts.username or parts.password:
                errors.setdefault("management_url", []).append(
                    "Keep credentials out of the URL: use 'username' and the 'password' secret."
                )
            out["management_url"] = url.rstrip("/")
        if not isinstance(out["username"], str) or not out["username"] or len(out["username"]) > 200:
            errors.setdefault("username", []).append(
                "Required: the user the harvest logs in as (with the 'monitoring' tag)."
            )
        if out["password_env"] and (
            not isinstance(out["password_env"], str) or not ENV_NAME.match(out["password_env"])
        ):
            errors.setdefault("password_env", []).append("The name of an environment variable, e.g. RABBITMQ_PASSWORD.")
        for key in ("include_vhosts", "exclude_vhosts"):
            value = out[key]
            if not isinstance(value, list) or len(value) > 500 or not all(isinstance(v, str) and v for v in value):
                errors.setdefault(key, []).append("A list of vhost name patterns (globs such as '/' or 'shop-*').")
        if not isinstance(out["include_system"], bool):
            errors.setdefault("include_system", []).append("true or false.")
        for key, low, high in (("timeout_s", 1, 600), ("amqp_port", 0, 65535)):
            value = out[key]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                errors.setdefault(key, []).append(f"A whole number between {low} and {high}.")
        if errors:
            raise ConfigError(errors)
        return out

    # --- HTTP ------------------------------------------------------------------------------

    def _password(self) -> str:
        if self.secrets.get("password"):
            return self.secrets["password"]
        env = self.config.get("password_env")
        if env:
            if env not in os.environ:
                raise SourceError(
                    f"The environment variable {env} named in 'password_env' is not set on this worker.", stage="config"
                )
            return os.environ[env]
        return ""

    def _get(self, session: "requests.Session", path: str, **params):
        import requests

        self.queries_sent += 1
        url = f"{self.config['management_url']}/api/{path}"
        try:
            response = session.get(url, params=params, timeout=self.config["timeout_s"])
        except requests.exceptions.SSLError as exc:
            raise SourceError(f"TLS failed: {str(exc)[:200]}", stage="tls") from None
        except requests.exceptions.Timeout:
            raise TransientSourceError(
                f"The management API did not answer within {self.config['timeout_s']} s.", stage="timeout"
            ) from None
        except requests.exceptions.ConnectionError as exc:
            text = str(exc)
            if "Name or service not known" in text or "nodename nor servname" in text or "NameResolutionError" in text:
                raise SourceError("The host name does not resolve (DNS).", stage="dns") from None
            if "Connection refused" in text:
                raise TransientSourceError(
                    "The server refused the connection: nothing listens on that host and port (is the management plugin enabled?).",
                    stage="refused",
                ) from None
            raise TransientSourceError(
                f"Could not reach the management API: {text[:200]}", stage="unreachable"
            ) from None
        if response.status_code == 401:
            reason = _reason(response)
            if "not management user" in reason.lower() or reason == "not_authorised":
                raise SourceError(
                    f"The user may not use the management API ({reason}); give it the 'monitoring' tag.",
                    stage="permission",
                )
            raise SourceError(f"Authentication failed: wrong user or password ({reason}).", stage="auth")
        if response.status_code == 403:
            raise SourceError(f"Permission denied on {path} ({_reason(response)}).", stage="permission")
        if response.status_code == 404:
            raise SourceError(f"{url} is not a RabbitMQ management API (404).", stage="api")
        if response.status_code >= 500:
            raise TransientSourceError(
                f"The management API failed with HTTP {response.status_code}.", stage="unavailable"
            )
        if response.status_code != 200:
            raise SourceError(f"The management API answered HTTP {response.status_code} to {path}.", stage="api")
        if len(response.content) > MAX_RESPONSE_BYTES:
            raise SourceError(f"The answer to {path} is larger than {MAX_RESPONSE_BYTES:,} bytes.", stage="api")
        try:
            return response.json()
        except ValueError:
            raise SourceError(
                f"The answer to {path} is not JSON: is {self.config['management_url']} the management API?", stage="api"
            ) from None

    def _session(self) -> "requests.Session":
        import requests

        session = requests.Session()
        session.auth = (self.config["username"], self._password())
        session.headers["User-Agent"] = "mesh-catalog-harvest"
        return session

    def _vhosts(self, session) -> list[str]:
        include, exclude = self.config["include_vhosts"], self.config["exclude_vhosts"]
        return [
            v["name"]
            for v in self._get(session, "vhosts", columns="name")
            if (not include or any(fnmatchcase(v["name"], p) for p in include))
            and not any(fnmatchcase(v["name"], p) for p in exclude)
        ]

    def _namespace(self, overview: dict) -> str:
        host = urlsplit(self.config["management_url"]).hostname
        port = self.config["amqp_port"] or next(
            (
                int(listener["port"])
                for listener in overview.get("listeners") or ()
                if listener.get("protocol") == "amqp"
            ),
            5672,
        )
        return f"amqp://{host}:{port}"

    def test_connection(self) -> ConnectionCheck:
        try:
            with self._session() as session:
                overview = self._get(session, "overview", columns="rabbitmq_version,cluster_name,listeners")
                vhosts = self._vhosts(session)
        except SourceError as exc:
            return ConnectionCheck(ok=False, stage=exc.stage, message=str(exc))
        if not vhosts:
            return ConnectionCheck(
                ok=False,
                stage="permission",
                message="Logged in, but the user sees no vhost it selects (set its permissions on the vhosts to catalog).",
            )
        return ConnectionCheck(
            ok=True,
            message=f"RabbitMQ {overview.get('rabbitmq_version', '?')} ({overview.get('cluster_name', '')}): {len(vhosts)} vhost(s) visible.",
        )

    # --- records ---------------------------------------------------------------------------

    def extract(self):
        with self._session() as session:
            overview = self._get(session, "overview", columns="rabbitmq_version,cluster_name,listeners")
            vhosts = set(self._vhosts(session))
            exchanges = self._get(session, "exchanges", columns=EXCHANGE_COLUMNS)
            queues = self._get(session, "queues", columns=QUEUE_COLUMNS)
            bindings = self._get(session, "bindings")
        namespace = self._namespace(overview)
        system = self.config["include_system"]
        refs = {}
        for x in exchanges:
            if x["vhost"] not in vhosts or not x["name"] or (x["name"].startswith("amq.") and not system):
                continue  # "" is the default exchange: every queue is bound to it implicitly
            ref = DatasetRef(namespace, f"exchange/{_part(x['vhost'])}/{_part(x['name'])}")
            refs[("exchange", x["vhost"], x["name"])] = ref
            stats = x.get("message_stats")
            props = {
                "vhost": x["vhost"],
                "type": x.get("type"),
                "durable": bool(x.get("durable")),
                "auto_delete": bool(x.get("auto_delete")),
                "internal": bool(x.get("internal")),
                "arguments": x.get("arguments") or {},
            }
            for key in ("publish_in", "publish_out"):
                rate = _rate(stats, key)
                if rate is not None:
                    props[f"{key}_rate"] = rate
            yield DatasetRecord(ref=ref, platform="rabbitmq", kind=DatasetKind.TOPIC, properties={"rabbitmq": props})
        for q in queues:
            if q["vhost"] not in vhosts:
                continue
            ref = DatasetRef(namespace, f"queue/{_part(q['vhost'])}/{_part(q['name'])}")
            refs[("queue", q["vhost"], q["name"])] = ref
            arguments = q.get("arguments") or {}
            stats = q.get("message_stats")
            props = {
                "vhost": q["vhost"],
                "type": q.get("type") or arguments.get("x-queue-type") or "classic",
                "durable": bool(q.get("durable")),
                "auto_delete": bool(q.get("auto_delete")),
                "exclusive": bool(q.get("exclusive")),
                "arguments": arguments,
                "consumers": q.get("consumers"),
                "messages": q.get("messages"),
                "messages_ready": q.get("messages_ready"),
                "messages_unacknowledged": q.get("messages_unacknowledged"),
                "state": q.get("state"),
            }
            for key in ("publish", "deliver_get", "ack"):
                rate = _rate(stats, key)
                if rate is not None:
                    props[f"{key}_rate"] = rate
            yield DatasetRecord(
                ref=ref,
                platform="rabbitmq",
                kind=DatasetKind.QUEUE,
                row_estimate=q.get("messages"),
                properties={"rabbitmq": {k: v for k, v in props.items() if v is not None}},
            )
            dead_letter = arguments.get("x-dead-letter-exchange")
            if dead_letter:
                yield from self._dead_letter(refs, q, dead_letter, ref)
        edges: dict[tuple, list] = {}
        for b in bindings:
            if b["vhost"] not in vhosts or not b.get("source"):
                continue
            upstream = refs.get(("exchange", b["vhost"], b["source"]))
            downstream = refs.get((b.get("destination_type"), b["vhost"], b.get("destination")))
            if upstream is None or downstream is None:
                continue  # a system exchange left out, or a queue of an excluded vhost
            edges.setdefault((upstream, downstream), []).append(b.get("routing_key", ""))
        for (upstream, downstream), keys in edges.items():
            yield LineageRecord(
                upstream=upstream,
                downstream=downstream,
                evidence=LineageEvidence.BROKER_BINDING,
                details={"routing_keys": sorted(set(keys))},
            )

    def _dead_letter(self, refs, queue, exchange, ref):
        target = refs.get(("exchange", queue["vhost"], exchange))
        if target is None:
            yield HarvestWarning(
                code="dead_letter_exchange_missing",
                message=f"The queue dead-letters to exchange '{exchange}', which does not exist (yet) in its vhost.",
                subject=ref.name,
            )
        else:
            yield LineageRecord(
                upstream=ref, downstream=target, evidence=LineageEvidence.BROKER_BINDING, details={"dead_letter": True}
            )


def _reason(response) -> str:
    try:
        body = response.json()
        return str(body.get("reason") or body.get("error") or "")[:200]
    except ValueError:
        return response.text[:200]
