"""How alike two markers answered the same items: observed agreement, and three chance-corrected
coefficients, each with a 95% interval and its n (issue 11, moderation).

Why three: when nearly every answer is Yes, Cohen's kappa collapses towards 0 even where the
markers agree 95% of the time (the prevalence paradox), because it expects chance to agree that
often too. PABAK (Brennan and Prediger's coefficient: chance is 1/q) and Gwet's AC1 (chance only
on hard-to-score items) do not; reports show AC1 beside kappa and say which to read.

Not applicable is a category of its own: a marker who says n/a where the other says No
disagrees. Below `MIN_N` items no coefficient is meaningful, and none is given (None).

Intervals: kappa's from its large-sample variance (Fleiss, Cohen and Everitt 1969) and the
normal quantile; PABAK's and AC1's from Gwet's (2008) variance and Student's t with n - 1
degrees of freedom. Each is cut to [-1, 1]. Pure Python: no statistics library at run time.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from statistics import NormalDist

CATEGORIES = ("yes", "no", "na")
MIN_N = 10
"""Fewer items both markers answered than this: no statistic is given."""
Interval = tuple[float, float]
Z975 = NormalDist().inv_cdf(0.975)


@dataclass(frozen=True)
class Agreement:
    n: int
    """Items both markers answered."""
    agreed: int
    table: dict[tuple[str, str], int]
    """(first marker's answer, second's) -> items."""
    observed: float | None = None
    kappa: float | None = None
    kappa_ci95: Interval | None = None
    pabak: float | None = None
    pabak_ci95: Interval | None = None
    ac1: float | None = None
    ac1_ci95: Interval | None = None

    @property
    def too_few(self) -> bool:
        return self.n < MIN_N


def agreement(
    pairs: Iterable[tuple[str, str]], categories: Sequence[str] = CATEGORIES
) -> Agreement:
    """Agreement over (first, second) answer pairs, each an item both markers answered."""
    table = Counter(pairs)
    unknown = {v for pair in table for v in pair} - set(categories)
    if unknown:
        raise ValueError(f"answers outside the categories {categories}: {sorted(unknown)}")
    n = sum(table.values())
    agreed = sum(count for (a, b), count in table.items() if a == b)
    counts = {key: table.get(key, 0) for key in ((a, b) for a in categories for b in categories)}
    if n < MIN_N:
        return Agreement(n=n, agreed=agreed, table=counts)
    observed = agreed / n
    kappa, kappa_ci = _kappa(counts, categories, n, observed)
    pabak, pabak_ci = _pabak(table, len(categories), n, observed)
    ac1, ac1_ci = _ac1(table, categories, n, observed)
    return Agreement(
        n=n,
        agreed=agreed,
        table=counts,
        observed=observed,
        kappa=kappa,
        kappa_ci95=kappa_ci,
        pabak=pabak,
        pabak_ci95=pabak_ci,
        ac1=ac1,
        ac1_ci95=ac1_ci,
    )


def _kappa(
    counts: dict[tuple[str, str], int], categories: Sequence[str], n: int, observed: float
) -> tuple[float | None, Interval | None]:
    p = {key: c / n for key, c in counts.items()}
    rows = {k: sum(p[k, j] for j in categories) for k in categories}  # first marker
    cols = {k: sum(p[i, k] for i in categories) for k in categories}  # second marker
    expected = sum(rows[k] * cols[k] for k in categories)
    if expected >= 1:
        return None, None  # both markers gave one answer throughout: kappa is undefined
    kappa = (observed - expected) / (1 - expected)
    on = sum(p[k, k] * (1 - (rows[k] + cols[k]) * (1 - kappa)) ** 2 for k in categories)
    off = (1 - kappa) ** 2 * sum(
        p[i, j] * (cols[i] + rows[j]) ** 2 for i in categories for j in categories if i != j
    )
    centre = (kappa - expected * (1 - kappa)) ** 2
    variance = max(0.0, (on + off - centre) / (1 - expected) ** 2 / n)
    return kappa, _bounded(kappa, Z975 * math.sqrt(variance))


def _pabak(
    table: Counter[tuple[str, str]], q: int, n: int, observed: float
) -> tuple[float, Interval]:
    """Per-item terms depend only on the pair's cells: summed over the table, not the items."""
    chance = 1 / q
    value = (observed - chance) / (1 - chance)
    variance = sum(
        count * (((a == b) - chance) / (1 - chance) - value) ** 2 for (a, b), count in table.items()
    ) / (n * (n - 1))
    return value, _bounded(value, t975(n - 1) * math.sqrt(variance))


def _ac1(
    table: Counter[tuple[str, str]], categories: Sequence[str], n: int, observed: float
) -> tuple[float, Interval]:
    q = len(categories)
    share: Counter[str] = Counter()
    for (a, b), count in table.items():
        share[a] += count
        share[b] += count
    pi = {k: share.get(k, 0) / (2 * n) for k in categories}
    chance = sum(pi[k] * (1 - pi[k]) for k in categories) / (q - 1)
    value = (observed - chance) / (1 - chance)
    spread = 0.0
    for (a, b), count in table.items():
        item = ((a == b) - chance) / (1 - chance)
        item_chance = ((1 - pi[a]) + (1 - pi[b])) / 2 / (q - 1)
        adjusted = item - 2 * (1 - value) * (item_chance - chance) / (1 - chance)
        spread += count * (adjusted - value) ** 2
    variance = spread / (n * (n - 1))
    return value, _bounded(value, t975(n - 1) * math.sqrt(variance))


def _bounded(value: float, half: float) -> Interval:
    return max(-1.0, value - half), min(1.0, value + half)


def t975(df: int) -> float:
    """Student's t 97.5% quantile: the normal one corrected in powers of 1/df (Abramowitz and
    Stegun 26.7.5); within 2e-5 of the exact value from 9 degrees of freedom (n >= MIN_N)."""
    z = Z975
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4
