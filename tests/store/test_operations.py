"""The everyday operations (issue 9): rename an audit, delete one (its name typed again), remove a
case with a reason, update case attributes by re-importing (`import-cases --update`) and, for the
app, change a case's attributes clearing the answers that stop applying. Each is recorded in the
audit's event log or the answer history, and each runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, Table, func, insert, select, text

from audit_tui.cli import DELETE_PROMPT, main
from audit_tui.domain.answers import Answer, NoteTag
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import CaseInfo, OpenAudit
from audit_tui.reporting.render import render_report
from audit_tui.store import answers as answer_ops
from audit_tui.store import audits, migrate, scores, team
from audit_tui.store import cases as case_ops
from audit_tui.store import events as event_ops
from audit_tui.store.database import open_repository
from audit_tui.store.engine import make_engine, writer
from audit_tui.store.models import AnswerHistoryRow, AnswerRow, AuditEventRow, CaseRow, table_of
from audit_tui.store.repository import Repository, StrandedAnswers, identity
from tests.store.test_concurrency import release
from tests.support.cli import run, table_counts

HISTORY = table_of(AnswerHistoryRow)
ANSWER = table_of(AnswerRow)
CASE = table_of(CaseRow)
EVENT = table_of(AuditEventRow)

CASES = (
    "case_ref,sentence_type,has_psr,gender,rosh\n"
    "C-1,community,yes,male,high\n"
    "C-2,licence,no,female,low\n"
    "C-3,community,yes,female,low\n"
)
ANSWERS = "case_ref,2.1.1,2.1.1.a,2.2.1,2.2.2\nC-1,yes,no,yes,yes\nC-2,,,no,yes\nC-3,no,,yes,no\n"
COURT_WORK = ["2.1.1", "2.1.1.a"]  # answered for C-1: court work applies only with a PSR


def one_error(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("audit-tui: error: "), err
    return lines[0].removeprefix("audit-tui: error: ")


@pytest.fixture
def ops_db(db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Audit "a1": three cases answered on court work (C-1, C-3) and two other key questions,
    with a tagged note on C-2."""
    (tmp_path / "cases.csv").write_text(CASES)
    (tmp_path / "answers.csv").write_text(ANSWERS)
    db = ("--db", db_target)
    assert run(capsys, *db, "new", "a1", "--rubric", "hmip-probation-pdu-2021")[0] == 0
    assert run(capsys, *db, "import-cases", "a1", str(tmp_path / "cases.csv"))[0] == 0
    assert run(capsys, *db, "import-answers", "a1", str(tmp_path / "answers.csv"))[0] == 0
    repo = open_repository(db_target)
    audit = audits.open_audit(repo, "a1")
    c2 = _case(repo, audit, "C-2")
    answer_ops.save_answer(
        repo, audit, c2, "2.2.1", note="Risk not revisited", note_tag=NoteTag.IMPROVEMENT
    )
    repo.engine.dispose()
    return db_target


@pytest.fixture
def ops(ops_db: str) -> Iterator[Repository]:
    repo = open_repository(ops_db)
    yield repo
    repo.engine.dispose()


def _case(repo: Repository, audit: OpenAudit, ref: str) -> CaseInfo:
    return next(c for c in case_ops.list_cases(repo, audit) if c.case_ref == ref)


def _events(repo: Repository, name: str = "a1") -> list[tuple[str, str, str]]:
    return [
        (e.event, e.detail, e.by)
        for e in event_ops.audit_events(repo, audits.open_audit(repo, name))
    ]


def _history(repo: Repository, case_id: int) -> list[tuple[str, str | None, str | None, str]]:
    query = (
        select(HISTORY.c.item_id, HISTORY.c.old_value, HISTORY.c.new_value, HISTORY.c.via)
        .where(HISTORY.c.case_id == case_id)
        .order_by(HISTORY.c.id)
    )
    with repo.engine.connect() as conn:
        return [(item, old, new, via) for item, old, new, via in conn.execute(query)]


def _deleted_events(target: str, name: str) -> list[tuple[Any, ...]]:
    repo = open_repository(target)
    query = (
        select(EVENT.c.audit_id, EVENT.c.event, EVENT.c.detail, EVENT.c.by)
        .where(EVENT.c.audit_name == name, EVENT.c.audit_id.is_(None))
        .order_by(EVENT.c.id)
    )
    with repo.engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(query)]
    repo.engine.dispose()
    return rows


# ---- rename --------------------------------------------------------------------------------


