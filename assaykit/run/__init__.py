"""The workflow layer: the only place that turns files into a results folder.

Every command that writes goes through here, and every assay has one function here:

======================  ==========================================================
``run_binding``         exports (+ layout) or tidy tables → binding results folder
``run_uptake``          a counter export (+ layout) → uptake results folder
``run_binding_summary`` results of several experiments → summary folder
``parse_one``,          exports → tidy tables
``parse_many``
``run_demo``            every assay on the bundled examples
======================  ==========================================================

Each follows the same shape (docs/CONTRACTS.md §4):

1. refuse an unusable output folder before any work (:class:`~assaykit.report.output.OutputFolder`);
2. expand the inputs once (:func:`~assaykit.run.inputs.expand_inputs`: files, folders,
   ``recursive``; FIFOs and devices refused) and read them one at a time
   (:func:`~assaykit.run._loop.each_file`: ``keep_going``, warnings named by file, the one
   ``progress(stage, done, total)`` signature);
3. call the assay's **pure** analysis, which returns an :class:`~assaykit.result.AssayResult`;
4. hand it to the one writer (:func:`~assaykit.run._write.write_result`): results.csv,
   results.xlsx (+ ``checks`` and ``settings`` sheets), figures, provenance.json.

Adding an assay = a layout vocabulary + a pure package returning an AssayResult + a function
here (steps 1–4, a few lines) + a CLI command + a template + demo data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assaykit.run._loop import Progress, each_file
from assaykit.run._write import RunOutcome, write_result
from assaykit.run.binding import run_binding, run_binding_analysis
from assaykit.run.inputs import check_input_file, expand_inputs, is_batch, source_names
from assaykit.run.parse import parse_many, parse_one
from assaykit.run.summary import run_binding_summary
from assaykit.run.uptake import run_uptake, run_uptake_analysis

if TYPE_CHECKING:  # imported lazily at run time, by __getattr__ below
    from assaykit.run.demo import run_demo

__all__ = [
    "Progress",
    "RunOutcome",
    "check_input_file",
    "each_file",
    "expand_inputs",
    "is_batch",
    "parse_many",
    "parse_one",
    "run_binding",
    "run_binding_analysis",
    "run_binding_summary",
    "run_demo",
    "run_uptake",
    "run_uptake_analysis",
    "source_names",
    "write_result",
]


def __getattr__(name: str) -> object:
    if name == "run_demo":  # the demo imports every assay: only when asked for
        from assaykit.run.demo import run_demo

        return run_demo
    raise AttributeError(name)
