"""A small streaming writer for Office Open XML workbooks (.xlsx), for the data workbook.

Why not openpyxl or xlsxwriter: a 10,000-case audit's case sheet holds about 200,000 cells, and
they spend 4-6 µs on each building element trees (over a second in all), which alone would
break the bound of twice the JSON report's time. Formatting rows straight into SpreadsheetML
takes well under a microsecond a cell. The data workbook needs only strings (shared), numbers,
three cell styles, column widths, a frozen header row and a filter, so that is all this does;
openpyxl stays in the tests as an independent reader of what it writes.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable
from enum import IntEnum
from html import escape
from typing import NamedTuple

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = f"{REL}/worksheet"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Control characters XML 1.0 cannot carry at all; Excel would refuse the file.
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Excel's rules for sheet names, besides their 31 characters: none of these characters, no quote
# at either end, not blank.
NOT_IN_SHEET_NAMES = r"[\[\]:*?/\\]"
BAD_SHEET_NAME = re.compile(rf"{NOT_IN_SHEET_NAMES}|^'|'$|^\s*$")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the same workbook gives the same bytes


class Style(IntEnum):
    """Indexes into `cellXfs` in STYLES below."""

    PLAIN = 0
    HEAD = 1  # bold on a pale fill, wrapped, top-aligned
    PERCENT = 2  # a fraction shown as a whole percentage (built-in number format 9, "0%")


STYLES = f"""{XML_HEAD}<styleSheet xmlns="{MAIN}">
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill>\
<fill><patternFill patternType="solid"><fgColor rgb="FFDDE3EE"/><bgColor indexed="64"/>\
</patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" \
applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>\
<xf numFmtId="9" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


class Styled(NamedTuple):
    value: str | int | float | None
    style: Style


def head(value: str | int | float | None) -> Styled:
    return Styled(value, Style.HEAD)


def percent(fraction: float | None) -> Styled:
    return Styled(fraction, Style.PERCENT)


def sheet_name(text: str) -> str:
    """A sheet name Excel accepts, made from any title."""
    name = re.sub(NOT_IN_SHEET_NAMES, " ", text)[:31].strip(" '")
    return name or "Sheet"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xml_text(text: str, quote: bool = False) -> str:
    return escape(NOT_XML.sub("", text), quote=quote)


Cell = str | int | float | Styled | None


