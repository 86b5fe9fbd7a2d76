"""Where a batch of curves is cut into blocks (the one place: the engine and fit_curves use it)."""

from __future__ import annotations

import numpy as np

__all__ = ["BLOCK", "block_slices"]

#: Curves per block: batches of more than 1.5 blocks are fitted in blocks of about this size (the
#: working arrays then stay in cache and memory is reused; a curve's fit does not depend on its batch).
BLOCK = 2_500


def block_slices(n_curves: int, block: int = BLOCK) -> list[slice]:
    """Row slices of about ``block`` curves covering ``n_curves`` (one slice up to 1.5 blocks).

    Examples
    --------
    >>> block_slices(3000)
    [slice(0, 3000, None)]
    >>> [s.stop - s.start for s in block_slices(10_000)]
    [2500, 2500, 2500, 2500]
    """
    nblocks = max(round(n_curves / block), 1)
    edges = np.linspace(0, n_curves, nblocks + 1).round().astype(int)
    return [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]