def test_rename_an_audit(ops_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--db", ops_db, "rename", "a1", "Tameside Q3 2024")
    assert (code, out, err) == (0, 'renamed audit "a1" to "Tameside Q3 2024"\n', "")
    repo = open_repository(ops_db)
    assert [a.name for a in audits.list_audits(repo)] == ["Tameside Q3 2024"]
    renamed = audits.open_audit(repo, "Tameside Q3 2024")
    assert renamed.info.cases == 3 and len(case_ops.list_cases(repo, renamed)) == 3
    assert _events(repo, "Tameside Q3 2024")[-1] == ("rename", "a1 → Tameside Q3 2024", repo.user)
    [event] = [e for e in event_ops.audit_events(repo, renamed) if e.event == "rename"]
    assert event.audit_name == "Tameside Q3 2024" and event.audit_id == renamed.info.id
    repo.engine.dispose()
    code, _, err = run(capsys, "--db", ops_db, "report", "a1")
    assert code == 1 and 'no audit named "a1"' in err


def test_rename_returns_the_renamed_audit(ops: Repository) -> None:
    audit = audits.open_audit(ops, "a1")
    renamed = audits.rename_audit(ops, audit, "  a2  ")
    assert renamed.info.name == "a2" and renamed.info.id == audit.info.id
    assert renamed.info.revision == audits.audit_revision(ops, audit.info.id)
    same = audits.rename_audit(ops, renamed, "a2")  # nothing to do: nothing written
    assert (
        same.info.name == "a2"
        and audits.audit_revision(ops, audit.info.id) == renamed.info.revision
    )
    assert [e for e, *_ in _events(ops, "a2")].count("rename") == 1


@pytest.mark.parametrize(
    ("new_name", "message"),
    [
        ("taken", 'audit name: an audit named "taken" already exists'),
        ("ol\x1b[31md", "audit name: ol\\x1b[31md holds a control character (\\x1b)"),
        ("two\nlines", "audit name: two\\nlines holds a control character (\\n)"),
        ("   ", "audit name: cannot be empty"),
        ("x" * 81, "audit name: is 81 characters long (at most 80)"),
    ],
)
def test_rename_refusals(
    ops_db: str, capsys: pytest.CaptureFixture[str], new_name: str, message: str
) -> None:
    assert (
        run(capsys, "--db", ops_db, "new", "taken", "--rubric", "hmip-probation-pdu-2021")[0] == 0
    )
    before = table_counts(ops_db)
    code, out, err = run(capsys, "--db", ops_db, "rename", "a1", new_name)
    assert (code, out) == (1, "")
    assert one_error(err).startswith(message)
    assert table_counts(ops_db) == before
    repo = open_repository(ops_db)
    assert [a.name for a in audits.list_audits(repo)] == ["a1", "taken"]
    assert "rename" not in [e for e, *_ in _events(repo)]
    repo.engine.dispose()


def test_rename_an_unknown_audit(ops_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--db", ops_db, "rename", "nope", "a2")
    assert (code, out) == (1, "")
    assert one_error(err) == 'audit: no audit named "nope" (audits: a1)'


# ---- delete --------------------------------------------------------------------------------


def test_delete_with_confirm(ops_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    name = f"del-{uuid.uuid4().hex[:8]}"  # PostgreSQL keeps every test's events: a name of its own
    assert run(capsys, "--db", ops_db, "rename", "a1", name)[0] == 0
    code, out, err = run(capsys, "--db", ops_db, "delete", name, "--confirm", name)
    assert (code, out, err) == (0, f'deleted audit "{name}" (3 cases)\n', "")
    counts = table_counts(ops_db)
    for table in ("audit", "audit_case", "answer", "answer_history", "judgement"):
        assert counts[table] == 0, table
    # the event log outlives the audit: its rename, and the deletion, who and what
    events = _deleted_events(ops_db, name)
    assert events[-2:] == [
        (None, "rename", f"a1 → {name}", _me(ops_db)),
        (None, "delete", "3 cases and 9 answers deleted", _me(ops_db)),
    ]
    assert [e[1] for e in _deleted_events(ops_db, "a1")][:2] == ["create", "add-cases"]


def test_delete_refuses_a_name_that_does_not_match(
    ops_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = table_counts(ops_db)
    code, out, err = run(capsys, "--db", ops_db, "delete", "a1", "--confirm", "A1")
    assert (code, out) == (2, "")
    assert one_error(err) == '--confirm does not match the audit\'s name "a1": nothing deleted'
    assert table_counts(ops_db) == before


def test_delete_without_confirm_and_no_terminal_is_a_usage_error(
    ops_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = table_counts(ops_db)
    monkeypatch.setattr(sys, "stdin", io.StringIO("a1\n"))  # piped: not a terminal
    code, out, err = run(capsys, "--db", ops_db, "delete", "a1")
    assert (code, out) == (2, "")
    assert "give --confirm AUDIT" in one_error(err) and "no terminal" in err
    assert table_counts(ops_db) == before


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("typed", "deleted"), [("a1\n", True), ("a 1\n", False), ("", False)])
def test_delete_asks_on_a_terminal(
    ops_db: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    typed: str,
    deleted: bool,
) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal(typed))
    code, out, err = run(capsys, "--db", ops_db, "delete", "a1")
    assert DELETE_PROMPT in err and 'This deletes audit "a1": 3 cases' in err
    repo = open_repository(ops_db)
    names = [a.name for a in audits.list_audits(repo)]
    repo.engine.dispose()
    if deleted:
        assert (code, out, names) == (0, 'deleted audit "a1" (3 cases)\n', [])
    else:
        assert (code, out, names) == (2, "", ["a1"])
        assert err.endswith(  # a terminal echoes what was typed; a test's stdin does not
            'audit-tui: error: the name typed does not match the audit\'s name "a1":'
            " nothing deleted\n"
        )


def test_delete_an_unknown_audit(ops_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", ops_db, "delete", "nope", "--confirm", "nope")
    assert code == 1 and one_error(err) == 'audit: no audit named "nope" (audits: a1)'


# ---- remove a case -------------------------------------------------------------------------


def test_remove_a_case(ops_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    repo = open_repository(ops_db)
    audit = audits.open_audit(repo, "a1")
    c2 = _case(repo, audit, "C-2")
    history_before = _history(repo, c2.id)
    code, out, err = run(
        capsys, "--db", ops_db, "remove-case", "a1", "C-2", "--reason", " transferred out "
    )
    assert (code, err) == (0, "")
    assert out == (
        'removed case C-2 from "a1" (out of every count and report; its answers stay in the'
        " history)\n"
    )
    audit = audits.open_audit(repo, "a1")
    assert [c.case_ref for c in case_ops.list_cases(repo, audit)] == ["C-1", "C-3"]
    assert audit.info.cases == 2 and audits.list_audits(repo)[0].cases == 2
    assert "C-2" not in case_ops.case_index(repo, audit)
    [removed] = case_ops.removed_cases(repo, audit)
    assert (removed.case_ref, removed.removed_by, removed.removed_reason) == (
        "C-2",
        repo.user,
        "transferred out",
    )
    assert removed.removed and removed.removed_at is not None and removed.answered == 2
    # the trail stays: the row, its answers and their history
    assert answer_ops.answers_for_case(repo, c2.id)["2.2.1"].value == "no"
    assert _history(repo, c2.id) == history_before
    assert _events(repo)[-1] == ("remove-case", "C-2: transferred out", repo.user)
    repo.engine.dispose()


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["C-2", "--reason", "  "], 2, "--reason cannot be empty: say why the case is removed"),
        (["C-2", "--reason", "bad\x1b[2J"], 1, "reason: bad\\x1b[2J holds a control character"),
        (["C-2", "--reason", "x" * 501], 1, "reason: is 501 characters long (at most 500)"),
        (["C-9", "--reason", "gone"], 1, "case: no case 'C-9' in audit 'a1'"),
    ],
)
def test_remove_case_refusals(
    ops_db: str, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    before = table_counts(ops_db)
    got, out, err = run(capsys, "--db", ops_db, "remove-case", "a1", *argv)
    assert (got, out) == (code, "")
    assert one_error(err).startswith(message)
    assert table_counts(ops_db) == before


def test_remove_case_needs_a_reason(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["remove-case", "a1", "C-2"])
    assert info.value.code == 2
    assert "the following arguments are required: --reason" in capsys.readouterr().err


def _me(target: str) -> str:
    """Who this test acts as there: $AUDIT_TUI_USER on SQLite, the login on PostgreSQL."""
    repo = open_repository(target)
    try:
        return repo.user
    finally:
        repo.engine.dispose()


def test_removing_a_removed_case_says_when_and_why(
    ops_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--db", ops_db, "remove-case", "a1", "C-2", "--reason", "duplicate")[0] == 0
    before = table_counts(ops_db)
    code, out, err = run(capsys, "--db", ops_db, "remove-case", "a1", "C-2", "--reason", "again")
    assert (code, out) == (1, "")
    line = one_error(err)
    assert line.startswith("case: 'C-2' was already removed from audit 'a1' on 20")
    assert line.endswith(f" by {_me(ops_db)}: duplicate")
    assert table_counts(ops_db) == before


def test_a_removed_case_is_out_of_counts_tallies_reports_and_exports(ops: Repository) -> None:
    audit = audits.open_audit(ops, "a1")
    before = json.loads(render_report(ops, audit, "json"))
    case_ops.remove_case(ops, audit, "C-2", "transferred out")
    after = json.loads(render_report(ops, audit, "json"))

    def kq(report: dict[str, Any], item: str) -> dict[str, Any]:
        return next(
            k for s in report["standards"] for k in s.get("key_questions", []) if k["id"] == item
        )

    assert (before["cases"], after["cases"]) == (3, 2)
    assert (kq(before, "2.2.1")["yes"], kq(before, "2.2.1")["no"]) == (2, 1)
    assert (
        kq(after, "2.2.1")["yes"],
        kq(after, "2.2.1")["no"],
        kq(after, "2.2.1")["relevant"],
    ) == (
        2,
        0,
        2,
    )
    assert kq(before, "2.1.1")["relevant"] == kq(after, "2.1.1")["relevant"] == 2  # C-2: no PSR

    cases, tallies = scores.tallies(ops, audit)
    assert cases == 2 and tallies["2.2.2"].yes == 1 and tallies["2.2.2"].applicable == 2
    result, breakdowns = scores.score_with_breakdowns(ops, audit, ["gender"])
    assert result.cases == 2 and breakdowns["gender"][0] == {"male": 1, "female": 1}

    exported = render_report(ops, audit, "csv", include_notes=True)
    assert isinstance(exported, str)
    assert [row["case_ref"] for row in csv.DictReader(io.StringIO(exported))] == ["C-1", "C-3"]
    c2_id = next(c.id for c in case_ops.removed_cases(ops, audit))
    assert c2_id not in answer_ops.answer_values(
        ops, audit
    ) and c2_id not in answer_ops.all_answers(ops, audit)
    assert answer_ops.tagged_notes(ops, audit) == []
    markdown = render_report(ops, audit, "md", include_notes=True)
    assert isinstance(markdown, str) and "Risk not revisited" not in markdown

    # ... and yet its answers and their history are still in the database
    with ops.engine.connect() as conn:
        kept = conn.execute(
            select(ANSWER.c.item_id, ANSWER.c.value, ANSWER.c.note).where(ANSWER.c.case_id == c2_id)
        ).all()
        history = conn.scalar(select(func.count()).where(HISTORY.c.case_id == c2_id))
    assert sorted(map(tuple, kept)) == [("2.2.1", "no", "Risk not revisited"), ("2.2.2", "yes", "")]
    assert history == 3


def test_a_removed_case_takes_no_answers(
    ops: Repository, tmp_path: Path, capsys: pytest.CaptureFixture[str], ops_db: str
) -> None:
    audit = audits.open_audit(ops, "a1")
    c2 = _case(ops, audit, "C-2")
    case_ops.remove_case(ops, audit, "C-2", "transferred out")
    with pytest.raises(AuditError, match="case C-2 is no longer in this audit"):
        answer_ops.save_answer(ops, audit, c2, "2.2.3", Answer.YES)
    with pytest.raises(AuditError, match="1 case left the audit while the answers were read"):
        answer_ops.import_answers(
            ops, audit, {c2.id: {"2.2.3": Answer.YES}}
        )  # ids read before the removal
    path = tmp_path / "more.csv"
    path.write_text("case_ref,2.2.3\nC-1,yes\nC-2,no\n")
    before = table_counts(ops_db)
    code, out, err = run(capsys, "--db", ops_db, "import-answers", "a1", str(path))
    assert (code, out) == (1, "")
    line = one_error(err)
    assert line.startswith(f"{path}: row 3, column 'case_ref': case_ref 'C-2' was removed from")
    assert line.endswith(": transferred out") and "audit 'a1' on 20" in line
    with pytest.raises(AuditError, match="this case is no longer in the audit"):
        case_ops.update_case(ops, audit, c2.id, {**c2.attributes, "rosh": "high"})
    assert table_counts(ops_db) == before


def test_a_removed_case_reference_cannot_be_added_again(
    ops: Repository, tmp_path: Path, capsys: pytest.CaptureFixture[str], ops_db: str
) -> None:
    audit = audits.open_audit(ops, "a1")
    case_ops.remove_case(ops, audit, "C-2", "duplicate of C-1")
    with pytest.raises(AuditError) as info:
        case_ops.add_cases(ops, audit, [("C-4", {}), ("C-2", {})])
    [problem] = info.value.problems
    assert problem.message.startswith(
        "removed from the audit earlier, and a removed case's reference cannot be used again:"
        " C-2 (on 20"
    )
    assert problem.message.endswith(
        ": duplicate of C-1); restore-case brings a removed case back, with its answers"
    )
    path = tmp_path / "again.csv"
    path.write_text("case_ref,sentence_type,has_psr,rosh\nC-4,licence,no,low\nC-2,licence,no,low\n")
    for extra in ([], ["--update"]):
        code, out, err = run(capsys, "--db", ops_db, "import-cases", "a1", str(path), *extra)
        assert (code, out) == (1, "")
        assert one_error(err).startswith(
            f"{path}: row 3, column 'case_ref': case_ref 'C-2' was removed from audit 'a1' on 20"
        )
    assert [c.case_ref for c in case_ops.list_cases(ops, audit)] == ["C-1", "C-3"]


# ---- updating case attributes --------------------------------------------------------------


def test_import_cases_update(
    ops_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "update.csv"
    path.write_text(
        "case_ref,sentence_type,has_psr,gender,rosh\n"
        "C-1,community,yes,male,very high\n"  # rosh changes
        "C-2,Licence,NO,female,low\n"  # the same, spelt otherwise: unchanged
        "C-3,licence,yes,,low\n"  # sentence type changes, gender is cleared
        "C-4,community,no,,medium\n"  # new
    )
    code, out, err = run(capsys, "--db", ops_db, "import-cases", "a1", str(path), "--update")
    assert (code, err) == (0, "")
    assert out == 'updated 2 cases, added 1 case, 1 unchanged in "a1"\n'
    repo = open_repository(ops_db)
    audit = audits.open_audit(repo, "a1")
    attrs = {c.case_ref: c.attributes for c in case_ops.list_cases(repo, audit)}
    assert attrs == {
        "C-1": {
            "sentence_type": "community",
            "has_psr": "yes",
            "gender": "male",
            "rosh": "very high",
        },
        "C-2": {"sentence_type": "licence", "has_psr": "no", "gender": "female", "rosh": "low"},
        "C-3": {"sentence_type": "licence", "has_psr": "yes", "rosh": "low"},
        "C-4": {"sentence_type": "community", "has_psr": "no", "rosh": "medium"},
    }
    assert _events(repo)[-2:] == [
        (
            "update-cases",
            "2 cases updated: C-1 rosh high → very high; C-3 sentence_type community → licence,"
            " gender female → -",
            repo.user,
        ),
        ("add-cases", "1 case added: C-4", repo.user),
    ]
    assert _history(repo, _case(repo, audit, "C-1").id)[-1][3] == "import"  # answers untouched
    repo.engine.dispose()
    # again: nothing to do, nothing written
    before = table_counts(ops_db)
    path.write_text("case_ref,rosh\nC-1,very high\nC-4,medium\n")
    code, out, _ = run(capsys, "--db", ops_db, "import-cases", "a1", str(path), "--update")
    assert (code, out) == (0, 'updated 0 cases, added 0 cases, 2 unchanged in "a1"\n')
    assert table_counts(ops_db) == before


def test_import_cases_update_keeps_the_columns_the_file_leaves_out(
    ops: Repository, tmp_path: Path, capsys: pytest.CaptureFixture[str], ops_db: str
) -> None:
    path = tmp_path / "rosh.csv"
    path.write_text("case_ref,rosh\nC-2,HIGH\n")
    code, out, _ = run(capsys, "--db", ops_db, "import-cases", "a1", str(path), "--update")
    assert (code, out) == (0, 'updated 1 case, added 0 cases, 0 unchanged in "a1"\n')
    assert _case(ops, audits.open_audit(ops, "a1"), "C-2").attributes == {
        "sentence_type": "licence",
        "has_psr": "no",
        "gender": "female",
        "rosh": "high",
    }


def test_import_cases_update_is_all_or_nothing(
    ops_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = table_counts(ops_db)
    path = tmp_path / "update.csv"
    path.write_text(
        "case_ref,sentence_type,has_psr,rosh\n"
        "C-2,community,no,high\n"
        "C-5,licence,no,low\n"
        "C-3,community,yes,extreme\n"
    )
    code, out, err = run(capsys, "--db", ops_db, "import-cases", "a1", str(path), "--update")
    assert (code, out) == (1, "")
    assert one_error(err) == (
        f"{path}: row 4, column 'rosh': 'extreme' is not allowed (accepted: low or l, medium or m,"
        " high or h, very high or vh)"
    )
    assert table_counts(ops_db) == before
    repo = open_repository(ops_db)
    assert _case(repo, audits.open_audit(repo, "a1"), "C-2").attributes["rosh"] == "low"
    repo.engine.dispose()


def test_import_cases_update_refuses_to_strand_answers(
    ops_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = table_counts(ops_db)
    path = tmp_path / "psr.csv"
    path.write_text("case_ref,has_psr,rosh\nC-2,no,high\nC-1,no,high\nC-3,no,medium\n")
    code, out, err = run(capsys, "--db", ops_db, "import-cases", "a1", str(path), "--update")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"audit-tui: error: {path}: row 3, column 'has_psr': case C-1: has_psr yes → no would"
        " leave 2 answers to items that no longer apply (2.1.1, 2.1.1.a); clear them in the app"
        " first",
        f"audit-tui: error: {path}: row 4, column 'has_psr': case C-3: has_psr yes → no, rosh"
        " low → medium would leave 1 answer to items that no longer apply (2.1.1); clear them in"
        " the app first",
    ]
    assert table_counts(ops_db) == before


def test_the_app_can_import_updates_clearing_what_stops_applying(
    ops: Repository, tmp_path: Path
) -> None:
    from audit_tui.io.imports import import_case_updates, import_cases

    audit = audits.open_audit(ops, "a1")
    path = tmp_path / "psr.csv"
    path.write_text("case_ref,has_psr\nC-1,no\nC-2,no\n")
    with pytest.raises(AuditError, match="row 2, column 'has_psr': case C-1: has_psr yes → no"):
        import_cases(ops, audit, path, update=True)
    summary = import_case_updates(ops, audit, path, clear_stranded=True)
    assert str(summary) == "updated 1 case, added 0 cases, 1 unchanged"
    assert summary.answers_cleared == 2
    c1 = _case(ops, audit, "C-1")
    assert c1.attributes["has_psr"] == "no" and c1.answered == 2
    assert [e for e, *_ in _events(ops)][-2:] == ["update-cases", "clear-answers"]


def test_import_cases_without_update_says_it_exists(
    ops_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "again.csv"
    path.write_text("case_ref,sentence_type,has_psr,rosh\nC-9,licence,no,low\nC-1,licence,no,low\n")
    code, _, err = run(capsys, "--db", ops_db, "import-cases", "a1", str(path))
    assert code == 1 and one_error(err) == (
        f"{path}: row 3, column 'case_ref': case_ref 'C-1' is already in audit 'a1'"
        " (import-cases --update changes the attributes of cases already in it)"
    )


def test_import_cases_says_one_case(
    ops_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "one.csv"
    path.write_text("case_ref,sentence_type,has_psr,rosh\nC-9,licence,no,low\n")
    code, out, _ = run(capsys, "--db", ops_db, "import-cases", "a1", str(path))
    assert (code, out) == (0, 'imported 1 case into "a1"\n')


def test_update_case_clears_exactly_the_stranded_answers(ops: Repository) -> None:
    audit = audits.open_audit(ops, "a1")
    c1 = _case(ops, audit, "C-1")
    no_psr = {**c1.attributes, "has_psr": "no"}
    assert case_ops.stranded_answers(ops, audit, c1.id, no_psr) == COURT_WORK
    assert case_ops.stranded_answers(ops, audit, c1.id, {**c1.attributes, "rosh": "low"}) == []
    revision = audits.audit_revision(ops, audit.info.id)
    with pytest.raises(StrandedAnswers) as info:
        case_ops.update_case(ops, audit, c1.id, no_psr)
    assert [c.cleared for c in info.value.changes] == [tuple(COURT_WORK)]
    assert str(info.value) == (
        "case C-1: these answers would no longer apply; clear them first: 2.1.1, 2.1.1.a"
        " (has_psr yes → no)"
    )
    assert audits.audit_revision(ops, audit.info.id) == revision  # nothing written

    history_before = _history(ops, c1.id)
    updated = case_ops.update_case(ops, audit, c1.id, no_psr, clear_stranded=True)
    assert updated.attributes == no_psr and updated.answered == 2  # 2.2.1, 2.2.2 stay
    answers = answer_ops.answers_for_case(ops, c1.id)
    assert {i: a.value for i, a in answers.items()} == {
        "2.1.1": None,
        "2.1.1.a": None,
        "2.2.1": "yes",
        "2.2.2": "yes",
    }
    assert answers["2.1.1"].updated_by == ops.user
    assert _history(ops, c1.id) == [
        *history_before,
        ("2.1.1", "yes", None, "case-edit"),
        ("2.1.1.a", "no", None, "case-edit"),
    ]
    assert _events(ops)[-2:] == [
        ("update-cases", "1 case updated: C-1 has_psr yes → no", ops.user),
        (
            "clear-answers",
            "2 answers cleared, their items no longer applying: C-1 2.1.1, 2.1.1.a"
            " (has_psr yes → no)",
            ops.user,
        ),
    ]
    _, tallies = scores.tallies(ops, audit)
    assert (tallies["2.1.1"].yes, tallies["2.1.1"].no, tallies["2.1.1"].applicable) == (0, 1, 1)


def test_update_cases(ops: Repository) -> None:
    audit = audits.open_audit(ops, "a1")
    c1 = _case(ops, audit, "C-1")
    revision = audits.audit_revision(ops, audit.info.id)
    same = case_ops.update_cases(ops, audit, {"C-1": c1.attributes})
    assert (same.updated, same.added, same.unchanged, same.changes) == (0, 0, 1, ())
    assert audits.audit_revision(ops, audit.info.id) == revision  # counted, not written
    with pytest.raises(AuditError, match="not in the audit: C-7, C-8"):
        case_ops.update_cases(ops, audit, {"C-7": {}, "C-8": {}, "C-1": c1.attributes})
    summary = case_ops.update_cases(
        ops,
        audit,
        {"C-1": {**c1.attributes, "has_psr": "no"}, "C-2": {"sentence_type": "licence"}},
        clear_stranded=True,
        add=[("C-4", {"sentence_type": "licence"})],
    )
    assert (summary.updated, summary.added, summary.unchanged, summary.answers_cleared) == (
        2,
        1,
        0,
        2,
    )
    assert [(c.case_ref, c.cleared) for c in summary.changes] == [
        ("C-1", tuple(COURT_WORK)),
        ("C-2", ()),
    ]
    case_ops.remove_case(ops, audit, "C-4", "added by mistake")
    with pytest.raises(
        AuditError, match=r"removed from the audit: C-4 \(on 20.*: added by mistake\)"
    ):
        case_ops.update_cases(ops, audit, {"C-4": {}})


def test_an_update_event_stays_bounded(ops: Repository) -> None:
    audit = audits.open_audit(ops, "a1")
    case_ops.add_cases(ops, audit, [(f"B-{i:04d}", {"rosh": "low"}) for i in range(500)])
    summary = case_ops.update_cases(
        ops, audit, {f"B-{i:04d}": {"rosh": "high"} for i in range(500)}
    )
    assert summary.updated == 500
    event, detail, _ = _events(ops)[-1]
    assert event == "update-cases" and len(detail) < 1000
    assert detail.startswith("500 cases updated: B-0000 rosh low → high; B-0001")
    assert detail.endswith("; … and 490 more")
    assert _events(ops)[-2][1].startswith("500 cases added: B-0000, B-0001")


def test_the_case_reference_message_is_plain_words(
    ops_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "named.csv"
    path.write_text("case_ref,sentence_type,has_psr,rosh\nJohn Smith,community,no,low\n")
    code, _, err = run(capsys, "--db", ops_db, "import-cases", "a1", str(path))
    assert code == 1 and one_error(err) == (
        f"{path}: row 2, column 'case_ref': case reference 'John Smith' looks like a name or"
        " holds characters a pseudonymous code cannot (use 1-40 letters, digits, '.', '_', '/'"
        " or '-', starting with a letter or digit)"
    )


# ---- migration ----------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, on each engine."""
    if request.param == "sqlite":
        yield str(tmp_path / "old.db")
        return
    server = request.getfixturevalue("pg_server_url")
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"audit_tui_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        make_url(server).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_0002_database_is_upgraded_keeping_its_data(
    empty_target: str, rubric_text: str, tmp_path: Path
) -> None:
    from alembic import command

    from audit_tui.domain.loader import rubric_hash
    from audit_tui.store.models import utcnow

    engine = make_engine(empty_target)
    with writer(engine).begin() as conn:
        cfg = migrate._config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    with writer(engine).begin() as conn:  # data as a 0002 release wrote it
        old = MetaData()
        audit, case, answer = (
            Table(name, old, autoload_with=conn) for name in ("audit", "audit_case", "answer")
        )
        assert "removed_at" not in case.c
        now = utcnow()
        audit_id = conn.scalar(
            insert(audit)
            .returning(audit.c.id)
            .values(
                name="old-audit",
                pdu="Oldham",
                region="",
                rubric_id="hmip-probation-pdu-2021",
                rubric_version="2021.1",
                rubric_hash=rubric_hash(rubric_text),
                rubric_snapshot=rubric_text,
                created_at=now,
                created_by=identity(engine),  # who runs this test: the lead once upgraded
                revision=4,
            )
        )
        case_ids = [
            conn.scalar(
                insert(case)
                .returning(case.c.id)
                .values(
                    audit_id=audit_id,
                    case_ref=ref,
                    position=i,
                    attributes={"sentence_type": "community", "has_psr": "yes", "rosh": "low"},
                    created_at=now,
                )
            )
            for i, ref in enumerate(["O-1", "O-2"], start=1)
        ]
        conn.execute(
            insert(answer).values(
                case_id=case_ids[0],
                item_id="2.2.1",
                value="yes",
                note="",
                updated_at=now,
                updated_by="qdo",
            )
        )
    assert migrate.current_revision(engine) == "0002"
    engine.dispose()

    repo = open_repository(empty_target)  # upgrades, after a backup on SQLite
    assert migrate.current_revision(repo.engine) == migrate.HEAD  # through 0003 and on
    if not empty_target.startswith("postgresql"):
        assert [p.name.split(".")[2] for p in tmp_path.glob("old.db.*.bak")] == ["0002"]
    audit_ = audits.open_audit(repo, "old-audit")
    assert (audit_.info.pdu, audit_.info.cases, audit_.info.revision) == ("Oldham", 2, 4)
    cases = case_ops.list_cases(repo, audit_)
    assert [(c.case_ref, c.answered, c.removed) for c in cases] == [
        ("O-1", 1, False),
        ("O-2", 0, False),
    ]
    assert event_ops.audit_events(repo, audit_) == [] and case_ops.removed_cases(repo, audit_) == []
    assert [(m.user, m.role) for m in team.members(repo, audit_)] == [(repo.user, "lead")]
    case_ops.remove_case(repo, audit_, "O-2", "not in the sample window")
    assert audits.open_audit(repo, "old-audit").info.cases == 1
    assert [e.event for e in event_ops.audit_events(repo, audit_)] == ["remove-case"]
    repo.engine.dispose()


# ---- several writers at once --------------------------------------------------------------

RELEASED_TOGETHER = """
import sys
import audit_tui.io.imports, audit_tui.store.database  # the slow part of starting, done first
print("ready", flush=True)
sys.stdin.readline()
"""
CLI = RELEASED_TOGETHER + "from audit_tui.cli import main\nsys.exit(main(sys.argv[1:]))\n"
SAVER = """
import sys
from audit_tui.domain.answers import Answer
from audit_tui.domain.errors import AuditError
from audit_tui.settings import load
from audit_tui.store import answers as answer_ops
from audit_tui.store import audits
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository

repo = open_repository(sys.argv[1], load().user)  # who the CLI would be ($AUDIT_TUI_USER)
audit = audits.open_audit(repo, "a1")
case = next(c for c in case_ops.list_cases(repo, audit) if c.case_ref == "C-2")  # read before the race
print("ready", flush=True)
sys.stdin.readline()
saved = 0
for i in range(200):
    try:
        answer_ops.save_answer(repo, audit, case, "2.3.1", [Answer.YES, Answer.NO][i % 2])
    except AuditError as exc:
        print(f"{saved} {exc}")
        break
    saved += 1
else:
    print(f"{saved} never refused")
"""


def test_two_removals_of_one_case_at_once(ops_db: str) -> None:
    results = release(
        [
            [CLI, "--db", ops_db, "remove-case", "a1", "C-2", "--reason", f"reason {n}"]
            for n in range(2)
        ]
    )
    assert sorted(r.returncode for r in results) == [0, 1], [r.stderr for r in results]
    loser = next(r for r in results if r.returncode == 1)
    assert "Traceback" not in loser.stderr
    line = one_error(loser.stderr)
    assert line.startswith("case: 'C-2' was already removed from audit 'a1' on 20")
    repo = open_repository(ops_db)
    events = [(e, d) for e, d, _ in _events(repo) if e == "remove-case"]
    [removed] = case_ops.removed_cases(repo, audits.open_audit(repo, "a1"))
    assert events == [("remove-case", f"C-2: {removed.removed_reason}")]
    assert line.endswith(f"by {removed.removed_by}: {removed.removed_reason}")
    repo.engine.dispose()


def test_two_renames_at_once_both_land_in_the_log_in_order(ops_db: str) -> None:
    results = release([[CLI, "--db", ops_db, "rename", "a1", name] for name in ("x1", "y1")])
    codes = sorted(r.returncode for r in results)
    assert codes in ([0, 0], [0, 1]), [r.stderr for r in results]
    for r in results:
        if r.returncode:  # it looked for "a1" after the other had renamed it
            assert 'no audit named "a1"' in one_error(r.stderr)
    repo = open_repository(ops_db)
    [audit] = audits.list_audits(repo)
    renames = [
        e.detail
        for e in event_ops.audit_events(repo, audits.open_audit(repo, audit.name))
        if e.event == "rename"
    ]
    # each rename's old name is the previous one's new name: read under the lock, never stale
    chain = ["a1"]
    for detail in renames:
        old, new = detail.split(" → ")
        assert old == chain[-1]
        chain.append(new)
    assert chain[-1] == audit.name and len(renames) == codes.count(0)
    repo.engine.dispose()


def test_a_removal_racing_saves_to_the_case(ops_db: str) -> None:
    results = release(
        [[SAVER, ops_db], [CLI, "--db", ops_db, "remove-case", "a1", "C-2", "--reason", "moved"]]
    )
    saver, remover = results
    assert (saver.returncode, remover.returncode) == (0, 0), [r.stderr for r in results]
    saved, _, refusal = saver.stdout.strip().partition(" ")
    repo = open_repository(ops_db)
    audit = audits.open_audit(repo, "a1")
    [removed] = case_ops.removed_cases(repo, audit)
    history = answer_ops.answer_history(repo, removed.id, "2.3.1")
    # every save the saver was told about is in the history, all before the removal, no more
    assert len(history) == int(saved)
    if refusal != "never refused":
        assert refusal == "answer: case C-2 is no longer in this audit"
    assert removed.removed_at is not None
    stamp = removed.removed_at.replace(tzinfo=None)
    assert all(h["changed_at"].replace(tzinfo=None) <= stamp for h in history)
    repo.engine.dispose()
