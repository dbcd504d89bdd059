"""The same search tests on SQLite, the embedded default, in a separate process.

The suite runs on PostgreSQL; this test runs the behaviour modules again with
``MESH_TEST_DATABASE_URL`` pointing at SQLite, where the FTS5 backend serves them, and
requires every one of them to pass (relevance included, with the same pinned MRR).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED_MODULES = [
    "test_relevance.py",
    "test_ranking.py",
    "test_bad_input.py",
    "test_freshness.py",
    "test_api.py",
    "test_text.py",
    "test_columns.py",
]


@pytest.mark.slow
def test_search_behaves_the_same_on_sqlite(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "MESH_TEST_DATABASE_URL")
    }
    env.update({"MESH_TEST_DATABASE_URL": f"sqlite:///{tmp_path}/search.sqlite3", "MESH_DATA_DIR": str(tmp_path)})
    modules = [str(Path("tests/search") / m) for m in SHARED_MODULES]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", *modules],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "search relevance on sqlite" in output
    print(re.search(r"search relevance on sqlite.*", output).group(0))
    summary = re.search(r"(\d+) passed", output)
    assert summary and int(summary.group(1)) >= 30, output[-2000:]
    assert "skipped" not in output.splitlines()[-1] and "failed" not in output.splitlines()[-1]
