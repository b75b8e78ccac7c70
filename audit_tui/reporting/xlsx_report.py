"""The data workbook: summary, one sheet per standard, case-level answers and breakdowns.

Numbers are stored as numbers and percentages as fractions formatted as percentages, so the
workbook calculates in Excel and LibreOffice rather than holding text.
"""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from audit_tui.domain.records import AnswerInfo
from audit_tui.reporting.model import ReportData
from audit_tui.scoring.results import ItemResult

PCT = "0%"
HEAD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE3EE")


def _sheet_name(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31]


def _header(ws: Worksheet, row: list[str]) -> None:
    ws.append(row)
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = HEAD, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _fraction(item: ItemResult) -> float | None:
    return item.yes / item.relevant if item.relevant else None


def _item_row(
    ws: Worksheet, item: ItemResult, label: str, extra: list[object] | None = None
) -> None:
    ci = item.ci95
    ws.append(
        [
            item.id,
            label,
            item.yes,
            item.no,
            item.not_applicable,
            item.unanswered,
            item.relevant,
            _fraction(item),
            ci[0] / 100 if ci else None,
            ci[1] / 100 if ci else None,
            *(extra or []),
        ]
    )
    for col in (8, 9, 10):
        ws.cell(ws.max_row, col).number_format = PCT


def render_xlsx(data: ReportData, answers: dict[int, dict[str, AnswerInfo]]) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    info, result, rubric = data.audit.info, data.result, data.rubric
    for row in (
        ["Audit", info.name],
        ["PDU", info.pdu],
        ["Region", info.region],
        ["Rubric", f"{rubric.id} {rubric.version}"],
        ["Cases", len(data.cases)],
        ["Complete", "yes" if result.complete else "no"],
        ["Score", result.score],
        ["Score out of", result.score_max],
        ["Overall rating", result.overall or ""],
    ):
        summary.append(row)
        summary.cell(summary.max_row, 1).font = HEAD
    summary.append([])
    _header(
        summary,
        [
            "Standard",
            "Title",
            "Method",
            "Rated",
            "Rating",
            "Points",
            "Lowest key question",
            "Lowest percentage",
        ],
    )
    for st in result.standards:
        lowest = st.lowest
        summary.append(
            [
                st.id,
                st.title,
                st.method,
                "yes" if st.rated else "no",
                st.rating or "",
                st.points,
                lowest.id if lowest else "",
                _fraction(lowest) if lowest else None,
            ]
        )
        summary.cell(summary.max_row, 8).number_format = PCT
    summary.column_dimensions["B"].width = 32

    columns = [
        "Id",
        "Question",
        "Yes",
        "No",
        "Not applicable",
        "Unanswered",
        "Relevant",
        "Percentage 'Yes'",
        "95% low",
        "95% high",
    ]
    for st in result.standards:
        if st.method != "cases":
            continue
        ws = wb.create_sheet(_sheet_name(f"{st.id} {st.title}"))
        ws.append(
            [f"{st.id} {st.title}", st.rating or ("not rated" if not st.rated else "not yet rated")]
        )
        ws.cell(1, 1).font = HEAD
        _header(ws, [*columns, "Kind", "Uncertainty"])
        for kq in st.key_questions:
            _item_row(
                ws, kq, kq.text, ["key question", data.uncertainty(kq).note if st.rated else ""]
            )
            for p in kq.prompts:
                _item_row(ws, p, p.text, ["prompt", ""])
        ws.column_dimensions["B"].width = 70

    if result.indicators:
        ws = wb.create_sheet("Indicators")
        _header(ws, columns)
        for ind in result.indicators:
            _item_row(ws, ind, ind.text)
        ws.column_dimensions["B"].width = 70

    ws = wb.create_sheet("Cases")
    attrs = [a.id for a in rubric.attributes]
    items = rubric.column_order
    _header(ws, ["case_ref", *attrs, *items])
    words = {"yes": "yes", "no": "no", "na": "n/a"}
    for case in data.cases:
        got = answers.get(case.id, {})
        ws.append(
            [
                case.case_ref,
                *(case.attributes.get(a, "") for a in attrs),
                *(words.get(got[i].value or "", "") if i in got else "" for i in items),
            ]
        )

    ws = wb.create_sheet("Breakdowns")
    _header(
        ws,
        [
            "Attribute",
            "Value",
            "Cases",
            "Suppressed",
            "Key question",
            "Yes",
            "Relevant",
            "Percentage 'Yes'",
        ],
    )
    for bd in data.breakdowns:
        for g in bd.groups:
            for kq_id, item in g.items.items():
                if g.hides(kq_id):
                    ws.append([bd.attribute, g.value, g.cases, "yes", kq_id, None, None, None])
                else:
                    ws.append(
                        [
                            bd.attribute,
                            g.value,
                            g.cases,
                            "no",
                            kq_id,
                            item.yes,
                            item.relevant,
                            _fraction(item),
                        ]
                    )
                    ws.cell(ws.max_row, 8).number_format = PCT
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
