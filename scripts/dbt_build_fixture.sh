#!/usr/bin/env bash
# Build the demo dbt project (fixtures/dbt_demo) against PostgreSQL and copy its artifacts.
#
#   scripts/dbt_build_fixture.sh [OUT_DIR]      (default OUT_DIR: fixtures/dbt_artifacts/demo)
#
# Environment:
#   DBT_VENV        virtualenv of dbt, relative to the repo root or absolute (default .venv-dbt);
#                   created and filled from requirements-dbt.txt only when dbt is missing
#   DBT_DEMO_DB     warehouse database, created when missing       (default mesh_demo_warehouse)
#   DBT_PG_HOST     PostgreSQL host                                (default 127.0.0.1)
#   DBT_PG_PORT     PostgreSQL port                                (default 5432)
#   DBT_PG_USER     PostgreSQL user                                (default postgres)
#   DBT_PG_PASSWORD PostgreSQL password                            (default empty: trust auth)
#   PYTHON          interpreter used to create the virtualenv      (default python3)
#
# Runs `dbt seed`, `dbt build`, `dbt source freshness` and `dbt docs generate`, then copies
# manifest.json, catalog.json, run_results.json (of `dbt build`) and sources.json to OUT_DIR.
# The project has exactly one test failing on purpose, so `dbt build` exits 1: the script
# accepts that, and fails when a node errored or was skipped. Nothing is written into the
# repository except OUT_DIR and the virtualenv (profiles, target and logs go to a temp dir).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT_DIR="$REPO_ROOT/fixtures/dbt_demo"
OUT_DIR="${1:-$REPO_ROOT/fixtures/dbt_artifacts/demo}"
VENV="${DBT_VENV:-.venv-dbt}"
case "$VENV" in /*) ;; *) VENV="$REPO_ROOT/$VENV" ;; esac

export DBT_DEMO_DB="${DBT_DEMO_DB:-mesh_demo_warehouse}"
export DBT_PG_HOST="${DBT_PG_HOST:-127.0.0.1}"
export DBT_PG_PORT="${DBT_PG_PORT:-5432}"
export DBT_PG_USER="${DBT_PG_USER:-postgres}"
export DBT_PG_PASSWORD="${DBT_PG_PASSWORD:-}"
# No network except the package index: no usage tracking, no version check.
export DBT_SEND_ANONYMOUS_USAGE_STATS=false DO_NOT_TRACK=1 DBT_VERSION_CHECK=false
export DBT_USE_COLORS=false DBT_PRINTER_WIDTH=100

log() { printf '[dbt_build_fixture] %s\n' "$*" >&2; }

# 1. dbt in its own virtualenv
if [ ! -x "$VENV/bin/dbt" ] || ! "$VENV/bin/dbt" --version >/dev/null 2>&1; then
    log "installing dbt into $VENV"
    [ -x "$VENV/bin/python" ] || "${PYTHON:-python3}" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$REPO_ROOT/requirements-dbt.txt"
fi
DBT="$VENV/bin/dbt"

# 2. the warehouse database (psycopg2 comes with dbt-postgres)
"$VENV/bin/python" - <<'PY'
import os
import psycopg2
from psycopg2 import sql

db = os.environ["DBT_DEMO_DB"]
conn = psycopg2.connect(host=os.environ["DBT_PG_HOST"], port=os.environ["DBT_PG_PORT"],
                        user=os.environ["DBT_PG_USER"], password=os.environ["DBT_PG_PASSWORD"],
                        dbname="postgres")
conn.autocommit = True
with conn.cursor() as cur:
    cur.execute("select 1 from pg_database where datname = %s", (db,))
    if cur.fetchone() is None:
        cur.execute(sql.SQL("create database {}").format(sql.Identifier(db)))
        print(f"[dbt_build_fixture] created database {db}", flush=True)
conn.close()
PY

# 3. profile, target and logs in a temp dir
WORK="$(mktemp -d "${TMPDIR:-/tmp}/dbt_demo.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cat >"$WORK/profiles.yml" <<'YAML'
mesh_demo:
  target: demo
  outputs:
    demo:
      type: postgres
      host: "{{ env_var('DBT_PG_HOST') }}"
      port: "{{ env_var('DBT_PG_PORT') | as_number }}"
      user: "{{ env_var('DBT_PG_USER') }}"
      password: "{{ env_var('DBT_PG_PASSWORD', '') }}"
      dbname: "{{ env_var('DBT_DEMO_DB') }}"
      schema: analytics
      threads: 4
YAML
TARGET="$WORK/target"
dbt_run() {
    (cd "$WORK" && "$DBT" "$@" --project-dir "$PROJECT_DIR" --profiles-dir "$WORK" \
        --target-path "$TARGET" --log-path "$WORK/logs")
}

# Checks the run_results.json of a command; $1 = label.
check_run_results() {
    "$VENV/bin/python" - "$TARGET/run_results.json" "$1" <<'PY'
import collections, json, sys
path, label = sys.argv[1], sys.argv[2]
try:
    results = json.load(open(path))["results"]
except (OSError, ValueError, KeyError) as exc:
    sys.exit(f"[dbt_build_fixture] {label}: no usable run_results.json ({exc})")
counts = collections.Counter(r["status"] for r in results)
print(f"[dbt_build_fixture] {label}: {dict(sorted(counts.items()))}", file=sys.stderr)
bad = [r for r in results if r["status"] in ("error", "runtime error", "skipped")]
for r in bad:
    print(f"  {r['status']}: {r['unique_id']}: {r.get('message')}", file=sys.stderr)
failed = [r["unique_id"] for r in results if r["status"] == "fail"]
if bad:
    sys.exit(1)
if label == "dbt build" and len(failed) != 1:
    sys.exit(f"[dbt_build_fixture] expected exactly one failing test, got {failed}")
PY
}

# 4. seed (the raw tables must exist before build creates the staging views)
log "dbt seed"
dbt_run seed
check_run_results "dbt seed"

# 5. build: exit code 1 = a node failed/errored (one test fails on purpose), 2 = dbt crashed
log "dbt build"
rc=0
dbt_run build || rc=$?
if [ "$rc" -gt 1 ]; then log "dbt build crashed (exit $rc)"; exit "$rc"; fi
check_run_results "dbt build"
cp "$TARGET/run_results.json" "$WORK/run_results.build.json"

# 6. source freshness: exit 1 on an `error` status; the payments source warns on purpose
log "dbt source freshness"
rc=0
dbt_run source freshness || rc=$?
if [ "$rc" -gt 1 ] || [ ! -s "$TARGET/sources.json" ]; then
    log "dbt source freshness failed (exit $rc)"; exit 1
fi
cp "$TARGET/sources.json" "$WORK/sources.json"

# 7. docs (rewrites manifest.json with compiled code, writes catalog.json and run_results.json)
log "dbt docs generate"
dbt_run docs generate

mkdir -p "$OUT_DIR"
cp "$TARGET/manifest.json" "$TARGET/catalog.json" "$OUT_DIR/"
cp "$WORK/run_results.build.json" "$OUT_DIR/run_results.json"
cp "$WORK/sources.json" "$OUT_DIR/sources.json"
log "artifacts written to $OUT_DIR"
