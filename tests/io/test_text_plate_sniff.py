"""The five text plate-reader sniffers claim their own files and nobody else's."""

from __future__ import annotations

from pathlib import Path

import pytest

from assaykit.io import bmg_mars, envision, gen5, kaleido, softmax
from assaykit.io._registry import SNIFF_BYTES, FileSample
from tests.conftest import DATA, shared_path

SNIFFERS = {
    "envision": envision.sniff_envision,
    "kaleido": kaleido.sniff_kaleido,
    "bmg_mars": bmg_mars.sniff_bmg_mars,
    "gen5": gen5.sniff_gen5,
    "softmax": softmax.sniff_softmax,
}
#: Folder of ../shared/instrument-exports → the format its files are in.
SHARED_FOLDERS = {
    "perkinelmer-envision": "envision",
    "revvity-kaleido": "kaleido",
    "bmg-mars": "bmg_mars",
    "agilent-gen5": "gen5",
    "moldev-softmaxpro": "softmax",
}


def _claims(path: Path) -> list[str]:
    with path.open("rb") as fh:
        sample = FileSample(path, fh.read(SNIFF_BYTES))
    return sorted(name for name, sniff in SNIFFERS.items() if sniff(sample))


def test_shared_exports_claimed_only_by_their_reader():
    root = shared_path("instrument-exports")
    files = [p for p in sorted(root.rglob("*")) if p.is_file()]
    assert len(files) > 20
    for p in files:
        expected = [SHARED_FOLDERS[p.parent.name]] if p.parent.name in SHARED_FOLDERS else []
        assert _claims(p) == expected, p


@pytest.mark.parametrize(
    "folder", sorted(p.name for p in (DATA / "exports").iterdir() if p.is_dir())
)
def test_fixtures_claimed_only_by_their_reader(folder):
    files = [p for p in sorted((DATA / "exports" / folder).rglob("*")) if p.is_file()]
    for p in files:
        expected = [folder] if folder in SNIFFERS else []
        assert _claims(p) == expected, p
