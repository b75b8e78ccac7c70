"""The data workbook: summary, one sheet per standard, case-level answers, breakdowns and,
once the audit has a moderation round, moderation.

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
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import NamedTuple

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import AnswerInfo
from audit_tui.domain.rubric import Indicator, KeyQuestion, Rubric
from audit_tui.domain.safe_text import C0_CONTROLS, CONTROLS, escape
from audit_tui.domain.words import value_label, yes_no
from audit_tui.reporting.model import ReportData, lock_text
from audit_tui.scoring.results import AuditResult, ItemResult

WORDS = {"yes": "yes", "no": "no", "na": "n/a"}
METHODS = {"cases": "Case audit", "judgement": "Judgement"}
KINDS = {"key_question": "Key question", "prompt": "Prompt", "indicator": "Indicator"}
TAGS = {"strength": "Strength", "improvement": "Area for improvement"}
ITEM_COLUMNS = [
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
# Excel's limits: rows and columns a sheet can have, characters (UTF-16 units) a cell can hold.
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
CELL_LIMIT = 32_767
CUT_MARK = " … [cut: over Excel's 32,767-character cell limit]"
# XlsxWriter escapes C0 control characters, reversibly (`_x001B_`); the other controls (DEL, C1,
# bidi overrides) it would write as they are, so `cell_text` shows them as escapes (`\x9b`).
# These it cannot write as XML at all (lone surrogates from badly decoded text, and the two
# non-characters XML excludes), so they become U+FFFD.
NOT_XML = re.compile(r"[\ud800-\udfff\ufffe\uffff]")
# Excel's rules for sheet names: 31 UTF-16 units, none of these characters, no quote at either
# end, not blank, unique ignoring case, and not "History" (Excel keeps it for change tracking);
# nor, ours, any control character (a bidi override would reorder the tab's name).
SHEET_NAME_LIMIT = 31
NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\" + "".join(f"\\u{c:04x}" for c in CONTROLS) + "]")
RESERVED_SHEET_NAMES = frozenset({"history"})
FIXED_SHEETS = (
    "Summary",
    "Indicators",
    "Cases",
    "Questions",
    "Breakdowns",
    "Notes",
    "Moderation",
    "Sample",
)
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
DECIMAL = {"num_format": "0.00"}
DATE = {"num_format": "d mmmm yyyy", "align": "left"}
SUMMARY_WIDTHS = (18, 40, 12, 8, 22, 8, 30, 18)  # key/value block above, standards table below
BREAKDOWN_COLUMNS = (
    "Attribute",
    "Value",
    "Cases",
    "Suppressed",
    "Key question",
    "Question",
    "Yes",
    "Relevant",
    "Percentage 'Yes'",
)
QUESTION_COLUMNS = ("Id", "Kind", "Standard", "Label", "Question")


class Styled(NamedTuple):
    """A cell value with its style: "head" (bold on a pale fill), "percent" (0%), "decimal"
    (0.00) or "date"."""

    value: str | int | float | date | None
    style: str


Cell = str | int | float | Styled | None


def head(value: str | int | float | None) -> Styled:
    return Styled(value=value, style="head")


def percent(fraction: float | None) -> Styled:
    return Styled(value=fraction, style="percent")


def decimal(value: float | None) -> Styled:
    """A coefficient such as kappa, shown to two places and stored whole."""
    return Styled(value=value, style="decimal")


def day(value: date) -> Styled:
    """A date as a date (Excel can sort and compute with it), shown `26 November 2026`."""
    return Styled(value=value, style="date")


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
    """Text a cell can hold: writable as XML, no control character that reorders or hides what
    a reader sees, and cut visibly rather than silently when too long.

    XlsxWriter would truncate an over-long string without a trace; a reader must know the note
    they see is not all of it.
    """
    text = escape(text, keep=C0_CONTROLS)  # C0 is XlsxWriter's to escape
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
        value: Cell | date  # a Styled value's own value may be a date
        for col, value in cells:
            style = None
            if type(value) is Styled:
                style = self.styles[value.style]
                value = value.value
            if value is None or value == "":
                if style is not None:
                    ws.write_blank(row, col, None, style)
            elif isinstance(value, str):
                ws.write_string(row, col, cell_text(value), style)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                ws.write_number(row, col, value, style)
            elif isinstance(value, date):
                ws.write_datetime(row, col, value, style)
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
    case_header = case_headings(rubric)
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
    plan = data.breakdown_plan()
    _check_size(
        "Breakdowns",
        3 + sum(len(g.items) for bd in plan.shown for g in bd.groups),
        len(BREAKDOWN_COLUMNS),
    )
    return write_workbook(lambda wb, styles: _write(wb, styles, data, values, case_header, noted))


def write_workbook(fill: Callable[[Workbook, dict[str, Format]], None]) -> bytes:
    """A workbook's bytes, `fill` adding its sheets: the same options, styles, fixed creation date
    and private temporary folder for every workbook this program writes."""
    out = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="audit-tui-xlsx-") as tmp:
        wb = Workbook(out, {**OPTIONS, "tmpdir": tmp})
        try:
            wb.set_properties({"created": CREATED})
            styles = {
                "head": wb.add_format(HEAD),
                "percent": wb.add_format(PERCENT),
                "decimal": wb.add_format(DECIMAL),
                "date": wb.add_format(DATE),
            }
            fill(wb, styles)
        finally:
            wb.close()  # also closes the temporary row files, before their folder goes
    return out.getvalue()


def case_headings(rubric: Rubric) -> list[str]:
    """The Cases sheet's headings: words beside the ids a reader looks up in the Questions sheet
    ("2.2.1 Engaging the person"), attributes by their labels; prompts stay as ids (there are
    many, and their texts are long)."""
    out = ["Case reference", *(a.label for a in rubric.attributes)]
    for item_id in rubric.column_order:
        item = rubric.items[item_id].item
        if isinstance(item, KeyQuestion):
            out.append(f"{item_id} {item.label}" if item.label else item_id)
        elif isinstance(item, Indicator):
            out.append(item.label or item_id)
        else:
            out.append(item_id)
    return out


def _write(
    wb: Workbook,
    styles: dict[str, Format],
    data: ReportData,
    values: dict[int, dict[str, str]],
    case_header: list[str],
    noted: list[tuple[str, AnswerInfo]] | None,
) -> None:
    info, result, rubric = data.audit.info, data.result, data.rubric
    taken = {*RESERVED_SHEET_NAMES, *(name.casefold() for name in FIXED_SHEETS)}

    def sheet(name: str) -> Sheet:
        return Sheet(wb.add_worksheet(name), styles)

    summary = sheet("Summary")
    for col, width in enumerate(SUMMARY_WIDTHS):
        summary.width(col, width)
    facts: list[tuple[str, Cell]] = [
        ("Audit", info.name),
        ("PDU", info.pdu),
        ("Region", info.region),
        ("Framework", data.framework),
        ("Cases", len(data.cases)),
        ("Complete", yes_no(result.complete)),
        *(
            [
                ("Score", result.score),
                ("Score out of", result.score_max),
                ("Overall rating", result.overall),
            ]
            if result.scored
            else _shares_facts(result)
        ),
        ("Audit period", data.period.text if data.period else None),
        ("Produced on", day(data.produced)),
        ("Locked", lock_text(info)),
        ("Framework id", rubric.id),
    ]
    if info.oversight:  # a sample's sheet keeps the layout scripts already read
        facts.append(("Kind", "management oversight: not a sample"))
    if any(ref.item.reconstructed_from for ref in rubric.items.values()):
        facts.append((RECONSTRUCTED, RECONSTRUCTED_WORDS))
    for row, (key, value) in enumerate(facts):
        # the draft line at the top, beside the audit's name: no cell a script reads moves
        draft = [None, head(data.draft)] if row == 0 and data.draft else []
        summary.append([head(key), value, *draft])
    summary.append([])
    if not rubric.has_ratings:
        _stages(summary, result)
    else:
        _standards(summary, result)
    _standard_sheets(sheet, taken, data)
    _rest(sheet, data, case_header, values, noted)


RECONSTRUCTED = "Questions marked [R]"
RECONSTRUCTED_WORDS = (
    "reconstructed: their published wording could not be read, so they are rebuilt from an"
    " earlier framework's questions and are not the framework's own words"
)


def _shares_facts(result: AuditResult) -> list[tuple[str, Cell]]:
    """A rubric without a score gives its assignments' share where the score would stand."""
    a = result.assignments
    if a is None:
        return []
    return [
        ("Assignments meeting the standard", a.yes),
        ("Assignments relevant", a.relevant),
        ("Share of assignments", percent(_fraction(a))),
    ]


