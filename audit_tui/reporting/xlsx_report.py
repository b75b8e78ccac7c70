"""The data workbook: summary, one sheet per standard, case-level answers and breakdowns.

Numbers are stored as numbers and percentages as fractions formatted as percentages, so the
workbook calculates in Excel and LibreOffice. Written by `xlsx_writer`, which streams rows
straight into SpreadsheetML: a 10,000-case audit has hundreds of thousands of cells.
"""

from __future__ import annotations

from audit_tui.domain.records import AnswerInfo
from audit_tui.reporting.model import ReportData
from audit_tui.reporting.xlsx_writer import Cell, Sheet, Workbook, head, percent, sheet_name
from audit_tui.scoring.results import ItemResult

WORDS = {"yes": "yes", "no": "no", "na": "n/a"}
ITEM_COLUMNS = ["Id", "Question", "Yes", "No", "Not applicable", "Unanswered", "Relevant",
                "Percentage 'Yes'", "95% low", "95% high"]  # fmt: skip


def _header(ws: Sheet, row: list[str]) -> None:
    ws.append([head(v) for v in row])


def _fraction(item: ItemResult | None) -> float | None:
    return item.yes / item.relevant if item and item.relevant else None


def _item_row(ws: Sheet, item: ItemResult, label: str, extra: list[Cell] | None = None) -> None:
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
            percent(_fraction(item)),
            percent(ci[0] / 100 if ci else None),
            percent(ci[1] / 100 if ci else None),
            *(extra or []),
        ]
    )


def render_xlsx(
    data: ReportData,
    values: dict[int, dict[str, str]],
    notes: dict[int, dict[str, AnswerInfo]] | None = None,
) -> bytes:
    """`values`: case id -> item -> answer value, for the case-level sheet; `notes`: every answer
    with its note, given only when the export should carry notes (a Notes sheet)."""
    wb = Workbook()
    info, result, rubric = data.audit.info, data.result, data.rubric

    summary = wb.sheet("Summary")
    summary.width(0, 16)
    summary.width(1, 32)
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
        summary.append([head(key), value])
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
                percent(_fraction(st.lowest)),
            ]
        )

    for st in result.standards:
        if st.method != "cases":
            continue
        ws = wb.sheet(sheet_name(f"{st.id} {st.title}"))
        ws.width(1, 70)
        ws.append(
            [
                head(f"{st.id} {st.title}"),
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
        ws = wb.sheet("Indicators")
        ws.width(1, 70)
        _header(ws, ITEM_COLUMNS)
        for ind in result.indicators:
            _item_row(ws, ind, ind.text)

    ws = wb.sheet("Cases")
    ws.freeze_header(filter_rows=True)
    attrs = [a.id for a in rubric.attributes]
    header = ["case_ref", *attrs, *rubric.column_order]
    column = {name: i for i, name in enumerate(header)}
    _header(ws, header)
    for case in data.cases:  # sparse rows: most items of a case are unanswered or do not apply
        given = case.attributes
        got = values.get(case.id, {})
        ws.append_at(
            [
                (0, case.case_ref),
                *((column[a], given[a]) for a in attrs if a in given),
                *sorted((column[i], WORDS[v]) for i, v in got.items() if i in column),
            ]
        )

    ws = wb.sheet("Breakdowns")
    ws.freeze_header(filter_rows=True)
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
                            percent(_fraction(item)),
                        ]
                    )
    if notes is not None:
        ws = wb.sheet("Notes")
        ws.freeze_header(filter_rows=True)
        ws.width(4, 80)
        _header(ws, ["case_ref", "Item", "Answer", "Tag", "Note"])
        order = {item: i for i, item in enumerate(rubric.column_order)}
        for case in data.cases:
            noted = [a for a in notes.get(case.id, {}).values() if a.note]
            for answer in sorted(noted, key=lambda a: order.get(a.item_id, len(order))):
                ws.append(
                    [
                        case.case_ref,
                        answer.item_id,
                        WORDS.get(answer.value or ""),
                        answer.note_tag,
                        answer.note,
                    ]
                )
    return wb.to_bytes()
