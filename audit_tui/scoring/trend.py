"""Each key question over three audits or more (a first audit and its re-audits): a percentage
with its Wilson 95% interval per audit, in the last audit's ids. An audit whose rubric has no
counterpart for a key question leaves a gap there, never a guess.

The data behind the html chart, the Markdown row of figures and the app's sparklines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from audit_tui.scoring.intervals import wilson_interval
from audit_tui.scoring.matching import Matching
from audit_tui.scoring.results import AuditResult


@dataclass(frozen=True)
class Point:
    """One audit's figure for a key question; `yes` and `relevant` are None where its rubric
    has no counterpart (not comparable), and `relevant` is 0 where nothing applied."""

    audit: str
    yes: int | None
    relevant: int | None

    @property
    def comparable(self) -> bool:
        return self.relevant is not None

    @property
    def percent(self) -> float | None:
        if self.yes is None or not self.relevant:
            return None
        return 100 * self.yes / self.relevant

    @property
    def ci95(self) -> tuple[float, float] | None:
        """Wilson, to one decimal, as the report gives it."""
        if self.yes is None or self.relevant is None:
            return None
        return wilson_interval(self.yes, self.relevant)


@dataclass(frozen=True)
class KeyQuestionTrend:
    id: str
    text: str
    points: tuple[Point, ...]

    @property
    def percents(self) -> list[float]:
        """The figures there are, in order (what a sparkline draws)."""
        return [p.percent for p in self.points if p.percent is not None]


@dataclass(frozen=True)
class StandardTrend:
    id: str
    title: str
    ratings: tuple[str | None, ...]
    """Per audit; None where not rated (or not comparable: see `comparable`)."""
    comparable: tuple[bool, ...]


@dataclass(frozen=True)
class Trend:
    audits: tuple[str, ...]
    key_questions: tuple[KeyQuestionTrend, ...]
    standards: tuple[StandardTrend, ...]
    edges: tuple[tuple[float, str], ...] = ()
    """The band edges of the last audit's rubric: (lower bound, the rating from there up)."""


def trend(
    results: Sequence[AuditResult],
    matchings: Sequence[Matching],
    edges: tuple[tuple[float, str], ...] = (),
) -> Trend:
    """`matchings[i]` matches audit i with the last audit (whose ids the trend is in), for each
    audit but the last."""
    last = results[-1]
    matched = (*matchings, Matching(key_questions={}, standards={}, same=True))
    kqs = [{k.id: k for s in r.standards for k in s.key_questions} for r in results]
    sts = [{s.id: s for s in r.standards} for r in results]

    def point(i: int, later_id: str) -> Point:
        name = results[i].audit
        own = matched[i].earlier_kq(later_id)
        found = kqs[i].get(own) if own is not None else None
        if found is None:
            return Point(audit=name, yes=None, relevant=None)
        return Point(audit=name, yes=found.yes, relevant=found.relevant)

    key_questions = tuple(
        KeyQuestionTrend(
            id=k.id, text=k.text, points=tuple(point(i, k.id) for i in range(len(results)))
        )
        for s in last.standards
        for k in s.key_questions
    )
    standards = []
    for s in last.standards:
        if not s.rated:
            continue
        found = [
            sts[i].get(own) if (own := matched[i].earlier_standard(s.id)) is not None else None
            for i in range(len(results))
        ]
        standards.append(
            StandardTrend(
                id=s.id,
                title=s.title,
                ratings=tuple(f.rating if f is not None else None for f in found),
                comparable=tuple(f is not None for f in found),
            )
        )
    return Trend(
        audits=tuple(r.audit for r in results),
        key_questions=key_questions,
        standards=tuple(standards),
        edges=edges,
    )
