"""The regional view as a workbook: who differs, the PDUs, every key question's funnel figures
(one row per PDU, filterable), the spread, and each PDU's trend.

Percentages are fractions formatted as percentages and limits are numbers, so a quality team
can sort, filter and chart them; the sentences are the Markdown report's own (`region`).
Written through `xlsx_report`'s typed `Sheet`, so a PDU named like a formula stays text.
"""

from __future__ import annotations

from xlsxwriter import Workbook
from xlsxwriter.format import Format

from audit_tui.reporting.region import (
    NO_FINDINGS,
    TRENDS_ABOUT,
    RegionRecord,
    findings,
    period_words,
    real_changes,
)
from audit_tui.reporting.xlsx_report import (
    Cell,
    Sheet,
    day,
    decimal,
    head,
    percent,
    write_workbook,
)
from audit_tui.scoring.funnel import LEVELS, level_words, spread_sentence

PDU_COLUMNS = ("PDU", "Audit", "Created", "Cases", "Score", "Out of", "Overall rating")
FUNNEL_COLUMNS = (
    "Key question",
    "Question",
    "PDU",
    "Yes",
    "Relevant",
    "Percentage 'Yes'",
    "Regional percentage",
    *(f"{level_words(level)} {end}" for level in LEVELS for end in ("low", "high")),
    "Outside",
)
SPREAD_COLUMNS = (
    "Key question",
    "PDUs",
    "Regional percentage",
    "Phi",
    "p (over-dispersion)",
    "Limits widened by (points)",
    "In words",
)
TREND_COLUMNS = ("PDU", "Audit", "Created", "Score", "Overall rating")
MOVED_COLUMNS = ("PDU", "Key question", "Change (points)", "95% low (points)", "95% high (points)")


def region_xlsx(record: RegionRecord) -> bytes:
    return write_workbook(lambda wb, styles: _write(wb, styles, record))


def _sheet(wb: Workbook, styles: dict[str, Format], name: str, columns: tuple[str, ...]) -> Sheet:
    ws = Sheet(wb.add_worksheet(name), styles)
    ws.append(head(c) for c in columns)
    return ws


def _write(wb: Workbook, styles: dict[str, Format], record: RegionRecord) -> None:
    view = "national" if record.national else "regional"
    summary = Sheet(wb.add_worksheet("Summary"), styles)
    summary.width(0, 100)
    summary.append([head(f"{record.region}: the {view} view")])
    summary.append(
        [
            f"{len(record.pdus)} PDUs, each by its latest audit ({period_words(record.period)}),"
            f" against {record.rubric.title}."
        ]
    )
    summary.append()
    summary.append([head("Which PDUs differ")])
    for line in findings(record) or [NO_FINDINGS]:
        summary.append([line])
    summary.append()
    summary.append([head("Trends")])
    summary.append([f"{TRENDS_ABOUT} The Trends and Moved sheets give them."])
    if record.left_out:
        summary.append()
        summary.append([head("Not compared")])
        for why in record.left_out:
            summary.append([why])

    pdus = _sheet(wb, styles, "PDUs", PDU_COLUMNS)
    for p in record.pdus:
        pdus.append(
            [
                p.pdu,
                p.audit,
                day(p.created),
                p.result.cases,
                p.result.score,
                p.result.score_max if p.result.scored else None,
                p.standing[1],
            ]
        )
    pdus.freeze_header(len(PDU_COLUMNS), pdus.rows)

    funnels = _sheet(wb, styles, "Key questions", FUNNEL_COLUMNS)
    spread = _sheet(wb, styles, "Spread", SPREAD_COLUMNS)
    for kq in (kq for st in record.rubric.standards for kq in st.key_questions):
        found = record.funnels[kq.id]
        target = percent(found.target) if found.units else None
        spread.append(
            [
                kq.id,
                len(found.units),
                target,
                decimal(found.spread.phi) if found.units else None,
                decimal(found.spread.p_value) if found.units else None,
                decimal(found.spread.tau2**0.5 * 100) if found.units else None,
                spread_sentence(found.spread) if found.units else "No PDU has a relevant case.",
            ]
        )
        for unit in found.units:
            limits = found.limits(unit.relevant)
            flag = found.flag_of(unit)
            bounds: list[Cell] = [percent(b) for level in LEVELS for b in limits[level]]
            funnels.append(
                [
                    kq.id,
                    kq.text,
                    unit.name,
                    unit.yes,
                    unit.relevant,
                    percent(unit.proportion),
                    target,
                    *bounds,
                    f"{flag.side} {level_words(flag.level)}" if flag else None,
                ]
            )
    funnels.freeze_header(len(FUNNEL_COLUMNS), funnels.rows)
    spread.freeze_header(len(SPREAD_COLUMNS), spread.rows)

    trends = _sheet(wb, styles, "Trends", TREND_COLUMNS)
    moved = _sheet(wb, styles, "Moved", MOVED_COLUMNS)
    for pdu, found_audits in record.trends.items():
        for p in found_audits:
            trends.append([pdu, p.audit, day(p.created), p.result.score, p.standing[1]])
        for kq_id, change in real_changes(found_audits):
            low, high = change.ci95 or (None, None)
            moved.append([pdu, kq_id, decimal(change.points), decimal(low), decimal(high)])
    trends.freeze_header(len(TREND_COLUMNS), trends.rows)
    moved.freeze_header(len(MOVED_COLUMNS), moved.rows)
