"""The pure maths of drawing a sample: allocation, seeded order, replacement, size planning."""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_tui.scoring.sampling import (
    Z95,
    PopulationCase,
    SamplingError,
    Stratum,
    allocate,
    bands_spanned,
    draw,
    in_window,
    margin_for,
    plan_sentences,
    random_order,
    replacement,
    sample_size,
)

COMMUNITY, LICENCE = ("community",), ("licence",)
EDGES = (50.0, 65.0, 80.0)
NAMES = ("Inadequate", "Requires improvement", "Good", "Outstanding")  # the shipped rubric's


def _caseload(sizes: dict[Stratum, int], start: date = date(2024, 1, 1)) -> list[PopulationCase]:
    return [
        PopulationCase(f"{'-'.join(s)}-{i:04d}", s, start + timedelta(days=i))
        for s, n in sizes.items()
        for i in range(n)
    ]


# --- allocate: hand-computed -------------------------------------------------------------------


def test_two_strata_proportional() -> None:
    # N = 327 + 219 = 546; quotas 28*327/546 = 16.77, 28*219/546 = 11.23;
    # floors 16 + 11 = 27, one seat left -> larger remainder (.77, community) -> 17 / 11.
    assert allocate({LICENCE: 219, COMMUNITY: 327}, 28) == {COMMUNITY: 17, LICENCE: 11}


def test_strata_come_back_sorted() -> None:
    assert list(allocate({("b",): 5, ("a",): 5, ("c",): 5}, 3)) == [("a",), ("b",), ("c",)]


def test_three_way_tie_goes_to_sorted_key() -> None:
    # 10/10/10 with size 2: quotas 2/3 each, floors 0, two seats; remainders and sizes tie,
    # so the first two keys in sorted order take them.
    assert allocate({("c",): 10, ("b",): 10, ("a",): 10}, 2) == {("a",): 1, ("b",): 1, ("c",): 0}


def test_remainder_tie_goes_to_larger_stratum() -> None:
    # 5/15/20 of 40 with size 4: quotas 0.5, 1.5, 2.0; floors 0 + 1 + 2 = 3, one seat left;
    # a and b both have remainder .5 -> the larger stratum (b, 15) takes it.
    assert allocate({("a",): 5, ("b",): 15, ("c",): 20}, 4) == {("a",): 0, ("b",): 2, ("c",): 2}


def test_larger_remainder_beats_larger_stratum() -> None:
    # 3/7 of 10 with size 5: quotas 1.5 and 3.5 tie -> larger (b) gets the seat: 1 / 4.
    assert allocate({("a",): 3, ("b",): 7}, 5) == {("a",): 1, ("b",): 4}
    # 3/7 of 10 with size 3: quotas 0.9 and 2.1; floors 0 + 2, one left -> a (.9 > .1): 1 / 2.
    assert allocate({("a",): 3, ("b",): 7}, 3) == {("a",): 1, ("b",): 2}


def test_multi_attribute_strata() -> None:
    counts: dict[Stratum, int] = {
        ("community", "high"): 60,
        ("community", "low"): 40,
        ("licence", "high"): 100,
    }
    # N = 200, size 10: quotas 3, 2, 5 exactly.
    assert allocate(counts, 10) == {
        ("community", "high"): 3,
        ("community", "low"): 2,
        ("licence", "high"): 5,
    }


def test_whole_caseload() -> None:
    assert allocate({("a",): 3, ("b",): 4}, 7) == {("a",): 3, ("b",): 4}


def test_empty_stratum_gets_nothing() -> None:
    assert allocate({("a",): 0, ("b",): 4}, 2) == {("a",): 0, ("b",): 2}


