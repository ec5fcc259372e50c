"""Write every generated file the pages can send a browser to fetch (static/generated/).

    python scripts/build_static.py

A replica writes a view's file the first time it draws that view; a visitor whom the balancer
sends to a replica that has not drawn it yet (an embed keeps no cookie) would get 404 for it.
So every server writes them all before it serves anyone: the image's build runs this, and so
does deploy/replicas.py before it starts the replicas. Exit 1, naming why, when the data does
not load or the folder is not writable.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cbec import data, mapview, paths  # noqa: E402


def main() -> int:
    try:
        ds = data.dataset()
    except data.DataError as exc:
        print(f"build_static: the data does not load:\n{exc}", file=sys.stderr)
        return 1
    files = mapview.static_files(ds)
    missing = [f.name for f in files if mapview.served(f) is None]
    if missing:
        print(f"build_static: cannot write {len(missing)} files into {paths.GENERATED}",
              file=sys.stderr)  # fmt: skip
        return 1
    size = sum(len(f.text.encode()) for f in files)
    print(f"build_static: {len(files)} files ({size / 1e6:.1f} MB) in {paths.GENERATED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