class Sheet:
    """Rows are turned into XML as they are appended; nothing is kept per cell."""

    def __init__(self, book: Workbook, name: str) -> None:
        self.name = name
        self._book = book
        self._rows: list[str] = []
        self._widths: dict[int, float] = {}
        self._columns: list[str] = []
        self._widest = 0
        self._frozen = False
        self.filtered = False

    def width(self, column: int, width: float) -> None:
        """Set a column's width (0-based column, width in characters)."""
        self._widths[column] = width

    def freeze_header(self, filter_rows: bool = False) -> None:
        """Keep the first row in view while scrolling; optionally put a filter on it."""
        self._frozen, self.filtered = True, filter_rows

    def append(self, values: Iterable[Cell] = ()) -> None:
        """Add a row. None leaves a cell empty; a `Styled` value carries its cell style."""
        self.append_at(enumerate(values))

    def append_at(self, cells: Iterable[tuple[int, Cell]]) -> None:
        """Add a sparse row: (0-based column, value) pairs, in column order."""
        n = len(self._rows) + 1
        columns, book = self._columns, self._book
        shared = book.strings
        out = []
        last = -1
        used = 0
        for i, value in cells:
            if i <= last:
                raise ValueError(f"{self.name} row {n}: column {i} comes after column {last}")
            last = i
            while i >= len(columns):
                columns.append(column_letter(len(columns)))
            if type(value) is str:  # shared_string inlined: the case sheet has ~200k of these
                index = shared.get(value)
                if index is None:
                    index = shared[value] = len(shared)
                used += 1
                out.append(f'<c r="{columns[i]}{n}" t="s"><v>{index}</v></c>')
            elif value is not None:
                out.append(self._cell(f"{columns[i]}{n}", value))
        book.string_cells += used
        self._widest = max(self._widest, last + 1)
        self._rows.append(f'<row r="{n}">{"".join(out)}</row>')

    def _cell(self, ref: str, value: Cell) -> str:
        style = ""
        if type(value) is Styled:
            value, kind = value
            style = f' s="{int(kind)}"' if kind else ""
        if value is None:
            return f'<c r="{ref}"{style}/>' if style else ""
        if isinstance(value, str):
            index = self._book.shared_string(value)
            return f'<c r="{ref}"{style} t="s"><v>{index}</v></c>'
        if isinstance(value, bool):
            return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float):
            if not math.isfinite(value):
                raise ValueError(f"{self.name}!{ref}: {value} is not a number")
            return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
        raise TypeError(f"{self.name}!{ref}: cannot store {type(value).__name__}")

    def xml(self) -> str:
        parts = [XML_HEAD, f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">']
        if self._frozen:
            parts.append(
                '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2"'
                ' activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            )
        if self._widths:
            parts.append("<cols>")
            for col, width in sorted(self._widths.items()):
                parts.append(
                    f'<col min="{col + 1}" max="{col + 1}" width="{width}" customWidth="1"/>'
                )
            parts.append("</cols>")
        parts.append("<sheetData>")
        parts.extend(self._rows)
        parts.append("</sheetData>")
        if self.filtered and self._rows:
            parts.append(f'<autoFilter ref="{self.filter_range()}"/>')
        parts.append("</worksheet>")
        return "".join(parts)

    @property
    def rows(self) -> int:
        return len(self._rows)

    def filter_range(self, absolute: bool = False) -> str:
        last = column_letter(max(self._widest, 1) - 1)
        if absolute:
            return f"$A$1:${last}${len(self._rows)}"
        return f"A1:{last}{len(self._rows)}"


class Workbook:
    """Sheets in the order they were made, sharing one table of strings."""

    def __init__(self) -> None:
        self.sheets: list[Sheet] = []
        self.strings: dict[str, int] = {}
        self.string_cells = 0

    def sheet(self, name: str) -> Sheet:
        """A new sheet. Names must be unique and fit Excel's rules (31 characters, no []:*?/\\)."""
        if len(name) > 31 or BAD_SHEET_NAME.search(name):
            raise ValueError(f"{name!r} cannot name a sheet")
        if any(s.name.lower() == name.lower() for s in self.sheets):
            raise ValueError(f"two sheets named {name!r}")
        sheet = Sheet(self, name)
        self.sheets.append(sheet)
        return sheet

    def shared_string(self, text: str) -> int:
        """The index of `text` in the shared strings, for one more cell that shows it."""
        self.string_cells += 1
        index = self.strings.get(text)
        if index is None:
            index = self.strings[text] = len(self.strings)
        return index

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        # The fastest deflate level: sheet XML still shrinks sevenfold, in a quarter of the time.
        with zipfile.ZipFile(buf, "w") as zf:
            for name, text in self._parts():
                zf.writestr(
                    zipfile.ZipInfo(name, FIXED_TIME),
                    text.encode("utf-8"),
                    compress_type=zipfile.ZIP_DEFLATED,
                    compresslevel=1,
                )
        return buf.getvalue()

    def _parts(self) -> Iterable[tuple[str, str]]:
        n = len(self.sheets)
        sheet_types = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, n + 1)
        )
        yield (
            "[Content_Types].xml",
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            f"{sheet_types}</Types>",
        )
        yield (
            "_rels/.rels",
            f'{XML_HEAD}<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        sheets = "".join(
            f'<sheet name="{xml_text(s.name, quote=True)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, s in enumerate(self.sheets, 1)
        )
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{xml_text(_quoted_sheet(s.name))}!{s.filter_range(absolute=True)}</definedName>"
            for i, s in enumerate(self.sheets)
            if s.filtered and s.rows
        )
        yield (
            "xl/workbook.xml",
            f'{XML_HEAD}<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
            '<bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets>"
            + (f"<definedNames>{filters}</definedNames>" if filters else "")
            + "</workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" Type="{SHEET_TYPE}" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)
        )
        yield (
            "xl/_rels/workbook.xml.rels",
            f'{XML_HEAD}<Relationships xmlns="{PKG_REL}">{rels}'
            f'<Relationship Id="rId{n + 1}" Type="{REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{n + 2}" Type="{REL}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>',
        )
        yield "xl/styles.xml", STYLES
        for i, sheet in enumerate(self.sheets, 1):
            yield f"xl/worksheets/sheet{i}.xml", sheet.xml()
        yield "xl/sharedStrings.xml", self._shared_strings()

    def _shared_strings(self) -> str:
        items = "".join(
            f'<si><t xml:space="preserve">{xml_text(s)}</t></si>'
            if s != s.strip()
            else f"<si><t>{xml_text(s)}</t></si>"
            for s in self.strings
        )
        return (
            f'{XML_HEAD}<sst xmlns="{MAIN}" count="{self.string_cells}" '
            f'uniqueCount="{len(self.strings)}">{items}</sst>'
        )


def _quoted_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"
