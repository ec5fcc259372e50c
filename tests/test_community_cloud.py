"""Streamlit Community Cloud, as far as it can be reproduced here: a copy of the repository
served by `streamlit run` with the settings the platform forces over .streamlit/config.toml
(server.runOnSave on, client.showErrorDetails false). A push there updates the files of the
running app; the app must then run the new code of its modules too, not only of its page
scripts (with fileWatcherType "none" it ran the old cbec/ modules until a reboot)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time

from cbec import paths
from deploy.replicas import free_port, wait_for
from support.streamlit_client import StreamlitClient, run_sync

MARKER = "pushed-9f3c"
EDIT = f'''

# --- a push's edit (tests/test_community_cloud.py) ---
_header_before_the_push = header


def header(*args, **kwargs):
    st.caption("{MARKER}")
    return _header_before_the_push(*args, **kwargs)
'''


def test_a_push_that_edits_a_module_reaches_the_running_app(tmp_path):
    copy = tmp_path / "app"
    shutil.copytree(
        paths.ROOT, copy,
        ignore=shutil.ignore_patterns(".git", ".venv*", "tests", "benchmarks", "docs",
                                      "__pycache__", "generated", ".pytest_cache",
                                      ".hypothesis", ".ruff_cache"),
    )  # fmt: skip
    port = free_port()
    with open(tmp_path / "log.txt", "wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             # what the platform forces:
             "--server.runOnSave", "true", "--client.showErrorDetails", "false"],
            cwd=copy, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for(f"http://127.0.0.1:{port}/_stcore/health", 90, server)

        def captions(c: StreamlitClient) -> list[str]:
            return [m.body for m in c.elements("markdown")]

        async def visit():
            c = StreamlitClient(f"http://127.0.0.1:{port}", timeout=60)
            await c.connect()
            first = await c.open("", "batch=3")
            before = MARKER in captions(c)
            # the push: git writes each changed file anew and renames it into place
            module = copy / "cbec" / "ui" / "frame.py"
            new = module.with_suffix(".py.new")
            new.write_text(module.read_text() + EDIT)
            os.replace(new, module)
            after, deadline = False, time.monotonic() + 90  # a guard, not a budget: ~2 s here
            while not after and time.monotonic() < deadline:
                await asyncio.sleep(1)
                r = await c.rerun()
                after = r.ok and MARKER in captions(c)
            await c.close()
            return first.ok, before, after

        ok, before, after = run_sync(visit())
        assert ok and not before
        assert after, "the edited module was not run within 90 s of the push"
    finally:
        server.terminate()
        server.wait(timeout=20)
