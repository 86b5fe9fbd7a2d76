"""Shared fixtures: the ../shared folder (skipped with a reason when absent), seeded RNG, --runslow."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data"
SHARED = Path(os.environ.get("ASSAYKIT_SHARED", REPO.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """Path inside ../shared; skip the test with a clear reason when it is not there.

    Under CI (the ``CI`` environment variable set) ../shared is always beside the clone, so a
    missing file fails the test instead of skipping it.
    """
    p = SHARED.joinpath(*parts)
    if not p.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{p} not found: CI must have ../shared beside the clone")
        pytest.skip(
            f"{p} not found: the shared instrument exports and reference data live beside the repo (../shared)"
        )
    return p


@pytest.fixture
def shared() -> Path:
    """The ../shared folder (skips when absent: its files are not ours to ship)."""
    return shared_path()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261124)


@pytest.fixture
def data_dir() -> Path:
    return DATA


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--runslow", action="store_true", default=False, help="also run tests marked slow"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow") or os.environ.get("CI"):
        return
    skip_slow = pytest.mark.skip(reason="slow: run with --runslow (CI runs them)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)
