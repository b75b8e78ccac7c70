"""Two audits side by side (a re-audit against the first): each key question's percentages, the
difference with Newcombe's hybrid-score 95% interval for independent samples, and a "changed"
mark only where that interval leaves out zero.

Why Newcombe's method 10: built from each side's Wilson interval, it stays inside [-100, 100],
behaves at 0% and 100% and with the few cases an audit holds, where the simple Wald interval
does not (Newcombe 1998, Statistics in Medicine 17: 873-890).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import sqrt

from audit_tui.scoring.intervals import Z95, wilson_bounds
from audit_tui.scoring.results import AuditResult


@dataclass(frozen=True)
class Side:
    yes: int
    relevant: int

    @property
    def percent(self) -> float | None:
        return 100 * self.yes / self.relevant if self.relevant else None


@dataclass(frozen=True)
class Difference:
    """B minus A in percentage points, with its 95% interval (None where a side has no
    relevant case)."""

    a: Side
    b: Side
    points: float | None
    ci95: tuple[float, float] | None

    @property
    def changed(self) -> bool:
        """Only where the interval leaves out zero: a smaller move is not distinguishable from
        no change with these many cases."""
        return self.ci95 is not None and (self.ci95[0] > 0 or self.ci95[1] < 0)


def newcombe(a: Side, b: Side, z: float = Z95) -> Difference:
    """The difference b - a (points) and Newcombe's hybrid-score interval."""
    bounds_a, bounds_b = wilson_bounds(a.yes, a.relevant, z), wilson_bounds(b.yes, b.relevant, z)
    if bounds_a is None or bounds_b is None or a.percent is None or b.percent is None:
        return Difference(a=a, b=b, points=None, ci95=None)
    pa, pb = a.percent, b.percent
    la, ua = bounds_a
    lb, ub = bounds_b
    d = pb - pa
    low = d - sqrt((pb - lb) ** 2 + (ua - pa) ** 2)
    high = d + sqrt((ub - pb) ** 2 + (pa - la) ** 2)
    return Difference(a=a, b=b, points=d, ci95=(max(-100.0, low), min(100.0, high)))


@dataclass(frozen=True)
class KeyQuestionChange:
    id: str
    text: str
    difference: Difference


@dataclass(frozen=True)
class StandardChange:
    id: str
    title: str
    a: str | None
    b: str | None


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    key_questions: tuple[KeyQuestionChange, ...]
    standards: tuple[StandardChange, ...]


def compare(a: AuditResult, b: AuditResult) -> Comparison:
    """Key questions and standards matched by id (the same rubric, or one mapped onto it)."""
    a_kqs = {k.id: k for s in a.standards for k in s.key_questions}
    changes = []
    for st in b.standards:
        for kq in st.key_questions:
            before = a_kqs.get(kq.id)
            if before is None:
                continue
            changes.append(
                KeyQuestionChange(
                    id=kq.id,
                    text=kq.text,
                    difference=newcombe(
                        Side(yes=before.yes, relevant=before.relevant),
                        Side(yes=kq.yes, relevant=kq.relevant),
                    ),
                )
            )
    a_st = {s.id: s for s in a.standards}
    standards = tuple(
        StandardChange(id=s.id, title=s.title, a=a_st[s.id].rating, b=s.rating)
        for s in b.standards
        if s.id in a_st and s.rated
    )
    return Comparison(a=a.audit, b=b.audit, key_questions=tuple(changes), standards=standards)


def in_words(d: Difference) -> str:
    """`up 12 points (95% interval -6 to +29): not distinguishable from no change`."""
    if d.points is None or d.ci95 is None:
        return "not comparable: no relevant case on one side"
    move = round(d.points)
    way = "up" if move > 0 else ("down" if move < 0 else "no change:")
    size = f" {abs(move)} point{'s' if abs(move) != 1 else ''}" if move else ""
    low, high = d.ci95
    interval = f"(95% interval {low:+.0f} to {high:+.0f})"
    verdict = "a real change" if d.changed else "not distinguishable from no change"
    return f"{way}{size} {interval}: {verdict}".replace("no change: (", "no change (")
