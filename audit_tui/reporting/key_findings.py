"""The findings in words, as an inspection report opens: the overall rating, the weakest and
strongest standards and key questions with their figures, what the 95% intervals allow one to
say of them, and what changed since the previous audit. Pure: made from the scores alone, so the
same figures always read the same.

The intervals decide the claims. Two key questions whose Wilson intervals overlap are never
called one worse than the other: with 28 cases, 39% and 57% may be the same practice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from audit_tui.domain.rubric import Scoring
from audit_tui.domain.words import plural, whole_percent
from audit_tui.scoring.bands import band_for_bound
from audit_tui.scoring.compare import Comparison, KeyQuestionChange
from audit_tui.scoring.intervals import wilson_bounds
from audit_tui.scoring.results import AuditResult, KeyQuestionResult, StandardResult


@dataclass(frozen=True)
class Previous:
    """The audit the changes are measured from: the one before, of the same PDU and rubric."""

    name: str
    created: str
    """The day it was created, as the report writes dates (`3 March 2026`)."""
    overall: str | None
    comparison: Comparison
    """That audit (a) against this one (b)."""


@dataclass(frozen=True)
class Named:
    """A key question with the standard it belongs to: its short label repeats across them."""

    kq: KeyQuestionResult
    standard: str

    @property
    def name(self) -> str:
        label = self.kq.label or self.kq.text
        if label.removeprefix("[R] ").startswith(self.standard):  # "Planning, adjusted"
            return f"{self.kq.id} {label}"
        return f"{self.kq.id} {self.standard}" + (f": {label}" if label != self.standard else "")

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.kq.yes, self.kq.relevant)

    @property
    def bounds(self) -> tuple[float, float]:
        found = wilson_bounds(self.kq.yes, self.kq.relevant)
        assert found is not None  # only key questions with relevant cases are named
        return found

    @property
    def figures(self) -> str:
        """`29% (8 of 28; 95% interval 15% to 47%)`."""
        low, high = self.bounds
        return (
            f"{whole_percent(self.kq.percent)} ({self.kq.yes} of {self.kq.relevant};"
            f" 95% interval {whole_percent(low)} to {whole_percent(high)})"
        )


def key_findings(
    result: AuditResult, scoring: Scoring, previous: Previous | None = None
) -> list[str]:
    """Paragraphs of plain sentences about `result` (and since `previous`, where given)."""
    out = [
        *_ratings(result),
        *_shares(result, scoring.standard_noun),
        *_key_questions(result, scoring),
    ]
    if previous is not None:
        out.append(_changes(previous, result))
    return [p for p in out if p]


def joined(parts: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


# ---- ratings ------------------------------------------------------------------------------


def _ratings(result: AuditResult) -> list[str]:
    rated = [s for s in result.standards if s.rated]
    if not rated:  # a rubric without ratings: its key questions speak for it
        return []
    out = []
    if result.overall is not None:
        out.append(
            f"Overall rating: {result.overall}, a score of {result.score} out of"
            f" {result.score_max}."
        )
    done = [s for s in rated if s.points is not None]
    pending = len(rated) - len(done)
    if not done:
        out.append(
            "No standard can be rated yet: each needs a Yes or No answer to every key"
            " question, or its judgement."
        )
        return [" ".join(out)]
    if result.overall is None and result.scored:
        out.append(f"No overall rating yet: {plural(pending, 'standard')} still to be rated.")
    points = {s.points or 0 for s in done}
    if len(done) == 1:
        out.append(f"The one rated standard, {_standard(done[0])}, is {done[0].rating}.")
    elif len(points) == 1:
        out.append(f"All {len(done)} rated standards are {done[0].rating}.")
    else:
        low = [s for s in done if s.points == min(points)]
        high = [s for s in done if s.points == max(points)]
        out.append(f"The {_rank('weakest', low)}; the {_rank('strongest', high)}.")
    if pending and result.overall is not None:  # (said above when it holds back the overall)
        out.append(f"{plural(pending, 'standard')} cannot be rated yet.")
    return [" ".join(out)]


def _shares(result: AuditResult, noun: str) -> list[str]:
    """What a DIPP-style report leads with: assignments, then the standards (the rubric's
    `noun` for them: DIPP's stages) by their share."""
    share = result.assignments
    if share is None or not share.relevant:
        return []
    out = [
        f"{share.yes} of {share.relevant} assignments (cases at each {noun},"
        f" {whole_percent(share.percent)}) met the required standard."
    ]
    stages = [s for s in result.standards if s.meeting is not None and s.meeting.relevant]
    if len(stages) > 1:
        low = min(stages, key=lambda s: (s.meeting.yes / s.meeting.relevant) if s.meeting else 0)
        high = max(stages, key=lambda s: (s.meeting.yes / s.meeting.relevant) if s.meeting else 0)
        if low is not high and low.meeting and high.meeting:
            out.append(
                f"The lowest share of cases meeting it was at {low.title.lower()}"
                f" ({whole_percent(low.meeting.percent)}), the highest at {high.title.lower()}"
                f" ({whole_percent(high.meeting.percent)})."
            )
    return [" ".join(out)]


def _standard(st: StandardResult) -> str:
    """`2.2 Assessment (lowest key question 29%)`: the figure its rating rests on."""
    figure = st.rests_on
    if figure is None:
        return f"{st.id} {st.title}"
    what = "cases meeting every key question" if st.by_cases else "lowest key question"
    return f"{st.id} {st.title} ({what} {whole_percent(figure.percent)})"


def _rank(word: str, standards: list[StandardResult]) -> str:
    names = joined([_standard(s) for s in standards])
    verb = "is" if len(standards) == 1 else "are"
    noun = "standard" if len(standards) == 1 else "standards"
    return f"{word} {noun} {verb} {names}, rated {standards[0].rating}"


# ---- key questions ------------------------------------------------------------------------


def _pool(result: AuditResult) -> list[Named]:
    """The key questions the summary weighs: those of rated standards (the unrated are for
    information), or all of them in a rubric without ratings; each with a Yes or No answer."""
    standards = [s for s in result.standards if s.method == "cases"]
    if any(s.rated for s in result.standards):
        standards = [s for s in standards if s.rated]
    return [Named(kq, s.title) for s in standards for kq in s.key_questions if kq.relevant]


def _overlap(a: Named, b: Named) -> bool:
    (a_low, a_high), (b_low, b_high) = a.bounds, b.bounds
    return a_low <= b_high and b_low <= a_high


def _key_questions(result: AuditResult, scoring: Scoring) -> list[str]:
    return [_weighed(_pool(result)), _rating_margins(result, scoring)]


def _weighed(pool: list[Named]) -> str:
    """The lowest and highest key questions, and what their intervals allow one to say."""
    if not pool:
        return "No key question has a Yes or No answer yet: there is nothing to weigh."
    if len(pool) == 1:
        return f"The one key question answered so far, {pool[0].name}, stands at {pool[0].figures}."
    fractions = {k.fraction for k in pool}
    if len(fractions) == 1:
        return (
            f"All {len(pool)} key questions stand at {whole_percent(pool[0].kq.percent)}:"
            " none is done better or worse than another."
        )
    low = [k for k in pool if k.fraction == min(fractions)]
    high = [k for k in pool if k.fraction == max(fractions)]
    out = [_extreme("lowest", low), _extreme("highest", high)]
    if any(_overlap(a, b) for a in low for b in high):
        out.append(
            "Even the lowest and the highest have overlapping 95% intervals: with this many"
            " cases, no key question can be said to be done better or worse than another."
        )
    else:
        out.append(_apart(low, pool, "lowest", "worse"))
        out.append(_apart(high, pool, "highest", "better"))
    return " ".join(out)


def _extreme(word: str, found: list[Named]) -> str:
    if len(found) == 1:
        return f"The {word} key question is {found[0].name}, at {found[0].figures}."
    names = joined([f"{k.name} ({k.kq.yes} of {k.kq.relevant})" for k in found])
    return f"The {word} key questions, each at {whole_percent(found[0].kq.percent)}, are {names}."


def _apart(group: list[Named], pool: list[Named], word: str, how: str) -> str:
    """Which other key questions the group's intervals overlap: only those it is clear of may
    it be said to be done better or worse than."""
    others = [k for k in pool if k not in group and k.fraction != group[0].fraction]
    near = [k for k in others if any(_overlap(k, g) for g in group)]
    subject = f"the {word}" if len(group) == 1 else f"the {word} ones"
    if not near:
        return (
            f"The 95% interval of {subject} overlaps no other key question's: it is done {how}"
            " than all the others, beyond what the chance of sampling explains."
        )
    clear = [k.kq.id for k in others if k not in near]
    beyond = f"; it is done {how} than {_ids(clear)}" if clear else ""
    return (
        f"The 95% interval of {subject} overlaps those of"
        f" {plural(len(near), 'other key question')}, so the sample cannot say it is done {how}"
        f" than those{beyond}."
    )


def _ids(ids: list[str], most: int = 4) -> str:
    """A few ids by name (`2.3.2 and 2.4.1`); more as a count."""
    return joined(ids) if len(ids) <= most else plural(len(ids), "other key question")


def _rating_margins(result: AuditResult, scoring: Scoring) -> str:
    """Which ratings another sample of this size could put a band higher or lower: where the
    interval of the key question the rating rests on crosses a band edge."""
    by_cases = any(st.by_cases for st in result.standards)
    share = "share of cases meeting every key question"
    figure, lowest = (share, share) if by_cases else ("key question", "lowest key question")
    loose = []
    for st in result.standards:
        kq = st.rests_on
        if not st.rated or st.rating is None or kq is None or not kq.relevant:
            continue
        bounds = wilson_bounds(kq.yes, kq.relevant)
        assert bounds is not None
        ends = {band_for_bound(b, scoring).rating for b in bounds}
        if ends != {st.rating}:
            loose.append(f"{st.id} {st.title}")
    if not loose:
        rated = any(s.rated and s.rating and s.rests_on for s in result.standards)
        return (
            f"Each rating holds across the 95% interval of the {figure} it rests on."
            if rated
            else ""
        )
    whose = "its" if len(loose) == 1 else "their"
    verb = "rating" if len(loose) == 1 else "ratings"
    return (
        f"The {verb} of {joined(loose)} could be a band different with another sample of this"
        f" size: the 95% interval of {whose} {lowest} crosses a band edge."
    )


# ---- changes ------------------------------------------------------------------------------


def _changes(previous: Previous, result: AuditResult) -> str:
    comparison = previous.comparison
    out = [f"Against the previous audit of this PDU ({previous.name}, created {previous.created}):"]
    if previous.overall and result.overall and previous.overall != result.overall:
        out.append(f"the overall rating went from {previous.overall} to {result.overall}.")
    moved = [
        f"{s.id} {s.title} went from {s.a} to {s.b}" for s in comparison.standards if s.a != s.b
    ]
    out.append(f"{'; '.join(moved)}." if moved else "no standard's rating changed.")
    kqs = comparison.key_questions
    changed = [k for k in kqs if k.difference.changed]
    if not kqs:
        out.append("No key question could be compared.")
    elif not changed:
        out.append(
            "No key question moved by more than the chance of sampling explains"
            f" ({plural(len(kqs), 'key question')} compared)."
        )
    else:
        others = len(kqs) - len(changed)
        tail = (
            f"; the other {plural(others, 'key question')} moved no more than chance explains."
            if others
            else "."
        )
        out.append(joined([_moved(k) for k in changed]) + tail)
    head, first, *rest = out
    return " ".join([head, first, *(r[0].upper() + r[1:] for r in rest)])


def _moved(change: KeyQuestionChange) -> str:
    d = change.difference
    assert d.points is not None and d.ci95 is not None  # changed: both sides have figures
    way = "rose" if d.points > 0 else "fell"
    low, high = sorted(abs(x) for x in d.ci95)
    return (
        f"{change.id} {way} from {whole_percent(d.a.percent)} to {whole_percent(d.b.percent)}"
        f" ({abs(d.points):.0f} points; 95% interval of the change {low:.0f} to {high:.0f})"
    )
