"""Run every benchmark in one go: ``python -m benchmarks [NAME ...]``.

Each benchmark measures its baseline in the same run and prints ratios and PASS/FAIL lines;
this runner prints each one's output and a closing summary of the PASS/FAIL lines. Exit code 1
when any target failed or a benchmark crashed.
"""

from __future__ import annotations

import subprocess
import sys
import time

ALL = (
    "storage",
    "indicators",
    "backtest",
    "risk",
    "models",
    "retrieval",
    "ask",
    "briefing",
    "signals",
    "cli_startup",
    "api",
)


def main(argv: list[str]) -> int:
    names = argv or list(ALL)
    unknown = [n for n in names if n not in ALL]
    if unknown:
        print(f"unknown benchmark(s) {unknown}: choose from {', '.join(ALL)}", file=sys.stderr)
        return 2
    verdicts: list[str] = []
    failed = False
    for name in names:
        print(f"\n=== benchmarks.{name} ===", flush=True)
        started = time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", f"benchmarks.{name}"], capture_output=True, text=True
        )
        print(run.stdout, end="")
        if run.returncode != 0 and "FAIL" not in run.stdout:
            print(run.stderr[-2000:], file=sys.stderr)
            verdicts.append(f"CRASH {name}: exit {run.returncode}")
            failed = True
            continue
        lines = [
            ln.strip() for ln in run.stdout.splitlines() if ln.strip().startswith(("PASS", "FAIL"))
        ]
        verdicts += [f"{ln}  [{name}]" for ln in lines]
        failed |= any(ln.startswith("FAIL") for ln in lines)
        print(f"({name}: {time.perf_counter() - started:.1f} s)")
    print("\n=== summary ===")
    print("\n".join(verdicts))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
