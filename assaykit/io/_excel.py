"""Merged into :mod:`assaykit.io._xlsx` (issue 10); this alias keeps older imports working."""

from assaykit.io._xlsx import *  # noqa: F403
from assaykit.io._xlsx import __all__  # noqa: F401
