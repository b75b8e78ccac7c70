"""Funnel plots: which PDUs differ from the rest on one key question, not a league table.

Each PDU's percentage of Yes is set against its number of relevant cases, around the pooled
percentage of all of them, with control limits that narrow as cases grow (Spiegelhalter 2005,
"Funnel plots for comparing institutional performance", Statistics in Medicine 24:1185-1202).
The limits are exact binomial ones, interpolated as in that paper's appendix, so they behave with
the handful of cases an audit has and at 0% and 100%. When the PDUs spread more than sampling
explains, the limits are widened by a random-effects variance and that is said (Spiegelhalter
2005, "Handling over-dispersion of performance indicators", Qual Saf Health Care 14:347-351).
Public-health and NHS indicator tools use the same forms (design/methods.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import erfc, exp, floor, lgamma, log, log1p, sqrt

LEVELS = (0.95, 0.998)
"""The two funnels drawn: about 1 in 20 and 1 in 500 of PDUs that do not differ fall outside."""
Z = {0.95: 1.959963984540054, 0.998: 3.090232306167813}
"""Two-sided standard normal quantiles for LEVELS (limits at (1 - level) / 2 each side)."""
WINSOR = 0.1
"""Share of z-scores each side pulled in before over-dispersion is judged (Spiegelhalter)."""
OVERDISPERSION_P = 0.05


@dataclass(frozen=True)
class Unit:
    """One PDU's answers to one key question: `yes` of `relevant` cases."""

    name: str
    yes: int
    relevant: int

    @property
    def proportion(self) -> float:
        return self.yes / self.relevant


@dataclass(frozen=True)
class Spread:
    """How far the units spread beyond sampling: phi (1 when sampling explains it all), the
    chi-square test's p-value on I - 1 degrees of freedom, and tau^2, the random-effects
    variance the limits are widened by (0 when not over-dispersed)."""

    phi: float
    p_value: float
    tau2: float

    @property
    def over_dispersed(self) -> bool:
        return self.tau2 > 0


@dataclass(frozen=True)
class Flag:
    """A unit outside a funnel: `side` "below" or "above", `level` the widest limit crossed."""

    unit: Unit
    side: str
    level: float


@dataclass(frozen=True)
class Funnel:
    target: float
    """The pooled proportion of all units (yes / relevant over them all)."""
    units: tuple[Unit, ...]
    spread: Spread
    flags: tuple[Flag, ...]

    def limits(self, n: int) -> dict[float, tuple[float, float]]:
        """(lower, upper) proportion at each level for a unit of `n` relevant cases."""
        return {level: limits_at(self.target, n, level, self.spread.tau2) for level in LEVELS}

    def flag_of(self, unit: Unit) -> Flag | None:
        """How `unit` lies outside the funnel, or None when within it."""
        return next((f for f in self.flags if f.unit is unit), None)

    def curve(self, points: int = 60) -> list[tuple[int, dict[float, tuple[float, float]]]]:
        """The limits over n from 1 to the largest unit's n (and a little beyond), for drawing:
        every n while few, then spaced geometrically."""
        top = max((u.relevant for u in self.units), default=1)
        top = max(2, int(top * 1.1) + 1)
        ns = sorted({max(1, round(top ** (i / (points - 1)))) for i in range(points)})
        return [(n, self.limits(n)) for n in ns]


def _pmf(k: int, n: int, p: float) -> float:
    return exp(lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * log(p) + (n - k) * log1p(-p))


def binomial_limit(target: float, n: int, q: float) -> float:
    """The q-quantile of the proportion of Yes in n cases when each is Yes with probability
    `target`, interpolated between the binomial's steps (Spiegelhalter 2005, appendix A.1.1):
    r is the smallest count with P(R <= r) >= q, and the limit is (r - a) / n with
    a = (P(R <= r) - q) / P(R = r). Kept within 0 and 1."""
    if target <= 0.0 or target >= 1.0:
        return target  # every unit sits on the target: the funnel is a line
    cumulative = below = 0.0
    r = -1
    while cumulative < q and r < n:
        r += 1
        below = cumulative
        cumulative += _pmf(r, n, target)
    step = cumulative - below
    a = (cumulative - q) / step if step > 0 else 0.0
    return min(1.0, max(0.0, (r - a) / n))


