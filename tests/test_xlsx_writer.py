"""The streaming SpreadsheetML writer, read back by openpyxl (an independent reader)."""

from __future__ import annotations

import io
import math
import zipfile

import pytest
from openpyxl import load_workbook

from audit_tui.reporting.xlsx_writer import Workbook, column_letter, head, percent, sheet_name


def read_back(wb: Workbook):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(wb.to_bytes()))


@pytest.mark.parametrize(
    ("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (701, "ZZ"), (702, "AAA")]
)
def test_column_letters(index: int, letters: str) -> None:
    assert column_letter(index) == letters


def test_values_styles_and_layout_read_back() -> None:
    wb = Workbook()
    ws = wb.sheet("Data & more")
    ws.width(1, 40)
    ws.freeze_header(filter_rows=True)
    ws.append([head("Id"), head("Text"), head("Share")])
    ws.append(["a", "  padded <b> & \x07bell", percent(7 / 12)])
    ws.append([None, 3, percent(None)])
    ws.append_at([(0, "z"), (27, 2.5)])
    other = wb.sheet("Second")
    other.append([True, 0])

    book = read_back(wb)
    assert book.sheetnames == ["Data & more", "Second"]
    sheet = book["Data & more"]
    assert [c.value for c in sheet[1][:3]] == ["Id", "Text", "Share"]
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet["B2"].value == "  padded <b> & bell"  # control characters cannot be stored
    assert sheet["C2"].value == pytest.approx(7 / 12) and sheet["C2"].number_format == "0%"
    assert sheet["A3"].value is None and sheet["B3"].value == 3
    assert sheet["C3"].number_format == "0%"  # styled even while empty
    assert sheet["AB4"].value == 2.5 and sheet["B4"].value is None
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:AB4"
    assert sheet.column_dimensions["B"].width == 40
    assert [c.value for c in book["Second"][1]] == [True, 0]


def test_the_same_workbook_gives_the_same_bytes() -> None:
    def build() -> bytes:
        wb = Workbook()
        wb.sheet("S").append(["x", 1])
        return wb.to_bytes()

    first = build()
    assert first == build()
    assert zipfile.ZipFile(io.BytesIO(first)).testzip() is None


def test_strings_are_shared_once() -> None:
    wb = Workbook()
    ws = wb.sheet("S")
    for _ in range(3):
        ws.append(["yes", "no", "yes"])
    sst = zipfile.ZipFile(io.BytesIO(wb.to_bytes())).read("xl/sharedStrings.xml").decode()
    assert 'count="9" uniqueCount="2"' in sst


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ([(2, "a"), (1, "b")], "column 1 comes after column 2"),
        ([(0, math.nan)], "S!A1: nan is not a number"),
        ([(0, object())], "S!A1: cannot store object"),
    ],
)
def test_cells_a_spreadsheet_cannot_hold_are_refused(cells: list, message: str) -> None:  # type: ignore[type-arg]
    ws = Workbook().sheet("S")
    with pytest.raises((ValueError, TypeError), match=message):
        ws.append_at(cells)


@pytest.mark.parametrize("name", ["", "  ", "a/b", "x" * 32, "[x]", "'quoted", "end'"])
def test_sheet_names_excel_refuses_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="cannot name a sheet"):
        Workbook().sheet(name)
    Workbook().sheet(sheet_name(name))  # made acceptable


def test_two_sheets_cannot_share_a_name() -> None:
    wb = Workbook()
    wb.sheet("Cases")
    with pytest.raises(ValueError, match="two sheets named"):
        wb.sheet("cases")
