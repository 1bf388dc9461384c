"""Starting several interpreters at the same moment, for first-run and concurrency tests."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_together(code: str, args: list[str], go: Path, *, n: int = 8) -> list[str]:
    """Start ``n`` interpreters running ``code`` with ``args`` + ``go`` (the code waits until the
    file ``go`` exists), create ``go`` once all are started, and return the last stderr line of
    each that failed (empty when all succeeded)."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, *args, str(go)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    time.sleep(0.5)  # let them import (they wait for the go file either way)
    go.touch()
    failed = []
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        if proc.returncode != 0:
            lines = [x for x in err.splitlines() if x.strip() and not x.startswith("(")]
            failed.append(lines[-1] if lines else str(proc.returncode))
    return failed
