"""Text written into the tables by other means than the app cannot drive the reader's terminal,
hide in a file, run as a formula or flood the output.

The app refuses control characters where text is typed, but a database browser, psql or another
tool can write anything: escape sequences, an OSC-8 hyperlink, a C1 control (`\\x9b` is a CSI on
many terminals), a bidi override, NUL, markup, a formula, a 1 MB note. Here every such string goes
straight into the tables with raw SQL, then each command that prints or exports stored text runs
on it: the output holds no raw control character, stays under a bound, and still shows each text,
escaped, so nothing is silently dropped.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from audit_tui.domain.answers import Answer, NoteTag
from audit_tui.domain.records import Judgement
from audit_tui.domain.safe_text import LINE_LIMIT, TEXT_LIMIT, cap, guard, multi_line, one_line
from audit_tui.reporting.xlsx_report import CELL_LIMIT, CUT_MARK
from audit_tui.store import answers, audits, cases, judgements
from audit_tui.store.database import open_repository
from audit_tui.store.follow_up import add_action, save_feedback, update_action
from audit_tui.store.oversight import add_reviewed_case
from tests.support.cli import run

ESC = "\x1b[2J\x1b[31m"  # clear the screen, turn red
OSC8 = "\x1b]8;;http://evil.test\x1b\\click\x1b]8;;\x1b\\"  # a hidden hyperlink
C1 = "\x9b31m"  # the one-character CSI
BIDI = "\u202eevil\u2066"  # right-to-left override, an isolate
MARKUP = "[/] [bold]b[/bold] <script>alert(1)</script>"


def hostile(token: str) -> str:
    """A text carrying every attack, named by `token` so the test can find it again."""
    return f"{token} {ESC} {OSC8} {C1} {BIDI} a\x00b \x07\x08\r\x7f {MARKUP}"


FORMULA = '=HYPERLINK("http://evil.test","x") '
HUGE = "MEGA-NOTE " + "\x1b[5m" + "x" * 1_000_000  # 1 MB in one line
MANY_LINES = "MEGA-LINES\n" + "point\x1b[1m\n" * 200_000  # 1.6 MB, a point a line
AUDIT = hostile("AUDIT-NAME")
REF = hostile("CASE-REF")
BOUND = 300_000
"""Characters any one output may hold: under a third of the 1 MB note it carries, cut."""

# where each hostile text goes: (table, column, value, row filter)
WRITES = [
    ("audit", "pdu", hostile("PDU-NAME"), "1=1"),
    ("audit", "region", hostile("REGION-NAME"), "1=1"),
    ("audit_case", "practitioner", hostile("PRAC-CODE"), "case_ref = 'R-1'"),
    ("audit_case", "team", hostile("TEAM-CODE"), "case_ref = 'R-1'"),
    ("answer", "note", FORMULA + hostile("NOTE-TEXT"), "item_id = '2.2.1'"),
    ("answer", "note", HUGE, "item_id = '2.2.2'"),
    ("answer", "note", hostile("UNTAGGED-NOTE"), "item_id = '2.3.1'"),
    ("answer", "updated_by", hostile("ANSWER-BY"), "1=1"),
    ("answer_history", "reason", FORMULA + hostile("HISTORY-REASON"), "1=1"),
    ("answer_history", "changed_by", hostile("CHANGED-BY"), "1=1"),
    ("judgement", "strengths", hostile("JUDGE-STRENGTH") + "\n" + MANY_LINES, "1=1"),
    ("judgement", "improvements", hostile("JUDGE-IMPROVE"), "1=1"),
    ("case_feedback", "strengths", hostile("FEEDBACK-GOOD") + "\n" + MANY_LINES, "1=1"),
    ("case_feedback", "improvements", hostile("FEEDBACK-BETTER") + "\n" + HUGE, "1=1"),
    ("case_action", "what", FORMULA + hostile("ACTION-WHAT"), "1=1"),
    ("case_action", "updated_by", hostile("ACTION-BY"), "1=1"),
    ("case_action_history", "note", hostile("ACTION-NOTE"), "1=1"),
    ("audit_event", "detail", hostile("EVENT-DETAIL") + " " + HUGE, "1=1"),
    ("audit_event", "by", hostile("EVENT-BY"), "1=1"),
    # last: the rows above are found by the plain reference
    ("audit_case", "case_ref", REF, "case_ref = 'R-1'"),
    ("audit", "name", AUDIT, "1=1"),
]
NO_PSR = {"sentence_type": "community", "has_psr": "no", "rosh": "low", "gender": "male"}


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory, rubric_text: str) -> str:
    """An oversight audit with every kind of stored text, made through the app, then overwritten
    with hostile text by raw SQL, as another tool would."""
    target = str(tmp_path_factory.mktemp("hostile") / "audits.db")
    repo = open_repository(target, "tester", create=True)
    audit = audits.create_audit(repo, "plain", rubric_text, pdu="Tameside", kind="oversight")
    add_reviewed_case(repo, audit, "R-1", NO_PSR, practitioner="P-1", team="T-1")
    add_reviewed_case(repo, audit, "R-2", NO_PSR, practitioner="P-2", team="T-1")
    audit = audits.open_audit(repo, "plain")
    case = next(c for c in cases.list_cases(repo, audit) if c.case_ref == "R-1")
    for item, tag in (("2.2.1", NoteTag.IMPROVEMENT), ("2.2.2", NoteTag.STRENGTH), ("2.3.1", None)):
        answers.save_answer(repo, audit, case, item, Answer.NO, note="plain", note_tag=tag)
    judgements.save_judgements(repo, audit, [Judgement("1.1", "Good", "plain", "plain")])
    save_feedback(repo, audit, "R-1", strengths="plain", improvements="plain")
    action = add_action(repo, audit, "R-1", "plain", date(2020, 1, 1))  # overdue
    update_action(repo, action.id, due=date(2020, 2, 1), note="moved")
    repo.engine.dispose()

    conn = sqlite3.connect(target)
    for table, column, value, where in WRITES:
        assert conn.execute(f"UPDATE {table} SET {column} = ? WHERE {where}", (value,)).rowcount
    conn.execute(
        "UPDATE audit_case SET attributes = json_set(attributes, '$.gender', ?)",
        (hostile("ATTR-VALUE"),),
    )
    conn.execute(  # a viewer named by another tool; tester stays the lead
        "INSERT INTO audit_member (audit_id, user_name, role, added_at, added_by)"
        " SELECT audit_id, ?, 'viewer', added_at, ? FROM audit_member",
        (hostile("MEMBER-NAME"), hostile("ADDED-BY")),
    )
    conn.commit()
    assert conn.execute(
        "SELECT count(*) FROM answer WHERE note LIKE '%' || char(0) || '%'"
    ).fetchone()
    conn.close()
    repo = open_repository(target, "tester")
    audits.create_audit(repo, "other", rubric_text, kind="oversight")  # to compare with
    repo.engine.dispose()
    return target


def cli(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> str:
    code, out, err = run(capsys, "--db", db, *argv)
    assert code == 0, err
    assert_safe(err, "stderr")
    return out


RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
"""Raw control characters: C0 but tab and line feed, DEL, C1, bidi marks and controls,
line and paragraph separators. A carriage return only before a line feed (CSV's line end)."""


def assert_safe(text: str, what: str) -> None:
    found = RAW.search(text.replace("\r\n", "\n"))
    assert found is None, f"{what}: raw {found.group()!r} at {found.start()}"
    assert len(text) < BOUND, f"{what}: {len(text):,} characters"
    if what.endswith(("md", "html")):  # markup formats: the markup stays text
        assert "<script" not in text.lower(), what


HISTORY = ("CASE-REF", "CHANGED-BY", "HISTORY-REASON", "EVENT-DETAIL", "EVENT-BY")
SHEET = ("AUDIT-NAME", "PDU-NAME", "CASE-REF", "PRAC-CODE", "TEAM-CODE", "FEEDBACK-GOOD",
         "FEEDBACK-BETTER", "NOTE-TEXT", "MEGA-NOTE", "UNTAGGED-NOTE", "ACTION-WHAT")  # fmt: skip
REPORT = ("AUDIT-NAME", "PDU-NAME", "REGION-NAME", "JUDGE-STRENGTH", "JUDGE-IMPROVE",
          "NOTE-TEXT", "MEGA-NOTE", "CASE-REF")  # fmt: skip
NOTES = ["--include-notes"]
TEXT_OUTPUTS: dict[str, tuple[list[str], tuple[str, ...]]] = {
    # name: (the command, the tokens its output must still show)
    "actions": (["actions"], ("AUDIT-NAME", "CASE-REF", "PRAC-CODE", "TEAM-CODE", "ACTION-WHAT")),
    "actions-json": (["actions", "--format", "json"], ("AUDIT-NAME", "ACTION-WHAT", "ACTION-BY")),
    "history": (["history", AUDIT], HISTORY),
    "history-csv": (["history", AUDIT, "--format", "csv"], HISTORY),
    "history-json": (["history", AUDIT, "--format", "json"], HISTORY),
    "members": (["member", AUDIT, "list"], ("MEMBER-NAME",)),
    "sheet-md": (["report", AUDIT, "--case", REF, "--format", "md", *NOTES], SHEET),
    "sheet-html": (["report", AUDIT, "--case", REF, "--format", "html", *NOTES], SHEET),
    "report-md": (["report", AUDIT, "--format", "md", *NOTES], REPORT),
    "report-html": (["report", AUDIT, "--format", "html", *NOTES], REPORT),
    "report-csv": (
        ["report", AUDIT, "--format", "csv", *NOTES],
        ("CASE-REF", "ATTR-VALUE", "NOTE-TEXT", "MEGA-NOTE", "UNTAGGED-NOTE"),
    ),
    "report-json": (["report", AUDIT, "--format", "json"], ("AUDIT-NAME",)),
    "compare-md": (["compare", "other", AUDIT], ("AUDIT-NAME",)),
    "compare-html": (["compare", "other", AUDIT, "--format", "html"], ("AUDIT-NAME",)),
    "compare-json": (["compare", "other", AUDIT, "--format", "json"], ("AUDIT-NAME",)),
}


@pytest.mark.parametrize("name", TEXT_OUTPUTS)
def test_printed_output_is_escaped_bounded_and_complete(
    hostile_db: str, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    argv, tokens = TEXT_OUTPUTS[name]
    out = cli(capsys, hostile_db, *argv)
    assert_safe(out, name)
    for token in tokens:
        assert token in out, f"{name}: {token} dropped"
    # each attack is still there, shown as escapes (JSON: as JSON's own, which read back as stored)
    if name.endswith("json"):
        assert "\\u001b[2J" in out and "\\u009b31m" in out and "\\u202eevil" in out
        json.loads(out)  # and still valid
    else:
        assert re.search(r"\\{1,2}x1b\\?\[2J", out) and re.search(r"\\{1,2}x9b31m", out), name
        assert re.search(r"\\{1,2}u202eevil", out), name
        # the renderer escaped every cell itself: the guard behind it (`\u001b`) had nothing to do
        assert not re.search(r"\\u00[0-9a-f]{2}", out), name


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "json"])
def test_a_report_written_to_a_file_is_the_same_safe_text(
    hostile_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"report.{fmt}"
    cli(
        capsys,
        hostile_db,
        "report",
        AUDIT,
        "--format",
        fmt,
        "--include-notes",
        "--out",
        str(target),
    )
    text = target.read_text(encoding="utf-8")
    assert_safe(text, f"file-{fmt}")
    assert fmt == "json" or not re.search(r"\\u00[0-9a-f]{2}", text)
    assert "CASE-REF" in text if fmt == "csv" else "AUDIT-NAME" in text


def test_json_reads_back_as_stored_but_cut(
    hostile_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """JSON is for scripts: its strings decode to the stored text, each cut at TEXT_LIMIT."""
    rows = json.loads(cli(capsys, hostile_db, "history", AUDIT, "--format", "json"))
    details = [r["detail"] for r in rows if "detail" in r and "EVENT-DETAIL" in r["detail"]]
    assert details
    for detail in details:
        assert TEXT_LIMIT - 10 < len(detail) <= TEXT_LIMIT
        assert detail.startswith(hostile("EVENT-DETAIL"))
        assert detail.endswith(" more characters)")
    [action] = json.loads(cli(capsys, hostile_db, "actions", "--format", "json"))
    assert action["what"] == FORMULA + hostile("ACTION-WHAT")  # JSON holds data, not cells
    assert action["audit"] == AUDIT and action["overdue"] is True


def test_html_has_no_live_markup(hostile_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--case", REF], []):
        page = cli(
            capsys, hostile_db, "report", AUDIT, *argv, "--format", "html", "--include-notes"
        )
        assert "<script" not in page.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<a " not in page and "http://evil.test" in page  # the link is text, not a link


def test_csv_guards_formulas(hostile_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    report = cli(capsys, hostile_db, "report", AUDIT, "--format", "csv", "--include-notes")
    row = next(r for r in csv.DictReader(io.StringIO(report)) if "CASE-REF" in r["case_ref"])
    assert row["2.2.1:note"].startswith("'" + FORMULA)
    assert TEXT_LIMIT - 10 < len(row["2.2.2:note"]) <= TEXT_LIMIT  # the 1 MB note, cut
    history = cli(capsys, hostile_db, "history", AUDIT, "--format", "csv")
    reasons = [r["reason"] for r in csv.DictReader(io.StringIO(history)) if r["reason"]]
    assert reasons and all(r.startswith("'" + FORMULA) for r in reasons)


def test_the_workbook_escapes_and_cuts(
    hostile_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "report.xlsx"
    cli(
        capsys,
        hostile_db,
        "report",
        AUDIT,
        "--format",
        "xlsx",
        "--include-notes",
        "--out",
        str(target),
    )
    with zipfile.ZipFile(target) as zf:
        xml = "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".xml"))
    found = RAW.search(xml.replace("\r\n", "\n"))
    assert found is None, f"raw {found.group()!r}"  # C0 as XlsxWriter's _x001B_, the rest as \x9b
    assert "_x001B_[2J" in xml and "\\x9b31m" in xml and "\\u202eevil" in xml
    assert len(xml) < 4 * BOUND
    wb = load_workbook(target)
    notes = [str(r[4]) for r in wb["Notes"].iter_rows(min_row=2, values_only=True)]
    assert any("NOTE-TEXT" in n for n in notes) and any("UNTAGGED-NOTE" in n for n in notes)
    [mega] = [n for n in notes if n.startswith("MEGA-NOTE")]
    assert mega.endswith(CUT_MARK) and len(mega) <= CELL_LIMIT + 6  # 1 MB cut; ESC read as _x001B_
    assert "AUDIT-NAME" in str(wb["Summary"]["B1"].value)


# ---- the helper itself ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "lines"),
    [
        ("plain", "plain", "plain"),
        ("a\nb", "a\\nb", "a\nb"),
        ("a\r\nb", "a\\r\\nb", "a\nb"),
        ("a\rb", "a\\rb", "a\\rb"),
        ("\x1b[2J", "\\x1b[2J", "\\x1b[2J"),
        ("\x9b", "\\x9b", "\\x9b"),
        ("\u202e\u2066\u200f", "\\u202e\\u2066\\u200f", "\\u202e\\u2066\\u200f"),
        ("\u2028", "\\u2028", "\\u2028"),
        ("a\x00b\tc\x7f", "a\\x00b\\tc\\x7f", "a\\x00b\\tc\\x7f"),
        ("é 😀 ü", "é 😀 ü", "é 😀 ü"),
    ],
)
def test_one_line_and_multi_line(text: str, line: str, lines: str) -> None:
    assert one_line(text) == line and multi_line(text) == lines


@pytest.mark.parametrize("limit", [LINE_LIMIT, TEXT_LIMIT])
@pytest.mark.parametrize("text", ["x" * 1_000_000, "\x1b" * 1_000_000, "\u202e" * 50_000])
def test_cuts_are_visible_exact_and_idempotent(text: str, limit: int) -> None:
    shown = one_line(text, limit)
    assert len(shown) <= limit and shown.endswith(" more characters)") and "… (" in shown
    assert one_line(shown, limit) == shown and cap(shown, limit) == shown
    head = shown[: shown.rindex("… (")]
    assert not re.search(r"\\(x[0-9a-f]?|u[0-9a-f]{0,3})?$", head)  # no half escape at the cut
    more = int(shown[shown.rindex("(") + 1 :].split()[0].replace(",", ""))
    assert len(head) + more == len(text) * len(one_line(text[0]))  # every character accounted


def test_guard_keeps_line_ends_and_reads_as_json() -> None:
    assert guard("a\tb\r\nc\n") == "a\tb\r\nc\n"
    assert guard("a\rb\x1b\x9b\u202e") == "a\\u000db\\u001b\\u009b\\u202e"
    assert json.loads('"' + guard("\x9b\u202e") + '"') == "\x9b\u202e"
