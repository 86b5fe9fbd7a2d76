"""Hypothesis-driven fuzzing of every export reader and of the template (layout) reader.

Hypothesis chooses the seed file, the mutation and its random seed; each case must parse or raise
an AssaykitError with a one-line message naming the file, within the time limit, and leave the
input unchanged (tests/fuzz/harness.py). ``ASSAYKIT_FUZZ_EXAMPLES`` sets the number of examples
(default 40; 400 with --runslow or under CI). For long runs outside pytest: tests/fuzz/run_fuzz.py.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import SeedFile, check_bytes, seed_exports, seed_layouts
from tests.fuzz.mutate import MUTATORS, mutators_for

_SLOW = bool(os.environ.get("CI"))
EXAMPLES = int(os.environ.get("ASSAYKIT_FUZZ_EXAMPLES", "400" if _SLOW else "40"))

EXPORTS = seed_exports()
LAYOUTS = seed_layouts()


def _filled_templates() -> list[SeedFile]:
    """Templates filled by assaykit.layout.templates.fill_template from the example layouts."""
    from assaykit.layout.templates import example_layout, fill_template

    root = Path(tempfile.mkdtemp(prefix="assaykit-fuzz-templates-"))
    out = []
    for kind in ("binding", "uptake"):
        layout, experiment = example_layout(kind)
        out.append(
            SeedFile(
                fill_template(kind, root / f"{kind}_filled.xlsx", layout, experiment), "layout"
            )
        )
    return out


@st.composite
def cases(draw: st.DrawFn, files: list[SeedFile]) -> tuple[SeedFile, str, int]:
    sf = draw(st.sampled_from(files))
    data_is_zip = sf.path.read_bytes()[:4] == b"PK\x03\x04"
    names = mutators_for(b"PK\x03\x04" if data_is_zip else b"")
    mutation = draw(st.sampled_from(names))
    seed = draw(st.integers(0, 2**32 - 1))
    return sf, mutation, seed


def _check(case: tuple[SeedFile, str, int]) -> None:
    import random

    sf, mutation, seed = case
    data = MUTATORS[mutation](sf.path.read_bytes(), random.Random(seed))
    with tempfile.TemporaryDirectory() as tmp:
        outcome = check_bytes(data, sf.path.suffix, sf.target, Path(tmp))
    assert outcome.status != "escape", (
        f"{sf.label} mutation {mutation} seed {seed}: {outcome.detail}\n"
        f"reproduce: python tests/fuzz/run_fuzz.py --repro {sf.label} {seed} {mutation}"
    )


_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not _SLOW,  # fixed examples by default so a failure reproduces; CI explores
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.skipif(not EXPORTS, reason="no seed exports")
@_SETTINGS
@given(case=cases(EXPORTS))
def test_every_reader_parses_or_fails_cleanly(case: tuple[SeedFile, str, int]) -> None:
    _check(case)


@_SETTINGS
@given(case=cases(LAYOUTS))
def test_template_reader_parses_or_fails_cleanly(case: tuple[SeedFile, str, int]) -> None:
    _check(case)


_FILLED: list[SeedFile] = []


@_SETTINGS
@given(data=st.data())
def test_filled_templates_parse_or_fail_cleanly(data: st.DataObject) -> None:
    if not _FILLED:
        _FILLED.extend(_filled_templates())
    _check(data.draw(cases(_FILLED)))


@pytest.mark.parametrize("sf", LAYOUTS[:4], ids=lambda sf: sf.path.name)
def test_unmutated_layout_seeds_read_or_fail_cleanly(sf: SeedFile, tmp_path: Path) -> None:
    """The seeds themselves: blank templates give a LayoutError, filled ones parse."""
    outcome = check_bytes(sf.path.read_bytes(), sf.path.suffix, "layout", tmp_path)
    assert outcome.status in ("ok", "error"), outcome.detail
