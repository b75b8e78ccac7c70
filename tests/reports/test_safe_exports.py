"""Exports never destroy what they point at, and never carry live formulas or raw HTML.

`--out` once replaced the audit database itself; a note such as `=HYPERLINK(...)` reached the CSV
as a live formula; and names, evidence and notes reached the Markdown report as raw HTML.
"""

from __future__ import annotations

import csv
import dataclasses
import errno
import io
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from audit_tui.domain.answers import NoteTag
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import Judgement, OpenAudit
from audit_tui.reporting.case_csv import render_case_csv, safe_cell
from audit_tui.reporting.render import render_report, write_atomically
from audit_tui.store import answers, audits, cases, judgements
from audit_tui.store.database import open_repository
from audit_tui.store.repository import Repository
from tests.support.cli import run

CASES = "case_ref,sentence_type,has_psr,gender,rosh\nC-1,community,yes,male,high\nC-2,licence,no,female,low\n"
ANSWERS = "case_ref,2.1.1,2.2.1,2.2.1.a\nC-1,yes,no,y\nC-2,,Yes,N\n"


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("audit-tui: error: ")
    return lines[0]


@pytest.fixture
def audit_db(db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Audit "a" with two cases and a few answers, made through the CLI, on each engine."""
    (tmp_path / "cases.csv").write_text(CASES)
    (tmp_path / "answers.csv").write_text(ANSWERS)
    for argv in (
        ["new", "a", "--rubric", "hmip-probation-pdu-2021"],
        ["import-cases", "a", str(tmp_path / "cases.csv")],
        ["import-answers", "a", str(tmp_path / "answers.csv")],
    ):
        assert run(capsys, "--db", db_target, *argv)[0] == 0
    return db_target


@pytest.fixture
def sqlite_audit_db(sqlite_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    (tmp_path / "cases.csv").write_text(CASES)
    (tmp_path / "answers.csv").write_text(ANSWERS)
    for argv in (
        ["new", "a", "--rubric", "hmip-probation-pdu-2021"],
        ["import-cases", "a", str(tmp_path / "cases.csv")],
        ["import-answers", "a", str(tmp_path / "answers.csv")],
    ):
        assert run(capsys, "--db", sqlite_target, *argv)[0] == 0
    return sqlite_target


def snapshot(db: str | Path) -> tuple[list[str], bytes]:
    """Everything in a SQLite file (after folding its WAL in) and the file's bytes."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        dump = list(conn.iterdump())
    finally:
        conn.close()
    return dump, Path(db).read_bytes()


def report_to(capsys: pytest.CaptureFixture[str], db: str, out: Path | str) -> tuple[int, str]:
    code, _, err = run(capsys, "--db", db, "report", "a", "--format", "md", "--out", str(out))
    return code, err


# ---- --out: what a report refuses to replace -------------------------------------------------


def test_out_refuses_the_database_itself(
    sqlite_audit_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(sqlite_audit_db)
    assert before[0] and before[1].startswith(b"SQLite format 3\x00")
    code, err = report_to(capsys, sqlite_audit_db, sqlite_audit_db)
    assert code == 1
    assert "refusing to replace it" in one_error_line(err)
    after = snapshot(sqlite_audit_db)
    assert after[0] == before[0] and after[1] == before[1]
    assert run(capsys, "--db", sqlite_audit_db, "report", "a", "--format", "json")[0] == 0


def test_out_refuses_the_database_by_another_name(
    sqlite_audit_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hard link is the same file under another name: refused as the database read from."""
    alias = tmp_path / "audits-report.md"
    os.link(sqlite_audit_db, alias)
    before = snapshot(sqlite_audit_db)
    code, err = report_to(capsys, sqlite_audit_db, alias)
    assert code == 1 and "the database this report was read from" in one_error_line(err)
    assert snapshot(sqlite_audit_db) == before


def test_out_refuses_the_databases_wal_file(sqlite_audit_db: str) -> None:
    repo = open_repository(sqlite_audit_db)
    try:
        with repo.engine.connect() as conn:  # an open connection keeps the -wal file
            conn.exec_driver_sql("SELECT 1")
            wal = Path(sqlite_audit_db + "-wal")
            assert wal.exists()
            before = wal.read_bytes()
            with pytest.raises(AuditError, match="the database this report was read from"):
                write_atomically(wal, "# report\n", protect=[Path(sqlite_audit_db)])
            assert wal.read_bytes() == before
    finally:
        repo.engine.dispose()


def test_out_refuses_any_other_sqlite_file(
    audit_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "notes.md"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = snapshot(other)
    code, err = report_to(capsys, audit_db, other)
    assert code == 1
    line = one_error_line(err)
    assert str(other) in line and "is a database, not a report: refusing to replace it" in line
    assert snapshot(other) == before


@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
def test_out_refuses_a_symlink(
    audit_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], dangling: bool
) -> None:
    target = tmp_path / "real.md"
    if not dangling:
        target.write_text("the real file\n")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    code, err = report_to(capsys, audit_db, link)
    assert code == 1 and "symbolic link" in one_error_line(err)
    assert link.is_symlink() and os.readlink(link) == str(target)
    if dangling:
        assert not target.exists()
    else:
        assert target.read_text() == "the real file\n"


def test_out_refuses_a_named_pipe_without_hanging(audit_db: str, tmp_path: Path) -> None:
    """In a child process with a timeout: a writer that opened the pipe would wait forever."""
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "audit_tui", "--db", audit_db, "report", "a", "--out", str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert done.returncode == 1, done.stderr
    assert "named pipe" in one_error_line(done.stderr)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_out_refuses_a_folder(
    audit_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    code, err = report_to(capsys, audit_db, folder)
    assert code == 1 and "is a folder" in one_error_line(err)
    assert folder.is_dir() and not list(folder.iterdir())


def test_out_refuses_a_device(sqlite_audit_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null here")
    code, err = report_to(capsys, sqlite_audit_db, "/dev/null")
    assert code == 1 and "is a device" in one_error_line(err)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_out_refuses_a_missing_folder(
    audit_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "r.md"
    code, err = report_to(capsys, audit_db, target)
    line = one_error_line(err)
    assert code == 1 and "cannot write" in line and "does not exist" in line
    assert not target.parent.exists()


def test_out_replaces_an_old_report_whole_and_owner_only(
    audit_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = run(capsys, "--db", audit_db, "report", "a", "--format", "md")[1]
    old = tmp_path / "r.md"
    old.write_text("an old report\n")
    old.chmod(0o644)
    code, err = report_to(capsys, audit_db, old)
    assert code == 0, err
    assert old.read_text(encoding="utf-8") == expected and expected.startswith("# a: case audit")
    assert stat.S_IMODE(os.stat(old).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".r.md")) == []


def test_disk_full_leaves_the_old_file_and_no_temp_file(
    audit_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    old = folder / "r.md"
    old.write_text("the old report\n")
    real_fsync = os.fsync

    def full(fd: int) -> None:
        """The disk fills while the temp file beside `old` is written; nothing else fails."""
        ino = os.fstat(fd).st_ino
        if any(os.stat(p).st_ino == ino for p in folder.glob(".r.md.*")):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    code, err = report_to(capsys, audit_db, old)
    line = one_error_line(err)
    assert code == 1 and "No space left on device" in line and "nothing was replaced" in line
    assert old.read_text() == "the old report\n"
    assert [p.name for p in folder.iterdir()] == ["r.md"]


def test_written_report_is_fsynced_before_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order that makes a crash leave the old file or the new one, never half of one."""
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync")
        real_fsync(fd)

    def replace(a: str, b: str) -> None:
        events.append("replace")
        real_replace(a, b)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    write_atomically(tmp_path / "r.md", "x" * 100_000)
    assert events[:2] == ["fsync", "replace"] and events[-1] == "fsync"  # file, rename, folder
    assert (tmp_path / "r.md").read_text() == "x" * 100_000


# ---- CSV: no live formulas ---------------------------------------------------------------------

HOSTILE_NOTES = {
    "2.2.1": '=HYPERLINK("http://evil","x")',
    "2.2.2": "+1+1",
    "2.2.3": "-2+3",
    "2.3.1": "@SUM(A1)",
    "2.3.2": "\t=1",  # the store strips the tab; the row below puts it back
    "2.4.1": "-5",
}


@pytest.fixture
def audit(repo: Repository, rubric_text: str) -> OpenAudit:
    a = audits.create_audit(repo, "csv-check", rubric_text, pdu="Tameside")
    cases.add_cases(
        repo, a, [("C-1", {"sentence_type": "community", "has_psr": "yes", "rosh": "high"})]
    )
    return audits.open_audit(repo, "csv-check")


def test_case_csv_neutralises_formulas(repo: Repository, audit: OpenAudit) -> None:
    [case] = cases.list_cases(repo, audit)
    for item, note in HOSTILE_NOTES.items():
        answers.save_answer(repo, audit, case, item, note=note, note_tag=NoteTag.IMPROVEMENT)
    text = render_report(repo, audit, "csv", include_notes=True)
    assert isinstance(text, str)
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["2.2.1:note"] == "'" + HOSTILE_NOTES["2.2.1"]
    assert row["2.2.2:note"] == "'+1+1"
    assert row["2.2.3:note"] == "'-2+3"
    assert row["2.3.1:note"] == "'@SUM(A1)"
    assert row["2.3.2:note"] == "'=1"
    assert row["2.4.1:note"] == "-5"  # a number stays a number
    assert row["case_ref"] == "C-1" and row["2.2.1:note_tag"] == "improvement"

    notes = answers.all_answers(repo, audit)
    notes[case.id]["2.3.2"] = dataclasses.replace(notes[case.id]["2.3.2"], note="\t=1")
    again = render_case_csv(
        audit, cases.list_cases(repo, audit), answers.answer_values(repo, audit), notes
    )
    [row] = list(csv.DictReader(io.StringIO(again)))
    assert row["2.3.2:note"] == "\\t=1"  # the tab shown as an escape: no formula either
    header = next(csv.reader(io.StringIO(again)))
    assert header[0] == "case_ref" and not any(h.startswith("'") for h in header)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("- a bullet", "'- a bullet"),
        ("+44 161 496 0000", "'+44 161 496 0000"),
        ("-", "'-"),
        ("-5", "-5"),
        ("+44", "+44"),
        ("-0.5", "-0.5"),
        ("-.5", "-.5"),
        ("-1e3", "-1e3"),
        ("yes", "yes"),
        ("n/a", "n/a"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_safe_cell(cell: str, expected: str) -> None:
    assert safe_cell(cell) == expected


# ---- Markdown and HTML: no raw HTML from data --------------------------------------------------

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_PDU = "[bold red]x[/]"
HOSTILE_REGION = "North | West"


@pytest.fixture
def hostile(repo: Repository, rubric_text: str) -> tuple[Repository, OpenAudit]:
    """Hostile strings in every place a user can type one, the rubric included."""
    rubric = rubric_text.replace(
        'title = "Assessment"', 'title = "Assessment <script>r()</script> | x"', 1
    )
    assert rubric != rubric_text
    a = audits.create_audit(repo, HOSTILE_NAME, rubric, pdu=HOSTILE_PDU, region=HOSTILE_REGION)
    cases.add_cases(
        repo,
        a,
        [
            (f"C-{i}", {"sentence_type": "community", "has_psr": "yes", "rosh": "high"})
            for i in range(6)
        ],
    )
    audit = audits.open_audit(repo, HOSTILE_NAME)
    judgements.save_judgements(
        repo,
        audit,
        [
            Judgement(
                "1.1",
                "Good",
                "<img src=x onerror=alert(1)>\na | b",
                "line one\nline two <b>bold</b>",
            )
        ],
    )
    case = cases.list_cases(repo, audit)[0]
    answers.save_answer(
        repo,
        audit,
        case,
        "2.2.1",
        note="<b>visible</b> risk\nsecond | line",
        note_tag=NoteTag.STRENGTH,
    )
    return repo, audit


RAW_TAGS = ("<script", "<img", "<b>")


def test_markdown_escapes_data(hostile: tuple[Repository, OpenAudit]) -> None:
    repo, audit = hostile
    text = render_report(repo, audit, "md", include_notes=True)
    assert isinstance(text, str)
    for tag in RAW_TAGS:
        assert tag not in text.lower(), tag
    assert "- Audit: &lt;script&gt;alert(1)&lt;/script&gt;\n" in text
    assert "\\[bold red\\]x\\[/\\]" in text
    assert "- &lt;img src=x onerror=alert(1)&gt;" in text and "- a | b" in text
    assert "- &lt;b&gt;visible&lt;/b&gt; risk second | line (C-0, 2.2.1)" in text  # one line
    assert "- line one\n- line two &lt;b&gt;bold&lt;/b&gt;\n" in text  # a point per line

    # each table keeps the column count of its header
    tables: list[list[str]] = []
    previous = ""
    for line in text.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
        previous = line
    assert tables
    for table in tables:
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in table}
        assert len(widths) == 1, table
    assert any(
        "Assessment &lt;script&gt;r()&lt;/script&gt; \\| x" in row for t in tables for row in t
    )

    # and rendered as HTML (raw HTML allowed, the worst case), the data stays text
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    for tag in RAW_TAGS:
        assert tag not in rendered.lower(), tag
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert "<a " not in rendered  # `[...]` made no link
    for table in re.findall(r"<table>.*?</table>", rendered, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
        assert len({len(re.findall(r"<t[hd]\b", r)) for r in rows}) == 1


def test_html_report_escapes_data(hostile: tuple[Repository, OpenAudit]) -> None:
    repo, audit = hostile
    text = render_report(repo, audit, "html", include_notes=True)
    assert isinstance(text, str)
    assert "<script" not in text.lower() and "<img" not in text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "&lt;b&gt;visible&lt;/b&gt;" in text
    assert "<b>visible" not in text


# ---- the app's export dialog -------------------------------------------------------------------


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> str:
    """A demo database of the test's own (a copy of the session's, tests/conftest.py)."""
    target = tmp_path / "demo.db"
    shutil.copy2(demo_template, target)
    return str(target)


async def test_export_dialog_asks_before_replacing_and_refuses_the_database(
    demo_db: str, tmp_path: Path
) -> None:
    from textual.widgets import Input, Static

    from audit_tui.tui.app import build_app
    from audit_tui.tui.screens.confirm import ConfirmDialog
    from audit_tui.tui.screens.export_dialog import ExportDialog
    from tests.tui.helpers import settle, steps

    old = tmp_path / "r.md"
    old.write_text("the old report\n")
    db_before = snapshot(demo_db)[0]
    app = build_app(demo_db, open_audit="demo-tameside")
    async with app.run_test(size=(120, 40)) as pilot:
        await steps(pilot, app, "x")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        errors = dialog.query_one("#error-form", Static)

        dialog.query_one("#folder", Input).value = str(Path(demo_db).parent)
        dialog.query_one("#name", Input).value = Path(demo_db).name  # the database itself
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is dialog
        assert "refusing to replace it" in str(errors.render())

        dialog.query_one("#folder", Input).value = str(old.parent)
        dialog.query_one("#name", Input).value = old.name
        await pilot.press("enter")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # keep it
        await settle(pilot, app)
        assert app.screen is dialog and "not replaced" in str(errors.render())
        assert old.read_text() == "the old report\n"

        await pilot.press("enter")  # the file name still has the focus
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # replace
        await settle(pilot, app)
        assert not isinstance(app.screen, (ExportDialog, ConfirmDialog))
    assert old.read_text(encoding="utf-8").startswith("# Tameside (synthetic demo): case audit")
    assert stat.S_IMODE(os.stat(old).st_mode) == 0o600
    # the refusals wrote nothing; the one export is recorded in the audit's log, and only it
    # (the audit list's kept figures are no data: store/summaries.py)
    added = [
        line
        for line in snapshot(demo_db)[0]
        if line not in db_before and not line.startswith('INSERT INTO "audit_summary"')
    ]
    assert len(added) == 1 and added[0].startswith('INSERT INTO "audit_event"')
    assert f"'export','md report to {old}: no purpose given'" in added[0]
