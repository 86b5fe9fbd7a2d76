"""Bundled example experiments (generated, with the scripts that made them) and the demo.

- ``binding/``: a competitive binding experiment ([125I]FC131 on Jurkat cells, three competitors),
  counted on a gamma counter (WIZARD2-format CSV) with its filled binding template.
- ``uptake/``: an uptake and internalisation time course (tracer vs blocked) with its filled
  uptake template.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

__all__ = ["example_path", "run_demo"]

_HERE = Path(__file__).resolve().parent


def example_path(*parts: str) -> Path:
    """Path of a bundled example file, e.g. ``example_path("binding", "binding_wizard2.csv")``."""
    p = _HERE.joinpath(*parts)
    if not p.exists():
        from assaykit.errors import AssaykitError

        raise AssaykitError(f"bundled example {'/'.join(parts)} is missing from the installation")
    return p


def run_demo(output: str | PathLike[str], *, force: bool = False) -> dict[str, Path]:
    """Run the binding and the uptake analysis on the bundled examples into ``output``."""
    raise NotImplementedError("wired once the binding and uptake pipelines land")
