"""A real HTTP webhook receiver on 127.0.0.1 that verifies every signature with `standardwebhooks`.

``mode`` decides the answer: ok, 500, 410, redirect, slow (sleeps ``delay`` first),
retry_after (503 with ``Retry-After``), hang_first (the first request sleeps ``delay``).
"""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from standardwebhooks import Webhook


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """Records (webhook-id, verified, body) for every POST; ``secrets`` verify the signature."""

    def __init__(self, port: int | None = None, mode: str = "ok", delay: float = 0.0):
        self.port = port or free_port()
        self.mode, self.delay = mode, delay
        self.secrets: list[str] = []
        self.received: list[dict] = []
        self.lock = threading.Lock()
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def verify(self, body: bytes, headers: dict) -> bool:
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, headers)
                return True
            except Exception:
                continue
        return False

    @staticmethod
    def parse(body: bytes):
        """The body read by the CloudEvents SDK (None when it is not a valid CloudEvent)."""
        try:
            return JSONFormat().read(CloudEvent, body)
        except Exception:
            return None

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.lock:
                    first = not receiver.received
                    receiver.received.append(
                        {
                            "id": headers.get("webhook-id"),
                            "verified": receiver.verify(body, headers),
                            "headers": headers,
                            "body": json.loads(body or b"{}"),
                            "cloudevent": receiver.parse(body),
                            "path": self.path,
                        }
                    )
                if receiver.mode == "slow" or (receiver.mode == "hang_first" and first):
                    time.sleep(receiver.delay)
                code, extra = {
                    "ok": (204, {}),
                    "slow": (200, {}),
                    "hang_first": (200, {}),
                    "500": (500, {}),
                    "410": (410, {}),
                    "redirect": (302, {"Location": f"http://127.0.0.1:{receiver.port}/elsewhere"}),
                    "retry_after": (503, {"Retry-After": "120"}),
                }[receiver.mode]
                try:
                    self.send_response(code)
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def ids(self) -> list[str]:
        with self.lock:
            return [r["id"] for r in self.received]
