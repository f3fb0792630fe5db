"""Memoised quantiles against published table values and scipy itself."""

from __future__ import annotations

import pytest
from scipy import stats

from analytics.quantiles import normal_quantile, student_t_quantile

# Published values: z_{0.975} (NIST/SEMATECH e-Handbook, table 1.3.6.7.1) and Student t_{0.975}
# for df = 1, 10, 30 (NIST table 1.3.6.7.2), to the tables' 3 decimals.
TABLE = [(1, 12.706), (10, 2.228), (30, 2.042)]


def test_normal_quantile_matches_the_table_and_scipy_exactly() -> None:
    assert normal_quantile(0.975) == pytest.approx(1.960, abs=5e-4)
    assert normal_quantile(0.975) == float(stats.norm.ppf(0.975))


@pytest.mark.parametrize(("df", "published"), TABLE)
def test_student_t_quantile_matches_the_table_and_scipy_exactly(df: int, published: float) -> None:
    assert student_t_quantile(0.975, df) == pytest.approx(published, abs=5e-4)
    assert student_t_quantile(0.975, df) == float(stats.t.ppf(0.975, df))


def test_repeated_arguments_are_served_from_the_cache() -> None:
    student_t_quantile(0.975, 123)
    hits = student_t_quantile.cache_info().hits
    student_t_quantile(0.975, 123)
    assert student_t_quantile.cache_info().hits == hits + 1
