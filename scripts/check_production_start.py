#!/usr/bin/env python3
"""CI check: the production configuration starts and serves pages (DEBUG=False, gunicorn).

    python scripts/check_production_start.py

In a temporary MESH_DATA_DIR with a SQLite catalog and the embedded DuckDB demo warehouse:
``migrate``, ``load_demo``, ``collectstatic`` with ``DEBUG=False`` (WhiteNoise's compressed
manifest), then gunicorn on a free port, and fetches the pages a visitor and a developer
open first — login, the health check, the project's own 404, Swagger, ReDoc, GraphiQL —
plus every static file those pages reference (hashed names from the manifest). Requests
carry ``X-Forwarded-Proto: https`` as a TLS-terminating proxy would. Exits 1 naming the
first failure; prints what it fetched.
"""

import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    ("/healthz", 200, ""),
    ("/login/", 200, "Log in"),
    ("/no-such-page/", 404, "Nothing here"),
    ("/api/docs/", 200, "swagger"),
    ("/api/redoc/", 200, "redoc"),
    ("/graphql", 200, "graphiql"),
]


def fernet_key() -> str:
    import base64

    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, accept: str = "text/html") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", "Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def main() -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="mesh-prod-check-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEY=fernet_key(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        MESH_DATA_DIR=str(data_dir),
        MESH_DEMO_WAREHOUSE="duckdb",
        MESH_PUBLIC_READ="True",
        DJANGO_SETTINGS_MODULE="mesh_catalog.settings",
    )
    python = sys.executable
    for args in (["migrate", "--noinput", "-v0"], ["load_demo"], ["collectstatic", "--noinput", "-v0"]):
        result = subprocess.run([python, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"FAIL manage.py {' '.join(args)} (DEBUG=False):\n{result.stderr[-3000:]}", file=sys.stderr)
            return 1
        print(f"ok   manage.py {' '.join(args)}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = data_dir / "gunicorn.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [python, "-m", "gunicorn", "mesh_catalog.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            return check(base, server, log)
        finally:
            server.terminate()
            server.wait(15)


def check(base: str, server, log: Path) -> int:
    deadline = time.monotonic() + 60
    while True:
        try:
            if fetch(base + "/healthz")[0] == 200:
                break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            print(f"FAIL gunicorn did not start:\n{log.read_text()[-3000:]}", file=sys.stderr)
            return 1
        time.sleep(0.2)
    statics: set[str] = set()
    for path, status, needle in PAGES:
        got, body = fetch(base + path)
        if got != status or needle.lower() not in body.lower():
            print(f"FAIL GET {path}: {got} (wanted {status} with {needle!r})\n{body[:1500]}", file=sys.stderr)
            return 1
        print(f"ok   GET {path} {got}")
        statics |= set(re.findall(r'(?:src|href)="(/static/[^"]+)"', body))
    if not statics:
        print("FAIL no static file referenced by the pages", file=sys.stderr)
        return 1
    for path in sorted(statics):
        got, _ = fetch(base + path, accept="*/*")
        if got != 200:
            print(f"FAIL GET {path}: {got}", file=sys.stderr)
            return 1
    hashed = [p for p in statics if re.search(r"\.[0-9a-f]{12}\.(css|js)$", p)]
    print(f"ok   {len(statics)} static files referenced by those pages answer 200 ({len(hashed)} with hashed names)")
    if not hashed:
        print("FAIL the pages do not use the manifest's hashed names", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
