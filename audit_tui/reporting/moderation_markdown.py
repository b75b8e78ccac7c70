"""The moderation section in Markdown: how alike first and second marks are at every level, and
the ratings each set of marks gives. Free text (notes, settlement reasons) only with notes."""

from __future__ import annotations

from collections.abc import Sequence

from audit_tui.domain.safe_text import TEXT_LIMIT
from audit_tui.reporting.markdown import md
from audit_tui.reporting.moderation_words import (
    ABOUT,
    CALIBRATION,
    COUNTS_HEAD,
    MARKER_HEAD,
    STATS,
    agreed,
    answer,
    cases_sentence,
    clean,
    coefficient,
    counts_rows,
    disagreements_sentence,
    flag,
    free_text,
    overall_rows,
    rating,
    role,
    round_sentence,
    too_few_note,
)
from audit_tui.scoring.agreement import Agreement
from audit_tui.scoring.moderation import Level, Moderation, reading, which


def _cells(a: Agreement) -> list[str]:
    return [
        str(a.n),
        agreed(a),
        coefficient(a.kappa, a.kappa_ci95, a),
        coefficient(a.ac1, a.ac1_ci95, a),
        which(a),
    ]


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(head: Sequence[str], rows: list[list[str]], too_few: list[str]) -> list[str]:
    lines = [_row(head), "|" + "---|" * len(head), *(_row(r) for r in rows), ""]
    return lines + ([md(too_few_note(too_few), limit=TEXT_LIMIT), ""] if too_few else [])


def _levels(levels: Sequence[Level], name: str) -> list[str]:
    rows = [[md(clean(lv.id), cell=True), *_cells(lv.agreement)] for lv in levels]
    return _table((name, *STATS), rows, [clean(lv.id) for lv in levels if lv.agreement.too_few])


def moderation_markdown(m: Moderation, include_notes: bool) -> list[str]:
    """The section's lines, from its `## Moderation` heading."""
    lines = ["## Moderation", ""]
    lines += [f"- {md(clean(round_sentence(r)))}" for r in m.rounds]
    lines += ["", cases_sentence(m), "", "### Overall agreement", ""]
    lines += [_row(("Measure", "Value", "95% interval")), "|---|---|---|"]
    lines += [_row(row) for row in overall_rows(m.overall.agreement)]
    lines += ["", _row(COUNTS_HEAD), "|---|---|---|---|"]
    lines += [_row(row) for row in counts_rows(m.overall.agreement)]
    lines += ["", md(reading(m.overall.agreement)), "", ABOUT, ""]

    lines += ["### Key questions", "", *_levels(m.key_questions, "Key question")]

    lines += ["### Standards", ""]
    head: tuple[str, ...] = (
        "Standard",
        *STATS,
        "Rating from first marks",
        "Rating from second marks",
        "Ratings",
    )
    rows = [
        [
            md(clean(f"{s.id} {s.title}"), cell=True),
            *_cells(s.agreement),
            rating(s, first=True),
            rating(s, first=False),
            f"**{flag(s)}**" if s.differs else flag(s),
        ]
        for s in m.standards
    ]
    lines += _table(head, rows, [clean(s.id) for s in m.standards if s.agreement.too_few])
    lines += [
        "Ratings here are over the moderated cases only: scored once on the first marks and once"
        " on the second.",
        "",
    ]

    lines += ["### Pairs of markers", ""]
    head = ("First marker", "Second marker", *STATS)
    rows = [
        [md(clean(p.first), cell=True), md(clean(p.second), cell=True), *_cells(p.agreement)]
        for p in m.pairs
    ]
    lines += _table(head, rows, [clean(p.id) for p in m.pairs if p.agreement.too_few])

    lines += ["### Each marker, round by round", "", CALIBRATION, ""]
    rows = [
        [
            md(clean(r.marker), cell=True),
            str(r.round),
            role(r),
            str(r.agreement.n),
            agreed(r.agreement),
            coefficient(r.agreement.ac1, r.agreement.ac1_ci95, r.agreement),
        ]
        for r in m.markers
    ]
    too_few = [clean(f"{r.marker} in round {r.round}") for r in m.markers if r.agreement.too_few]
    lines += _table(MARKER_HEAD, rows, too_few)

    lines += ["### Disagreements", "", disagreements_sentence(m), ""]
    if include_notes and m.disagreements:
        head = ("Round", "Case", "Item", "First mark", "Second mark", "Agreed", "Notes")
        rows = [
            [
                str(d.round),
                md(clean(d.case_ref), cell=True),
                md(clean(f"{d.item_id} {d.item_text}".strip()), cell=True),
                answer(d.settled.first if d.settled else d.first),
                answer(d.settled.second if d.settled else d.second),
                answer(d.settled.agreed) if d.settled else "not yet settled",
                md(free_text(d), cell=True, limit=TEXT_LIMIT),
            ]
            for d in m.disagreements
        ]
        lines += _table(head, rows, [])
    return lines
