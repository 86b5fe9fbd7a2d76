"""The lab's memory: an index of results folders across runs, and control charts from it.

- :func:`add_runs`, :func:`list_runs`, :func:`show_run`, :func:`compound_history`: a SQLite file
  (standard library) holding every run's provenance and result rows; versioned schema, safe for
  several processes, idempotent re-adding, re-analyses kept as new versions;
- :func:`control_chart`, :func:`plot_control_chart`, :func:`westgard_flags`: a reference
  compound's value per run against mean ± 2/3 SD, with Westgard rules.

The command line (``assaykit index add/list/show/chart``) calls these functions.
"""

from __future__ import annotations

from assaykit.index._db import SCHEMA_VERSION, connect
from assaykit.index.control import chart_result, control_chart, plot_control_chart, westgard_flags
from assaykit.index.runs import add_runs, compound_history, list_runs, run_keys, show_run

__all__ = [
    "SCHEMA_VERSION",
    "add_runs",
    "chart_result",
    "compound_history",
    "connect",
    "control_chart",
    "list_runs",
    "plot_control_chart",
    "run_keys",
    "show_run",
    "westgard_flags",
]
