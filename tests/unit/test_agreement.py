"""Agreement between two markers (issue 11's statistics), checked against independent
implementations on the same tables: statsmodels for Cohen's kappa, irrCAC (Gwet's own methods)
for PABAK (Brennan-Prediger) and AC1, each with its 95% interval. Then the prevalence paradox, and
the refusal to give any statistic below ten items."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from irrCAC.raw import CAC
from scipy import stats
from statsmodels.stats.inter_rater import cohens_kappa

from audit_tui.scoring.agreement import CATEGORIES, MIN_N, agreement, t975
from audit_tui.scoring.moderation import reading, which

ANSWER = st.sampled_from(CATEGORIES)
PAIRS = st.lists(st.tuples(ANSWER, ANSWER), min_size=MIN_N, max_size=300)
CLOSE = 2e-5  # the t quantile is a series (within 2e-5 from 9 degrees of freedom)


def _clip(low: float, high: float) -> tuple[float, float]:
    return max(-1.0, low), min(1.0, high)


@settings(max_examples=150, deadline=None)
@given(PAIRS)
def test_kappa_pabak_and_ac1_match_independent_implementations(
    pairs: list[tuple[str, str]],
) -> None:
    ours = agreement(pairs)
    assert ours.n == len(pairs) and ours.observed == pytest.approx(
        sum(a == b for a, b in pairs) / len(pairs)
    )
    table = np.array([[ours.table[a, b] for b in CATEGORIES] for a in CATEGORIES], dtype=float)
    expected = float((table.sum(1) * table.sum(0)).sum() / table.sum() ** 2)
    if expected < 1 - 1e-12:
        with np.errstate(invalid="ignore"):
            ref = cohens_kappa(table)
        assert ours.kappa == pytest.approx(ref.kappa, abs=1e-9)
        if np.isfinite(ref.std_kappa):
            # a half-width is a square root: where the true variance is nothing, both sides'
            # rounding (~1e-16) comes out near 1e-8, so the bound is the root of it
            assert ours.kappa_ci95 == pytest.approx(_clip(ref.kappa_low, ref.kappa_upp), abs=1e-7)
        else:  # a variance of nothing, which rounding made negative there: a point here
            assert ours.kappa_ci95 == pytest.approx((ours.kappa, ours.kappa), abs=1e-6)
    else:
        assert ours.kappa is None and ours.kappa_ci95 is None
    cac = CAC(pd.DataFrame(pairs, columns=["a", "b"]), categories=list(CATEGORIES), digits=12)
    for name, value, ci in (
        ("gwet", ours.ac1, ours.ac1_ci95),
        ("bp", ours.pabak, ours.pabak_ci95),
    ):
        ref_est = getattr(cac, name)()["est"]
        assert value == pytest.approx(ref_est["coefficient_value"], abs=1e-9), name
        assert ci is not None
        low, high = ref_est["confidence_interval"]
        if ref_est["se"] > 1e-12:  # irrCAC reports a zero spread as 1e-15, not as a point
            assert ci == pytest.approx(_clip(low, high), abs=CLOSE), name


def test_the_high_prevalence_paradox() -> None:
    """95 of 100 items agreed, nearly all Yes: kappa near nothing, AC1 and PABAK high."""
    pairs = [("yes", "yes")] * 94 + [("no", "no")] + [("yes", "no")] * 3 + [("no", "yes")] * 2
    got = agreement(pairs)
    assert got.observed == pytest.approx(0.95)
    assert got.kappa is not None and abs(got.kappa) < 0.3
    assert got.ac1 is not None and got.ac1 > 0.9
    assert got.pabak is not None and got.pabak > 0.9
    # and the reports say so in words: read AC1, because of the prevalence, not disagreement
    said = reading(got)
    assert said.startswith("96% of answers are Yes: kappa (") and "read AC1 (0.95" in said
    assert which(got) == "AC1 (96% Yes)"
    spread = agreement([("yes", "yes")] * 40 + [("no", "no")] * 40 + [("yes", "no")] * 5)
    assert which(spread) == "kappa or AC1" and "same story" in reading(spread)
    few = agreement(pairs[:9])
    assert which(few) == "—" and "fewer than 10" in reading(few)


def test_na_is_a_category_of_its_own() -> None:
    same = agreement([("na", "na")] * 5 + [("yes", "yes")] * 5)
    differ = agreement([("na", "no")] * 5 + [("yes", "yes")] * 5)
    assert (same.agreed, differ.agreed) == (10, 5)


@pytest.mark.parametrize("n", [0, 1, MIN_N - 1])
def test_below_ten_items_no_statistic_is_given(n: int) -> None:
    got = agreement([("yes", "yes")] * n)
    assert got.too_few and got.n == n and got.agreed == n
    assert (got.observed, got.kappa, got.pabak, got.ac1) == (None, None, None, None)
    assert (got.kappa_ci95, got.pabak_ci95, got.ac1_ci95) == (None, None, None)


def test_answers_outside_the_categories_are_refused() -> None:
    with pytest.raises(ValueError, match="maybe"):
        agreement([("yes", "maybe")] * MIN_N)


@pytest.mark.parametrize("df", [9, 10, 15, 30, 100, 1000])
def test_the_t_quantile_series_is_close_to_the_exact_one(df: int) -> None:
    assert t975(df) == pytest.approx(stats.t.ppf(0.975, df), abs=CLOSE)
