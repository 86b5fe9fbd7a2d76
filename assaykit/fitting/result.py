"""The result of a batched fit: per-curve arrays (one row per curve)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from assaykit.fitting.model import FloatArray, Model

__all__ = ["FitResult"]

BoolArray = NDArray[np.bool_]


@dataclass
class FitResult:
    """Per-curve results of a batched fit (arrays with one row per curve).

    Attributes
    ----------
    params, se
        ``(C, P)`` estimates and standard errors (``inf`` when not identifiable, 0 when fixed).
    cov
        ``(C, P, P)`` covariance ``s² (JᵀWJ)⁻¹`` (rows/columns of fixed parameters are 0).
    rss, df, n, r_squared
        Weighted residual sum of squares, residual degrees of freedom, points used, R².
    converged, n_iter, identifiable
        Convergence flag, LM iterations (of the best start), finite covariance.
    free
        ``(C, P)`` which parameters were estimated.
    """

    model: Model
    params: FloatArray
    se: FloatArray
    cov: FloatArray
    rss: FloatArray
    df: NDArray[np.int_]
    n: NDArray[np.int_]
    r_squared: FloatArray
    converged: BoolArray
    n_iter: NDArray[np.int_]
    identifiable: BoolArray
    free: BoolArray
    at_bound: BoolArray

    def param(self, name: str) -> FloatArray:
        """Estimates of parameter ``name`` (one per curve)."""
        return self.params[:, self.model.index(name)]

    def stderr(self, name: str) -> FloatArray:
        """Standard errors of parameter ``name`` (one per curve)."""
        return self.se[:, self.model.index(name)]

    def to_frame(self) -> pd.DataFrame:
        """Long table: one row per curve × parameter (``curve, param, estimate, se, fixed``).

        Examples
        --------
        >>> import numpy as np
        >>> line = Model("line", ("a", "b"), lambda x, p: p[:, :1] + p[:, 1:2] * x,
        ...              lambda x, p: np.stack([np.ones_like(x), x], axis=-1))
        >>> from assaykit.fitting import least_squares
        >>> res = least_squares(line, [[0.0, 1, 2]], [[1.1, 2.9, 5.0]], p0=[0, 0], fixed={"a": 1})
        >>> res.to_frame().round(3)
           curve param  estimate     se  fixed
        0      0     a      1.00  0.000   True
        1      0     b      1.98  0.042  False
        """
        nc, npar = self.params.shape
        return pd.DataFrame(
            {
                "curve": np.repeat(np.arange(nc), npar),
                "param": np.tile(np.array(self.model.param_names, dtype=object), nc),
                "estimate": self.params.ravel(),
                "se": self.se.ravel(),
                "fixed": ~self.free.ravel(),
            }
        )

    def replace_rows(self, idx: NDArray[np.int_], other: FitResult) -> FitResult:
        """A copy with the curves ``idx`` replaced by the rows of ``other`` (a refit of them)."""
        fields = {}
        for f in dataclasses.fields(self):
            if f.name != "model":
                a = np.array(getattr(self, f.name), copy=True)
                a[idx] = getattr(other, f.name)
                fields[f.name] = a
        return FitResult(model=self.model, **fields)
