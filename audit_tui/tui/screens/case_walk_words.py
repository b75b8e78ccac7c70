"""The case walk's lines in words, from what the screen holds: a standard's progress in the list,
the live rating of the standard in view, and where a second marker stands."""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit_tui.domain.safe_text import one_line
from audit_tui.tui.text import percent_text, rating_text, score_text

if TYPE_CHECKING:
    from audit_tui.domain.rubric import Scale
    from audit_tui.scoring.results import AuditResult, StandardResult
    from audit_tui.store.moderation import Marking
    from audit_tui.tui.screens.case_sections import Section

MARK_WORDS = {"yes": "Yes", "no": "No", "na": "N/A", None: "none"}


def both_marks(first: str | None, second: str | None) -> str:
    """Beside an item once the user's second marks are complete: the first mark and theirs."""
    return f"first mark: {MARK_WORDS[first]} · your second mark: {MARK_WORDS[second]}"


def section_progress(sec: Section) -> str:
    """A standard in the list on the left: its title, then its answered count, or why it does not
    apply to the case."""
    rows = sec.applicable
    done = sum(r.answered and r.on_disk for r in rows)
    if not rows:
        return f"{sec.title}\n  does not apply: {sec.why_not}".rstrip(": ")
    mark = "✓" if done == len(rows) else ("◐" if done else "○")
    return f"{sec.title}\n  {mark} {done}/{len(rows)}"


def standard_line(result: AuditResult, scale: Scale, key: str) -> str:
    """The live rating of the standard `key` across the audit, then the audit's score and rating."""
    st = next((s for s in result.standards if s.id == key), None)
    if result.assignments is not None and not any(s.rated for s in result.standards):  # DIPP
        return _share_line(result, st)
    if st is None:
        line = "Other findings are reported, not rated."
    else:
        rating = rating_text(st.rating, scale) if st.rated else "not rated"
        if st.by_cases and st.meeting and st.meeting.relevant:
            figure = f", {percent_text(st.meeting.percent)} of cases meet every key question"
        elif st.lowest:
            figure = f", lowest {st.lowest.id} {percent_text(st.lowest.percent)}"
        else:
            figure = ""
        line = f"{st.id} {one_line(st.title)} across the audit: {rating}{figure}"
    overall = rating_text(result.overall, scale)
    return f"{line} · score {score_text(result)} · {overall}"


def _share_line(result: AuditResult, st: StandardResult | None) -> str:
    """`1 Assessment across the audit: 59% of cases meet it · 47% of assignments`."""
    a = result.assignments
    tail = f"{percent_text(a.percent)} of assignments" if a else "no answers yet"
    m = st.meeting if st else None
    if st is None or m is None or not m.relevant:
        return f"Across the audit: {tail}"
    return (
        f"{st.id} {one_line(st.title)} across the audit: {percent_text(m.percent)} of cases"
        f" meet it · {tail}"
    )


def second_marking_words(
    marking: Marking | None, marked: Marking | None, differ: int, answered_all: bool, blind: bool
) -> str:
    """Where a second marker stands, in plain words ("" for anyone else): marking blind (`marking`;
    `answered_all` of it), or marked complete (`marked`) with the `differ` differences waiting for
    the lead."""
    hidden = (
        "Second marking, blind: the audit's answers and ratings are hidden until you"
        " mark your cases complete (m)."
    )
    if marking is not None:
        if answered_all:
            return (
                "Second marking, blind: you have answered all. m marks the case complete;"
                " the first marks are shown beside yours then."
            )
        return hidden
    if marked is None:
        return hidden if blind else ""
    differs = (
        f"{differ} differ from the first marks, waiting for the lead to settle them"
        if differ
        else "they agree with the first marks"
    )
    rest = " The audit's ratings stay hidden until your other cases are complete." * blind
    return f"Your second marks are marked complete: {differs} (both shown on each item).{rest}"
