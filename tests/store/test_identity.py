"""Identity rules said once, on both engines: a case reference (and a practitioner or team code)
is one case whatever its letter case and surrounding spaces, in every import, command and store
lookup; a login name follows one rule wherever a person is named.

Commands run in-process as a user types them (`tests/support/cli.py`); "nothing written" compares every
table's row count before and after.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from audit_tui.domain.cases import canonical_ref, check_case_ref
from audit_tui.domain.errors import AuditError
from audit_tui.domain.identity import NAME_BYTES, login_name
from audit_tui.domain.rubric import Rubric
from audit_tui.store import audits
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.follow_up import actions
from audit_tui.store.oversight import find_case
from audit_tui.store.repository import Repository
from tests.conftest import Person, is_pg
from tests.support.cli import run, table_counts

RUBRIC = "hmip-probation-pdu-2021"
NO_PSR = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}
Capsys = pytest.CaptureFixture[str]


def _csv(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _answers(rubric: Rubric, rows: dict[str, str]) -> str:
    """Wide answers: every item that applies to a no-PSR community case, `rows[ref]` each."""
    items = [i for i in rubric.column_order if rubric.applies(i, NO_PSR)]
    lines = [f"{ref},{','.join(value for _ in items)}" for ref, value in rows.items()]
    return "\n".join(["case_ref," + ",".join(items), *lines]) + "\n"


def _refs(target: str, audit: str) -> list[str]:
    repo = open_repository(target)
    try:
        return [c.case_ref for c in case_ops.list_cases(repo, audits.open_audit(repo, audit))]
    finally:
        repo.engine.dispose()


def _login(people: Person, db_target: str, name: str) -> str:
    """A name another person goes by: a login of their own on PostgreSQL, the name on SQLite."""
    return people(name).user if is_pg(db_target) else name


# ---- the rules themselves ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, stored",
    [("cl-1 ", "CL-1"), ("  CL-1", "CL-1"), ("ab-7 ", "AB-7"), ("p-017\t", "P-017"), ("", "")],
)
def test_a_reference_has_one_spelling(typed: str, stored: str) -> None:
    assert canonical_ref(typed) == stored


def test_a_refused_reference_is_named_as_typed_and_only_ascii_is_upper_cased() -> None:
    assert "'Jo Smith' looks like a name" in (check_case_ref(" Jo Smith ") or "")
    assert canonical_ref("straße") == "straße"  # not "STRASSE", which would pass the check
    assert check_case_ref(canonical_ref("straße")) is not None


@pytest.mark.parametrize(
    "typed, why",
    [
        ("ann smith", "'ann smith' has spaces: give the login name"),
        ("ann\x07", "holds a control character (\\x07)"),
        ("ann\u200b", "holds a control character (U+200B)"),
        ("a" * (NAME_BYTES + 1), "is 64 bytes long: a login name has at most 63"),
        ("é" * 32, "is 64 bytes long"),  # 32 characters, 64 bytes of UTF-8
        ("  ", "cannot be empty"),
    ],
)
def test_a_login_name_follows_one_rule(typed: str, why: str) -> None:
    with pytest.raises(AuditError) as caught:
        login_name(typed)
    assert why in str(caught.value)


def test_a_login_name_is_stripped_and_otherwise_as_typed() -> None:
    assert login_name(" Ann ") == "Ann"
    assert login_name("é" * 31) == "é" * 31  # 62 bytes
    assert login_name("a" * NAME_BYTES) == "a" * NAME_BYTES


# ---- case references: every import and command finds CL-1 given "cl-1 " ----------------------


@pytest.fixture
def a1(db_target: str, tmp_path: Path, capsys: Capsys) -> list[str]:
    """Audit "a1" of three no-PSR community cases, imported as `cl-1 `, `Cl-2`, `cl-3`."""
    db = ["--db", db_target]
    cases = "case_ref,sentence_type,has_psr,rosh\n" + "".join(
        f"{ref},community,no,low\n" for ref in ("cl-1 ", "Cl-2", " cl-3")
    )
    assert run(capsys, *db, "new", "a1", "--rubric", RUBRIC)[0] == 0
    code, _, err = run(capsys, *db, "import-cases", "a1", _csv(tmp_path, "cases.csv", cases))
    assert (code, err) == (0, ""), err
    return db


def test_every_import_and_command_finds_a_case_whatever_its_case_and_spaces(
    a1: list[str],
    db_target: str,
    people: Person,
    rubric: Rubric,
    tmp_path: Path,
    capsys: Capsys,
) -> None:
    db = a1
    ann, kim = _login(people, db_target, "ann"), _login(people, db_target, "kim")

    def ok(*argv: str) -> str:
        code, out, err = run(capsys, *db, *argv)
        assert (code, err) == (0, ""), f"{argv}: {err}"
        return out

    assert _refs(db_target, "a1") == ["CL-1", "CL-2", "CL-3"]  # stored canonical
    update = _csv(tmp_path, "update.csv", "case_ref,gender\ncl-1,female\n")
    assert "updated 1 case, added 0 cases" in ok("import-cases", "a1", update, "--update")
    answers = _csv(tmp_path, "answers.csv", _answers(rubric, {"cl-1": "yes", "cL-2": "no"}))
    assert "imported answers for 2 cases" in ok("import-answers", "a1", answers)
    trail = json.loads(ok("history", "a1", "--case", "cl-1 ", "--format", "json"))
    assert trail and {entry["case"] for entry in trail} == {"CL-1"}
    assert "allocated 2 cases" in ok("allocate", "a1", "--auditors", ann, "--cases", "cl-1 , cl-2")
    said = ok("moderate", "a1", "--cases", " cl-2", "--marker", kim)
    assert said.rstrip().endswith(": CL-2")
    marks = _csv(tmp_path, "marks.csv", _answers(rubric, {"cl-2 ": "yes"}))
    assert "1 case," in ok("import-answers", "a1", marks, "--second-marker", kim)
    items = [i for i in rubric.column_order if rubric.applies(i, NO_PSR)]
    settled = _csv(
        tmp_path,
        "settled.csv",
        f"round,case_ref,item_id,agreed,reason\n1,cl-2 ,{items[0]},yes,agreed at moderation\n",
    )
    assert "1 answer changed" in ok("reconcile", "a1", "--import", settled)
    assert "case CL-1 marked complete" in ok("complete", "a1", "cl-1 ")
    assert "case CL-1 signed off" in ok("sign-off", "a1", "cl-1 ")
    assert "feedback on case CL-1 saved" in ok("feedback", "a1", "cl-1 ", "--strengths", "Tidy")
    assert "on case CL-1, due 2030-01-01" in ok(
        "add-action", "a1", " cl-1", "--what", "Review the plan", "--due", "2030-01-01"
    )
    assert "CL-1" in ok("report", "a1", "--case", "cl-1 ", "--format", "md")
    assert "removed case CL-3" in ok("remove-case", "a1", "cl-3 ", "--reason", "transferred")

    repo = open_repository(db_target)
    audit = audits.open_audit(repo, "a1")
    cases = {c.case_ref: c for c in case_ops.list_cases(repo, audit)}
    assert list(cases) == ["CL-1", "CL-2"] and cases["CL-1"].attributes["gender"] == "female"
    assert cases["CL-1"].allocated_to == ann and cases["CL-1"].signed_off_at is not None
    assert find_case(repo, audit, " cl-2").case_ref == "CL-2"  # the store canonicalises too
    assert [a.case_ref for a in actions(repo, audit=audit, case_ref="cl-1")] == ["CL-1"]
    repo.engine.dispose()


def test_a_case_added_in_lower_case_is_stored_and_shown_upper_case(
    db_target: str, repo: Repository, rubric_text: str, capsys: Capsys
) -> None:
    db = ["--db", db_target]
    assert run(capsys, *db, "new", "ov", "--rubric", RUBRIC, "--kind", "oversight")[0] == 0
    attrs = [f"--attr={k}={v}" for k, v in NO_PSR.items()]
    code, out, err = run(
        capsys, *db, "add-case", "ov", "ab-7 ", "--practitioner", "p-017 ", "--team", " t-north",
        *attrs,
    )  # fmt: skip
    assert (code, err) == (0, "") and out.startswith("added case AB-7 to")
    code, _, err = run(capsys, *db, "add-case", "ov", "AB-7", *attrs)
    assert code == 1 and "already in the audit: AB-7" in err
    due = ("--what", "Check the risk plan", "--due", "2030-01-01")
    assert run(capsys, *db, "add-action", "ov", "Ab-7", *due)[0] == 0
    code, out, _ = run(capsys, *db, "actions", "--practitioner", "p-017", "--format", "json")
    [action] = json.loads(out)
    assert (action["case"], action["practitioner"], action["team"]) == ("AB-7", "P-017", "T-NORTH")
    assert run(capsys, *db, "actions", "--team", "T-North ")[1].count("AB-7") == 1
    audit = audits.open_audit(repo, "ov")  # and the store itself, given a reference as typed
    assert case_ops.add_cases(repo, audit, [(" ab-8", NO_PSR)]) == 1
    assert [c.case_ref for c in case_ops.list_cases(repo, audit)] == ["AB-7", "AB-8"]
    assert case_ops.remove_case(repo, audit, "ab-8 ", "added by mistake").case_ref == "AB-8"
    with pytest.raises(AuditError, match="named more than once: CD-1"):
        case_ops.add_cases(repo, audit, [("cd-1", NO_PSR), ("CD-1 ", NO_PSR)])


def test_a_caseload_and_its_replacements_find_cases_whatever_their_case(
    db_target: str, tmp_path: Path, capsys: Capsys
) -> None:
    db = ["--db", db_target]
    extract = "case_ref,sentence_type,has_psr,rosh,start_date,practitioner\n" + "".join(
        f"cl-{i} ,community,no,low,2024-01-0{i},p-{i}\n" for i in range(1, 9)
    )
    assert run(capsys, *db, "new", "s1", "--rubric", RUBRIC)[0] == 0
    path = _csv(tmp_path, "caseload.csv", extract)
    assert run(capsys, *db, "import-caseload", "s1", path)[0] == 0
    assert run(capsys, *db, "sample", "s1", "--size", "2", "--seed", "5")[0] == 0
    drawn = _refs(db_target, "s1")
    assert len(drawn) == 2 and all(ref == ref.upper() for ref in drawn)
    code, out, err = run(
        capsys, *db, "replace-case", "s1", f" {drawn[0].lower()} ", "--reason", "transferred"
    )
    assert (code, err) == (0, "") and out.startswith(f"{drawn[0]} replaced by CL-")
    repo = open_repository(db_target)
    cases = case_ops.list_cases(repo, audits.open_audit(repo, "s1"))
    repo.engine.dispose()
    assert drawn[0] not in {c.case_ref for c in cases}
    assert all(c.practitioner == c.practitioner.upper() for c in cases)  # codes canonical too


# ---- a file naming one case twice, spelt two ways, is refused whole ---------------------------


ITEM = "2.2.1"
TWICE = {
    "cases": (
        ["import-cases"],
        "case_ref,sentence_type,has_psr,rosh\nCL-9,community,no,low\ncl-9,community,no,low\n",
        "'cl-9' (first on row 2 as 'CL-9'",
    ),
    "update": (
        ["import-cases", "--update"],
        "case_ref,gender\nCL-1,female\ncl-1,male\n",
        "'cl-1' (first on row 2 as 'CL-1'",
    ),
    "answers": (
        ["import-answers"],
        f"case_ref,{ITEM}\nCL-1,yes\ncl-1,no\n",
        "'cl-1' (first on row 2 as 'CL-1'",
    ),
    "second marks": (
        ["import-answers", "--second-marker", "kim"],
        f"case_ref,{ITEM}\ncl-1,yes\nCL-1,no\n",
        "'CL-1' (first on row 2 as 'cl-1'",
    ),
    "caseload": (
        ["import-caseload"],
        "case_ref,sentence_type,has_psr,rosh,start_date\n"
        "CL-9,community,no,low,2024-01-01\ncl-9,community,no,low,2024-01-02\n",
        "'cl-9' (first on row 2 as 'CL-9'",
    ),
    "settlements": (
        ["reconcile", "--import"],
        f"round,case_ref,item_id,agreed,reason\n1,CL-1,{ITEM},yes,r\n1,cl-1,{ITEM},no,r\n",
        "settled twice (first on row 2 as case_ref 'CL-1', this row 'cl-1')",
    ),
}


@pytest.mark.parametrize("kind", list(TWICE))
def test_a_file_naming_a_case_twice_in_two_spellings_is_refused_naming_both_rows(
    kind: str, a1: list[str], db_target: str, tmp_path: Path, capsys: Capsys
) -> None:
    argv, text, why = TWICE[kind]
    path = _csv(tmp_path, "twice.csv", text)
    command, *options = argv
    before = table_counts(db_target)
    code, out, err = run(capsys, *a1, command, "a1", *options, path)
    assert code == 1 and out == ""
    [line] = [ln for ln in err.splitlines() if "row 3" in ln]
    assert why in line, err
    assert table_counts(db_target) == before


# ---- login names: one rule wherever a person is named -----------------------------------------


BAD_NAMES = {
    "space": ("ann smith", "'ann smith' has spaces: give the login name"),
    "control": ("ann\x07", "'ann\\x07' holds a control character (\\x07)"),
    "64 bytes": ("b" * 64, "is 64 bytes long: a login name has at most 63 (PostgreSQL's limit)"),
}
NAMING: dict[str, tuple[Callable[[str, str], list[str]], int]] = {
    "grant": (lambda name, _f: ["grant", name], 1),
    "member add": (lambda name, _f: ["member", "a1", "add", name], 1),
    "allocate": (lambda name, _f: ["allocate", "a1", "--auditors", f"{name}"], 1),
    "moderate --marker": (
        lambda name, _f: ["moderate", "a1", "--cases", "CL-2", "--marker", name],
        1,
    ),
    "--second-marker": (lambda name, f: ["import-answers", "a1", f, "--second-marker", name], 1),
    "history --by": (lambda name, _f: ["history", "a1", "--by", name], 1),
    "--as": (lambda name, _f: ["--as", name, "member", "a1", "list"], 2),
}


@pytest.mark.parametrize("bad", list(BAD_NAMES))
@pytest.mark.parametrize("where", list(NAMING))
def test_a_bad_login_name_is_refused_alike_everywhere(
    where: str, bad: str, a1: list[str], db_target: str, tmp_path: Path, capsys: Capsys
) -> None:
    name, why = BAD_NAMES[bad]
    argv, exit_code = NAMING[where]
    marks = _csv(tmp_path, "marks.csv", f"case_ref,{ITEM}\nCL-2,yes\n")
    before = table_counts(db_target)
    code, out, err = run(capsys, *a1, *argv(name, marks))
    assert (code, out) == (exit_code, "")
    [line] = err.splitlines()
    assert line.startswith("audit-tui: error: ") and why in line, err
    assert table_counts(db_target) == before


def test_on_sqlite_a_name_is_as_typed_and_any_name_is_accepted(
    sqlite_target: str, capsys: Capsys
) -> None:
    db = ["--db", sqlite_target]
    assert run(capsys, *db, "new", "a1", "--rubric", RUBRIC)[0] == 0
    assert run(capsys, *db, "member", "a1", "add", " Ann ")[1] == "Ann added as auditor\n"
    assert run(capsys, *db, "--as", " tester ", "member", "a1", "add", "ann")[0] == 0
    listed = run(capsys, *db, "member", "a1", "list")[1].splitlines()
    assert listed == ["tester\tlead", "Ann\tauditor", "ann\tauditor"]


@pytest.mark.postgres
@pytest.mark.parametrize("db_target", ["postgres"], indirect=True)
def test_on_postgres_a_name_is_the_servers_login_or_refused(
    db_target: str, people: Person, tmp_path: Path, capsys: Capsys
) -> None:
    db = ["--db", db_target]
    assert run(capsys, *db, "new", "a1", "--rubric", RUBRIC)[0] == 0
    cases = _csv(
        tmp_path, "cases.csv", "case_ref,sentence_type,has_psr,rosh\nCL-2,community,no,low\n"
    )
    assert run(capsys, *db, "import-cases", "a1", cases)[0] == 0
    ann = people("ann").user  # a login in lower case, as PostgreSQL folds unquoted names
    before = table_counts(db_target)
    for argv in (
        ["member", "a1", "add", "nobody_here"],
        ["allocate", "a1", "--auditors", "nobody_here"],
        ["moderate", "a1", "--cases", "CL-2", "--marker", "nobody_here"],
    ):
        code, out, err = run(capsys, *db, *argv)
        assert (code, out) == (1, ""), err
        assert err == (
            "audit-tui: error: "
            + ("user" if argv[0] == "member" else "auditors" if argv[0] == "allocate" else "marker")
            + ": no login 'nobody_here' on this server: create it (CREATE ROLE nobody_here LOGIN)"
            " and run `audit-tui grant nobody_here` first\n"
        )
    assert table_counts(db_target) == before
    assert run(capsys, *db, "member", "a1", "add", ann.upper())[1] == f"{ann} added as auditor\n"
    assert run(capsys, *db, "grant", f" {ann.upper()}")[1].startswith(f"{ann} may now use")
    code, out, _ = run(capsys, *db, "history", "a1", "--by", "POSTGRES", "--format", "json")
    assert code == 0 and {e["by"] for e in json.loads(out)} == {"postgres"}
    members = run(capsys, *db, "member", "a1", "list")[1]
    assert f"{ann}\tauditor" in members and ann.upper() not in members
