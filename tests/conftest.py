import shutil
from pathlib import Path

import pandas as pd
import pytest

from cbec import paths


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may break."""
    dst = tmp_path / "data"
    shutil.copytree(paths.DATA, dst)
    return dst


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def write(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    if not (paths.REFERENCE / "zones_reference.csv").exists():
        pytest.skip(f"the shared reference list is not at {paths.REFERENCE}")
    return paths.REFERENCE


@pytest.fixture(autouse=True)
def navigation_not_pages_directory(request, monkeypatch):
    """Make AppTest run dashboard.py the way a running server does.

    A `pages/` folder makes Streamlit start in its old "pages directory" mode until the first
    `st.navigation` call switches it off for the life of the server process. AppTest resets that
    switch before every run, so from the second run on it would execute the page script alone
    (cbec.ui.entrypoint_first then reruns, losing the click that caused the run). Keep the switch
    off, as in a server that has served one request. Tests marked `pages_directory_mode` see the
    old mode, to check entrypoint_first itself.
    """
    if request.node.get_closest_marker("pages_directory_mode"):
        return
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
