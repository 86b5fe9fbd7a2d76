"""Generic batched least-squares engine: many curves at once, NaN-masked ragged data.

Models (:class:`Model`) carry a vectorised function, its analytic Jacobian and a data-driven
``guess``; :func:`least_squares` fits every curve of padded ``(curves × points)`` arrays with a
batched Levenberg–Marquardt solver (fixed/bounded parameters, weights, multi-start) and returns
Gauss–Newton standard errors; :func:`global_model` shares parameters between curves.
"""

from __future__ import annotations

from assaykit.fitting.model import Model, global_model
from assaykit.fitting.prep import collapse_replicates, param_matrix, weights_from
from assaykit.fitting.solver import FitResult, least_squares

__all__ = [
    "FitResult",
    "Model",
    "collapse_replicates",
    "global_model",
    "least_squares",
    "param_matrix",
    "weights_from",
]
