"""Run a command several times while every core is held busy by another process: a test that
waits on conditions passes all the same, only slower; one that depends on timing does not.

    python scripts/busy.py --times 20 -- python -m pytest -q tests/e2e/test_clicks.py

One spinning process per core (os.cpu_count()) runs for as long as the command does; the
report gives each run's exit code and time, and the count of failures (exit 1 if any).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import time


def _spin(stop) -> None:
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x = (x * 1103515245 + 12345) & 0xFFFFFFFF


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--times", type=int, default=3)
    ap.add_argument("--cores", type=int, default=os.cpu_count() or 2)
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        ap.error("no command given (after --)")
    stop = mp.Event()
    spinners = [mp.Process(target=_spin, args=(stop,), daemon=True) for _ in range(args.cores)]
    for s in spinners:
        s.start()
    failures = 0
    try:
        for i in range(args.times):
            t0 = time.monotonic()
            code = subprocess.call(command)
            failures += code != 0
            print(f"busy run {i + 1}/{args.times}: exit {code} in {time.monotonic() - t0:.0f} s "
                  f"({args.cores} cores held busy)", flush=True)  # fmt: skip
    finally:
        stop.set()
        for s in spinners:
            s.join(timeout=5)
    print(f"{failures} of {args.times} runs failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
