"""Bundled example experiments (generated, with the scripts that made them) and the demo.

- ``binding/``: a competitive binding experiment ([125I]FC131 on Jurkat cells, three competitors),
  counted on a gamma counter (WIZARD2-format CSV) with its filled binding template.
- ``uptake/``: an uptake and internalisation time course ([68Ga]Ga-Pentixafor, tracer vs blocked)
  with its filled uptake template.

Both were simulated by the ``make_example.py`` beside them (fixed seeds, true values kept there).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["example_path"]

_HERE = Path(__file__).resolve().parent


def example_path(*parts: str) -> Path:
    """Path of a bundled example file.

    Examples
    --------
    >>> example_path("binding", "binding_wizard2.csv").name
    'binding_wizard2.csv'
    """
    p = _HERE.joinpath(*parts)
    if not p.exists():
        from assaykit.errors import AssaykitError

        raise AssaykitError(f"bundled example {'/'.join(parts)} is missing from the installation")
    return p
