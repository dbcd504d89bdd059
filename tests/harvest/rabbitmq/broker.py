"""A throw-away vhost on the real RabbitMQ, its topology, and a least-privilege user that harvests it.

Everything is declared through the management HTTP API as the administrator (guest) and
deleted afterwards: the vhost ``mesh-<random>`` with its exchanges, queues and bindings, and a
user tagged ``management`` that may only read that vhost.
"""

import os
import secrets
import time
from contextlib import contextmanager
from urllib.parse import quote

import requests

MANAGEMENT_URL = os.environ.get("MESH_TEST_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")
ADMIN = (os.environ.get("MESH_TEST_RABBITMQ_USER", "guest"), os.environ.get("MESH_TEST_RABBITMQ_PASSWORD", "guest"))


def api(method: str, path: str, json=None):
    response = requests.request(method, f"{MANAGEMENT_URL}/api/{path}", json=json, auth=ADMIN, timeout=10)
    response.raise_for_status()
    return response.json() if response.content else None


def q(text: str) -> str:
    return quote(text, safe="")


def declare_shop(vhost: str) -> None:
    """Orders flow through a topic exchange into queues, with a dead-letter exchange and an exchange-to-exchange binding."""
    v = q(vhost)
    api("PUT", f"exchanges/{v}/shop.events", {"type": "topic", "durable": True})
    api("PUT", f"exchanges/{v}/shop.dead", {"type": "fanout", "durable": True})
    api("PUT", f"exchanges/{v}/audit", {"type": "fanout", "durable": True, "internal": True})
    api("PUT", f"queues/{v}/billing.orders", {"durable": True, "arguments": {"x-dead-letter-exchange": "shop.dead"}})
    api("PUT", f"queues/{v}/shipping.orders", {"durable": True, "arguments": {"x-queue-type": "quorum"}})
    api("PUT", f"queues/{v}/dead.letters", {"durable": True})
    api("PUT", f"queues/{v}/audit.log", {"durable": False, "auto_delete": True})
    api("POST", f"bindings/{v}/e/shop.events/q/billing.orders", {"routing_key": "order.placed"})
    api("POST", f"bindings/{v}/e/shop.events/q/billing.orders", {"routing_key": "order.cancelled"})
    api("POST", f"bindings/{v}/e/shop.events/q/shipping.orders", {"routing_key": "order.placed"})
    api("POST", f"bindings/{v}/e/shop.dead/q/dead.letters", {"routing_key": ""})
    api("POST", f"bindings/{v}/e/shop.events/e/audit", {"routing_key": "#"})
    api("POST", f"bindings/{v}/e/audit/q/audit.log", {"routing_key": ""})


def publish(vhost: str, exchange: str, routing_key: str, n: int = 1) -> None:
    for i in range(n):
        api(
            "POST",
            f"exchanges/{q(vhost)}/{q(exchange)}/publish",
            {"properties": {}, "routing_key": routing_key, "payload": f"message {i}", "payload_encoding": "string"},
        )


def wait_for_messages(vhost: str, queue: str, count: int, timeout: float = 20) -> None:
    """The management API refreshes queue statistics every few seconds, and not all at once:
    right after the plugin starts a queue may show ``messages`` before ``consumers``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stats = api("GET", f"queues/{q(vhost)}/{q(queue)}")
        if stats.get("messages") == count and {"consumers", "messages_unacknowledged"} <= stats.keys():
            return
        time.sleep(0.5)
    raise AssertionError(f"{queue} never showed {count} messages with its consumer counts")


@contextmanager
def broker_vhost(*, tags: str = "management", read: str = ".*", declare=declare_shop):
    """Yields (vhost, user, password); deletes the vhost and the user afterwards."""
    vhost = f"mesh-{secrets.token_hex(4)}"
    user, password = f"{vhost}-harvester", secrets.token_urlsafe(12)
    try:
        api("PUT", f"vhosts/{q(vhost)}", {"description": "mesh catalog test"})
        api("PUT", f"users/{q(user)}", {"password": password, "tags": tags})
        api("PUT", f"permissions/{q(vhost)}/{q(user)}", {"configure": "", "write": "", "read": read})
        if declare:
            declare(vhost)
        yield vhost, user, password
    finally:
        for path in (f"vhosts/{q(vhost)}", f"users/{q(user)}"):
            try:
                api("DELETE", path)
            except requests.HTTPError:
                pass
