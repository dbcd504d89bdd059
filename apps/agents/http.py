"""MCP over streamable HTTP at ``/mcp``, inside the catalog's own (WSGI) web process.

The SDK's transport is ASGI. One event loop in a daemon thread runs its session manager
(stateless, JSON responses: every POST is a self-contained exchange, so any gunicorn worker
can answer any request); ``a2wsgi`` bridges each request into it. The Django view in front
authenticates the bearer token first — no token, no MCP — and hands the user to the tools
through the ASGI scope.
"""

import asyncio
import threading

from a2wsgi import ASGIMiddleware
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings

from apps.agents.server import current_user, get_server
from apps.core.auth import InvalidToken, bearer_token, user_for_token

MAX_BODY = 1024 * 1024
_lock = threading.Lock()
_bridge = None


def _start_bridge():
    """The loop thread with a running session manager; returns (loop, manager)."""
    loop = asyncio.new_event_loop()
    manager = StreamableHTTPSessionManager(
        app=get_server()._lowlevel_server,
        json_response=True,
        stateless=True,
        security_settings=TransportSecuritySettings(enable_dns_rebinding_protection=False),  # ALLOWED_HOSTS does it
        max_request_body_size=MAX_BODY,
    )
    ready = threading.Event()

    async def keep_running():
        async with manager.run():
            ready.set()
            await asyncio.Event().wait()

    def run_loop():
        asyncio.set_event_loop(loop)
        loop.run_until_complete(keep_running())

    threading.Thread(target=run_loop, name="mcp-http", daemon=True).start()
    if not ready.wait(10):
        raise RuntimeError("the MCP session manager did not start")
    return loop, manager


def _wsgi_app_for(user):
    """A WSGI app that runs one MCP exchange as ``user`` on the bridge's loop."""
    global _bridge
    with _lock:
        if _bridge is None:
            _bridge = _start_bridge()
    loop, manager = _bridge

    async def as_user(scope, receive, send):
        token = current_user.set(user)
        try:
            await manager.handle_request(scope, receive, send)
        finally:
            current_user.reset(token)

    return ASGIMiddleware(as_user, loop=loop)


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"errors": [{"field": None, "code": code, "message": message}]}, status=status)


@csrf_exempt
def mcp_endpoint(request):
    raw = bearer_token(request)
    if raw is None:
        response = _error(401, "not_authenticated", "Send a personal access token: Authorization: Bearer <token>.")
        response["WWW-Authenticate"] = "Bearer"
        return response
    try:
        user = user_for_token(raw)
    except InvalidToken as exc:
        return _error(401, "invalid_token", str(exc))
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return _error(413, "too_large", f"MCP requests are limited to {MAX_BODY} bytes.")
    environ = dict(request.environ)
    environ["wsgi.input"] = request  # Django's request is a file-like reader of the body
    environ["PATH_INFO"], environ["SCRIPT_NAME"] = "/mcp", ""
    status_headers = {}

    def start_response(status, headers, exc_info=None):
        status_headers["status"], status_headers["headers"] = status, headers

    body = b"".join(_wsgi_app_for(user)(environ, start_response))
    response = HttpResponse(body, status=int(status_headers["status"].split(" ", 1)[0]))
    for name, value in status_headers["headers"]:
        if name.lower() not in ("content-length", "connection", "transfer-encoding"):
            response[name] = value
    return response