def _stages(summary: Sheet, result: AuditResult) -> None:
    """Per stage, the cases meeting the required standard (no rating, no points)."""
    summary.append(
        head(v) for v in ("Standard", "Title", "Method", "Cases meeting", "Of relevant", "Share")
    )
    for st in result.standards:
        m = st.meeting
        summary.append(
            [
                st.id,
                st.title,
                METHODS.get(st.method, st.method),
                m.yes if m else None,
                m.relevant if m else None,
                percent(_fraction(m)),
            ]
        )


def _standards(summary: Sheet, result: AuditResult) -> None:
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
        lowest = st.lowest  # a standard rated by its cases rests on no key question: its share
        share = st.meeting if st.by_cases else None
        summary.append(
            [
                st.id,
                st.title,
                METHODS.get(st.method, st.method),
                yes_no(st.rated),
                st.rating,
                st.points,
                f"{lowest.id} {lowest.label}".strip()
                if lowest
                else ("Cases meeting every key question" if share else None),
                percent(_fraction(lowest or share)),
            ]
        )


def _standard_sheets(sheet: Callable[[str], Sheet], taken: set[str], data: ReportData) -> None:
    result = data.result
    for st in result.standards:
        if st.method != "cases":
            continue
        ws = sheet(sheet_name(f"{st.id} {st.title}", taken))
        ws.width(1, 70)
        if data.rubric.has_ratings:
            status: Cell = st.rating or ("Not rated" if not st.rated else "Not yet rated")
        else:
            m = st.meeting
            status = f"Cases meeting the required standard: {m.yes} of {m.relevant}" if m else None
        ws.append([head(f"{st.id} {st.title}"), status])
        ws.append(head(v) for v in [*ITEM_COLUMNS, "Kind", "Uncertainty"])
        for kq in st.key_questions:
            _item_row(
                ws,
                kq,
                kq.text,
                ["Key question", data.uncertainty(kq).note if st.rated_by_key_questions else None],
            )
            for p in kq.prompts:
                _item_row(ws, p, p.text, ["Prompt"])


