"""One HTTP POST of a signed event to a checked address, with a hard 10 s limit.

urllib3 is given the *address* that ``safety.resolve_target`` approved (the Host header
and TLS name stay the URL's host), redirects are not followed (a receiver must answer
at its URL; a redirect could point anywhere) and the response is read only a little.
"""

import time
from dataclasses import dataclass

import urllib3
from django.conf import settings

from apps.events.webhooks.safety import UnsafeTarget, resolve_target

EXCERPT_BYTES = 500


@dataclass
class AttemptResult:
    """What one attempt came to; ``ok`` is a 2xx answer."""

    status_code: int | None = None
    error: str = ""
    retry_after: str | None = None
    duration_ms: int = 0
    excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def timeout_seconds() -> float:
    return float(getattr(settings, "MESH_WEBHOOK_TIMEOUT_SECONDS", 10))


_pools: dict[tuple, urllib3.HTTPConnectionPool] = {}
MAX_POOLS = 100


def _pool(scheme: str, address: str, port: int, hostname: str):
    """A keep-alive pool per checked address, reused by the worker across deliveries."""
    key = (scheme, address, port, hostname, timeout_seconds())
    pool = _pools.get(key)
    if pool is None:
        if len(_pools) >= MAX_POOLS:
            _pools.pop(next(iter(_pools))).close()
        timeout = urllib3.Timeout(total=timeout_seconds())
        if scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                port,
                timeout=timeout,
                retries=False,
                server_hostname=hostname,
                assert_hostname=hostname,
                maxsize=2,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=2)
        _pools[key] = pool
    return pool


def post(url: str, body: str, headers: dict[str, str]) -> AttemptResult:
    started = time.monotonic()
    result = AttemptResult()
    try:
        parts, port, address = resolve_target(url)
    except UnsafeTarget as exc:
        result.error = str(exc)[:500]
        return result
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pool = _pool(parts.scheme, address, port, parts.hostname)
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body.encode(),
            headers={**headers, "host": host_header},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        result.status_code = response.status
        result.retry_after = response.headers.get("retry-after")
        try:
            result.excerpt = response.read(EXCERPT_BYTES, decode_content=False).decode(errors="replace")
        except (urllib3.exceptions.HTTPError, OSError):
            pass
        response.release_conn()
        if 300 <= response.status < 400:
            result.error = f"The receiver redirected ({response.status} to {response.headers.get('location', '?')}); redirects are not followed."
        elif not result.ok:
            result.error = f"The receiver answered {response.status}."
    # NewConnectionError subclasses ConnectTimeoutError in urllib3 2: test it first.
    except urllib3.exceptions.NewConnectionError as exc:
        result.error = f"Could not connect to {parts.hostname}:{port} ({exc.__class__.__name__})."
    except urllib3.exceptions.TimeoutError:
        result.error = f"No answer within {timeout_seconds():g} s."
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        result.error = f"The request failed: {exc.__class__.__name__}: {exc}"[:500]
    finally:
        result.duration_ms = int((time.monotonic() - started) * 1000)
    return result
