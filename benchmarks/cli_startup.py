"""CLI start-up benchmark: cold ``signaldesk --help`` and ``signaldesk signal`` beside ``python``.

Run from the repository root::

    python -m benchmarks.cli_startup
    python -m benchmarks.cli_startup --repeats 9 --importtime

Each round starts three fresh processes, interleaved so that other load on a shared machine
hits every command alike:

- ``python -c pass`` (the baseline: the interpreter alone);
- ``signaldesk --help`` (typer, rich and the command modules; no settings, no data);
- ``signaldesk signal MSFT --as-of 2013-02-28 --json`` in a fresh ``SIGNALDESK_HOME`` (bundled
  prices only, no cache, no models: everything the signal path imports and computes, cold).

``signaldesk`` is the console script beside this interpreter (``python -c "from cli import
main; main()"`` when it is not installed). Printed per command: the median wall time and its
ratio to ``python -c pass``, and the median CPU time (user + system) of the process, which
other load on the machine disturbs less. With ``--importtime``, one more run of each command
under ``python -X importtime`` prints the imports with the largest cumulative times.

Targets (2-core machine, wall time): ``--help`` < 0.5 s, ``signal`` < 2.5 s. The last lines say
PASS or FAIL; the exit status is 1 when one is missed or a command fails.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ENV_PREFIX = "SIGNALDESK_"
HELP_TARGET_S = 0.5
SIGNAL_TARGET_S = 2.5
SIGNAL_ARGS = ("signal", "MSFT", "--as-of", "2013-02-28", "--json")


def signaldesk() -> list[str]:
    """The ``signaldesk`` console script installed beside this interpreter, else its module."""
    script = shutil.which("signaldesk", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-c", "from cli import main; main()"]


@dataclass
class Command:
    name: str
    argv: list[str]
    cli_args: tuple[str, ...] | None = None  # the arguments after ``signaldesk``, if it is one
    wall_s: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)


def clean_env() -> dict[str, str]:
    """This environment without SIGNALDESK_* settings, on bundled prices only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    return env | {f"{ENV_PREFIX}SOURCES": "bundled"}


def run_once(cmd: Command, env: dict[str, str]) -> None:
    """One fresh process of ``cmd`` in a new empty home; a failure raises."""
    with tempfile.TemporaryDirectory(prefix="sd-bench-cli-") as home:
        child_env = env | {f"{ENV_PREFIX}HOME": home}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(cmd.argv, env=child_env, capture_output=True, text=True, cwd=home)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd.name} exited {done.returncode}: {done.stderr[-500:]}")
    cmd.wall_s.append(wall)
    cmd.cpu_s.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


def import_profile(cli_args: Sequence[str], env: dict[str, str], top: int) -> list[str]:
    """The ``top`` imports with the largest cumulative time (ms) in one run of ``signaldesk``
    with ``cli_args``."""
    script = f"import sys; sys.argv = ['signaldesk', *{list(cli_args)!r}]; import cli; cli.main()"
    with tempfile.TemporaryDirectory(prefix="sd-bench-cli-") as home:
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", script],
            env=env | {f"{ENV_PREFIX}HOME": home},
            capture_output=True,
            text=True,
            cwd=home,
        )
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.removeprefix("import time:").split("|")
            if cumulative.strip().isdigit():
                rows.append((int(cumulative), name.rstrip()))
    rows.sort(reverse=True)
    return [f"{us / 1000:8.0f} ms  {name}" for us, name in rows[:top]]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="fresh processes per command")
    parser.add_argument("--importtime", action="store_true", help="print import profiles")
    parser.add_argument("--top", type=int, default=25, help="imports shown per profile")
    args = parser.parse_args(argv)

    cli = signaldesk()
    commands = [
        Command('python -c "pass" (baseline)', [sys.executable, "-c", "pass"]),
        Command("signaldesk --help", [*cli, "--help"], ("--help",)),
        Command(f"signaldesk {' '.join(SIGNAL_ARGS)}", [*cli, *SIGNAL_ARGS], SIGNAL_ARGS),
    ]
    env = clean_env()
    for _ in range(args.repeats):
        for cmd in commands:
            run_once(cmd, env)

    base = statistics.median(commands[0].wall_s)
    print(f"cold start, median of {args.repeats} fresh processes ({' '.join(cli)}):")
    print(f"  {'wall':>7}  {'x pass':>7}  {'cpu':>7}  command")
    for cmd in commands:
        wall = statistics.median(cmd.wall_s)
        print(f"  {wall:6.2f}s  {wall / base:6.1f}x  {statistics.median(cmd.cpu_s):6.2f}s  "
              f"{cmd.name}  (runs: {', '.join(f'{s:.2f}' for s in cmd.wall_s)} s)")  # fmt: skip
    if args.importtime:
        for cmd in commands[1:]:
            assert cmd.cli_args is not None
            print(f"\nlargest cumulative imports, one run of {cmd.name}:")
            print("\n".join(import_profile(cmd.cli_args, env, args.top)))

    help_s = statistics.median(commands[1].wall_s)
    signal_s = statistics.median(commands[2].wall_s)
    print()
    print(f"{verdict(help_s < HELP_TARGET_S)}: signaldesk --help {help_s:.2f} s "
          f"(target < {HELP_TARGET_S} s)")  # fmt: skip
    print(f"{verdict(signal_s < SIGNAL_TARGET_S)}: signaldesk signal cold {signal_s:.2f} s "
          f"(target < {SIGNAL_TARGET_S} s)")  # fmt: skip
    return 0 if help_s < HELP_TARGET_S and signal_s < SIGNAL_TARGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
