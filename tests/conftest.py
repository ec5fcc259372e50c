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