def test_minimum_then_proportional() -> None:
    # 2/50/948, size 20, K = 3: first a = min(3, 2) = 2, b = 3, c = 3 (8 seats); 12 left shared
    # by b and c in proportion 50 : 948 -> quotas 12*50/998 = 0.60, 12*948/998 = 11.40;
    # floors 0 + 11, one left -> b (.60 > .40): b = 3 + 1 = 4, c = 3 + 11 = 14.
    counts: dict[Stratum, int] = {("a",): 2, ("b",): 50, ("c",): 948}
    assert allocate(counts, 20, min_per_stratum=3) == {("a",): 2, ("b",): 4, ("c",): 14}
    # Without the minimum: quotas 0.04, 1.0, 18.96 -> a 0, b 1, c 19 (c's .96 takes the seat).
    assert allocate(counts, 20) == {("a",): 0, ("b",): 1, ("c",): 19}


def test_minimum_with_small_strata() -> None:
    # 2/8/10, size 15, K = 3: 2 + 3 + 3 = 8, 7 left over b, c in 8 : 10 -> 3.11, 3.89;
    # floors 3 + 3, one left -> c: b = 6, c = 7.
    assert allocate({("a",): 2, ("b",): 8, ("c",): 10}, 15, min_per_stratum=3) == {
        ("a",): 2,
        ("b",): 6,
        ("c",): 7,
    }


def test_minimum_never_exceeds_a_stratum() -> None:
    # 4/100, size 100, K = 3: 3 + 3, 94 left in 4 : 100 -> a's quota 3.6 is past its 1 case
    # of room, so a takes all 4; b takes the other 96.
    assert allocate({("a",): 4, ("b",): 100}, 100, min_per_stratum=3) == {("a",): 4, ("b",): 96}


def test_size_above_the_caseload_says_so() -> None:
    with pytest.raises(SamplingError) as err:
        allocate({COMMUNITY: 25, LICENCE: 15}, 50)
    assert (
        str(err.value) == "the caseload has 40 cases in the window; a sample of 50 cannot be drawn"
    )


@pytest.mark.parametrize(
    ("counts", "size", "k", "message"),
    [
        ({}, 5, 0, "the caseload is empty"),
        ({COMMUNITY: 10}, 0, 0, "at least one case"),
        ({COMMUNITY: 10}, -3, 0, "at least one case"),
        ({COMMUNITY: 10, LICENCE: 10, ("x",): 10}, 5, 2, "needs a sample of at least 6"),
        ({COMMUNITY: -1, LICENCE: 10}, 5, 0, "negative count"),
        ({COMMUNITY: 10}, 5, -1, "cannot be negative"),
        ({COMMUNITY: 0}, 1, 0, "the caseload has 0 cases in the window"),
    ],
)
def test_allocate_errors(counts: dict[Stratum, int], size: int, k: int, message: str) -> None:
    with pytest.raises(SamplingError, match=message):
        allocate(counts, size, min_per_stratum=k)


# --- allocate: properties ----------------------------------------------------------------------


@st.composite
def problems(draw: st.DrawFn) -> tuple[dict[Stratum, int], int]:
    n = draw(st.integers(1, 8))
    counts: dict[Stratum, int] = {(f"s{i}",): draw(st.integers(0, 400)) for i in range(n)}
    if sum(counts.values()) == 0:
        counts[("s0",)] = 1
    return counts, draw(st.integers(1, sum(counts.values())))


@settings(max_examples=300, deadline=None)
@given(problems())
def test_hamilton_properties(problem: tuple[dict[Stratum, int], int]) -> None:
    counts, size = problem
    total = sum(counts.values())
    alloc = allocate(counts, size)
    assert sum(alloc.values()) == size
    assert list(alloc) == sorted(counts)
    for s, n in counts.items():
        quota = Fraction(size * n, total)
        assert math.floor(quota) <= alloc[s] <= math.ceil(quota)
        assert alloc[s] <= n
    # Deterministic, and independent of the mapping's insertion order.
    assert allocate(dict(reversed(list(counts.items()))), size) == alloc


