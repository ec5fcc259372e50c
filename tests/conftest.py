import shutil
from pathlib import Path

import pandas as pd
import pytest

from cbec import paths
from support.apptest import run_like_a_server


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
    """The sourced list, inside the repository: a fresh clone has it, so nothing skips."""
    return paths.SOURCES


@pytest.fixture(autouse=True)
def navigation_not_pages_directory(request):
    """AppTest runs as a server does (see support/apptest.run_like_a_server); tests marked
    `pages_directory_mode` see Streamlit's old mode, to check entrypoint_first itself."""
    if request.node.get_closest_marker("pages_directory_mode"):
        yield
        return
    undo = run_like_a_server()
    yield
    undo()
