"""`make run` from a fresh clone to the first 200: what a newcomer waits for.

    .venv/bin/python bench/make_run_first_200.py [--repo PATH] [--venv PATH | --fresh-venv]

Clones the repository (``git clone`` of ``--repo``, default this checkout's committed HEAD)
into a temporary directory and runs what ``make run`` runs there — ``migrate``,
``load_demo`` (which builds the DuckDB demo warehouse and harvests it) and ``runserver`` —
with no ``DATABASE_URL``, ``REDIS_URL`` or PostgreSQL (``MESH_DEMO_WAREHOUSE=duckdb``), then
polls ``/login/`` until it answers 200. By default the interpreter of an existing virtualenv
(``--venv``, default the one running this script) is used, because installing the
dependencies is network-bound and ``make`` skips it once done; ``--fresh-venv`` includes
``make install`` (a new ``.venv`` inside the clone, from your package index). Prints the time
per step and in total. Target: ≤ 60 s.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=str(REPO))
    parser.add_argument("--venv", default=str(Path(sys.executable).parents[1]))
    parser.add_argument("--fresh-venv", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mesh-fresh-clone-"))
    clone = work / "mesh-catalog"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "MESH_DATA_DIR")
    }
    env["MESH_DEMO_WAREHOUSE"] = "duckdb"
    steps = []
    started = time.perf_counter()

    def step(label, command, **kwargs):
        t = time.perf_counter()
        subprocess.run(
            command, cwd=clone if label != "git clone" else work, env=env, check=True, capture_output=True, **kwargs
        )
        steps.append((label, time.perf_counter() - t))

    step("git clone", ["git", "clone", "--quiet", args.repo, str(clone)])
    if args.fresh_venv:
        step("make install", ["make", "install"])
        python = str(clone / ".venv" / "bin" / "python")
    else:
        python = str(Path(args.venv) / "bin" / "python")
    step("migrate", [python, "manage.py", "migrate", "--noinput", "-v0"])
    step("load_demo", [python, "manage.py", "load_demo"])
    port = free_port()
    t = time.perf_counter()
    server = subprocess.Popen(
        [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=clone,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if time.perf_counter() - t > 60:
                    raise SystemExit("the server did not answer within 60 s") from None
                time.sleep(0.05)
        steps.append(("runserver to first 200", time.perf_counter() - t))
    finally:
        server.terminate()
        server.wait(10)
    total = time.perf_counter() - started
    for label, seconds in steps:
        print(f"  {label:<24} {seconds:6.1f} s")
    tracked = subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True).stdout
    print(f"fresh clone to first 200: {total:.1f} s (venv: {'fresh' if args.fresh_venv else args.venv})")
    print(f"tracked or untracked files changed in the clone outside var/: {tracked.strip() or 'none'}")
    print(f"target <= 60 s: {'MET' if total <= 60 else 'MISSED'}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
