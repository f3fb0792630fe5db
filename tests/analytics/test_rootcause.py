"""Shift-share decomposition: exact additivity, an injected category shift ranked first, a
hand-worked example, count KPIs and bottleneck ordering."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analytics.rootcause import Segment, Stage, bottlenecks, count_change, shift_share


def _weighted(segments: list[Segment], window: int) -> float:
    pairs = [(s.n0, s.value0) if window == 0 else (s.n1, s.value1) for s in segments]
    total = sum(n for n, _ in pairs)
    return sum(n * (v or 0.0) for n, v in pairs) / total


def test_hand_worked_example() -> None:
    # two channels; email's share rises from 50% to 75% while its CSAT stays 4.0 and chat's
    # falls from 4.6 to 4.2: R0 = .5*4 + .5*4.6 = 4.3, R1 = .75*4 + .25*4.2 = 4.05
    segs = [Segment("email", "Email", 50, 4.0, 150, 4.0), Segment("chat", "Chat", 50, 4.6, 50, 4.2)]
    res = shift_share(segs)
    assert res.value0 == pytest.approx(4.3) and res.value1 == pytest.approx(4.05)
    email = next(c for c in res.contributions if c.key == "email")
    chat = next(c for c in res.contributions if c.key == "chat")
    # mix per segment is centred on R0: (w1 - w0)(r0 - R0); its total equals sum (w1 - w0) r0
    assert (email.mix, email.rate) == (pytest.approx(0.25 * -0.3), pytest.approx(0.0))
    assert (chat.mix, chat.rate) == (pytest.approx(-0.25 * 0.3), pytest.approx(0.25 * -0.4))
    assert res.mix == pytest.approx(0.25 * 4.0 - 0.25 * 4.6) and res.rate == pytest.approx(-0.1)
    assert res.change == pytest.approx(-0.25)


@pytest.mark.parametrize("seed", range(5))
def test_contributions_sum_to_the_change(seed: int) -> None:
    rng = np.random.default_rng(seed)
    segs = []
    for i in range(12):
        n0, n1 = int(rng.integers(0, 400)), int(rng.integers(0, 400))
        segs.append(
            Segment(f"s{i}", f"S{i}", n0, float(rng.uniform(1, 5)) if n0 else None,
                    n1, float(rng.uniform(1, 5)) if n1 else None)
        )  # fmt: skip
    segs.append(Segment("new", "New", 0, None, 90, 2.0))
    segs.append(Segment("gone", "Gone", 70, 4.9, 0, None))
    res = shift_share(segs)
    assert res.change is not None
    assert res.change == pytest.approx(_weighted(segs, 1) - _weighted(segs, 0), abs=1e-12)
    assert abs(math.fsum(c.contribution for c in res.contributions) - res.change) < 1e-9
    assert abs(res.mix + res.rate - res.change) < 1e-9
    for c in res.contributions:
        assert c.mix + c.rate == pytest.approx(c.contribution, abs=1e-15)


def test_injected_category_shift_is_ranked_first() -> None:
    rng = np.random.default_rng(11)
    segs = []
    for i in range(8):
        n0, n1 = int(rng.integers(200, 400)), int(rng.integers(200, 400))
        v0 = float(rng.uniform(4.2, 4.6))
        v1 = v0 + float(rng.normal(0, 0.03)) - (0.8 if i == 5 else 0.0)  # the injected drop
        segs.append(Segment(f"cat{i}", f"Category {i}", n0, v0, n1, v1))
    res = shift_share(segs)
    assert res.contributions[0].key == "cat5"
    assert res.contributions[0].rate < 0


def test_count_change_and_bottlenecks() -> None:
    res = count_change([Segment("a", "A", 10, None, 30, None), Segment("b", "B", 5, None, 4, None)])
    assert res.change == 19.0
    assert [c.key for c in res.contributions] == ["a", "b"]
    assert sum(c.contribution for c in res.contributions) == 19.0
    order = bottlenecks(
        [Stage("first_response", 100, 1.0, 100, 1.5), Stage("work", 90, 10.0, 80, 14.0),
         Stage("reopened", 0, None, 3, 5.0)]
    )  # fmt: skip
    assert [b.stage.name for b in order] == ["work", "first_response", "reopened"]
    assert order[0].growth == 4.0 and order[0].relative_growth == 0.4
    with pytest.raises(ValueError, match="no finite value"):
        shift_share([Segment("x", "X", 3, None, 1, 1.0)])
