"""The pure maths of drawing an inspection-style sample: allocation, random order, size planning.

Standard library only and no I/O: the store hands over the caseload, this module decides which
cases are drawn and in what order replacements come, so a draw can be re-derived from its seed.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from itertools import pairwise
from math import ceil, floor, sqrt
from statistics import NormalDist

from audit_tui.domain.words import plural

Stratum = tuple[str, ...]
"""The values of the stratifying attributes, in the order given."""

Z95 = NormalDist().inv_cdf(0.975)  # 1.959964: two-sided 95%
_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True)
class PopulationCase:
    """One case in the caseload a sample is drawn from."""

    case_ref: str
    stratum: Stratum
    start_date: date


class SamplingError(ValueError):
    """A sample that cannot be planned or drawn; the message is one line a user can act on."""


def _cases(n: int) -> str:
    return plural(n, "case")


def _name(stratum: Stratum) -> str:
    return " / ".join(stratum) or "(all cases)"


def allocate(
    counts: Mapping[Stratum, int], size: int, min_per_stratum: int = 0
) -> dict[Stratum, int]:
    """Seats per stratum by largest remainder (Hamilton), so each stratum's share of the sample
    matches its share of the caseload to within one case, as inspectors draw it.

    With ``min_per_stratum`` K every stratum first gets min(K, N_s), so small strata are seen at
    all; the remaining seats are then shared in proportion to N_s, never past N_s. Exact fractions
    keep ties exact; ties go to the larger remainder, then the larger stratum, then sorted key.
    """
    if not counts:
        raise SamplingError("there are no cases to sample from: the caseload is empty")
    for stratum, n in counts.items():
        if n < 0:
            raise SamplingError(f"stratum {_name(stratum)} has a negative count ({n})")
    if min_per_stratum < 0:
        raise SamplingError(f"the minimum per stratum cannot be negative (got {min_per_stratum})")
    total = sum(counts.values())
    if size < 1:
        raise SamplingError(f"a sample needs at least one case (got {size})")
    if size > total:
        raise SamplingError(
            f"the caseload has {_cases(total)} in the window; a sample of {size:,} cannot be drawn"
        )
    if min_per_stratum * len(counts) > size:
        raise SamplingError(
            f"a minimum of {min_per_stratum} per stratum across {len(counts)} strata needs a sample"
            f" of at least {min_per_stratum * len(counts):,}; the sample is {size:,}"
        )
    alloc = {s: min(min_per_stratum, n) for s, n in counts.items()}
    seats = size - sum(alloc.values())
    # Water-filling: a stratum whose proportional share would reach its remaining cases takes
    # them all and leaves; the others share what is left, again in proportion to N_s.
    open_ = {s for s, n in counts.items() if n > alloc[s]}
    while seats > 0:
        weight = sum(counts[s] for s in open_)
        quota = {s: Fraction(seats * counts[s], weight) for s in open_}
        full = {s for s in open_ if quota[s] >= counts[s] - alloc[s]}
        if full:
            for s in full:
                seats -= counts[s] - alloc[s]
                alloc[s] = counts[s]
            open_ -= full
            continue
        # Every quota is below its room, so floor or ceil of it always fits.
        for s in open_:
            alloc[s] += floor(quota[s])
        left = seats - sum(floor(q) for q in quota.values())
        by_remainder = sorted(open_, key=lambda s: (-(quota[s] - floor(quota[s])), -counts[s], s))
        for s in by_remainder[:left]:
            alloc[s] += 1
        seats = 0
    return {s: alloc[s] for s in sorted(alloc)}


def _by_stratum(cases: Sequence[PopulationCase]) -> dict[Stratum, list[str]]:
    groups: dict[Stratum, list[str]] = {}
    seen: set[str] = set()
    for case in cases:
        if case.case_ref in seen:
            raise SamplingError(f"case {case.case_ref} appears twice in the caseload")
        seen.add(case.case_ref)
        groups.setdefault(case.stratum, []).append(case.case_ref)
    return {s: sorted(groups[s]) for s in sorted(groups)}


def random_order(cases: Sequence[PopulationCase], seed: int) -> dict[Stratum, list[str]]:
    """Each stratum's case refs, sorted then shuffled: the recorded order replacement walks.

    Seeded with ``random.Random(f"{seed}|stratum|values")``: Python's version-2 seeding hashes a
    string seed with SHA-512, so the same seed gives the same order on any machine and any
    Python 3 version (no PYTHONHASHSEED, no platform dependence), and each stratum's order does
    not depend on which other strata exist. Sorting first makes it independent of input order.
    """
    order = _by_stratum(cases)
    for stratum, refs in order.items():
        random.Random(f"{seed}|" + "|".join(stratum)).shuffle(refs)
    return order


@dataclass(frozen=True)
class Draw:
    """A drawn sample with everything needed to explain and re-derive it."""

    allocation: dict[Stratum, int]
    population: dict[Stratum, int]  # cases per stratum in the window
    order: dict[Stratum, list[str]]  # the full random order per stratum
    chosen: list[str]  # first allocation[s] of each stratum's order, strata in sorted order


def in_window(
    cases: Sequence[PopulationCase], start: date | None, end: date | None
) -> list[PopulationCase]:
    """The cases that started within [start, end], both ends inclusive; None leaves that end open."""
    if start is not None and end is not None and start > end:
        raise SamplingError(f"the window starts ({start}) after it ends ({end})")
    return [
        c
        for c in cases
        if (start is None or c.start_date >= start) and (end is None or c.start_date <= end)
    ]


def draw(cases: Sequence[PopulationCase], size: int, seed: int, min_per_stratum: int = 0) -> Draw:
    """Allocate ``size`` seats over the strata of ``cases`` and take each stratum's first cases
    in its seeded random order."""
    order = random_order(cases, seed)
    population = {s: len(refs) for s, refs in order.items()}
    if not population:
        raise SamplingError("the caseload has no cases in the window; no sample can be drawn")
    allocation = allocate(population, size, min_per_stratum)
    chosen = [ref for s in sorted(allocation) for ref in order[s][: allocation[s]]]
    return Draw(allocation=allocation, population=population, order=order, chosen=chosen)


def replacement(
    order: Mapping[Stratum, Sequence[str]], stratum: Stratum, used: Collection[str]
) -> str | None:
    """The next case in the stratum's recorded order not yet used (drawn or already replacing),
    so a replacement is as random as the draw and stays in the same stratum; None when the
    stratum is exhausted."""
    if stratum not in order:
        raise SamplingError(f"the draw has no stratum {_name(stratum)}")
    taken = set(used)
    return next((ref for ref in order[stratum] if ref not in taken), None)


def _proportion(expected_percent: float) -> float:
    if not 0 < expected_percent < 100:
        raise SamplingError(
            f"the expected percentage must be between 0 and 100, exclusive (got {expected_percent:g});"
            " 0% or 100% has no variance to plan for"
        )
    return expected_percent / 100


def sample_size(population: int, expected_percent: float, margin_points: float) -> int:
    """Cases needed for a 95% margin of ``margin_points`` around ``expected_percent``.

    Normal approximation n0 = z²p(1−p)/e² with the finite-population correction, rounded up:
    the textbook planning figure, good enough to choose a size (intervals use Wilson).
    """
    if population < 1:
        raise SamplingError(f"the caseload must have at least one case (got {population})")
    p = _proportion(expected_percent)
    if not 0 < margin_points < 100:
        raise SamplingError(
            f"the margin must be between 0 and 100 percentage points, exclusive (got {margin_points:g})"
        )
    e = margin_points / 100
    n0 = Z95 * Z95 * p * (1 - p) / (e * e)
    n = n0 / (1 + (n0 - 1) / population)
    # The epsilon stops float noise on an exact whole number from asking for one case more.
    return max(1, min(population, ceil(n - 1e-9)))


def margin_for(population: int, size: int, expected_percent: float) -> float:
    """The 95% margin, in percentage points, that ``size`` cases of ``population`` buy at
    ``expected_percent``: normal approximation with the finite-population correction (0 when the
    whole caseload is read)."""
    if population < 1:
        raise SamplingError(f"the caseload must have at least one case (got {population})")
    if not 1 <= size <= population:
        raise SamplingError(
            f"the sample must be between 1 and the caseload of {_cases(population)} (got {size:,})"
        )
    p = _proportion(expected_percent)
    if size == population:
        return 0.0
    fpc = sqrt((population - size) / (population - 1))
    return 100 * Z95 * sqrt(p * (1 - p) / size) * fpc


def _check_edges(edges: Sequence[float]) -> None:
    if any(b <= a for a, b in pairwise(edges)):
        raise SamplingError(f"band edges must rise strictly (got {list(edges)})")


def _band_range(percent: float, margin_points: float, edges: Sequence[float]) -> tuple[int, int]:
    """Indices (lowest band 0) of the bands holding each end of percent ± margin."""
    if margin_points < 0:
        raise SamplingError(f"the margin cannot be negative (got {margin_points:g})")
    _check_edges(edges)
    return bisect_right(edges, percent - margin_points), bisect_right(
        edges, percent + margin_points
    )


def bands_spanned(percent: float, margin_points: float, edges: Sequence[float]) -> int:
    """How many rating bands percent ± margin touches, given the bands' lower edges (a lower edge
    belongs to the band above, as in banding): 1 means the sample can place the result."""
    low, high = _band_range(percent, margin_points, edges)
    return high - low + 1


def _band_names(edges: Sequence[float], names: Sequence[str]) -> list[str]:
    """The rubric's ratings (lowest first) where there is one a band, else each band's range."""
    if len(names) == len(edges) + 1:
        return list(names)
    if not edges:
        return ["the only band"]
    inner = [f"{a:g}–{b:g}%" for a, b in pairwise(edges)]
    return [f"below {edges[0]:g}%", *inner, f"{edges[-1]:g}% and above"]


def _either(names: Sequence[str], word: str) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {word} {names[-1]}"


def _count_word(n: int) -> str:
    return _COUNT_WORDS[n] if n < len(_COUNT_WORDS) else str(n)


def plan_sentences(
    population: int,
    size: int,
    expected_percent: float,
    edges: Sequence[float],
    *,
    names: Sequence[str] = (),
    margin_asked: float | None = None,
) -> list[str]:
    """`audit-tui plan` in two sentences, each said once: what the size buys (or, with
    `margin_asked`, that it is the size the margin needs), then what the range it leaves can and
    cannot tell apart among the rating bands, by the rubric's `names` for them (lowest first;
    without one a band, by their ranges)."""
    margin = margin_for(population, size, expected_percent)
    _check_edges(edges)
    names = _band_names(edges, names)
    at = f"a key question at {expected_percent:g}%"
    if margin == 0:
        band = names[bisect_right(edges, expected_percent)]
        if margin_asked is None:
            return [
                f"{_cases(size)} of {population:,} is the whole caseload: there is no sampling"
                f" margin, and {at} is {band}."
            ]
        needed = "The caseload's one case is" if size == 1 else f"All {_cases(size)} are"
        return [
            f"{needed} needed for ±{_point_words(margin_asked)} around {at}:"
            f" reading the whole caseload leaves no sampling margin, and {expected_percent:g}%"
            f" is {band}."
        ]
    how = "(95% confidence, with the finite-population correction)"
    if margin_asked is None:
        verb = "gives" if size == 1 else "give"
        first = (
            f"{_cases(size)} of {population:,} {verb} ±{_point_words(margin)} around {at} {how}."
        )
    else:
        verb = "is" if size == 1 else "are"
        first = (
            f"{_cases(size)} of {population:,} {verb} enough for ±{_point_words(margin_asked)}"
            f" around {at} {how}."
        )
    return [first, _range_sentence(expected_percent, margin, edges, names)]


def _range_sentence(
    percent: float, margin: float, edges: Sequence[float], names: Sequence[str]
) -> str:
    low_i, high_i = _band_range(percent, margin, edges)
    lo, hi = max(0.0, percent - margin), min(100.0, percent + margin)
    span = f"That range, {_end(lo, edges)}% to {_end(hi, edges)}%,"
    if not edges:  # a framework without bands: the range is the whole answer
        return (
            f"{span} is where the whole caseload's percentage could lie (this framework has no"
            " bands to place it in)."
        )
    if low_i == high_i:
        return (
            f"{span} lies within one band ({names[low_i]}): the key question can be placed in it."
        )
    joiner = "and" if high_i - low_i == 1 else "to"
    count = _count_word(high_i - low_i + 1)
    excluded = [*names[:low_i], *names[high_i + 1 :]]
    if not excluded:
        return f"{span} covers all {count} bands: it rules none out."
    return (
        f"{span} covers {count} bands ({names[low_i]} {joiner} {names[high_i]}): it rules out"
        f" {_either(excluded, 'and')}, but cannot place the key question in one band."
    )


def _point_words(margin: float) -> str:
    """`16.8 points`, `1 point`, `0.4 points`: one decimal, none when it is whole."""
    shown = f"{margin:.1f}".removesuffix(".0")
    return f"{shown} point" if shown == "1" else f"{shown} points"


def _end(x: float, edges: Sequence[float]) -> str:
    """An end of the range in whole percent, or to one decimal, rounded away from the edge, where
    rounding would move it across a band edge (just under an edge reads just under it, never on
    it, which would place it in the band above)."""
    whole = floor(x + 0.5)
    if bisect_right(edges, whole) == bisect_right(edges, x):
        return str(whole)
    tenths = floor(x * 10) if x < whole else ceil(x * 10)
    return f"{tenths / 10:.1f}"
