"""Newcombe's hybrid-score interval for the difference between two independent proportions,
checked against the worked examples of Newcombe (1998), Table II, method 10, and at the edges
(nothing, everything, tiny n, no relevant case)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_tui.scoring.compare import Side, in_words, newcombe

# (yes1, n1, yes2, n2) -> the interval for p1 - p2, as published (four decimals)
PUBLISHED = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize("counts, published", PUBLISHED)
def test_the_published_worked_examples(
    counts: tuple[int, int, int, int], published: tuple[float, float]
) -> None:
    y1, n1, y2, n2 = counts
    found = newcombe(Side(yes=y2, relevant=n2), Side(yes=y1, relevant=n1))  # b - a = p1 - p2
    assert found.points == pytest.approx(100 * (y1 / n1 - y2 / n2))
    assert found.ci95 is not None
    low, high = found.ci95
    assert (round(low / 100, 4), round(high / 100, 4)) == published


def test_changed_only_where_the_interval_leaves_out_zero() -> None:
    real = newcombe(Side(yes=48, relevant=80), Side(yes=56, relevant=70))
    assert real.changed and in_words(real) == (
        "up 20 points (95% interval +5 to +33): a real change"
    )
    small = newcombe(Side(yes=15, relevant=28), Side(yes=19, relevant=28))
    assert not small.changed
    assert in_words(small).startswith("up 14 points (95% interval")
    assert in_words(small).endswith(": not distinguishable from no change")
    down = newcombe(Side(yes=25, relevant=28), Side(yes=5, relevant=28))
    assert down.changed and in_words(down).startswith("down 71 points")
    same = newcombe(Side(yes=0, relevant=5), Side(yes=0, relevant=3))
    assert in_words(same).startswith("no change (95% interval")
    none = newcombe(Side(yes=0, relevant=0), Side(yes=3, relevant=4))
    assert none.points is None and none.ci95 is None and not none.changed
    assert in_words(none) == "not comparable: no relevant case on one side"


@given(
    st.integers(0, 40).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    st.integers(0, 40).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
)
def test_the_interval_holds_the_difference_and_stays_in_bounds(
    a: tuple[int, int], b: tuple[int, int]
) -> None:
    found = newcombe(Side(yes=a[0], relevant=a[1]), Side(yes=b[0], relevant=b[1]))
    if a[1] == 0 or b[1] == 0:
        assert found.ci95 is None
        return
    assert found.ci95 is not None and found.points is not None
    low, high = found.ci95
    assert -100 <= low <= found.points + 1e-9 and found.points - 1e-9 <= high <= 100
    swapped = newcombe(Side(yes=b[0], relevant=b[1]), Side(yes=a[0], relevant=a[1]))
    assert swapped.ci95 == pytest.approx((-high, -low))  # symmetric in the two audits