@settings(max_examples=300, deadline=None)
@given(problems(), st.integers(0, 10))
def test_minimum_properties(problem: tuple[dict[Stratum, int], int], k: int) -> None:
    counts, size = problem
    if k * len(counts) > size:
        with pytest.raises(SamplingError):
            allocate(counts, size, min_per_stratum=k)
        return
    alloc = allocate(counts, size, min_per_stratum=k)
    assert sum(alloc.values()) == size
    for s, n in counts.items():
        assert min(k, n) <= alloc[s] <= n
    assert allocate(dict(reversed(list(counts.items()))), size, min_per_stratum=k) == alloc


# --- random order, draw, replacement -----------------------------------------------------------


def test_order_is_pinned_across_machines() -> None:
    """SHA-512 string seeding: this exact order must hold on any machine and Python 3."""
    cases = [PopulationCase(f"C{i:02d}", COMMUNITY, date(2024, 1, 1)) for i in range(10)]
    assert random_order(cases, 2024) == {
        COMMUNITY: ["C05", "C01", "C04", "C08", "C00", "C02", "C06", "C09", "C07", "C03"]
    }


def test_order_is_a_permutation_of_each_stratum() -> None:
    cases = _caseload({COMMUNITY: 30, LICENCE: 12})
    order = random_order(cases, 7)
    assert list(order) == [COMMUNITY, LICENCE]
    for s, refs in order.items():
        assert sorted(refs) == sorted(c.case_ref for c in cases if c.stratum == s)


def test_order_ignores_input_order() -> None:
    cases = _caseload({COMMUNITY: 30, LICENCE: 12})
    assert random_order(cases, 7) == random_order(list(reversed(cases)), 7)


def test_a_case_listed_twice_is_refused() -> None:
    cases = _caseload({COMMUNITY: 3})
    with pytest.raises(SamplingError, match="appears twice"):
        random_order([*cases, cases[0]], 1)


def test_same_seed_same_sample() -> None:
    cases = _caseload({COMMUNITY: 327, LICENCE: 219})
    assert draw(cases, 28, 99) == draw(cases, 28, 99)


def test_different_seeds_give_different_samples() -> None:
    cases = _caseload({COMMUNITY: 327, LICENCE: 219})
    samples = {tuple(draw(cases, 28, seed).chosen) for seed in range(20)}
    assert len(samples) == 20


def test_draw_takes_each_stratums_first_cases() -> None:
    cases = _caseload({COMMUNITY: 327, LICENCE: 219})
    d = draw(cases, 28, 5)
    assert d.population == {COMMUNITY: 327, LICENCE: 219}
    assert d.allocation == {COMMUNITY: 17, LICENCE: 11}
    assert d.chosen == d.order[COMMUNITY][:17] + d.order[LICENCE][:11]
    assert len(set(d.chosen)) == 28


@settings(max_examples=100, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 60), min_size=1, max_size=4),
    seed=st.integers(0, 2**32),
    offsets=st.tuples(st.integers(0, 80), st.integers(0, 80)),
    data=st.data(),
)
def test_chosen_is_distinct_and_inside_the_window(
    sizes: list[int], seed: int, offsets: tuple[int, int], data: st.DataObject
) -> None:
    cases = _caseload({(f"s{i}",): n for i, n in enumerate(sizes)})
    start = date(2024, 1, 1) + timedelta(days=min(offsets))
    end = date(2024, 1, 1) + timedelta(days=max(offsets))
    window = in_window(cases, start, end)
    if not window:
        return
    size = data.draw(st.integers(1, len(window)))
    d = draw(window, size, seed)
    assert len(d.chosen) == len(set(d.chosen)) == size
    refs = {c.case_ref for c in window}
    assert set(d.chosen) <= refs
    assert all(start <= c.start_date <= end for c in window)


