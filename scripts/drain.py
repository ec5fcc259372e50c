"""Before a replica stops: wait until its visitors' connections have closed, or --max seconds.

    python scripts/drain.py --port 8501 --max 60

Kubernetes runs this as the pod's preStop hook (deploy/kubernetes.yaml): the pod has already
left its Service's endpoints, so no new visitor arrives, and each open session (a websocket)
goes on until its tab closes or the bound; only then is Streamlit sent SIGTERM (which drops
every session at once). Counts the established TCP connections to the port from
/proc/net/tcp and /proc/net/tcp6 (Linux), so it needs nothing but Python.
Exit 0 when none is left, 1 when the bound came first (it says how many were still open).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ESTABLISHED = "01"


def open_connections(
    port: int, tables: tuple[str, ...] = ("/proc/net/tcp", "/proc/net/tcp6")
) -> int:
    """Established connections whose local port is `port`."""
    count = 0
    for table in tables:
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16) if len(fields) > 3 else -1
            count += local_port == port and fields[3] == ESTABLISHED
    return count


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--max", type=float, default=60, help="seconds to wait at most")
    ap.add_argument("--every", type=float, default=1, help="seconds between looks")
    args = ap.parse_args(argv)
    deadline = time.monotonic() + args.max
    if (left := open_connections(args.port)) > 0:
        print(f"drain: {left} connections to :{args.port} open; waiting up to {args.max:g} s",
              file=sys.stderr, flush=True)  # fmt: skip
    while (left := open_connections(args.port)) > 0:
        if time.monotonic() >= deadline:
            print(f"drain: {left} connections to :{args.port} still open after {args.max:g} s",
                  file=sys.stderr)  # fmt: skip
            return 1
        time.sleep(args.every)
    print(f"drain: no connection to :{args.port} is open", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
