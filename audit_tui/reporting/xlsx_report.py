"""The data workbook: summary, one sheet per standard, case-level answers and breakdowns.

Numbers are stored as numbers and percentages as fractions formatted as percentages, so the
workbook calculates in Excel and LibreOffice. Written in openpyxl's streaming (write-only) mode:
a 10,000-case audit has hundreds of thousands of cells.
"""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from audit_tui.reporting.model import ReportData
from audit_tui.scoring.results import ItemResult

PCT = "0%"
HEAD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDE3EE")
WORDS = {"yes": "yes", "no": "no", "na": "n/a"}
ITEM_COLUMNS = ["Id", "Question", "Yes", "No", "Not applicable", "Unanswered", "Relevant",
                "Percentage 'Yes'", "95% low", "95% high"]  # fmt: skip


def _sheet_name(text: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31]


def _styled(
    ws: WriteOnlyWorksheet, value: Any, *, head: bool = False, pct: bool = False
) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    if head:
        cell.font, cell.fill = HEAD, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if pct:
        cell.number_format = PCT
    return cell


def _header(ws: WriteOnlyWorksheet, row: list[str]) -> None:
    ws.append([_styled(ws, v, head=True) for v in row])


def _fraction(item: ItemResult | None) -> float | None:
    return item.yes / item.relevant if item and item.relevant else None


def _item_row(
    ws: WriteOnlyWorksheet, item: ItemResult, label: str, extra: list[Any] | None = None
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
            _styled(ws, _fraction(item), pct=True),
            _styled(ws, ci[0] / 100 if ci else None, pct=True),
            _styled(ws, ci[1] / 100 if ci else None, pct=True),
            *(extra or []),
        ]
    )


def render_xlsx(data: ReportData, values: dict[int, dict[str, str]]) -> bytes:
    """`values`: case id -> item -> answer value, for the case-level sheet."""
    wb = Workbook(write_only=True)
    info, result, rubric = data.audit.info, data.result, data.rubric

    summary = wb.create_sheet("Summary")
    summary.column_dimensions["A"].width = 16
    summary.column_dimensions["B"].width = 32
    for key, value in (
        ("Audit", info.name),
        ("PDU", info.pdu),
        ("Region", info.region),
        ("Rubric", f"{rubric.id} {rubric.version}"),
        ("Cases", len(data.cases)),
        ("Complete", "yes" if result.complete else "no"),
        ("Score", result.score),
        ("Score out of", result.score_max),
        ("Overall rating", result.overall or ""),
    ):
        summary.append([_styled(summary, key, head=True), value])
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
        summary.append(
            [
                st.id,
                st.title,
                st.method,
                "yes" if st.rated else "no",
                st.rating or "",
                st.points,
                st.lowest.id if st.lowest else "",
                _styled(summary, _fraction(st.lowest), pct=True),
            ]
        )

    for st in result.standards:
        if st.method != "cases":
            continue
        ws = wb.create_sheet(_sheet_name(f"{st.id} {st.title}"))
        ws.column_dimensions["B"].width = 70
        ws.append(
            [
                _styled(ws, f"{st.id} {st.title}", head=True),
                st.rating or ("not rated" if not st.rated else "not yet rated"),
            ]
        )
        _header(ws, [*ITEM_COLUMNS, "Kind", "Uncertainty"])
        for kq in st.key_questions:
            _item_row(
                ws, kq, kq.text, ["key question", data.uncertainty(kq).note if st.rated else ""]
            )
            for p in kq.prompts:
                _item_row(ws, p, p.text, ["prompt", ""])

    if result.indicators:
        ws = wb.create_sheet("Indicators")
        ws.column_dimensions["B"].width = 70
        _header(ws, ITEM_COLUMNS)
        for ind in result.indicators:
            _item_row(ws, ind, ind.text)

    ws = wb.create_sheet("Cases")
    attrs = [a.id for a in rubric.attributes]
    items = rubric.column_order
    _header(ws, ["case_ref", *attrs, *items])
    for case in data.cases:  # empty cells are left out (None), not written as empty strings
        got = values.get(case.id, {})
        ws.append(
            [
                case.case_ref,
                *(case.attributes.get(a) for a in attrs),
                *(WORDS.get(got[i]) if i in got else None for i in items),
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
                            _styled(ws, _fraction(item), pct=True),
                        ]
                    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
