"""assaykit: radioligand binding and uptake analysis from raw instrument exports.

The top level stays light on purpose (``assaykit --help`` must answer at once):
import the sub-modules you need, e.g. ``from assaykit.io import read_export``.
"""

from __future__ import annotations

from assaykit.errors import (
    AssaykitError,
    AssaykitWarning,
    DataQualityWarning,
    FitError,
    FitQualityWarning,
    LayoutError,
    ParseError,
    SchemaError,
    UnsupportedFormatError,
)


def __getattr__(name: str) -> str:
    """``__version__`` from the installed package's metadata (read on first use)."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("assaykit")
        except PackageNotFoundError:  # running from a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module 'assaykit' has no attribute {name!r}")


__all__ = [
    "AssaykitError",
    "AssaykitWarning",
    "DataQualityWarning",
    "FitError",
    "FitQualityWarning",
    "LayoutError",
    "ParseError",
    "SchemaError",
    "UnsupportedFormatError",
    "__version__",
]
