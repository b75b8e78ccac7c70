"""The data workbook: summary, one sheet per standard, case-level answers and breakdowns.

Numbers are stored as numbers and percentages as fractions formatted as percentages, so the
workbook calculates in Excel and LibreOffice. Written with XlsxWriter, the library Excel users'
tools rely on, because it keeps Excel's rules (control characters escaped as `_xHHHH_`, literal
`_xHHHH_` text kept as typed, sheet names, cell and sheet limits) that a lenient reader such as
openpyxl would never flag. It runs in constant-memory mode, so a 10,000-case audit's hundreds of
thousands of cells stream row by row through temporary files, which are kept in a private
directory (they hold case data) and removed before this returns.

Data never becomes a formula or a hyperlink: every cell is written with a typed method and the
workbook is told not to read strings as formulas, links or numbers, so a note such as
`=HYPERLINK(...)` stays text.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import AnswerInfo
from audit_tui.reporting.model import ReportData
from audit_tui.scoring.results import ItemResult

WORDS = {"yes": "yes", "no": "no", "na": "n/a"}
ITEM_COLUMNS = ["Id", "Question", "Yes", "No", "Not applicable", "Unanswered", "Relevant",
                "Percentage 'Yes'", "95% low", "95% high"]  # fmt: skip
# Excel's limits: rows and columns a sheet can have, characters (UTF-16 units) a cell can hold.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
CELL_LIMIT = 32_767
CUT_MARK = " … [cut: over Excel's 32,767-character cell limit]"
# XlsxWriter escapes C0 control characters; these it cannot write as XML at all (lone surrogates
# from badly decoded text, and the two non-characters XML excludes), so they become U+FFFD.
NOT_XML = re.compile(r"[\ud800-\udfff\ufffe\uffff]")
# Excel's rules for sheet names: 31 UTF-16 units, none of these characters, no quote at either
# end, not blank, unique ignoring case, and not "History" (Excel keeps it for change tracking).
SHEET_NAME_LIMIT = 31
NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
RESERVED_SHEET_NAMES = frozenset({"history"})
FIXED_SHEETS = ("Summary", "Indicators", "Cases", "Breakdowns", "Notes")
# A fixed creation date (XlsxWriter stamps the time of writing otherwise): the same data then
# gives the same bytes, so an export can be compared or checksummed.
CREATED = datetime(2000, 1, 1, tzinfo=UTC)
OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
HEAD = {"bold": True, "bg_color": "#DDE3EE", "text_wrap": True, "valign": "top"}
PERCENT = {"num_format": "0%"}
SUMMARY_WIDTHS = (18, 40, 12, 8, 22, 8, 20, 18)  # key/value block above, standards table below


class Styled(NamedTuple):
    """A cell value with its style: "head" (bold on a pale fill) or "percent" (0%)."""

    value: str | int | float | None
    style: str


Cell = str | int | float | Styled | None


def head(value: str | int | float | None) -> Styled:
    return Styled(value=value, style="head")


def percent(fraction: float | None) -> Styled:
    return Styled(value=fraction, style="percent")


def _utf16_len(text: str) -> int:
    """Excel counts a cell's characters in UTF-16 units: an emoji counts twice."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _utf16_cut(text: str, limit: int) -> str:
    """The longest start of `text` within `limit` UTF-16 units, never half a character."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return text[:i]
    return text


def cell_text(text: str) -> str:
    """Text a cell can hold: writable as XML, and cut visibly rather than silently when too long.

    XlsxWriter would truncate an over-long string without a trace; a reader must know the note
    they see is not all of it.
    """
    if NOT_XML.search(text):
        text = NOT_XML.sub("\ufffd", text)
    if len(text) > CELL_LIMIT // 2 and _utf16_len(text) > CELL_LIMIT:
        text = _utf16_cut(text, CELL_LIMIT - _utf16_len(CUT_MARK)) + CUT_MARK
    return text


def sheet_name(text: str, taken: set[str]) -> str:
    """A sheet name Excel accepts, made from any title, unique among `taken` (casefolded names),
    to which it is added. XlsxWriter raises on a bad name; a standard's title must not stop an
    export."""
    base = _utf16_cut(NOT_IN_SHEET_NAMES.sub(" ", text).strip(" '"), SHEET_NAME_LIMIT)
    base = base.strip(" '") or "Sheet"
    name, n = base, 1
    while name.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        name = _utf16_cut(base, SHEET_NAME_LIMIT - len(suffix)).rstrip(" '") + suffix
    taken.add(name.casefold())
    return name


class Sheet:
    """A worksheet written top to bottom, as constant-memory mode requires, one typed cell at a
    time: strings only ever as text, numbers as numbers, and nothing at all for a missing value
    (a true blank, styled when it has a style, never an empty string)."""

    def __init__(self, ws: Worksheet, styles: dict[str, Format]) -> None:
        self.ws = ws
        self.styles = styles
        self.rows = 0

    def width(self, column: int, width: float) -> None:
        """Set a column's width (0-based column, width in characters)."""
        self.ws.set_column(column, column, width)

    def freeze_header(self, columns: int, rows: int) -> None:
        """Keep the first row in view while scrolling, with a filter over `rows` x `columns`."""
        self.ws.freeze_panes(1, 0)
        self.ws.autofilter(0, 0, max(rows - 1, 0), max(columns - 1, 0))

    def append(self, values: Iterable[Cell] = ()) -> None:
        """Add a row. None (or "") leaves a cell blank; a `Styled` value carries its style."""
        self.append_at(enumerate(values))

    def append_at(self, cells: Iterable[tuple[int, Cell]]) -> None:
        """Add a sparse row: (0-based column, value) pairs."""
        ws, row = self.ws, self.rows
        for col, value in cells:
            style = None
            if type(value) is Styled:
                value, style = value.value, self.styles[value.style]
            if value is None or value == "":
                if style is not None:
                    ws.write_blank(row, col, None, style)
            elif isinstance(value, str):
                ws.write_string(row, col, cell_text(value), style)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(row, col, value, style)
            else:
                raise TypeError(f"{ws.name} row {row + 1}: cannot store {type(value).__name__}")
        self.rows = row + 1


