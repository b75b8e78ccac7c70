"""Wilson score interval: honest uncertainty for a percentage from a small sample (28 cases)."""

from __future__ import annotations

from math import sqrt

Z95 = 1.959963984540054


def wilson_interval(yes: int, relevant: int, z: float = Z95) -> tuple[float, float] | None:
    """95% interval for yes/relevant, as percentages to one decimal; None when nothing is relevant.

    Wilson rather than the normal approximation because it stays inside 0-100 and behaves at
    0% and 100% with few cases, which is exactly where audit samples live.
    """
    bounds = wilson_bounds(yes, relevant, z)
    return None if bounds is None else (round(bounds[0], 1), round(bounds[1], 1))


def wilson_bounds(yes: int, relevant: int, z: float = Z95) -> tuple[float, float] | None:
    """The same interval unrounded: what a band edge is compared with (a bound a hair under an
    edge is under it, whatever it prints as)."""
    if relevant <= 0:
        return None
    p = yes / relevant
    z2n = z * z / relevant
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * sqrt(p * (1 - p) / relevant + z2n / (4 * relevant)) / (1 + z2n)
    return (max(0.0, centre - half) * 100, min(1.0, centre + half) * 100)
