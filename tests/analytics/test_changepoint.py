"""Pettitt's test against pyHomogeneity's published results and a brute-force double sum."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from analytics.changepoint import pettitt

RAINFALL = Path(__file__).with_name("pymannkendall_rainfall.json")

# pyHomogeneity (Hussain & Mahmud, MIT), tests/test_pyhomogeneity.py::test_pettitt_test runs
# pettitt_test on the same Bogra monthly rainfall series (360 values, 7 missing, skipped) and
# asserts cp == 298 (1-based position in the series of the last value before the change),
# U == 2716.0, mu1 == 157.87285223367698, mu2 == 120.93548387096774. Its p-value is a Monte Carlo
# estimate (not asserted there); ours is Pettitt's approximation, checked by formula below.
PYHOMOGENEITY = {"cp": 298, "U": 2716.0, "mu1": 157.87285223367698, "mu2": 120.93548387096774}


def _bogra() -> np.ndarray:
    data = json.loads(RAINFALL.read_text())
    return np.array([np.nan if v is None else v for v in data["bogra"]], dtype=float)


def _brute_u(x: np.ndarray) -> np.ndarray:
    n = x.size
    return np.array(
        [np.sign(x[: t + 1, None] - x[None, t + 1 :]).sum() for t in range(n - 1)], dtype=float
    )


def test_bogra_matches_pyhomogeneity() -> None:
    res = pettitt(_bogra())
    assert res.n == 353
    assert res.statistic == PYHOMOGENEITY["U"]
    assert res.index is not None and res.index + 1 == PYHOMOGENEITY["cp"]
    assert res.mean_before == pytest.approx(PYHOMOGENEITY["mu1"], rel=1e-12)
    assert res.mean_after == pytest.approx(PYHOMOGENEITY["mu2"], rel=1e-12)
    n = 353
    assert res.p_value == pytest.approx(2 * math.exp(-6 * 2716.0**2 / (n**3 + n**2)), rel=1e-12)
    assert res.u_at_change > 0  # wetter before: a downward shift


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_statistic_equals_the_double_sum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(size=80) * 3)  # ties
    u = _brute_u(x)
    res = pettitt(x)
    assert res.statistic == np.abs(u).max()
    assert res.index == int(np.argmax(np.abs(u)))
    assert res.u_at_change == u[res.index]


def test_finds_an_injected_shift() -> None:
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.normal(10, 1, 60), rng.normal(12, 1, 40)])
    res = pettitt(x)
    assert res.significant and res.p_value < 1e-6
    assert res.index is not None and abs(res.index - 59) <= 2
    assert res.u_at_change < 0  # upward shift


def test_no_change_in_noise_and_small_inputs() -> None:
    rng = np.random.default_rng(9)
    assert not pettitt(rng.normal(size=100)).significant
    tiny = pettitt([1.0, 2.0])
    assert (tiny.index, tiny.p_value, tiny.significant) == (None, 1.0, False)
    with pytest.raises(ValueError, match="alpha"):
        pettitt([1.0, 2.0, 3.0], alpha=1.5)
