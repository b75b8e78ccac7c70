"""Values from a closed set read as people type them: `Y`, `yes`, `RI`, `requires improvement`,
in any letter case and spacing, in every import and on the command line; an error lists what
would have been accepted; an import reports its header's and its cells' problems in one pass,
and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_tui.domain.spellings import accepted, match
from audit_tui.store import audits, judgements
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from tests.support.cli import run, table_counts

RUBRIC = "hmip-probation-pdu-2021"
RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate")  # the rubric's [scale]
YES_NO = ("yes", "no")
ROSH = ("low", "medium", "high", "very high")
GRADES = ("PO", "PSO", "PQiP", "other")


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("yes", "yes"),
        ("Y", "yes"),
        (" y ", "yes"),
        ("YES", "yes"),
        ("N", "no"),
        ("no", "no"),
        (" No ", "no"),
    ],
)
def test_yes_and_no_as_typed(typed: str, value: str) -> None:
    assert match(YES_NO, typed) == value


@pytest.mark.parametrize(
    ("typed", "rating"),
    [
        ("RI", "Requires improvement"),
        ("ri", "Requires improvement"),
        ("requires improvement", "Requires improvement"),
        ("Requires Improvement", "Requires improvement"),
        (" REQUIRES  IMPROVEMENT ", "Requires improvement"),
        ("requires-improvement", "Requires improvement"),
        ("O", "Outstanding"),
        ("outstanding", "Outstanding"),
        ("G", "Good"),
        ("good", "Good"),
        ("I", "Inadequate"),
        ("inadequate", "Inadequate"),
    ],
)
def test_ratings_as_typed(typed: str, rating: str) -> None:
    assert match(RATINGS, typed) == rating


def test_initials_two_values_share_name_neither() -> None:
    assert match(ROSH, "VH") == "very high" and match(ROSH, "Very-High") == "very high"
    assert match(GRADES, "p") is None  # PO, PSO and PQiP all begin with p
    assert match(GRADES, "pso") == "PSO" and match(GRADES, "O") == "other"
    assert match(YES_NO, "yeah") is None and match(YES_NO, "") is None
    assert accepted(GRADES) == "PO, PSO, PQiP, other or o"
    assert accepted(RATINGS, upper=True) == (
        "Outstanding or O, Good or G, Requires improvement or RI, Inadequate or I"
    )


def _audit(target: str, capsys: pytest.CaptureFixture[str], *extra: str) -> None:
    code, _, err = run(capsys, "--db", target, "new", "a1", "--rubric", RUBRIC, *extra)
    assert code == 0, err


def test_cases_import_reads_every_spelling(
    db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _audit(db_target, capsys)
    path = tmp_path / "cases.csv"
    path.write_text(
        "case_ref,sentence_type,has_psr,rosh,gender\n"
        "C-1,Community,Y,VH,F\n"
        "C-2, L , n ,Very High,non binary\n"
        "C-3,licence,YES,medium,Not Recorded\n"
    )
    code, _, err = run(capsys, "--db", db_target, "import-cases", "a1", str(path))
    assert (code, err) == (0, "")
    repo = open_repository(db_target)
    stored = {
        ref: attrs
        for ref, (_, attrs) in case_ops.case_index(repo, audits.open_audit(repo, "a1")).items()
    }
    repo.engine.dispose()
    assert stored == {
        "C-1": {"sentence_type": "community", "has_psr": "yes", "rosh": "very high", "gender": "female"},
        "C-2": {"sentence_type": "licence", "has_psr": "no", "rosh": "very high", "gender": "non-binary"},
        "C-3": {"sentence_type": "licence", "has_psr": "yes", "rosh": "medium", "gender": "not recorded"},
    }  # fmt: skip


def test_judgements_import_reads_every_spelling(
    db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _audit(db_target, capsys)
    path = tmp_path / "judgements.csv"
    path.write_text("standard_id,rating\n1.1,RI\n1.2, requires Improvement \n1.3,o\n1.4,G\n")
    code, out, err = run(capsys, "--db", db_target, "import-judgements", "a1", str(path))
    assert (code, err) == (0, "") and "4 judgements changed" in out
    repo = open_repository(db_target)
    ratings = {
        sid: j.rating
        for sid, j in judgements.judgements(repo, audits.open_audit(repo, "a1")).items()
    }
    repo.engine.dispose()
    assert ratings == {
        "1.1": "Requires improvement",
        "1.2": "Requires improvement",
        "1.3": "Outstanding",
        "1.4": "Good",
    }


def test_add_case_on_the_command_line_reads_them_too(
    db_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _audit(db_target, capsys, "--kind", "oversight")
    attrs = ("--attr", "sentence_type=C", "--attr", "has_psr=Y", "--attr", "rosh= High ")
    code, _, err = run(capsys, "--db", db_target, "add-case", "a1", "C-1", *attrs)
    assert (code, err) == (0, "")
    code, _, err = run(capsys, "--db", db_target, "add-case", "a1", "C-2", "--attr", "rosh=x")
    assert code == 1
    assert "'x' is not allowed (accepted: low or l, medium or m, high or h, very high or vh)" in err


def test_one_pass_reports_header_and_cells_and_writes_nothing(
    db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _audit(db_target, capsys)
    before = table_counts(db_target)
    path = tmp_path / "cases.csv"
    path.write_text(
        "case_ref,sentence_type,has_psr,rosh,colour\n"
        "C-1,custody,Y,low,red\n"
        "C-2,licence,maybe,low,blue\n"
        "C-3,licence,no,low,green\n"
    )
    code, out, err = run(capsys, "--db", db_target, "import-cases", "a1", str(path))
    lines = err.splitlines()
    assert (code, out) == (1, "")
    assert len(lines) == 3, lines  # one per problem: the header's, then each bad cell
    assert "row 1, column 'colour': unknown column" in lines[0]
    assert (
        "row 2, column 'sentence_type': 'custody' is not allowed"
        " (accepted: community or c, licence or l)"
    ) in lines[1]
    assert (
        "row 3, column 'has_psr': 'maybe' is not allowed (accepted: yes or y, no or n)" in lines[2]
    )
    assert table_counts(db_target) == before


@pytest.mark.parametrize(
    ("command", "contents", "fragments"),
    [
        (
            "import-judgements",
            "standard_id,rating,evidence\n1.1,Excellent,x\n1.2,G,y\n",
            [
                "row 1, column 'evidence': unknown column",
                "row 2, column 'rating': 'Excellent' is not a rating (accepted: Outstanding or O,"
                " Good or G, Requires improvement or RI, Inadequate or I; any letter case)",
            ],
        ),
        (
            "import-judgements",
            "rating\nnope\n",
            ["row 1: required column 'standard_id' is missing", "row 2, column 'rating'"],
        ),
        (
            "import-answers",
            "case_ref,2.2.1,9.9.9\nC-1,maybe,yes\n",
            ["row 1, column '9.9.9': unknown column", "row 2, column '2.2.1': 'maybe'"],
        ),
        (
            "import-answers",
            "2.2.1\nperhaps\n",
            ["row 1: required column 'case_ref' is missing", "row 2, column '2.2.1': 'perhaps'"],
        ),
    ],
)
def test_other_imports_report_in_one_pass(
    db_target: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    contents: str,
    fragments: list[str],
) -> None:
    _audit(db_target, capsys)
    cases = tmp_path / "cases.csv"
    cases.write_text("case_ref,sentence_type,has_psr,rosh\nC-1,licence,no,low\n")
    assert run(capsys, "--db", db_target, "import-cases", "a1", str(cases))[0] == 0
    before = table_counts(db_target)
    path = tmp_path / "bad.csv"
    path.write_text(contents)
    code, out, err = run(capsys, "--db", db_target, command, "a1", str(path))
    lines = err.splitlines()
    assert (code, out) == (1, "") and len(lines) == len(fragments), lines
    for line, fragment in zip(lines, fragments, strict=True):
        assert fragment in line, (fragment, line)
    assert table_counts(db_target) == before


def test_a_required_column_left_out_is_one_problem_not_one_a_row(
    db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _audit(db_target, capsys)
    path = tmp_path / "cases.csv"
    path.write_text("case_ref,sentence_type\n" + "".join(f"C-{i},licence\n" for i in range(50)))
    code, _, err = run(capsys, "--db", db_target, "import-cases", "a1", str(path))
    assert code == 1
    assert err.splitlines() == [
        f"audit-tui: error: {path}: row 1: required column 'has_psr' is missing",
        f"audit-tui: error: {path}: row 1: required column 'rosh' is missing",
    ]
