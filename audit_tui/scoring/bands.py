"""Placing a percentage in a band and a score in an overall rating, from the rubric's settings."""

from __future__ import annotations

from fractions import Fraction
from functools import cache
from math import floor

from audit_tui.domain.rubric import Band, OverallBand, Scoring


def percent_for_banding(yes: int, relevant: int, rounding: str) -> Fraction:
    """The percentage a band is judged on: exact, or rounded half up to a whole number.

    Which one HMIP uses is not confirmed, so it is a rubric setting (default exact).
    """
    return _as_banded(Fraction(100 * yes, relevant), rounding)


def _as_banded(exact: Fraction, rounding: str) -> Fraction:
    return Fraction(floor(exact + Fraction(1, 2))) if rounding == "whole" else exact


def band_for(yes: int, relevant: int, scoring: Scoring) -> Band:
    """The band of yes/relevant (relevant > 0); lower bounds inclusive."""
    return band_for_percent(percent_for_banding(yes, relevant, scoring.rounding), scoring)


def band_for_bound(percent: float, scoring: Scoring) -> Band:
    """The band an interval's end (an unrounded percentage) would fall in, under the same
    rounding rule as the figures themselves."""
    return band_for_percent(_as_banded(Fraction(percent), scoring.rounding), scoring)


def band_for_percent(pct: Fraction | float, scoring: Scoring) -> Band:
    """The band a percentage falls in (lower bounds inclusive)."""
    pct = Fraction(str(pct)) if isinstance(pct, float) else pct
    for band in scoring.bands:
        if pct >= _bound(band.min_percent):
            return band
    return scoring.bands[-1]


@cache
def _bound(percent: float) -> Fraction:
    """A band's bound as written (65.0 is 65, not the float nearest it), made once: a rubric's
    bounds are a handful, met a dozen times for each audit a list scores."""
    return Fraction(str(percent))


def overall_for(score: int, scoring: Scoring) -> OverallBand:
    for band in scoring.overall:
        if score >= band.min_score:
            return band
    return scoring.overall[-1]