def _rest(
    sheet: Callable[[str], Sheet],
    data: ReportData,
    case_header: list[str],
    values: dict[int, dict[str, str]],
    noted: list[tuple[str, AnswerInfo]] | None,
) -> None:
    result, rubric = data.result, data.rubric
    if result.indicators:
        ws = sheet("Indicators")
        ws.width(1, 70)
        ws.append(head(v) for v in ITEM_COLUMNS)
        for ind in result.indicators:
            label = data.indicator_label(ind)
            _item_row(ws, ind, f"{label}: {ind.text}" if label else ind.text)

    ws = sheet("Cases")
    ws.freeze_header(columns=len(case_header), rows=len(data.cases) + 1)
    ws.width(0, 16)
    kinds = [rubric.items[item].kind for item in rubric.column_order]
    first = 1 + len(rubric.attributes)
    for offset, kind in enumerate(kinds):
        ws.width(first + offset, 9 if kind == "prompt" else 16)
    for offset in range(len(rubric.attributes)):
        ws.width(1 + offset, 14)
    ws.append(head(v) for v in case_header)
    ids = ["case_ref", *(a.id for a in rubric.attributes), *rubric.column_order]
    column = {name: i for i, name in enumerate(ids)}
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

    _questions(sheet("Questions"), rubric)
    _breakdowns(sheet("Breakdowns"), data)

    if noted is not None:
        ws = sheet("Notes")
        ws.freeze_header(columns=5, rows=len(noted) + 1)
        ws.width(4, 80)
        ws.width(0, 16)
        ws.append(head(v) for v in ("Case reference", "Item", "Answer", "Tag", "Note"))
        for case_ref, answer in noted:
            ws.append(
                [
                    case_ref,
                    answer.item_id,
                    WORDS.get(answer.value or ""),
                    TAGS.get(answer.note_tag or "", answer.note_tag),
                    answer.note,
                ]
            )
    if data.moderation is not None:  # last: the sheets before it keep their places
        from audit_tui.reporting.moderation_xlsx import moderation_sheet

        moderation_sheet(sheet("Moderation"), data.moderation, data.include_notes)
    if data.drawn is not None:  # after it, for the same reason
        _drawn(sheet("Sample"), data)


