"""Running one of DataHub's ingestion sources side by side with ours, for the benchmarks.

DataHub (``acryl-datahub[...]`` in a virtualenv of its own: it pins many packages) is run as
a whole process, ``datahub ingest -c recipe.yml``, with a file sink, so that its figures
include its start-up as ours do with ``--whole-process``. The recipe is written as JSON,
which YAML reads as well. Returns wall and CPU seconds, max RSS, output size and whether
the run succeeded (a failed run prints the end of its output).
"""

import json
import resource
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class ProcessRun:
    """The figures of one timed child process."""

    wall: float
    cpu: float
    rss_mb: float
    ok: bool
    output_mb: float = 0.0


def timed_process(command: list[str], **kwargs) -> tuple[ProcessRun, subprocess.CompletedProcess]:
    """Run ``command`` to the end; CPU is the child's user + system time (it must be our only child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # ru_maxrss of children is the largest child so far, not this one's: a lower bound at best.
    return ProcessRun(wall=wall, cpu=cpu, rss_mb=after.ru_maxrss / 1024, ok=done.returncode == 0), done


def run_datahub(cli: str, source: dict) -> ProcessRun:
    """``datahub ingest`` of ``source`` (``{"type": ..., "config": {...}}``) into a file sink."""
    with tempfile.TemporaryDirectory(prefix="mesh-bench-datahub-") as tmp:
        out = Path(tmp) / "out.json"
        recipe = Path(tmp) / "recipe.yml"
        recipe.write_text(json.dumps({"source": source, "sink": {"type": "file", "config": {"filename": str(out)}}}))
        run, done = timed_process([cli, "ingest", "-c", str(recipe)])
        if not run.ok:
            print(f"DataHub failed ({done.returncode}): {done.stdout[-1500:]}{done.stderr[-1500:]}")
        run.output_mb = out.stat().st_size / 2**20 if out.exists() else 0.0
    return run
