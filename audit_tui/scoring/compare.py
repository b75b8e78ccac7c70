"""Two audits side by side (a re-audit against the first): each key question's percentages, the
difference with Newcombe's hybrid-score 95% interval for independent samples, and a "changed"
mark only where that interval leaves out zero.

Why Newcombe's method 10: built from each side's Wilson interval, it stays inside [-100, 100],
behaves at 0% and 100% and with the few cases an audit holds, where the simple Wald interval
does not (Newcombe 1998, Statistics in Medicine 17: 873-890).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from math import sqrt

from audit_tui.domain.words import plural
from audit_tui.scoring.intervals import Z95, wilson_bounds
from audit_tui.scoring.matching import Matching
from audit_tui.scoring.results import AuditResult
from audit_tui.scoring.trend import Trend, trend


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
    a_id: str
    """Its id in audit A's rubric (another where a mapping renumbered it)."""


@dataclass(frozen=True)
class StandardChange:
    id: str
    title: str
    a: str | None
    b: str | None


@dataclass(frozen=True)
class NotComparable:
    """A key question of `audit` with no counterpart in `other`: listed, never dropped."""

    audit: str
    id: str
    text: str
    other: str


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    key_questions: tuple[KeyQuestionChange, ...]
    standards: tuple[StandardChange, ...]
    not_comparable: tuple[NotComparable, ...] = ()
    a_rubric: str = ""
    b_rubric: str = ""
    declared_by: str | None = None
    """The rubric whose mapping matched the items (None: both audits on one rubric)."""
    trend: Trend | None = None
    """With three audits or more: each key question over all of them."""

    @property
    def mapped(self) -> bool:
        return self.a_rubric != self.b_rubric


def same_ids(a: AuditResult, b: AuditResult) -> Matching:
    """The matching of one rubric with itself (versions may still differ in what they hold)."""
    a_kqs = {k.id for s in a.standards for k in s.key_questions}
    a_st = {s.id for s in a.standards}
    return Matching(
        key_questions={k.id: k.id for s in b.standards for k in s.key_questions if k.id in a_kqs},
        standards={s.id: s.id for s in b.standards if s.id in a_st},
    )


def compare(a: AuditResult, b: AuditResult, matching: Matching | None = None) -> Comparison:
    """Key questions and standards matched by id, or as a rubric's mapping says; those without a
    counterpart on the other side come back as not comparable."""
    matching = matching or same_ids(a, b)
    a_kqs = {k.id: k for s in a.standards for k in s.key_questions}
    changes = []
    for st in b.standards:
        for kq in st.key_questions:
            a_id = matching.earlier_kq(kq.id)
            before = a_kqs.get(a_id) if a_id is not None else None
            if a_id is None or before is None:
                continue
            changes.append(
                KeyQuestionChange(
                    id=kq.id,
                    text=kq.text,
                    difference=newcombe(
                        Side(yes=before.yes, relevant=before.relevant),
                        Side(yes=kq.yes, relevant=kq.relevant),
                    ),
                    a_id=a_id,
                )
            )
    a_st = {s.id: s for s in a.standards}
    standards = tuple(
        StandardChange(id=s.id, title=s.title, a=a_st[earlier].rating, b=s.rating)
        for s in b.standards
        if (earlier := matching.earlier_standard(s.id)) is not None and earlier in a_st and s.rated
    )
    return Comparison(
        a=a.audit,
        b=b.audit,
        key_questions=tuple(changes),
        standards=standards,
        not_comparable=unmatched(a, b, matching),
        a_rubric=a.rubric_id,
        b_rubric=b.rubric_id,
        declared_by=matching.declared_by,
    )


def unmatched(a: AuditResult, b: AuditResult, matching: Matching) -> tuple[NotComparable, ...]:
    """A's key questions nothing in B stands for, then B's with nothing in A."""
    used = set(matching.key_questions.values())
    a_kqs = {k.id: k for s in a.standards for k in s.key_questions}
    return (
        *(
            NotComparable(audit=a.audit, id=k.id, text=k.text, other=b.audit)
            for k in a_kqs.values()
            if k.id not in used
        ),
        *(
            NotComparable(audit=b.audit, id=k.id, text=k.text, other=a.audit)
            for s in b.standards
            for k in s.key_questions
            if matching.earlier_kq(k.id) not in a_kqs
        ),
    )


def compare_series(
    results: Sequence[AuditResult],
    matchings: Sequence[Matching],
    edges: tuple[tuple[float, str], ...] = (),
) -> Comparison:
    """The first audit against the last (as `compare`), and with three or more the trend of
    each key question over all of them; `matchings[i]` matches audit i with the last, and
    `edges` are the last rubric's band edges (for the chart)."""
    *earlier, last = results
    first = compare(results[0], last, matchings[0])
    if len(results) < 3:
        return first
    extra = tuple(
        gap
        for result, matching in zip(earlier[1:], matchings[1:], strict=True)
        for gap in unmatched(result, last, matching)
    )
    return replace(
        first,
        not_comparable=first.not_comparable + extra,
        trend=trend(results, matchings, edges),
    )


def in_words(d: Difference) -> str:
    """`up 12 points (95% interval -6 to +29): not distinguishable from no change`."""
    if d.points is None or d.ci95 is None:
        return "not comparable: no relevant case on one side"
    move = round(d.points)
    way = "up" if move > 0 else ("down" if move < 0 else "no change:")
    size = f" {plural(abs(move), 'point')}" if move else ""
    low, high = d.ci95
    interval = f"(95% interval {low:+.0f} to {high:+.0f})"
    verdict = "a real change" if d.changed else "not distinguishable from no change"
    return f"{way}{size} {interval}: {verdict}".replace("no change: (", "no change (")