def _check_size(sheet: str, rows: int, columns: int) -> None:
    """Refuse, before anything is written, a sheet Excel could not open whole."""
    if rows > MAX_ROWS:
        raise AuditError.at(
            "xlsx",
            f"the {sheet} sheet would need {rows:,} rows, more than Excel's {MAX_ROWS:,};"
            " export csv instead",
        )
    if columns > MAX_COLUMNS:
        raise AuditError.at(
            "xlsx",
            f"the {sheet} sheet would need {columns:,} columns, more than Excel's {MAX_COLUMNS:,}",
        )


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
    rubric = data.rubric
    case_header = ["case_ref", *(a.id for a in rubric.attributes), *rubric.column_order]
    noted: list[tuple[str, AnswerInfo]] | None = None
    if notes is not None:
        order = {item: i for i, item in enumerate(rubric.column_order)}
        noted = [
            (case.case_ref, answer)
            for case in data.cases
            for answer in sorted(
                (a for a in notes.get(case.id, {}).values() if a.note),
                key=lambda a: order.get(a.item_id, len(order)),
            )
        ]
        _check_size("Notes", len(noted) + 1, 5)
    _check_size("Cases", len(data.cases) + 1, len(case_header))
    _check_size("Breakdowns", 1 + sum(len(g.items) for bd in data.breakdowns for g in bd.groups), 8)
    out = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="audit-tui-xlsx-") as tmp:
        wb = Workbook(out, {**OPTIONS, "tmpdir": tmp})
        try:
            _write(wb, data, values, case_header, noted)
        finally:
            wb.close()  # also closes the temporary row files, before their folder goes
    return out.getvalue()


