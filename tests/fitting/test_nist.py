"""The engine against NIST StRD certified values (Rat42, Rat43), from both NIST starts."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from assaykit.fitting import Model, least_squares
from tests.conftest import shared_path


def parse_nist(path: Path) -> dict[str, np.ndarray]:
    """Starts, certified values/SDs, certified RSS and the data of a NIST StRD .dat file."""
    lines = path.read_text().splitlines()
    starts, cert, sd = [], [], []
    rss = None
    for line in lines:
        m = re.match(r"\s*b\d+\s*=\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$", line)
        if m:
            starts.append((float(m[1]), float(m[2])))
            cert.append(float(m[3]))
            sd.append(float(m[4]))
        m = re.match(r"\s*Residual Sum of Squares:\s+(\S+)", line)
        if m:
            rss = float(m[1])
    first = next(i for i, ln in enumerate(lines) if re.match(r"\s*Data:\s+y\s+x", ln))
    data = np.array([[float(v) for v in ln.split()] for ln in lines[first + 1 :] if ln.strip()])
    return {
        "starts": np.array(starts).T,  # (2 starts, P)
        "cert": np.array(cert),
        "sd": np.array(sd),
        "rss": np.array(rss),
        "y": data[:, 0],
        "x": data[:, 1],
    }


def _rat42(x, p):
    return p[:, :1] / (1 + np.exp(p[:, 1:2] - p[:, 2:3] * x))


def _rat42_jac(x, p):
    e = np.exp(p[:, 1:2] - p[:, 2:3] * x)
    d = 1 + e
    return np.stack([1 / d + 0 * x, -p[:, :1] * e / d**2, p[:, :1] * e * x / d**2], axis=-1)


def _rat43(x, p):
    return p[:, :1] / (1 + np.exp(p[:, 1:2] - p[:, 2:3] * x)) ** (1 / p[:, 3:4])


def _rat43_jac(x, p):
    b1, b2, b3, b4 = (p[:, i : i + 1] for i in range(4))
    e = np.exp(b2 - b3 * x)
    d = 1 + e
    f = b1 * d ** (-1 / b4)
    return np.stack(
        [d ** (-1 / b4), -f / b4 * e / d, f / b4 * e * x / d, f * np.log(d) / b4**2], axis=-1
    )


MODELS = {
    "Rat42": Model("Rat42", ("b1", "b2", "b3"), _rat42, _rat42_jac),
    "Rat43": Model("Rat43", ("b1", "b2", "b3", "b4"), _rat43, _rat43_jac),
}


def digits(value: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Log relative error (LRE): the number of matching significant digits."""
    with np.errstate(divide="ignore"):
        return -np.log10(np.abs(value - ref) / np.abs(ref))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_nist_certified_values_from_both_starts(name: str) -> None:
    ref = parse_nist(shared_path("reference-data", "nist", f"{name}.dat"))
    n = ref["x"].size
    x = np.tile(ref["x"], (2, 1))
    y = np.tile(ref["y"], (2, 1))
    # both NIST starts fitted together, one row each
    res = least_squares(MODELS[name], x, y, p0=ref["starts"])
    assert res.converged.all()
    for k in range(2):
        assert digits(res.params[k], ref["cert"]).min() >= 6, res.params[k]
        assert digits(res.se[k], ref["sd"]).min() >= 4, res.se[k]
        assert digits(res.rss[k], ref["rss"]) >= 6
    assert (res.df == n - ref["cert"].size).all()


def test_nist_jacobians_match_finite_differences() -> None:
    ref = parse_nist(shared_path("reference-data", "nist", "Rat43.dat"))
    m = MODELS["Rat43"]
    x = ref["x"][None]
    p = ref["cert"][None]
    h = 1e-6 * np.abs(p)
    num = np.stack(
        [
            (m.func(x, p + h * e) - m.func(x, p - h * e)) / (2 * h[0, k])
            for k, e in enumerate(np.eye(4))
        ],
        axis=-1,
    )
    np.testing.assert_allclose(m.jac(x, p), num, rtol=1e-5, atol=1e-8)
