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

__version__ = "0.1.0"

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
