"""The workbook's Moderation sheet: every agreement figure as a number (blank where none is
meaningful), the ratings from each set of marks side by side, and the disagreements; the
markers' notes and settlement reasons only when the export carries notes. Written through the
workbook's `Sheet`, so its cells are as safe as every other sheet's."""

from __future__ import annotations

from xlsxwriter import Workbook
from xlsxwriter.format import Format

from audit_tui.domain.words import yes_no
from audit_tui.reporting.moderation_words import ANSWERS, flag, rating, role
from audit_tui.reporting.xlsx_report import Cell, Sheet, decimal, head, percent, write_workbook
from audit_tui.scoring.agreement import Agreement, Interval
from audit_tui.scoring.moderation import Level, Moderation, reading

STATS = ("Items", "Agreed", "Agreement", "Kappa", "Kappa 95% low", "Kappa 95% high", "PABAK",
         "PABAK 95% low", "PABAK 95% high", "AC1", "AC1 95% low", "AC1 95% high")  # fmt: skip
ROUND_COLUMNS = ("Round", "Second marker", "How chosen", "Cases", "Completed", "Seed",
                 "Started by")  # fmt: skip
STANDARD_COLUMNS = ("Standard", "Title", *STATS, "Rating from first marks",
                    "Rating from second marks", "Ratings")  # fmt: skip
WIDTHS = (14, 16, 40, 8, 8, 10, 8, 10, 10, 8, 10, 10, 8, 10, 10, 22, 22, 12, 60)


def _stat(value: float | None, ci: Interval | None) -> list[Cell]:
    return [decimal(value), decimal(ci[0] if ci else None), decimal(ci[1] if ci else None)]


def stats(a: Agreement) -> list[Cell]:
    """The STATS columns: counts, then observed agreement and each coefficient with its interval
    (blank cells where a statistic is None)."""
    return [
        a.n,
        a.agreed,
        percent(a.observed),
        *_stat(a.kappa, a.kappa_ci95),
        *_stat(a.pabak, a.pabak_ci95),
        *_stat(a.ac1, a.ac1_ci95),
    ]


def moderation_sheet(ws: Sheet, m: Moderation, include_notes: bool) -> None:
    """Top to bottom (the workbook streams rows): facts, rounds, then a table per level."""
    for column, width in enumerate(WIDTHS):
        ws.width(column, width)
    overall = m.overall.agreement
    for key, value in (
        ("Moderated cases", m.cases),
        ("Items answered by both markers", overall.n),
        ("Disagreements", len(m.disagreements)),
        ("Settled", m.settled),
        ("Which to read", reading(overall)),
    ):
        ws.append([head(key), value])
    ws.append([])
    ws.append(head(v) for v in ROUND_COLUMNS)
    for r in m.rounds:
        ws.append([r.number, r.marker, r.rule, r.cases, r.completed, r.seed, r.created_by])
    ws.append([])
    ws.append(head(v) for v in ("Level", "Id", "Text", *STATS, "Which to read"))
    levels: list[tuple[str, Level]] = [("Overall", m.overall)]
    levels += [("Key question", k) for k in m.key_questions]
    levels += [("Prompt", p) for p in m.prompts]
    for kind, level in levels:
        ws.append([kind, level.id, level.title, *stats(level.agreement), reading(level.agreement)])
    ws.append([])
    ws.append(head(v) for v in STANDARD_COLUMNS)
    for s in m.standards:
        ws.append(
            [
                s.id,
                s.title,
                *stats(s.agreement),
                rating(s, first=True),
                rating(s, first=False),
                flag(s),
            ]
        )
    ws.append([])
    ws.append(head(v) for v in ("First marker", "Second marker", *STATS))
    for p in m.pairs:
        ws.append([p.first, p.second, *stats(p.agreement)])
    ws.append([])
    ws.append(head(v) for v in ("Marker", "Round", "As", *STATS))
    for mr in m.markers:
        ws.append([mr.marker, mr.round, role(mr), *stats(mr.agreement)])
    _disagreements(ws, m, include_notes)


def _disagreements(ws: Sheet, m: Moderation, include_notes: bool) -> None:
    ws.append([])
    columns = ["Round", "Case", "Item", "First marker", "Second marker", "First mark",
               "Second mark", "Settled", "Agreed", "Settled by"]  # fmt: skip
    if include_notes:
        columns += ["First marker's note", "Second marker's note", "Reason"]
    ws.append(head(v) for v in columns)
    for d in m.disagreements:
        s = d.settled
        row: list[Cell] = [
            d.round,
            d.case_ref,
            f"{d.item_id} {d.item_text}".strip(),
            d.first_marker,
            d.second_marker,
            ANSWERS.get((s.first if s else d.first.value) or ""),
            ANSWERS.get((s.second if s else d.second.value) or ""),
            yes_no(s is not None),
            ANSWERS.get(s.agreed or "") if s else None,
            s.by if s else None,
        ]
        if include_notes:
            row += [d.first.note, d.second.note, s.reason if s else None]
        ws.append(row)


def render_moderation_xlsx(m: Moderation, include_notes: bool) -> bytes:
    """A workbook holding only the Moderation sheet (`report --section moderation`)."""

    def fill(wb: Workbook, styles: dict[str, Format]) -> None:
        moderation_sheet(Sheet(wb.add_worksheet("Moderation"), styles), m, include_notes)

    return write_workbook(fill)