@lru_cache(maxsize=8192)
def limits_at(target: float, n: int, level: float, tau2: float = 0.0) -> tuple[float, float]:
    """(lower, upper) at `level` for n cases: exact binomial, or, widened for over-dispersion,
    the normal approximation with the random-effects variance added (as Spiegelhalter).
    Kept once worked out: the flags, each report row and the plot ask again for the same n
    (PDUs of one sample size), and an exact limit sums up to n binomial terms."""
    tail = (1 - level) / 2
    if tau2 > 0:
        half = Z[level] * sqrt(target * (1 - target) / n + tau2)
        return (max(0.0, target - half), min(1.0, target + half))
    return (binomial_limit(target, n, tail), binomial_limit(target, n, 1 - tail))


def chi2_sf(x: float, df: int) -> float:
    """P(X > x) for X ~ chi-square on `df` (a whole number) degrees of freedom, in closed form."""
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if x <= 0:
        return 1.0
    half = x / 2
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for j in range(1, df // 2):
            term *= half / j
            total += term
        return min(1.0, exp(-half) * total)
    total = erfc(sqrt(half))
    term = sqrt(half) * exp(-half) / exp(lgamma(1.5))  # j = 0: half^(1/2) / Gamma(3/2)
    for j in range((df - 1) // 2):
        if j:
            term *= half / (j + 0.5)
        total += term
    return min(1.0, total)


def spread(units: tuple[Unit, ...], target: float) -> Spread:
    """Spiegelhalter's over-dispersion test on winsorised z-scores; tau^2 when it applies."""
    count = len(units)
    if count < 2 or target <= 0.0 or target >= 1.0:
        return Spread(phi=1.0, p_value=1.0, tau2=0.0)
    variance = [target * (1 - target) / u.relevant for u in units]
    z = sorted((u.proportion - target) / sqrt(v) for u, v in zip(units, variance, strict=True))
    k = floor(count * WINSOR)
    if k:
        z = [min(max(value, z[k]), z[count - 1 - k]) for value in z]
    phi = sum(value * value for value in z) / count
    p_value = chi2_sf(count * phi, count - 1)
    if p_value >= OVERDISPERSION_P:
        return Spread(phi=phi, p_value=p_value, tau2=0.0)
    weights = [1 / v for v in variance]
    total = sum(weights)
    tau2 = max(0.0, (count * phi - (count - 1)) / (total - sum(w * w for w in weights) / total))
    return Spread(phi=phi, p_value=p_value, tau2=tau2)


def funnel(units: list[Unit] | tuple[Unit, ...]) -> Funnel:
    """The funnel of the units with at least one relevant case, and who lies outside it."""
    kept = tuple(u for u in units if u.relevant > 0)
    relevant = sum(u.relevant for u in kept)
    target = sum(u.yes for u in kept) / relevant if relevant else 0.0
    found = spread(kept, target)
    flags = []
    for unit in kept:
        crossed: Flag | None = None
        for level in LEVELS:  # narrowest first: the widest crossed wins
            lower, upper = limits_at(target, unit.relevant, level, found.tau2)
            if unit.proportion < lower:
                crossed = Flag(unit, "below", level)
            elif unit.proportion > upper:
                crossed = Flag(unit, "above", level)
        if crossed is not None:
            flags.append(crossed)
    return Funnel(target=target, units=kept, spread=found, flags=tuple(flags))


def level_words(level: float) -> str:
    return f"{level * 100:g}%"


def flag_sentence(flag: Flag, question: str) -> str:
    """ "Tameside is below the 99.8% limit for 2.3.3"."""
    return f"{flag.unit.name} is {flag.side} the {level_words(flag.level)} limit for {question}"


def spread_sentence(found: Spread) -> str:
    """What the spread means for the limits, in words for the report."""
    if not found.over_dispersed:
        return (
            f"The PDUs spread no more than sampling explains (phi {found.phi:.2f},"
            f" p = {found.p_value:.2f}): the limits are exact binomial ones."
        )
    return (
        f"The PDUs spread more than sampling explains (phi {found.phi:.2f},"
        f" p = {found.p_value:.3f}): the limits are widened by a random-effects spread of"
        f" {sqrt(found.tau2) * 100:.1f} percentage points (Spiegelhalter 2005), so a PDU outside"
        " them differs beyond that spread."
    )