def _write(
    wb: Workbook,
    data: ReportData,
    values: dict[int, dict[str, str]],
    case_header: list[str],
    noted: list[tuple[str, AnswerInfo]] | None,
) -> None:
    wb.set_properties({"created": CREATED})
    styles = {"head": wb.add_format(HEAD), "percent": wb.add_format(PERCENT)}
    info, result, rubric = data.audit.info, data.result, data.rubric
    taken = {*RESERVED_SHEET_NAMES, *(name.casefold() for name in FIXED_SHEETS)}

    def sheet(name: str) -> Sheet:
        return Sheet(wb.add_worksheet(name), styles)

    summary = sheet("Summary")
    for column, width in enumerate(SUMMARY_WIDTHS):
        summary.width(column, width)
    for key, value in (
        ("Audit", info.name),
        ("PDU", info.pdu),
        ("Region", info.region),
        ("Rubric", f"{rubric.id} {rubric.version}"),
        ("Cases", len(data.cases)),
        ("Complete", "yes" if result.complete else "no"),
        ("Score", result.score),
        ("Score out of", result.score_max),
        ("Overall rating", result.overall),
    ):
        summary.append([head(key), value])
    summary.append([])
    summary.append(
        head(v)
        for v in (
            "Standard",
            "Title",
            "Method",
            "Rated",
            "Rating",
            "Points",
            "Lowest key question",
            "Lowest percentage",
        )
    )
    for st in result.standards:
        summary.append(
            [
                st.id,
                st.title,
                st.method,
                "yes" if st.rated else "no",
                st.rating,
                st.points,
                st.lowest.id if st.lowest else None,
                percent(_fraction(st.lowest)),
            ]
        )

    for st in result.standards:
        if st.method != "cases":
            continue
        ws = sheet(sheet_name(f"{st.id} {st.title}", taken))
        ws.width(1, 70)
        ws.append(
            [
                head(f"{st.id} {st.title}"),
                st.rating or ("not rated" if not st.rated else "not yet rated"),
            ]
        )
        ws.append(head(v) for v in [*ITEM_COLUMNS, "Kind", "Uncertainty"])
        for kq in st.key_questions:
            _item_row(
                ws, kq, kq.text, ["key question", data.uncertainty(kq).note if st.rated else None]
            )
            for p in kq.prompts:
                _item_row(ws, p, p.text, ["prompt"])

    if result.indicators:
        ws = sheet("Indicators")
        ws.width(1, 70)
        ws.append(head(v) for v in ITEM_COLUMNS)
        for ind in result.indicators:
            _item_row(ws, ind, ind.text)

    ws = sheet("Cases")
    ws.freeze_header(columns=len(case_header), rows=len(data.cases) + 1)
    ws.append(head(v) for v in case_header)
    column = {name: i for i, name in enumerate(case_header)}
    attrs = [a.id for a in rubric.attributes]
    write = ws.ws.write_string
    for row, case in enumerate(data.cases, 1):  # the hot loop: ~200,000 cells at 10,000 cases
        write(row, 0, cell_text(case.case_ref))
        given = case.attributes
        for a in attrs:
            if given.get(a):
                write(row, column[a], cell_text(given[a]))
        got = values.get(case.id, {})
        for item, value in got.items():
            if item in column:  # one of three fixed words: nothing to clean
                write(row, column[item], WORDS[value])
    ws.rows = len(data.cases) + 1

    ws = sheet("Breakdowns")
    rows = [
        (bd.attribute, g, kq_id, item)
        for bd in data.breakdowns
        for g in bd.groups
        for kq_id, item in g.items.items()
    ]
    ws.freeze_header(columns=8, rows=len(rows) + 1)
    ws.append(
        head(v)
        for v in (
            "Attribute",
            "Value",
            "Cases",
            "Suppressed",
            "Key question",
            "Yes",
            "Relevant",
            "Percentage 'Yes'",
        )
    )
    for attribute, g, kq_id, item in rows:
        if g.hides(kq_id):
            ws.append([attribute, g.value, g.cases, "yes", kq_id, None, None, percent(None)])
        else:
            ws.append(
                [
                    attribute,
                    g.value,
                    g.cases,
                    "no",
                    kq_id,
                    item.yes,
                    item.relevant,
                    percent(_fraction(item)),
                ]
            )

    if noted is not None:
        ws = sheet("Notes")
        ws.freeze_header(columns=5, rows=len(noted) + 1)
        ws.width(4, 80)
        ws.append(head(v) for v in ("case_ref", "Item", "Answer", "Tag", "Note"))
        for case_ref, answer in noted:
            ws.append(
                [
                    case_ref,
                    answer.item_id,
                    WORDS.get(answer.value or ""),
                    answer.note_tag,
                    answer.note,
                ]
            )
