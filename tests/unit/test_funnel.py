"""Funnel limits and flags, checked against an independent implementation (scipy's binomial
quantiles and chi-square) and at the edges: 0%, 100%, one case, every PDU equal."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from audit_tui.scoring.funnel import (
    LEVELS,
    Unit,
    binomial_limit,
    chi2_sf,
    flag_sentence,
    funnel,
    limits_at,
    spread,
    spread_sentence,
)


def scipy_limit(target: float, n: int, q: float) -> float:
    """Spiegelhalter's interpolated binomial limit, from scipy's quantile, cdf and pmf."""
    r = stats.binom.ppf(q, n, target)
    cdf, pmf = stats.binom.cdf(r, n, target), stats.binom.pmf(r, n, target)
    return float(min(1.0, max(0.0, (r - (cdf - q) / pmf) / n)))


@pytest.mark.parametrize("target", [0.03, 0.29, 0.5, 0.61, 0.97])
@pytest.mark.parametrize("n", [1, 2, 5, 28, 84, 330])
@pytest.mark.parametrize("q", [0.001, 0.025, 0.975, 0.999])
def test_limits_match_scipys_binomial_quantiles(target: float, n: int, q: float) -> None:
    assert binomial_limit(target, n, q) == pytest.approx(scipy_limit(target, n, q), abs=1e-9)


@pytest.mark.parametrize("df", range(1, 16))
@pytest.mark.parametrize("x", [0.2, 1.0, 3.84, 9.5, 17.0, 40.0])
def test_chi_square_tail_matches_scipy(df: int, x: float) -> None:
    assert chi2_sf(x, df) == pytest.approx(float(stats.chi2.sf(x, df)), rel=1e-9, abs=1e-15)


def test_limits_narrow_as_cases_grow_and_the_wider_funnel_holds_the_narrower() -> None:
    """(Over a few cases the binomial's steps make the limits saw a little, as in the paper's
    figures: compared here at sizes apart.)"""
    previous = (0.0, 1.0)
    for n in (1, 10, 28, 100, 400):
        (low95, up95), (low998, up998) = (limits_at(0.6, n, level) for level in LEVELS)
        assert low998 <= low95 <= 0.6 <= up95 <= up998
        assert low95 >= previous[0] and up95 <= previous[1]
        previous = (low95, up95)


@pytest.mark.parametrize("target", [0.0, 1.0])
def test_at_0_and_100_percent_the_funnel_is_a_line_and_nobody_is_flagged(target: float) -> None:
    units = [Unit(f"PDU {i}", round(target * n), n) for i, n in enumerate((1, 9, 28, 60))]
    found = funnel(units)
    assert found.target == target
    assert all(limits_at(target, n, level) == (target, target) for n in (1, 28) for level in LEVELS)
    assert found.flags == () and not found.spread.over_dispersed


def test_one_case_and_one_pdu() -> None:
    assert funnel([Unit("Only", 1, 1)]).flags == ()
    lower, upper = limits_at(0.5, 1, 0.998)
    assert (lower, upper) == pytest.approx((scipy_limit(0.5, 1, 0.001), scipy_limit(0.5, 1, 0.999)))
    assert 0.0 <= lower < 0.5 < upper <= 1.0


def test_every_pdu_equal_spreads_no_more_than_sampling() -> None:
    found = funnel([Unit(f"PDU {i}", 14, 28) for i in range(10)])
    assert found.target == 0.5 and found.flags == ()
    assert found.spread.phi == 0.0 and found.spread.p_value == 1.0 and found.spread.tau2 == 0.0
    assert "no more than sampling explains" in spread_sentence(found.spread)


def test_units_without_relevant_cases_are_left_out() -> None:
    found = funnel([Unit("A", 10, 20), Unit("Empty", 0, 0), Unit("B", 12, 20)])
    assert [u.name for u in found.units] == ["A", "B"] and found.target == 22 / 40


def test_a_clear_outlier_among_ten_is_named_below_the_99_8_limit() -> None:
    units = [Unit(f"PDU {i}", 20 + (i % 3), 30) for i in range(9)] + [Unit("Tameside", 4, 30)]
    found = funnel(units)
    assert not found.spread.over_dispersed  # one outlier, pulled in by winsorising
    assert [flag_sentence(f, "2.3.3") for f in found.flags] == [
        "Tameside is below the 99.8% limit for 2.3.3"
    ]
    lower, _ = found.limits(30)[0.998]
    assert lower > 4 / 30


def test_between_the_limits_is_flagged_at_95_only() -> None:
    base = [Unit(f"PDU {i}", 15, 30) for i in range(9)]
    target_n = 30
    # a count below the 95% lower limit but above the 99.8% one, at the pooled target
    for yes in range(15, -1, -1):
        found = funnel([*base, Unit("Edge", yes, target_n)])
        (low95, _), (low998, _) = (found.limits(target_n)[level] for level in LEVELS)
        if low998 <= yes / target_n < low95:
            assert [(f.unit.name, f.side, f.level) for f in found.flags] == [
                ("Edge", "below", 0.95)
            ]
            return
    pytest.fail("no count fell between the two limits")


def test_over_dispersion_widens_the_limits_by_the_random_effects_variance() -> None:
    shares = (0.2, 0.35, 0.5, 0.65, 0.8, 0.3, 0.7, 0.45, 0.55, 0.9)
    units = tuple(Unit(f"PDU {i}", round(s * 60), 60) for i, s in enumerate(shares))
    found = funnel(units)
    target = sum(u.yes for u in units) / sum(u.relevant for u in units)
    # by hand: z-scores, 10% winsorised (one each side of ten), phi, the chi-square test, tau^2
    var = [target * (1 - target) / u.relevant for u in units]
    z = sorted(
        (u.yes / u.relevant - target) / math.sqrt(v) for u, v in zip(units, var, strict=True)
    )
    z = [min(max(v, z[1]), z[8]) for v in z]
    phi = sum(v * v for v in z) / 10
    w = [1 / v for v in var]
    tau2 = (10 * phi - 9) / (sum(w) - sum(x * x for x in w) / sum(w))
    assert found.spread.phi == pytest.approx(phi)
    assert found.spread.p_value == pytest.approx(float(stats.chi2.sf(10 * phi, 9)))
    assert found.spread.over_dispersed and found.spread.tau2 == pytest.approx(tau2)
    half = 1.959963984540054 * math.sqrt(target * (1 - target) / 60 + tau2)
    assert target - half > 0 and target + half < 1
    assert found.limits(60)[0.95] == pytest.approx((target - half, target + half))
    assert found.limits(60)[0.998] == (0.0, 1.0)  # this wide a spread: kept within 0-100%
    assert "more than sampling explains" in spread_sentence(found.spread)
    assert "widened" in spread_sentence(found.spread)


def test_spread_needs_two_units() -> None:
    assert spread((Unit("A", 3, 10),), 0.3).p_value == 1.0