def _drawn(ws: Sheet, data: ReportData) -> None:
    """How the sample was drawn: the record, each stratum's share of the caseload and of the
    sample, the replacements (reasons with notes only) and each key question's margin."""
    from audit_tui.reporting.sample_section import margins, shares

    drawn = data.drawn
    assert drawn is not None
    for column, width in enumerate((30, 14, 14, 14, 14, 40)):
        ws.width(column, width)
    start, end = drawn.window
    for key, value in (
        ("Seed", drawn.seed),
        ("Size", drawn.size),
        ("Strata", ", ".join(drawn.strata) or "none"),
        ("Window from", start.isoformat() if start else "open"),
        ("Window to", end.isoformat() if end else "open"),
        ("Cases in the caseload extract", drawn.population_total),
        ("Cases in the window", drawn.in_window),
        ("Rule", drawn.rule),
    ):
        ws.append([head(key), value])
    ws.append([])
    ws.append(head(v) for v in ("Stratum", "Caseload", "Share", "Sample", "Share"))
    for s in shares(drawn, data.cases):
        ws.append(
            [s.label, s.caseload, percent(s.caseload_share), s.sample, percent(s.sample_share)]
        )
    ws.append([])
    ws.append(head(v) for v in ("Replaced", "By", "Reason"))
    for r in drawn.replacements:
        ws.append(
            [r.replaced, r.replacement or "none left", r.reason if data.include_notes else ""]
        )
    ws.append([])
    ws.append(head(v) for v in ("Key question", "Percentage yes", "Of", "Margin (points)"))
    for m in margins(drawn, data.result):
        ws.append(
            [
                m.id,
                percent(None if m.percent is None else m.percent / 100),
                m.relevant,
                decimal(m.margin),
            ]
        )


def _questions(ws: Sheet, rubric: Rubric) -> None:
    """Every item id with its words, in the Cases sheet's column order: where a reader looks up
    a column heading such as `2.2.1.a`."""
    ws.freeze_header(columns=len(QUESTION_COLUMNS), rows=len(rubric.column_order) + 1)
    for column, width in enumerate((10, 14, 30, 28, 100)):
        ws.width(column, width)
    ws.append(head(v) for v in QUESTION_COLUMNS)
    for item_id in rubric.column_order:
        ref = rubric.items[item_id]
        st = rubric.standards_by_id.get(ref.standard_id or "")
        item = ref.item
        label = item.label if isinstance(item, KeyQuestion | Indicator) else ""
        ws.append(
            [
                item_id,
                KINDS[ref.kind],
                f"{st.id} {st.title}" if st else None,
                label,
                item.text,
            ]
        )


def _breakdowns(ws: Sheet, data: ReportData) -> None:
    """A row per group and key question of the breakdowns worth showing; when none is, the one
    sentence the other reports print, instead of rows of blanks."""
    plan = data.breakdown_plan()
    if not plan.shown:
        if plan.note:
            ws.append([plan.note])
        return
    labels = {k.id: k.label or k.text for s in data.result.standards for k in s.key_questions}
    rows = [
        (bd, g, kq_id, item)
        for bd in plan.shown
        for g in bd.groups
        for kq_id, item in g.items.items()
    ]
    ws.freeze_header(columns=len(BREAKDOWN_COLUMNS), rows=len(rows) + 1)
    for column, width in enumerate((20, 14, 8, 11, 12, 30, 8, 10, 12)):
        ws.width(column, width)
    ws.append(head(v) for v in BREAKDOWN_COLUMNS)
    for bd, g, kq_id, item in rows:
        hidden = g.hides(kq_id)
        ws.append(
            [
                bd.label,
                value_label(g.value),
                g.cases,
                yes_no(hidden),
                kq_id,
                labels.get(kq_id),
                None if hidden else item.yes,
                None if hidden else item.relevant,
                percent(None if hidden else _fraction(item)),
            ]
        )
    if plan.note:
        ws.append([])
        ws.append([plan.note])
    cautions = dict.fromkeys(bd.caution for bd in plan.shown if bd.caution)
    for caution in cautions:
        ws.append([])
        ws.append([caution])
