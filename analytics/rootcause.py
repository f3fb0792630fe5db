"""Root cause of a KPI's change between two windows: shift-share (mix / rate) decomposition.

For a KPI that is a weighted mean over segments s (docs/metrics.md, "Root cause"), with weights
w_s = n_s / Σ n (the segment's share of the KPI's denominator: responses for CSAT, resolved
tickets for FCR, ...) and within-segment rates r_s, the overall value is R = Σ_s w_s·r_s and

    R₁ − R₀ = Σ_s (w₁ₛ·r₁ₛ − w₀ₛ·r₀ₛ)
            = Σ_s (w₁ₛ − w₀ₛ)·r₀ₛ   [mix: the segment's share changed]
            + Σ_s w₁ₛ·(r₁ₛ − r₀ₛ)   [rate: the segment itself changed]

exactly. Per segment the mix term is reported centred, (w₁ₛ − w₀ₛ)·(r₀ₛ − R₀): since
Σ_s (w₁ₛ − w₀ₛ) = 0 the total mix is the same as above, but a segment whose share grew only
counts when its rate differs from the old average (otherwise every large segment would show a
large mix term of either sign, e.g. +0.2 CSAT point for a share grown by 5%). Each segment's
contribution is mix + rate, and the contributions sum to R₁ − R₀ (to rounding). A segment absent
from window 0 has no r₀; it is given r₀ = R₀ (no mix effect, its difference from the old
average is rate). A segment absent from window 1 contributes −w₀·(r₀ − R₀) to mix, no rate.

For a count KPI (ticket volume) the total is Σ_s c_s, the change is Σ_s (c₁ₛ − c₀ₛ), and each
segment's contribution is its own change (reported as ``rate``; ``mix`` is 0).

Drivers are ordered by |contribution| (largest first), then key.

Bottlenecks: for lifecycle stages with a mean duration in each window, the growth is
mean₁ − mean₀; the stage that grew most comes first.

References:
    Dunn, E. S. (1960), "A statistical and analytical technique for regional analysis", Papers
    of the Regional Science Association 6, 97-112 (shift-share); Kitagawa, E. M. (1955),
    "Components of a difference between two rates", JASA 50, 1168-1194.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment's denominator count and KPI value in windows 0 and 1 (value None if n = 0)."""

    key: str
    label: str
    n0: int
    value0: float | None
    n1: int
    value1: float | None


@dataclass(frozen=True, slots=True)
class Contribution:
    """A segment's part of the change: mix + rate = contribution."""

    key: str
    label: str
    n0: int
    n1: int
    share0: float
    share1: float
    value0: float | None
    value1: float | None
    mix: float
    rate: float
    contribution: float


@dataclass(frozen=True, slots=True)
class Decomposition:
    """R₀, R₁, their difference and the per-segment contributions (largest first)."""

    value0: float | None
    value1: float | None
    change: float | None
    n0: int
    n1: int
    mix: float
    rate: float
    contributions: tuple[Contribution, ...]


def _valid(seg: Segment) -> None:
    if seg.n0 < 0 or seg.n1 < 0:
        raise ValueError(f"segment {seg.key!r} has a negative count")
    for n, v in ((seg.n0, seg.value0), (seg.n1, seg.value1)):
        if n > 0 and (v is None or not math.isfinite(v)):
            raise ValueError(f"segment {seg.key!r} has observations but no finite value")


def _ordered(items: list[Contribution]) -> tuple[Contribution, ...]:
    return tuple(sorted(items, key=lambda c: (-abs(c.contribution), c.key)))


def shift_share(segments: Sequence[Segment]) -> Decomposition:
    """Mix/rate decomposition of a weighted-mean KPI over ``segments`` (see the module)."""
    for seg in segments:
        _valid(seg)
    total0 = sum(s.n0 for s in segments)
    total1 = sum(s.n1 for s in segments)
    r0 = sum(s.n0 * (s.value0 or 0.0) for s in segments) / total0 if total0 else None
    r1 = sum(s.n1 * (s.value1 or 0.0) for s in segments) / total1 if total1 else None
    if r0 is None or r1 is None:
        return Decomposition(r0, r1, None, total0, total1, 0.0, 0.0, ())
    out = []
    for s in segments:
        w0, w1 = s.n0 / total0, s.n1 / total1
        base = s.value0 if s.n0 > 0 and s.value0 is not None else r0
        now = s.value1 if s.n1 > 0 and s.value1 is not None else 0.0
        mix = (w1 - w0) * (base - r0)
        rate = w1 * (now - base)
        out.append(
            Contribution(s.key, s.label, s.n0, s.n1, w0, w1, s.value0 if s.n0 else None,
                         s.value1 if s.n1 else None, mix, rate, mix + rate)
        )  # fmt: skip
    mix_total = math.fsum(c.mix for c in out)
    rate_total = math.fsum(c.rate for c in out)
    return Decomposition(r0, r1, r1 - r0, total0, total1, mix_total, rate_total, _ordered(out))


def count_change(segments: Sequence[Segment]) -> Decomposition:
    """Decomposition of a count KPI: each segment contributes c₁ − c₀ (``n`` are the counts)."""
    for seg in segments:
        if seg.n0 < 0 or seg.n1 < 0:
            raise ValueError(f"segment {seg.key!r} has a negative count")
    total0 = sum(s.n0 for s in segments)
    total1 = sum(s.n1 for s in segments)
    out = [
        Contribution(s.key, s.label, s.n0, s.n1,
                     s.n0 / total0 if total0 else 0.0, s.n1 / total1 if total1 else 0.0,
                     float(s.n0), float(s.n1), 0.0, float(s.n1 - s.n0), float(s.n1 - s.n0))
        for s in segments
    ]  # fmt: skip
    change = float(total1 - total0)
    return Decomposition(
        float(total0), float(total1), change, total0, total1, 0.0, change, _ordered(out)
    )


@dataclass(frozen=True, slots=True)
class Stage:
    """A lifecycle stage's mean duration (hours) and count in windows 0 and 1."""

    name: str
    n0: int
    mean0: float | None
    n1: int
    mean1: float | None


@dataclass(frozen=True, slots=True)
class Bottleneck:
    """A stage and how much its mean duration grew (None when a window has no data)."""

    stage: Stage
    growth: float | None
    relative_growth: float | None


def bottlenecks(stages: Sequence[Stage]) -> tuple[Bottleneck, ...]:
    """Stages ordered by growth of their mean duration (largest first; unmeasurable last)."""
    out = []
    for st in stages:
        if st.mean0 is None or st.mean1 is None:
            out.append(Bottleneck(st, None, None))
            continue
        growth = st.mean1 - st.mean0
        out.append(Bottleneck(st, growth, growth / st.mean0 if st.mean0 else None))
    return tuple(sorted(out, key=lambda b: (b.growth is None, -(b.growth or 0.0), b.stage.name)))