def test_window_is_inclusive_and_open_ended() -> None:
    cases = _caseload({COMMUNITY: 10})  # start dates 1 to 10 January 2024
    assert len(in_window(cases, date(2024, 1, 3), date(2024, 1, 5))) == 3
    assert len(in_window(cases, None, date(2024, 1, 5))) == 5
    assert len(in_window(cases, date(2024, 1, 5), None)) == 6
    assert in_window(cases, None, None) == cases
    with pytest.raises(SamplingError, match="starts"):
        in_window(cases, date(2024, 2, 1), date(2024, 1, 1))


def test_draw_from_an_empty_window() -> None:
    with pytest.raises(SamplingError, match="no cases in the window"):
        draw([], 5, 1)


def test_replacement_walks_the_order_then_runs_out() -> None:
    cases = _caseload({COMMUNITY: 5, LICENCE: 3})
    d = draw(cases, 4, 11)
    order = d.order[LICENCE]
    used = set(d.chosen)
    walked = []
    while (nxt := replacement(d.order, LICENCE, used)) is not None:
        walked.append(nxt)
        used.add(nxt)
    assert walked == [r for r in order if r not in d.chosen]
    assert replacement(d.order, LICENCE, order) is None
    # Skips what is already used, wherever it sits in the order.
    assert replacement(d.order, COMMUNITY, [d.order[COMMUNITY][0]]) == d.order[COMMUNITY][1]
    with pytest.raises(SamplingError, match="no stratum"):
        replacement(d.order, ("custody",), used)


# --- size planning -----------------------------------------------------------------------------


def test_z_is_the_two_sided_95_percent_point() -> None:
    assert abs(Z95 - 1.959964) < 1e-6


def test_sample_size_known_values() -> None:
    # z² = 3.841459. p = .5, e = .05: n0 = 3.841459 * .25 / .0025 = 384.15;
    # N = 1e9: n = 384.15 / (1 + 383.15/1e9) = 384.15 -> 385.
    assert sample_size(10**9, 50, 5) == 385
    # N = 1000: n = 384.15 / (1 + 383.15/1000) = 384.15 / 1.38315 = 277.73 -> 278.
    assert sample_size(1000, 50, 5) == 278
    # N = 546, e = .10: n0 = 3.841459 * .25 / .01 = 96.04; n = 96.04 / (1 + 95.04/546)
    # = 96.04 / 1.17406 = 81.80 -> 82.
    assert sample_size(546, 50, 10) == 82
    # p = .7, e = .17, N = 1183: n0 = 3.841459 * .21 / .0289 = 27.91;
    # n = 27.91 / (1 + 26.91/1183) = 27.29 -> 28: the inspection's size buys about ±17.
    assert sample_size(1183, 70, 17) == 28


def test_sample_size_never_exceeds_the_caseload() -> None:
    assert sample_size(10, 50, 1) == 10
    assert sample_size(1, 50, 5) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 50, 5), "at least one case"),
        ((100, 0, 5), "no variance"),
        ((100, 100, 5), "no variance"),
        ((100, 120, 5), "between 0 and 100"),
        ((100, 50, 0), "margin must be between 0 and 100"),
        ((100, 50, 100), "margin must be between 0 and 100"),
        ((100, 50, -2), "margin must be between 0 and 100"),
    ],
)
def test_sample_size_refuses(args: tuple[int, float, float], message: str) -> None:
    with pytest.raises(SamplingError, match=message):
        sample_size(*args)


def test_margin_known_values() -> None:
    # N = 1183, n = 28, p = .7: sqrt(.21/28) = .086603; * 1.959964 = .169738;
    # FPC sqrt(1155/1182) = .988513 -> .167788 -> 16.78 points.
    assert margin_for(1183, 28, 70) == pytest.approx(16.7788, abs=1e-3)
    # N = 1e9, n = 385, p = .5: 1.959964 * sqrt(.25/385) = 4.994 points (just inside 5).
    assert margin_for(10**9, 385, 50) == pytest.approx(4.9944, abs=1e-3)
    assert margin_for(546, 546, 50) == 0.0
    assert margin_for(1, 1, 50) == 0.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, 1, 50), "at least one case"),
        ((10, 0, 50), "between 1 and the caseload of 10 cases"),
        ((10, 11, 50), "between 1 and the caseload"),
        ((10, 5, 0), "no variance"),
        ((10, 5, 100), "no variance"),
    ],
)
def test_margin_refuses(args: tuple[int, int, float], message: str) -> None:
    with pytest.raises(SamplingError, match=message):
        margin_for(*args)


