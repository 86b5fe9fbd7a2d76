"""Models for the batched least-squares engine: a function, its analytic Jacobian and starts.

A :class:`Model` is evaluated on many curves at once. ``x`` has shape ``(C, N)`` (or
``(C, N, k)`` for models that need extra per-point information, e.g. a group index in a global
fit), ``params`` has shape ``(C, P)``; ``func`` returns ``(C, N)`` and ``jac`` returns
``(C, N, P)`` (the derivative of the model value with respect to each parameter).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

__all__ = ["Model", "global_model"]

FloatArray = NDArray[np.float64]
ModelFunc = Callable[[FloatArray, FloatArray], FloatArray]
GuessFunc = Callable[[FloatArray, FloatArray, NDArray[np.bool_]], FloatArray]


@dataclass(frozen=True)
class Model:
    """A curve model vectorised over curves (lmfit's Model/guess design, batched).

    Parameters
    ----------
    name
        Short name used in messages.
    param_names
        Names of the parameters, in the order of the last axis of ``params``.
    func
        ``func(x, params) -> (C, N)`` model values.
    jac
        ``jac(x, params) -> (C, N, P)`` analytic partial derivatives.
    guess
        ``guess(x, y, mask) -> (C, P)`` data-driven starting values (``mask`` marks usable points).
    starts
        Optional ``starts(x, y, mask, fixed) -> (C, S, P)``: extra candidate starts (e.g. a
        grid); ``fixed`` is ``(C, P)`` with NaN for free parameters. The engine ranks them (and
        the guess) by their residual sum of squares and refines the best ones.
    extra
        Free-form information (e.g. the base model of a global model).
    func_jac
        Optional ``func_jac(x, params) -> (values, jacobian)`` sharing work between the two
        (the engine then evaluates the Jacobian together with each trial point).
    kernel
        Optional loader ``kernel() -> compiled LM or None`` of this model's compiled
        Levenberg–Marquardt (called on the first fit, so numba is imported only then; None
        when numba is missing). The compiled function has the signature ``(x, y, sw, p0, free,
        lo, hi, max_iter, xtol, ftol, gtol, out_p, out_rss, out_conv, out_nit, out_jtj)`` and
        runs :func:`assaykit.fitting._numba_kernels.lm_batch` with the model's normal
        equations (docs/fitting.md); the engine uses it instead of the numpy
        iterations for 2-D ``x``.
    ranked_starts
        Optional ``ranked_starts(x, y, sw, mask, fixed, lower, upper, n_keep) -> (C, K, P)``
        or None: the model's own (compiled) guess + ``starts`` + ranking by RSS, for the cases
        it covers (None: the engine ranks ``guess`` and ``starts`` itself,
        :func:`assaykit.fitting.solver.rank_starts`).

    Examples
    --------
    >>> import numpy as np
    >>> line = Model(
    ...     "line",
    ...     ("a", "b"),
    ...     func=lambda x, p: p[:, :1] + p[:, 1:2] * x,
    ...     jac=lambda x, p: np.stack([np.ones_like(x), x], axis=-1),
    ... )
    >>> line.eval(np.array([[0.0, 1.0, 2.0]]), np.array([[1.0, 2.0]]))
    array([[1., 3., 5.]])
    """

    name: str
    param_names: tuple[str, ...]
    func: ModelFunc
    jac: ModelFunc
    guess: GuessFunc | None = None
    starts: Callable[..., FloatArray] | None = None
    extra: dict[str, object] = field(default_factory=dict)
    func_jac: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]] | None = None
    kernel: Callable[[], Callable[..., None] | None] | None = None
    ranked_starts: Callable[..., FloatArray | None] | None = None

    @property
    def n_params(self) -> int:
        """Number of parameters."""
        return len(self.param_names)

    def index(self, name: str) -> int:
        """Position of parameter ``name`` (``KeyError`` naming the known ones otherwise)."""
        try:
            return self.param_names.index(name)
        except ValueError:
            known = ", ".join(self.param_names)
            raise KeyError(
                f"model {self.name!r} has no parameter {name!r} (it has {known})"
            ) from None

    def eval(self, x: FloatArray, params: FloatArray) -> FloatArray:
        """Model values for 2-D ``x`` and ``params`` (1-D inputs are treated as one curve)."""
        x = np.asarray(x, dtype=float)
        p = np.asarray(params, dtype=float)
        if p.ndim == 1:
            p = p[None, :]
        if x.ndim == 1:
            x = np.broadcast_to(x, (p.shape[0], x.shape[0]))
        return self.func(x, p)


def global_model(model: Model, n_sets: int, shared: Sequence[str]) -> Model:
    """Model for a global fit of ``n_sets`` curves with some parameters shared between them.

    The returned model takes ``x`` of shape ``(C, N, 2)``: ``x[..., 0]`` is the predictor and
    ``x[..., 1]`` the index (0 … n_sets-1) of the curve each point belongs to. Its parameters are
    the shared ones first, then the others of curve 0 (suffix ``_0``), curve 1 (``_1``), …

    Parameters
    ----------
    model
        The per-curve model.
    n_sets
        Number of curves fitted together.
    shared
        Names of the parameters common to all curves.

    Examples
    --------
    >>> import numpy as np
    >>> line = Model("line", ("a", "b"), lambda x, p: p[:, :1] + p[:, 1:2] * x,
    ...              lambda x, p: np.stack([np.ones_like(x), x], axis=-1))
    >>> g = global_model(line, 2, ["b"])
    >>> g.param_names
    ('b', 'a_0', 'a_1')
    >>> x = np.array([[[1.0, 0], [1.0, 1]]])  # x = 1 in curve 0 and in curve 1
    >>> g.eval(x, np.array([[2.0, 0.0, 10.0]]))
    array([[ 2., 12.]])
    """
    base = model.param_names
    for s in shared:
        model.index(s)
    own = [p for p in base if p not in shared]
    names = tuple(shared) + tuple(f"{p}_{j}" for j in range(n_sets) for p in own)
    # column of the global parameter vector holding base parameter k for curve j
    cols = np.empty((n_sets, len(base)), dtype=int)
    for k, p in enumerate(base):
        for j in range(n_sets):
            cols[j, k] = (
                list(shared).index(p) if p in shared else len(shared) + j * len(own) + own.index(p)
            )

    def _split(xg: FloatArray) -> tuple[FloatArray, NDArray[np.int_]]:
        g = np.nan_to_num(xg[..., 1], nan=0.0).astype(int)
        return xg[..., 0], np.clip(g, 0, n_sets - 1)

    def _local(params: FloatArray, g: NDArray[np.int_]) -> FloatArray:
        # (C, N, P_base): the base parameters that apply to each point
        return params[np.arange(params.shape[0])[:, None, None], cols[g]]

    def func(xg: FloatArray, params: FloatArray) -> FloatArray:
        x, g = _split(xg)
        loc = _local(params, g)
        c, n, pb = loc.shape
        out = model.func(x.reshape(c * n, 1), loc.reshape(c * n, pb))
        return out.reshape(c, n)

    def jac(xg: FloatArray, params: FloatArray) -> FloatArray:
        x, g = _split(xg)
        loc = _local(params, g)
        c, n, pb = loc.shape
        jb = model.jac(x.reshape(c * n, 1), loc.reshape(c * n, pb)).reshape(c, n, pb)
        out = np.zeros((c, n, len(names)))
        ci = np.arange(c)[:, None]
        ni = np.arange(n)[None, :]
        for k in range(pb):
            out[ci, ni, cols[g, k]] = jb[:, :, k]
        return out

    def guess(xg: FloatArray, y: FloatArray, mask: NDArray[np.bool_]) -> FloatArray:
        if model.guess is None:
            raise ValueError(f"model {model.name!r} has no guess(); give starting values")
        x, g = _split(xg)
        c = x.shape[0]
        out = np.zeros((c, len(names)))
        shared_acc = np.zeros((c, len(base)))
        for j in range(n_sets):
            mj = mask & (g == j)
            pj = model.guess(x, y, mj)
            shared_acc += pj / n_sets
            for k, p in enumerate(base):
                if p not in shared:
                    out[:, cols[j, k]] = pj[:, k]
        for s in shared:
            out[:, names.index(s)] = shared_acc[:, model.index(s)]
        return out

    return Model(f"global({model.name})", names, func, jac, guess, None, {"base": model})
