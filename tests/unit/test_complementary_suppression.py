"""Complementary suppression of breakdowns: a report gives each key question's total, so a row
with one figure withheld would give it away by subtraction (the total less the groups shown).
The next smallest figure of that row is withheld with it, and nothing else."""

from __future__ import annotations

import itertools
import random

import pytest

from audit_tui.domain.loader import load_rubric_file
from audit_tui.domain.rubric import Rubric
from audit_tui.paths import shipped_rubric_dir
from audit_tui.scoring.breakdowns import Breakdown, build_breakdown
from audit_tui.scoring.results import Tally

KQ = "2.2.1"


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric_file(shipped_rubric_dir() / "hmip-probation-pdu-2021.toml")


def _by_ethnicity(rubric: Rubric, groups: dict[str, tuple[int, int, int]]) -> Breakdown:
    """groups: value -> (cases, yes, no) for 2.2.1."""
    return build_breakdown(
        rubric,
        "ethnicity",
        {v: n for v, (n, _, _) in groups.items()},
        {v: {KQ: Tally(yes=y, no=no, applicable=n)} for v, (n, y, no) in groups.items()},
    )


def _hidden(bd: Breakdown) -> list[str]:
    return [g.value for g in bd.groups if g.hides(KQ)]


def test_one_small_group_takes_the_smallest_shown_with_it(rubric: Rubric) -> None:
    # Black has 3 cases: shown, White (20) and Mixed (6) would give it away as the total less
    # them, so Mixed (the fewer relevant cases) is withheld too
    bd = _by_ethnicity(rubric, {"white": (20, 10, 10), "mixed": (6, 3, 3), "black": (3, 1, 2)})
    assert _hidden(bd) == ["mixed", "black"]
    mixed = next(g for g in bd.groups if g.value == "mixed")
    assert not mixed.too_few(KQ) and KQ in mixed.withheld and bd.gives_away


def test_two_small_groups_cannot_be_told_apart_so_nothing_more_is_withheld(
    rubric: Rubric,
) -> None:
    bd = _by_ethnicity(
        rubric, {"white": (20, 10, 10), "mixed": (6, 3, 3), "black": (3, 1, 2), "asian": (2, 1, 1)}
    )
    assert _hidden(bd) == ["asian", "black"] and not bd.gives_away  # in the rubric's order


def test_a_small_group_with_no_relevant_case_gives_nothing_away(rubric: Rubric) -> None:
    # Black's 3 cases answered nothing for 2.2.1: the total less the others is 0 of 0
    bd = _by_ethnicity(rubric, {"white": (20, 10, 10), "mixed": (6, 3, 3), "black": (3, 0, 0)})
    assert _hidden(bd) == ["black"] and not bd.gives_away


def test_a_big_group_with_no_relevant_case_shows_as_such_not_as_suppressed(
    rubric: Rubric,
) -> None:
    bd = _by_ethnicity(rubric, {"white": (20, 10, 10), "mixed": (6, 0, 0)})
    assert _hidden(bd) == []  # nothing to withhold: shown as 0 of 0
    only_empty = _by_ethnicity(rubric, {"white": (20, 0, 0), "mixed": (6, 0, 0)})
    assert only_empty.all_suppressed  # a table of nothing but 0 of 0 is not worth showing


def test_no_row_ever_leaves_a_single_withheld_figure_to_be_worked_out(rubric: Rubric) -> None:
    """Random rows: after suppression, a row's hidden figures with relevant cases are never
    exactly one beside a shown figure (the total less the shown would be it)."""
    rng = random.Random(7)
    values = ["white", "mixed", "asian", "black", "other"]
    for _ in range(500):
        groups = {}
        for v in rng.sample(values, rng.randint(2, 5)):
            n = rng.choice([1, 2, 3, 4, 5, 6, 9, 15, 30])
            y = rng.randint(0, n)
            no = rng.randint(0, n - y)
            groups[v] = (n, y, no)
        bd = _by_ethnicity(rubric, groups)
        item = {g.value: g.items[KQ] for g in bd.groups}
        hidden = [v for v in _hidden(bd) if item[v].relevant]
        shown = [g.value for g in bd.groups if not g.hides(KQ) and item[g.value].relevant]
        assert not (len(hidden) == 1 and shown), groups
        # nothing is withheld beyond what one small figure needs
        assert sum(len(g.withheld) for g in bd.groups) <= 1
        for a, b in itertools.combinations(bd.groups, 2):
            assert not (KQ in a.withheld and KQ in b.withheld)
