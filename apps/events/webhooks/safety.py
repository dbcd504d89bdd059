"""Refuse webhook targets that would turn the catalog into an SSRF proxy.

A URL must be http(s) with a host; every address its host resolves to must be public
(not loopback, private, link-local, multicast, reserved or unspecified) unless
``MESH_WEBHOOK_ALLOW_PRIVATE`` is set. Checked when a subscription is saved *and* at
each delivery, and the connection goes to the address that was checked (no DNS
rebinding between check and connect).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from apps.core.errors import ActionError

MAX_URL_LENGTH = 500


class UnsafeTarget(Exception):
    """The URL is malformed, unresolvable, or points at a private address."""


def parse_url(url: str):
    if not isinstance(url, str) or not url.strip():
        raise UnsafeTarget("Give the receiver's URL, e.g. https://hooks.example.com/mesh.")
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeTarget(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise UnsafeTarget("The URL must start with https:// (or http://).")
    try:
        port = parts.port
    except ValueError:
        raise UnsafeTarget("The URL's port is not a number between 0 and 65535.") from None
    if not parts.hostname:
        raise UnsafeTarget("The URL has no host name.")
    if parts.username or parts.password:
        raise UnsafeTarget("Put no credentials in the URL; receivers verify the signature instead.")
    return parts, port or (443 if parts.scheme == "https" else 80)


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve_target(url: str) -> tuple:
    """(parts, port, address to connect to), or ``UnsafeTarget`` saying why not."""
    parts, port = parse_url(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeTarget(f"The host {parts.hostname!r} does not resolve ({exc}).") from None
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise UnsafeTarget(f"The host {parts.hostname!r} does not resolve.")
    if not getattr(settings, "MESH_WEBHOOK_ALLOW_PRIVATE", False):
        private = [a for a in addresses if not _is_public(a)]
        if private:
            raise UnsafeTarget(
                f"{parts.hostname} resolves to a loopback, private or link-local address ({private[0]}); "
                "webhooks only go to public addresses (set MESH_WEBHOOK_ALLOW_PRIVATE for a trusted network)."
            )
    return parts, port, addresses[0]


def check_url(url: str) -> str:
    """The cleaned URL, or an ``ActionError`` on ``url`` for forms and APIs."""
    try:
        resolve_target(url)
    except UnsafeTarget as exc:
        raise ActionError(str(exc), field="url", code="unsafe_url") from None
    return url.strip()
