"""A catalog started as `make run` starts it: SQLite, in-process tasks, the DuckDB demo warehouse.

A fresh ``MESH_DATA_DIR`` (no catalog, no warehouse), no ``DATABASE_URL`` or ``REDIS_URL``,
``MESH_DEMO_WAREHOUSE=duckdb`` so no PostgreSQL is used even when one runs on the machine;
``migrate``, ``load_demo`` and ``runserver`` in their own processes on a free port.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DROP = (
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "MESH_DEMO_WAREHOUSE",
    "MESH_PUBLIC_READ",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def embedded_env(data_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in DROP}
    env.update(
        MESH_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="mesh_catalog.settings",
        MESH_DEMO_WAREHOUSE="duckdb",
        MESH_PUBLIC_READ="True",  # as `make run` serves it
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def manage(env: dict, *args: str, timeout: int = 300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def wait_for(url: str, timeout: float = 60) -> float:
    """Seconds until ``url`` answers 200."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer 200 within {timeout} s")


@contextmanager
def serve(env: dict, command: list[str] | None = None):
    """Yield the base URL of a server started with ``command`` (default: runserver --noreload)."""
    port = free_port()
    command = command or [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    command = [c.replace("{port}", str(port)) for c in command]
    log = open(Path(env["MESH_DATA_DIR"]) / "server.log", "w")  # noqa: SIM115 (closed in finally, outlives the block)
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(base + "/healthz")
        except AssertionError:
            log.flush()
            raise AssertionError((Path(env["MESH_DATA_DIR"]) / "server.log").read_text()[-4000:]) from None
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
