"""A batched least-squares problem: padded data, weights, and residuals/Jacobians on row subsets.

Private helpers of :mod:`assaykit.fitting.solver`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from assaykit.fitting.linalg import normal_equations
from assaykit.fitting.model import FloatArray, Model

__all__ = ["Problem", "normal", "rowdot"]

BoolArray = NDArray[np.bool_]


def rowdot(a: FloatArray, b: FloatArray) -> FloatArray:
    """Row-wise dot products of two ``(W, N)`` arrays."""
    return np.einsum("bn,bn->b", a, b)


class Problem:
    """Data of a batched problem, with residual/Jacobian helpers on a subset of rows."""

    def __init__(
        self, model: Model, x: FloatArray, y: FloatArray, sw: FloatArray, mask: BoolArray
    ) -> None:
        self.model, self.x, self.y, self.sw, self.mask = model, x, y, sw, mask
        # complete unweighted data: skip the multiplications by sqrt(w) (all ones)
        self.unit = bool(np.all(sw == 1.0))

    def take(self, idx: NDArray[np.int_]) -> Problem:
        """The sub-problem of rows ``idx``."""
        return Problem(self.model, self.x[idx], self.y[idx], self.sw[idx], self.mask[idx])

    # masked points have sw = 0, y = 0 and a finite x, so they add nothing to r or J

    def resid(self, idx: NDArray[np.int_] | None, p: FloatArray) -> FloatArray:
        x, y, sw = (
            (self.x, self.y, self.sw) if idx is None else (self.x[idx], self.y[idx], self.sw[idx])
        )
        with np.errstate(all="ignore"):
            f = self.model.func(x, p)
            np.subtract(y, f, out=f)
            if not self.unit:
                f *= sw
            return f

    def _cols(self, j: FloatArray, free: BoolArray, sw: FloatArray) -> list[FloatArray | None]:
        """The weighted Jacobian's columns ``(W, N)``; ``None`` for a parameter fixed everywhere."""
        cols: list[FloatArray | None] = []
        with np.errstate(all="ignore"):
            for k in range(j.shape[-1]):
                fk = free[:, k]
                if not fk.any():
                    cols.append(None)
                    continue
                c = j[..., k]  # the model's fresh array: weighted in place
                if not self.unit:
                    np.multiply(c, sw, out=c)
                if not fk.all():
                    np.multiply(c, fk[:, None], out=c)
                cols.append(c)
        return cols

    def resid_jac(
        self, p: FloatArray, free: BoolArray
    ) -> tuple[FloatArray, list[FloatArray | None]]:
        """Weighted residuals and Jacobian columns of all rows at once (``model.func_jac``)."""
        fused = self.model.func_jac
        if fused is None:
            raise TypeError(f"model {self.model.name!r} has no func_jac")
        with np.errstate(all="ignore"):
            f, j = fused(self.x, p)
            np.subtract(self.y, f, out=f)
            if not self.unit:
                f *= self.sw
        return f, self._cols(j, free, self.sw)

    def jac(
        self, idx: NDArray[np.int_] | None, p: FloatArray, free: BoolArray
    ) -> list[FloatArray | None]:
        """Weighted Jacobian columns of rows ``idx`` (all rows for ``None``)."""
        x, sw = (self.x, self.sw) if idx is None else (self.x[idx], self.sw[idx])
        with np.errstate(all="ignore"):
            j = self.model.jac(x, p)
        return self._cols(j, free, sw)


def normal(cols: list[FloatArray | None], r: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``JᵀJ`` and ``Jᵀr`` (parameter-major); curves with non-finite entries get zeros."""
    with np.errstate(all="ignore"):
        a, g = normal_equations(cols, r)
    bad = ~(np.isfinite(a).all(axis=(0, 1)) & np.isfinite(g).all(axis=0))
    if bad.any():
        a[:, :, bad] = 0.0
        g[:, bad] = 0.0
    return a, g
