"""The data workbook written with XlsxWriter, checked in the raw sheet XML and read back by openpyxl.

openpyxl is a lenient reader: it opens files Excel would repair and does not decode the `_xHHHH_`
escapes of inline strings. So the Excel rules (no formulas from data, escaped control characters,
the cell limit) are checked in the XML inside the zip, and read-back text is decoded as Excel
decodes it (`excel_text`).
"""

from __future__ import annotations

import io
import math
import os
import re
import stat
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import load_workbook

from audit_tui.cli import main
from audit_tui.demo import load_demo
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import AnswerInfo, OpenAudit
from audit_tui.reporting import xlsx_report
from audit_tui.reporting.model import ReportData, build_report
from audit_tui.reporting.xlsx_report import (
    CELL_LIMIT,
    CUT_MARK,
    FIXED_SHEETS,
    OPTIONS,
    Sheet,
    head,
    percent,
    render_xlsx,
    sheet_name,
)
from audit_tui.store import answers, audits, cases
from audit_tui.store.repository import Repository

DANGEROUS = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3", "=1+1", "http://x.test/"]
ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def excel_text(value: str) -> str:
    """Decode `_xHHHH_` escapes left to right, as Excel does (`_x005F_` is a literal "_")."""
    return ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)


def sheets_xml(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {
            n: zf.read(n).decode("utf-8")
            for n in zf.namelist()
            if n.startswith("xl/worksheets/") and n.endswith(".xml")
        }


def all_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return "".join(zf.read(n).decode("utf-8") for n in zf.namelist())


def inline_texts(xml: str) -> list[str]:
    return re.findall(r"<t(?: [^>]*)?>([^<]*)</t>", xml)


@pytest.fixture
def demo_data(sqlite_repo: Repository) -> tuple[Repository, OpenAudit, ReportData]:
    audit = load_demo(sqlite_repo)
    return sqlite_repo, audit, build_report(sqlite_repo, audit)


def _render(repo: Repository, audit: OpenAudit, data: ReportData, notes=None) -> bytes:  # type: ignore[no-untyped-def]
    return render_xlsx(data, answers.answer_values(repo, audit), notes)


def _named(data: ReportData, text: str) -> ReportData:
    """The same report with `text` as the audit's name, PDU and region."""
    info = replace(data.audit.info, name=text, pdu=text, region=text)
    return replace(data, audit=replace(data.audit, info=info))


def _notes(data: ReportData, texts: list[str]) -> dict[int, dict[str, AnswerInfo]]:
    """One note per case, from `texts` in turn, on key question 2.2.1."""
    return {
        case.id: {"2.2.1": AnswerInfo(item_id="2.2.1", value="yes", note=text, note_tag="strength")}
        for case, text in zip(data.cases, texts, strict=False)
    }


def test_demo_workbook_layout(demo_data) -> None:  # type: ignore[no-untyped-def]
    repo, audit, data = demo_data
    raw = _render(repo, audit, data)
    wb = load_workbook(io.BytesIO(raw))
    assert wb.sheetnames == [
        "Summary",
        "2.1 Court work",
        "2.2 Assessment",
        "2.3 Planning",
        "2.4 Implementation and delivery",
        "2.5 Reviewing",
        "2.6 Outcomes",
        "Indicators",
        "Cases",
        "Questions",
        "Breakdowns",
        "Moderation",
    ]  # Notes only when notes are given; Moderation once the audit has a round (the demo does)
    summary = wb["Summary"]
    assert summary["A1"].value == "Audit" and summary["A1"].font.b
    assert summary["A1"].fill.fgColor.rgb.endswith("DDE3EE") and not summary["B1"].font.b
    assert summary["B5"].value == 28 and summary["B7"].value == 7  # numbers, not text
    # Wide enough columns that the key/value block and the standards table do not run together.
    for column, least in {"A": 14, "B": 30, "C": 10, "D": 6, "E": 20, "G": 18, "H": 16}.items():
        assert summary.column_dimensions[column].width >= least
    assert summary["A4"].value == "Framework"
    assert (
        summary["B4"].value
        == "HMIP adult probation PDU inspection (2021 framework), version 2021.1"
    )
    assert summary["A11"].value == "Produced on" and summary["B11"].number_format == "d mmmm yyyy"
    assert summary["B11"].value.date() == data.produced  # a date, not text
    assert summary["B10"].value == data.period.text  # the audit period, in words
    assert summary["C16"].value == "Judgement" and summary["D16"].value == "Yes"
    lowest = summary["H20"]
    assert lowest.value == pytest.approx(7 / 12) and lowest.number_format == "0%"
    assert summary["G20"].value == "2.1.1 Court work"
    court = wb["2.1 Court work"]
    assert court["A1"].value == "2.1 Court work" and court["A1"].font.b
    assert court.column_dimensions["B"].width == pytest.approx(70, abs=1)
    assert court["A3"].value == "2.1.1" and court["C3"].value == 7 and court["G3"].value == 12
    assert court["H3"].number_format == "0%" and court["I3"].value < court["H3"].value
    for name in ("Cases", "Breakdowns"):
        ws = wb[name]
        assert ws.freeze_panes == "A2" and ws["A1"].font.b
        firsts = [row[0] for row in ws.iter_rows(values_only=True)] + [None]
        last = firsts.index(None)  # the table ends where a blank row parts it from a note
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{last}"
    assert wb["Cases"].max_row == 29 and wb["Cases"]["A2"].value == "TS23-001"
    sheet = list(wb["Breakdowns"].iter_rows(min_row=2, values_only=True))
    breakdowns = sheet[: [r[0] for r in sheet].index(None)]  # the table, not the note below
    assert all(isinstance(r[2], int) for r in breakdowns)
    suppressed = [r for r in breakdowns if r[3] == "Yes"]
    assert suppressed and all(r[6:] == (None, None, None) for r in suppressed)
    assert ("Risk of serious harm", "Very high", 2, "Yes", "2.2.1", "Engaging the person") in {
        r[:6] for r in suppressed
    }  # too few; and Low (5 cases), shown, would give it away (the total less the others)
    assert ("Risk of serious harm", "Low", 5, "Yes", "2.2.1", "Engaging the person") in {
        r[:6] for r in suppressed
    }
    assert not any(r[0] == "Gender" for r in breakdowns)  # Female (3) is Male (25) from the total
    assert any(
        str(r[0]).startswith("Not broken down by gender")
        for r in wb["Breakdowns"].iter_rows(values_only=True)
    )


def test_the_same_data_gives_the_same_bytes(demo_data) -> None:  # type: ignore[no-untyped-def]
    repo, audit, data = demo_data
    first = _render(repo, audit, data)
    assert first == _render(repo, audit, data)
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        assert zf.testzip() is None
        assert "<dcterms:created" in zf.read("docProps/core.xml").decode()
        assert "2000-01-01T00:00:00Z" in zf.read("docProps/core.xml").decode()


def test_cells_values_styles_and_blanks_read_back() -> None:
    out = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        wb = xlsxwriter.Workbook(out, {**OPTIONS, "tmpdir": tmp})
        bold, pct = wb.add_format(xlsx_report.HEAD), wb.add_format(xlsx_report.PERCENT)
        ws = Sheet(wb.add_worksheet("Data & more"), {"head": bold, "percent": pct})
        ws.width(1, 40)
        ws.freeze_header(columns=28, rows=4)
        ws.append([head("Id"), head("Text"), head("Share")])
        ws.append(["a", "  padded <b> & bell", percent(7 / 12)])
        ws.append([None, 3, percent(None), "", 0])
        ws.append_at([(0, "z"), (27, 2.5)])
        wb.close()
    book = load_workbook(io.BytesIO(out.getvalue()))
    sheet = book["Data & more"]
    assert [c.value for c in sheet[1][:3]] == ["Id", "Text", "Share"]
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet["B2"].value == "  padded <b> & bell"  # leading spaces kept
    assert sheet["C2"].value == pytest.approx(7 / 12) and sheet["C2"].number_format == "0%"
    assert sheet["A3"].value is None and sheet["B3"].value == 3 and sheet["E3"].value == 0
    assert sheet["C3"].value is None and sheet["C3"].number_format == "0%"  # styled, empty
    assert sheet["D3"].value is None  # "" is a blank, not an empty string
    assert sheet["AB4"].value == 2.5 and sheet["B4"].value is None
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:AB4"
    assert sheet.column_dimensions["B"].width == pytest.approx(40, abs=1)
    xml = sheets_xml(out.getvalue())["xl/worksheets/sheet1.xml"]
    assert '<c r="A3"' not in xml and '<c r="D3"' not in xml and '<c r="C3" s="2"/>' in xml


@pytest.mark.parametrize("value", [math.nan, math.inf, object(), True])
def test_cells_a_spreadsheet_cannot_hold_are_refused(value: object) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wb = xlsxwriter.Workbook(io.BytesIO(), {**OPTIONS, "tmpdir": tmp})
        ws = Sheet(wb.add_worksheet("S"), {})
        with pytest.raises(TypeError):
            ws.append([value])  # type: ignore[list-item]
        wb.close()


@pytest.mark.parametrize("text", DANGEROUS)
def test_data_never_becomes_a_formula_or_a_link(demo_data, text: str) -> None:  # type: ignore[no-untyped-def]
    repo, audit, data = demo_data
    data = _named(data, text)
    raw = _render(repo, audit, data, _notes(data, [text]))
    for name, xml in sheets_xml(raw).items():
        assert "<f>" not in xml and "<f " not in xml, name
        assert "<hyperlink" not in xml, name
    assert not [n for n in zipfile.ZipFile(io.BytesIO(raw)).namelist() if "_rels/sheet" in n]
    wb = load_workbook(io.BytesIO(raw))
    for cell in (wb["Summary"]["B1"], wb["Summary"]["B2"], wb["Notes"]["E2"]):
        assert cell.value == text and cell.data_type == "s"


def test_over_long_text_is_cut_visibly_at_excels_limit(demo_data) -> None:  # type: ignore[no-untyped-def]
    repo, audit, data = demo_data
    exact = "e" * CELL_LIMIT
    texts = ["x" * 40_000, exact, "😀" * 20_000, "y" * (CELL_LIMIT + 1)]
    raw = _render(repo, audit, data, _notes(data, texts))
    notes = sheets_xml(raw)["xl/worksheets/sheet12.xml"]
    long_cells = [t for t in inline_texts(notes) if len(t) > 1000]
    assert len(long_cells) == 4
    for t in long_cells:
        assert len(t.encode("utf-16-le")) // 2 <= CELL_LIMIT
    cells = [
        r[4] for r in load_workbook(io.BytesIO(raw))["Notes"].iter_rows(min_row=2, values_only=True)
    ]
    by_start = {c[0]: c for c in cells if c and len(c) > 1000}
    assert by_start["e"] == exact  # at the limit: whole
    for start in ("x", "y"):
        assert len(by_start[start]) == CELL_LIMIT and by_start[start].endswith(CUT_MARK)
        assert by_start[start].startswith(start * 30_000)
    emoji = by_start["😀"]
    assert emoji.endswith(CUT_MARK) and set(emoji[: -len(CUT_MARK)]) == {"😀"}  # no half emoji
    assert len(emoji.encode("utf-16-le")) // 2 <= CELL_LIMIT


def test_control_characters_are_escaped_and_literal_escapes_survive(demo_data) -> None:  # type: ignore[no-untyped-def]
    repo, audit, data = demo_data
    texts = ["\x1b[31mred\x1b[0m", "bell\x07", "_x0041_", "a\rb\x00c", "odd\uffffend\ud800"]
    data = _named(data, "name\x07")
    raw = _render(repo, audit, data, _notes(data, texts))
    xml = "".join(sheets_xml(raw).values())
    for escaped in (
        "_x001B_[31mred_x001B_[0m",
        "bell_x0007_",
        "_x005F_x0041_",
        "a_x000D_b_x0000_c",
    ):
        assert escaped in xml
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", all_xml(raw))
    wb = load_workbook(io.BytesIO(raw))  # a valid file
    notes = [
        excel_text(r[4]) for r in wb["Notes"].iter_rows(min_row=2, max_row=6, values_only=True)
    ]
    assert notes[:4] == texts[:4]  # read back as typed, "_x0041_" included
    assert notes[4] == "odd\ufffdend\ufffd"  # what XML cannot carry at all is replaced, visibly
    assert excel_text(wb["Summary"]["B1"].value) == "name\x07"


@pytest.mark.parametrize(
    "name",
    ["", "  ", "a/b", "x" * 32, "[x]", "'quoted", "end'", "a:b*c?d\\e", "tab\there", "😀" * 20],
)
def test_sheet_names_excel_refuses_are_made_acceptable(name: str) -> None:
    fixed = sheet_name(name, set())
    assert len(fixed.encode("utf-16-le")) // 2 <= 31 and fixed.strip()
    assert not re.search(r"[\[\]:*?/\\\x00-\x1f]", fixed) and fixed[0] != "'" and fixed[-1] != "'"
    with tempfile.TemporaryDirectory() as tmp:
        wb = xlsxwriter.Workbook(io.BytesIO(), {**OPTIONS, "tmpdir": tmp})
        wb.add_worksheet(fixed)  # XlsxWriter raises on any name Excel refuses
        wb.close()


def test_sheet_names_are_unique_ignoring_case() -> None:
    taken = {n.casefold() for n in FIXED_SHEETS} | {"history"}
    assert sheet_name("cases", taken) == "cases (2)"
    assert sheet_name("CASES", taken) == "CASES (3)"
    assert sheet_name("History", taken) == "History (2)"
    long = "2.4 Implementation and delivery of services"
    first, second = sheet_name(long, taken), sheet_name(long.upper(), taken)
    assert first.casefold() != second.casefold() and len(second) <= 31
    assert second.endswith(" (2)")


def test_a_standard_title_excel_refuses_still_exports(demo_data) -> None:  # type: ignore[no-untyped-def]
    repo, audit, data = demo_data
    standards = tuple(
        replace(st, title="Court: work/[draft]* — a title far too long for a sheet")
        if st.id in ("2.1", "2.2")
        else st
        for st in data.result.standards
    )
    data = replace(data, result=replace(data.result, standards=standards))
    names = load_workbook(io.BytesIO(_render(repo, audit, data))).sheetnames
    assert names[1] == "2.1 Court  work  draft   — a ti"  # each refused character a space
    assert names[2] == "2.2 Court  work  draft   — a ti"


def test_too_many_rows_for_a_sheet_is_refused_before_writing(
    demo_data: tuple[Repository, OpenAudit, ReportData], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, audit, data = demo_data

    def no_workbook(*args: object, **kwargs: object) -> None:
        raise AssertionError("a workbook was started")

    monkeypatch.setattr(xlsx_report, "Workbook", no_workbook)
    monkeypatch.setattr(xlsx_report, "MAX_ROWS", 28)  # the demo's 28 cases need 29 rows
    with pytest.raises(AuditError, match=r"^xlsx: the Cases sheet would need 29 rows") as err:
        _render(repo, audit, data)
    assert len(err.value.problems) == 1 and "\n" not in str(err.value)
    monkeypatch.setattr(xlsx_report, "MAX_ROWS", 29)
    notes = _notes(data, ["a note"] * 28)
    notes[data.cases[0].id]["2.2.2"] = AnswerInfo(item_id="2.2.2", value="no", note="another")
    with pytest.raises(AuditError, match="the Notes sheet would need 30 rows"):
        _render(repo, audit, data, notes)


def test_too_many_rows_fails_the_cli_cleanly(
    sqlite_target: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--db", sqlite_target, "demo", "--no-tui"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(xlsx_report, "MAX_ROWS", 10)
    out = tmp_path / "r.xlsx"
    args = ["--db", sqlite_target, "report", "demo-tameside", "--format", "xlsx", "--out", str(out)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "xlsx: the Cases sheet would need 29 rows" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_not_yet_scored_values_are_true_blanks(sqlite_repo: Repository, rubric_text: str) -> None:
    audit = audits.create_audit(sqlite_repo, "fresh", rubric_text)
    cases.add_cases(
        sqlite_repo,
        audit,
        [("C-1", {"sentence_type": "community", "has_psr": "no", "rosh": "low"})],
    )
    data = build_report(sqlite_repo, audit)
    assert data.result.score is None and data.result.overall is None
    raw = render_xlsx(data, answers.answer_values(sqlite_repo, audit))
    xml = sheets_xml(raw)
    summary = xml["xl/worksheets/sheet1.xml"]
    assert '<c r="B7"' not in summary and '<c r="B9"' not in summary  # Score, Overall rating
    for name, sheet in xml.items():
        assert "" not in inline_texts(sheet) and "<t/>" not in sheet, name
    ws = load_workbook(io.BytesIO(raw))["Summary"]
    assert ws["A7"].value == "Score" and ws["B7"].value is None and ws["B9"].value is None
    assert ws["B8"].value == 27
    two_one = next(r for r in ws.iter_rows(min_row=16, values_only=True) if r[0] == "2.1")
    assert two_one[4] is None and two_one[6] is None  # no rating, no lowest key question


def test_temporary_files_are_private_and_removed(
    demo_data: tuple[Repository, OpenAudit, ReportData], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, audit, data = demo_data
    made: list[tuple[str, int]] = []
    spilled: list[str | None] = []
    real_dir, real_mkstemp = tempfile.TemporaryDirectory, tempfile.mkstemp

    class Spy(real_dir):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            made.append((self.name, stat.S_IMODE(os.stat(self.name).st_mode)))

    def mkstemp(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        spilled.append(kwargs.get("dir"))  # type: ignore[arg-type]
        return real_mkstemp(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(tempfile, "TemporaryDirectory", Spy)
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    raw = _render(repo, audit, data, _notes(data, ["a private note"]))
    assert raw.startswith(b"PK")
    assert len(made) == 1 and made[0][1] == 0o700
    assert spilled and set(spilled) == {made[0][0]}  # every spill file in the private folder
    assert not os.path.exists(made[0][0])