@settings(max_examples=300, deadline=None)
@given(
    population=st.integers(2, 100_000),
    expected=st.floats(1, 99),
    margin=st.floats(0.5, 40),
)
def test_sample_size_and_margin_are_near_inverses(
    population: int, expected: float, margin: float
) -> None:
    n = sample_size(population, expected, margin)
    # n buys at least the asked-for margin; one case fewer would not.
    assert margin_for(population, n, expected) <= margin + 1e-6
    if n > 1:
        assert margin_for(population, n - 1, expected) > margin - 1e-6


# --- bands and plain words ---------------------------------------------------------------------


def test_bands_spanned() -> None:
    assert bands_spanned(70, margin_for(1183, 28, 70), EDGES) == 3  # 53.2 to 86.8
    assert bands_spanned(70, 3, EDGES) == 1  # 67 to 73, inside Good
    assert bands_spanned(70, 5, EDGES) == 1  # 65 to 75: 65 is Good's lower edge, so one band
    assert bands_spanned(70, 5.0001, EDGES) == 2  # 64.9999 reaches Requires improvement
    assert bands_spanned(70, 10, EDGES) == 3  # 60 to 80: 80 belongs to Outstanding
    assert bands_spanned(70, 0, EDGES) == 1
    assert bands_spanned(50, 60, EDGES) == 4
    assert bands_spanned(50, 60, ()) == 1
    with pytest.raises(SamplingError, match="rise"):
        bands_spanned(70, 5, (65.0, 50.0))
    with pytest.raises(SamplingError, match="negative"):
        bands_spanned(70, -1, EDGES)


def test_band_edges_belong_to_the_band_above() -> None:
    # 60 to 65 touches Requires improvement (60) and Good (65 inclusive).
    assert bands_spanned(62.5, 2.5, EDGES) == 2
    # 65 to 70 stays in Good.
    assert bands_spanned(67.5, 2.5, EDGES) == 1


def test_plan_sentences_when_the_sample_places_the_band() -> None:
    first, second = plan_sentences(1183, 600, 70, EDGES, names=NAMES)
    assert first.startswith("600 cases of 1,183 give ±2.6 points around a key question at 70%")
    assert second == (
        "That range, 67% to 73%, lies within one band (Good): the key question can be placed in it."
    )


def test_plan_sentences_when_every_band_is_possible() -> None:
    _, second = plan_sentences(1183, 5, 70, EDGES, names=NAMES)
    assert second == "That range, 30% to 100%, covers all four bands: it rules none out."


def test_plan_sentences_with_other_bands() -> None:
    _, second = plan_sentences(1183, 100, 70, (50.0, 65.0, 80.0, 90.0))
    assert second.startswith("That range, 61% to 79%, covers two bands (50–65% and 65–80%)")


def test_plan_sentences_refuse_what_margin_refuses() -> None:
    with pytest.raises(SamplingError, match="no variance"):
        plan_sentences(100, 10, 100, EDGES, names=NAMES)


def test_a_plan_for_a_framework_without_bands_says_the_range_only() -> None:
    # 78 of 400 at 50%: ±10 points (95%, finite-population corrected); no band to place it in
    first, second = plan_sentences(400, 78, 50, (), margin_asked=10)
    assert first.startswith("78 cases of 400 are enough for ±10 points")
    assert second == (
        "That range, 40% to 60%, is where the whole caseload's percentage could lie (this"
        " framework has no bands to place it in)."
    )
