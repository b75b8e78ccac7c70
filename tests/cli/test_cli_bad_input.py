"""Every bad input ends with exit 1 or 2, one line per problem naming where, and nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from audit_tui.cli import main
from audit_tui.store import audits, cases
from audit_tui.store.database import open_repository
from tests.support.cli import run, table_counts

CASES = "case_ref,sentence_type,has_psr,gender,rosh\nC-1,community,yes,male,high\nC-2,licence,no,female,low\n"
ANSWERS = "case_ref,2.1.1,2.2.1,2.2.1.a\nC-1,yes,no,y\nC-2,,Yes,N\n"


@pytest.fixture
def audit_db(db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """An audit "a1" with two cases and a few answers."""
    (tmp_path / "cases.csv").write_text(CASES)
    (tmp_path / "answers.csv").write_text(ANSWERS)
    assert (
        run(capsys, "--db", db_target, "new", "a1", "--rubric", "hmip-probation-pdu-2021")[0] == 0
    )
    assert run(capsys, "--db", db_target, "import-cases", "a1", str(tmp_path / "cases.csv"))[0] == 0
    assert (
        run(capsys, "--db", db_target, "import-answers", "a1", str(tmp_path / "answers.csv"))[0]
        == 0
    )
    return db_target


def test_good_imports_land(audit_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    counts = table_counts(audit_db)
    assert counts["audit_case"] == 2 and counts["answer"] == 5 and counts["answer_history"] == 5


BAD_FILES = [
    # (command, file contents, expected lines: each a list of fragments that one stderr line must hold)
    (
        "import-cases",
        "case_ref,sentence_type,has_psr,rosh,colour\nC-9,community,no,low,red\n",
        [
            [
                "row 1",
                "column 'colour'",
                "unknown column (allowed: case_ref, sentence_type, has_psr, gender, ethnicity, rosh, practitioner_grade, practitioner, team)",
            ]
        ],
    ),
    (
        "import-cases",
        "case_ref,sentence_type,has_psr,rosh\nC-9,probation,no,low\nC-10,community,no,extreme\n",
        [
            [
                "row 2",
                "column 'sentence_type'",
                "'probation' is not allowed (accepted: community or c, licence or l)",
            ],
            [
                "row 3",
                "column 'rosh'",
                "'extreme' is not allowed (accepted: low or l, medium or m, high or h, very high or vh)",
            ],
        ],
    ),
    (
        "import-cases",
        "case_ref,sentence_type,has_psr,rosh\nC-9,community,no,low\nC-9,licence,no,low\n",
        [["row 3", "column 'case_ref'", "duplicate case_ref 'C-9' (first on row 2)"]],
    ),
    (
        "import-cases",
        "case_ref,sentence_type,has_psr,rosh\nC-1,community,no,low\n",
        [["row 2", "column 'case_ref'", "case_ref 'C-1' is already in audit 'a1'"]],
    ),
    (
        "import-cases",
        "case_ref,sentence_type,has_psr,rosh\nJohn Smith,community,no,low\n",
        [["row 2", "column 'case_ref'", "case reference 'John Smith' looks like a name"]],
    ),
    (
        "import-cases",
        "case_ref,sentence_type,has_psr,rosh\nC-9,community,no\n",
        [["row 2", "has 3 fields but the header has 4 (a ragged row)"]],
    ),
    (
        "import-answers",
        "case_ref,2.2.1,2.9.9\nC-1,yes,no\n",
        [["row 1", "column '2.9.9'", "unknown column"]],
    ),
    (
        "import-answers",
        "case_ref,2.2.1\nC-1,maybe\nC-2,yes\n",
        [
            [
                "row 2",
                "column '2.2.1'",
                "'maybe' is not an answer (use yes/y, no/n, n/a/na, or empty for unanswered)",
            ]
        ],
    ),
    (
        "import-answers",
        "case_ref,2.2.1\nC-77,yes\n",
        [["row 2", "column 'case_ref'", "case_ref 'C-77' is not in audit 'a1'"]],
    ),
    (
        "import-answers",
        "case_ref,2.1.1\nC-2,yes\n",
        [
            [
                "row 2",
                "column '2.1.1'",
                "2.1.1 does not apply: no pre-sentence report",
            ]
        ],
    ),
    (
        "import-answers",
        "case_ref,2.2.1\nC-1,yes\nC-1,no\n",
        [["row 3", "duplicate case_ref 'C-1'"]],
    ),
    ("import-answers", "case_ref,2.2.1\nC-1,yes,no\n", [["row 2", "ragged row"]]),
    (
        "import-judgements",
        "standard_id,rating\n1.1,Good\n1.9,Good\n2.2,Good\n",
        [
            [
                "row 3",
                "column 'standard_id'",
                "'1.9': unknown standard (judgement-rated: 1.1, 1.2, 1.3, 1.4)",
            ],
            ["row 4", "column 'standard_id'", "'2.2': not judgement-rated"],
        ],
    ),
    (
        "import-judgements",
        "standard_id,rating\n1.1,Excellent\n",
        [
            [
                "row 2",
                "column 'rating'",
                "'Excellent' is not a rating (accepted: Outstanding or O, Good or G,"
                " Requires improvement or RI, Inadequate or I; any letter case)",
            ]
        ],
    ),
    (
        "import-judgements",
        "standard_id,rating,evidence\n1.1,Good,x\n",
        [
            [
                "row 1",
                "column 'evidence'",
                "unknown column (allowed: standard_id, rating, strengths, improvements)",
            ]
        ],
    ),
]


@pytest.mark.parametrize(("command", "contents", "expected"), BAD_FILES)
def test_bad_csv_is_refused_whole(
    audit_db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    contents: str,
    expected: list[list[str]],
) -> None:
    before = table_counts(audit_db)
    path = tmp_path / "bad.csv"
    path.write_text(contents)
    code, out, err = run(capsys, "--db", audit_db, command, "a1", str(path))
    lines = err.strip().splitlines()
    assert code == 1 and out == ""
    assert len(lines) == len(expected), lines
    for line, fragments in zip(lines, expected, strict=True):
        assert line.startswith(f"audit-tui: error: {path}: "), line
        for fragment in fragments:
            assert fragment in line, (fragment, line)
    assert table_counts(audit_db) == before


def test_a_bad_row_among_good_ones_writes_nothing(
    audit_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = table_counts(audit_db)
    path = tmp_path / "answers.csv"
    path.write_text("case_ref,2.2.2,2.2.3\nC-1,yes,yes\nC-2,no,perhaps\n")
    code, _, err = run(capsys, "--db", audit_db, "import-answers", "a1", str(path))
    assert code == 1 and "row 3, column '2.2.3'" in err
    assert table_counts(audit_db) == before


@pytest.mark.parametrize(
    ("contents", "message"),
    [
        (b"", "is empty: a header row is required"),
        (b"  \n\n", "is empty: a header row is required"),
        (
            b"case_ref,sentence_type\nC-\xe9,community\n",
            "is not UTF-8 text (line 2, byte 25); save it as CSV UTF-8",
        ),
        (
            b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
            "is a binary file, not CSV text (was it saved as .xlsx?)",
        ),
    ],
)
def test_unreadable_files(
    audit_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], contents: bytes, message: str
) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(contents)
    code, _, err = run(capsys, "--db", audit_db, "import-cases", "a1", str(path))
    assert code == 1
    assert err.strip().splitlines() == [f"audit-tui: error: {path}: {message}"]


def test_excel_bom_is_tolerated(
    audit_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cases.csv"
    path.write_bytes(
        "case_ref,sentence_type,has_psr,rosh\r\nC-3,Licence,YES,Very High\r\n".encode("utf-8-sig")
    )
    code, out, err = run(capsys, "--db", audit_db, "import-cases", "a1", str(path))
    assert (code, err) == (0, "") and "imported 1 case into" in out
    repo = open_repository(audit_db)
    case = next(
        c for c in cases.list_cases(repo, audits.open_audit(repo, "a1")) if c.case_ref == "C-3"
    )
    assert case.attributes == {"sentence_type": "licence", "has_psr": "yes", "rosh": "very high"}
    repo.engine.dispose()


def test_missing_file(audit_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", audit_db, "import-cases", "a1", str(tmp_path / "nope.csv"))
    assert code == 1 and err == f"audit-tui: error: {tmp_path / 'nope.csv'}: no such file\n"


def test_unknown_rubric_and_duplicate_audit(
    audit_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--db", audit_db, "new", "a2", "--rubric", "hmip-youth-2099")
    assert code == 1
    assert (
        err
        == 'audit-tui: error: --rubric: unknown rubric "hmip-youth-2099" (installed: hmip-dipp-2025, hmip-probation-pdu-2021)\n'
    )
    code, _, err = run(capsys, "--db", audit_db, "new", "a1", "--rubric", "hmip-probation-pdu-2021")
    assert code == 1 and err == 'audit-tui: error: audit: an audit named "a1" already exists\n'
    assert table_counts(audit_db)["audit"] == 1


def test_unknown_audit(audit_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", audit_db, "report", "nope")
    assert code == 1 and err == 'audit-tui: error: audit: no audit named "nope" (audits: a1)\n'


def test_db_that_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 200)
    code, _, err = run(capsys, "--db", str(path), "rubrics")
    assert code == 0  # listing rubrics does not open the database
    code, out, err = run(capsys, "--db", str(path), "report", "x")
    assert code == 1 and out == ""
    assert (
        err
        == f"audit-tui: error: {path}: cannot open database: the file is not a database (or it is damaged)\n"
    )
    assert path.read_text().startswith("these are my notes")


def test_db_that_is_someone_elses_sqlite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table invoices (id integer)")
    code, _, err = run(capsys, "--db", str(path), "new", "a", "--rubric", "hmip-probation-pdu-2021")
    assert code == 1 and "holds tables that are not audit-tui's" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["report"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["report", "a1", "--format", "pdf"])
    assert info.value.code == 2
    assert "invalid choice: 'pdf'" in capsys.readouterr().err


def test_real_entry_point_prints_no_traceback(tmp_path: Path) -> None:
    """The installed command, in a fresh process: one line, exit 1, no Python traceback."""
    bad = tmp_path / "x.db"
    bad.write_bytes(b"\x00" * 4096)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "audit_tui",
            "--db",
            str(bad),
            "import-cases",
            "a",
            str(tmp_path / "c.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("audit-tui: error: ")


def test_a_missing_database_is_not_created_by_reading_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "nowhere" / "audits.db"
    for argv in (["report", "a"], ["import-cases", "a", str(tmp_path / "c.csv")]):
        code, out, err = run(capsys, "--db", str(target), *argv)
        assert (code, out) == (1, "")
        assert (
            err
            == f"audit-tui: error: {target}: no database here (`audit-tui new` or `audit-tui demo` creates one)\n"
        )
    assert not target.parent.exists()
    assert (
        run(capsys, "--db", str(target), "new", "a", "--rubric", "hmip-probation-pdu-2021")[0] == 0
    )
    assert target.exists()


def test_an_unreachable_postgresql_server_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--db", "postgresql://nobody@127.0.0.1:9/none", "report", "a")
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "audit-tui: error: postgresql://nobody@127.0.0.1:9/none: cannot open database:"
    )


@pytest.mark.parametrize(
    "argv, where",
    [
        (["new", "ol\x1b[31md", "--rubric", "hmip-probation-pdu-2021"], "audit name"),
        (["new", "two\nlines", "--rubric", "hmip-probation-pdu-2021"], "audit name"),
        (["new", "ok", "--rubric", "hmip-probation-pdu-2021", "--pdu", "bell\x07"], "PDU"),
        (
            ["new", "ok", "--rubric", "hmip-probation-pdu-2021", "--region", "rtl\u202eevil"],
            "region",
        ),
        (["new", "x" * 81, "--rubric", "hmip-probation-pdu-2021"], "audit name"),
    ],
)
def test_names_with_control_characters_are_refused(
    argv: list[str], where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "a.db")
    code, out, err = run(capsys, "--db", db, *argv)
    assert code == 1 and out == ""
    [line] = err.splitlines()
    assert line.startswith(f"audit-tui: error: {where}: ")
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in line)
    assert "\u202e" not in line
    assert table_counts(db)["audit"] == 0


def test_markup_in_names_is_kept_as_typed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "a.db")
    argv = ["new", "[/]", "--rubric", "hmip-probation-pdu-2021", "--pdu", "[bold red]x[/]"]
    assert run(capsys, "--db", db, *argv)[0] == 0
    repo = open_repository(db)
    [info] = audits.list_audits(repo)
    repo.engine.dispose()
    assert (info.name, info.pdu) == ("[/]", "[bold red]x[/]")
