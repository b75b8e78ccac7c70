"""The moderation section's figures and sentences as plain text, shared by the Markdown and HTML
renderers so both say the same thing; each escapes the result for its own format."""

from __future__ import annotations

from audit_tui.domain.safe_text import LINE_LIMIT, TEXT_LIMIT, one_line
from audit_tui.domain.words import plural, whole_percent
from audit_tui.scoring.agreement import MIN_N, Agreement, Interval
from audit_tui.scoring.moderation import (
    Disagreement,
    Mark,
    MarkerRound,
    Moderation,
    RoundInfo,
    StandardLevel,
)

NONE = "—"
TOO_FEW = f"fewer than {MIN_N} items: no statistic is meaningful"
ANSWERS = {"yes": "Yes", "no": "No", "na": "N/A"}
ROLES = {"first": "first marker (marks checked)", "second": "second marker (checking)"}
ABOUT = (
    "Agreement is the share of items both markers answered alike (Yes, No and N/A each a"
    " category). Kappa, PABAK and AC1 correct it for chance: 1 is full agreement, 0 no better"
    f" than chance. Each has its 95% interval; below {MIN_N} items none is given."
)
CALIBRATION = (
    "A marker whose agreement is lower than the others', or falls from one round to the next,"
    " may need calibration."
)


def clean(value: object, limit: int = LINE_LIMIT) -> str:
    """User text on one line, control characters shown as escapes (`\\x1b`), cut at `limit`: a
    note must print as itself, never drive a terminal, flood it or break a table."""
    return one_line(" ".join(str(value).splitlines()), limit)


def agreed(a: Agreement) -> str:
    """Observed agreement as a whole percentage, or "—" below the minimum."""
    return NONE if a.observed is None else whole_percent(a.observed * 100)


def coefficient(value: float | None, ci: Interval | None, a: Agreement) -> str:
    """`0.83 [0.53–1.00]`; "—" below the minimum; "undefined" for a kappa with no chance term
    (both markers gave one answer throughout)."""
    if a.too_few:
        return NONE
    if value is None:
        return "undefined"
    return f"{value:.2f} [{ci[0]:.2f}–{ci[1]:.2f}]" if ci else f"{value:.2f}"


def too_few_note(ids: list[str]) -> str:
    """One sentence for every row shown as "—"."""
    return f"{NONE} {', '.join(ids)}: {TOO_FEW}."


def round_sentence(r: RoundInfo) -> str:
    seed = f"; seed {r.seed} (the same seed draws the same cases)" if r.seed is not None else ""
    return (
        f"Round {r.number}: {r.marker} second-marked {plural(r.cases, 'case')}"
        f" ({r.completed} completed); {r.rule}{seed}; started by {r.created_by}."
    )


def cases_sentence(m: Moderation) -> str:
    return (
        f"{plural(m.cases, 'moderated case')} completed by the second marker, "
        f"{plural(m.overall.agreement.n, 'item')} answered by both markers."
    )


def disagreements_sentence(m: Moderation) -> str:
    n, settled = len(m.disagreements), m.settled
    if not n:
        return "No disagreements between first and second marks."
    return (
        f"{plural(n, 'disagreement')} between first and second marks: {settled} settled,"
        f" {n - settled} still to settle."
    )


def rating(level: StandardLevel, first: bool) -> str:
    if not level.rated:
        return "Not rated"
    return (level.first_rating if first else level.second_rating) or "Not yet rated"


def flag(level: StandardLevel) -> str:
    """A word, never colour alone: "differs", "same" or "not rated"."""
    if not level.rated:
        return "not rated"
    return "differs" if level.differs else "same"


def role(r: MarkerRound) -> str:
    return ROLES.get(r.role, r.role)


def answer(mark: Mark | str | None) -> str:
    value = mark.value if isinstance(mark, Mark) else mark
    return ANSWERS.get(value or "", NONE)


def overall_rows(a: Agreement) -> list[tuple[str, str, str]]:
    """(measure, value, 95% interval) for the overall agreement."""
    if a.too_few:
        return [("Answers compared", str(a.n), "")]

    def ci(interval: Interval | None) -> str:
        return f"{interval[0]:.2f}–{interval[1]:.2f}" if interval else NONE

    def value(v: float | None) -> str:
        return "undefined" if v is None else f"{v:.2f}"

    return [
        ("Answers compared", str(a.n), ""),
        ("Observed agreement", f"{agreed(a)} ({a.agreed} of {a.n})", ""),
        ("Cohen's kappa", value(a.kappa), ci(a.kappa_ci95)),
        ("PABAK", value(a.pabak), ci(a.pabak_ci95)),
        ("Gwet's AC1", value(a.ac1), ci(a.ac1_ci95)),
    ]


def counts_rows(a: Agreement) -> list[tuple[str, str, str, str]]:
    """The counts table: the first marker's answer down, the second's across."""
    return [
        (ANSWERS[f], *(str(a.table.get((f, s), 0)) for s in ANSWERS))  # type: ignore[misc]
        for f in ANSWERS
    ]


COUNTS_HEAD = ("First marker ↓ / second →", "Yes", "No", "N/A")
STATS = ("Answers compared", "Agreed", "Kappa [95% CI]", "AC1 [95% CI]", "Figure to read")
"""The agreement columns of every md and html table, in the app's words (moderation pane)."""
MARKER_HEAD = ("Marker", "Round", "As", "Answers compared", "Agreed", "AC1 [95% CI]")
"""The md and html table of each marker, round by round."""


FREE_TEXT_PART = TEXT_LIMIT // 3
"""Each of a disagreement's three texts (two notes, a reason) is cut at a third of a free-text
cell, so one huge note cannot push the others out of it."""


def free_text(d: Disagreement) -> str:
    """The free text of one disagreement: both markers' notes and why it was settled so, cleaned;
    a renderer shows it with `TEXT_LIMIT`."""
    parts = [f"{clean(who)}: {clean(mark.note, FREE_TEXT_PART)}" for who, mark in
             ((d.first_marker, d.first), (d.second_marker, d.second)) if mark.note]  # fmt: skip
    if d.settled is not None:
        parts.append(f"settled by {clean(d.settled.by)}: {clean(d.settled.reason, FREE_TEXT_PART)}")
    return "; ".join(parts)
