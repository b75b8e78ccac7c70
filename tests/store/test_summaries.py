"""The audit list's figures, kept per audit and revision (store/summaries.py): always what the
answers say, counted again only for the audits that moved, and never worth a wait."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import event

from audit_tui.demo import DEMO_AUDIT, load_demo
from audit_tui.domain.answers import Answer
from audit_tui.domain.records import Judgement
from audit_tui.store import answers as answer_ops
from audit_tui.store import audits, judgements, scores, summaries
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.listing import AuditSummary, audit_summaries
from audit_tui.store.repository import Repository
from tests.support.paths import RUBRICS

NO_PSR = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}


def _exact(repo: Repository) -> dict[str, tuple[object, ...]]:
    """Each audit's figures as a report counts them, from the answers themselves."""
    out: dict[str, tuple[object, ...]] = {}
    for info in audits.list_audits(repo):
        audit = audits.open_audit(repo, info.name)
        result = scores.score(repo, audit)
        out[info.name] = (info.cases, *result.progress, result.score, result.overall)
    return out


def _listed(found: list[AuditSummary]) -> dict[str, tuple[object, ...]]:
    return {s.name: (s.cases, s.answered, s.applicable, s.score, s.rating) for s in found}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The audits whose figures are counted (not reused), in order."""
    names: list[str] = []
    real = summaries.count_many

    def spy(repo: Repository, audits):  # type: ignore[no-untyped-def]
        names.extend(a.info.name for a in audits)
        return real(repo, audits)

    monkeypatch.setattr(summaries, "count_many", spy)
    return names


def test_every_change_shows_in_the_list_as_the_answers_count_it(
    repo: Repository, rubric_text: str
) -> None:
    load_demo(repo)
    other = audits.create_audit(repo, "other", rubric_text)
    assert _listed(audit_summaries(repo)) == _exact(repo)
    audit = audits.open_audit(repo, DEMO_AUDIT)
    first, second, *_ = case_ops.list_cases(repo, audit)
    steps: list[Callable[[], object]] = [
        lambda: answer_ops.save_answer(repo, audit, first, "2.2.1", Answer.NO),
        lambda: answer_ops.save_answer(repo, audit, second, "2.2.1", None),
        lambda: case_ops.remove_case(repo, audit, first.case_ref, "file missing"),
        lambda: judgements.save_judgements(repo, audit, [Judgement("1.1", "Inadequate", "", "")]),
        lambda: case_ops.add_cases(repo, other, [("N-1", NO_PSR), ("N-2", NO_PSR)]),
        lambda: answer_ops.import_answers(
            repo, other, {c.id: {"2.2.1": Answer.YES} for c in case_ops.list_cases(repo, other)}
        ),
    ]
    for step in steps:
        step()
        assert _listed(audit_summaries(repo)) == _exact(repo)


def test_only_the_audits_that_moved_are_counted_again(
    repo: Repository, rubric_text: str, counted: list[str]
) -> None:
    for name in ("a", "b", "c"):
        made = audits.create_audit(repo, name, rubric_text)
        case_ops.add_cases(repo, made, [("C-1", NO_PSR)])
    audit_summaries(repo)
    assert sorted(counted) == ["a", "b", "c"]
    counted.clear()
    audit_summaries(repo)
    assert counted == []
    b = audits.open_audit(repo, "b")
    answer_ops.save_answer(repo, b, case_ops.list_cases(repo, b)[0], "2.2.1", Answer.YES)
    found = {s.name: s for s in audit_summaries(repo)}
    assert counted == ["b"] and found["b"].answered == 1


def test_a_new_process_reads_the_kept_figures_without_counting(
    sqlite_target: str, counted: list[str]
) -> None:
    repo = open_repository(sqlite_target)
    load_demo(repo)
    first = audit_summaries(repo)
    repo.engine.dispose()
    counted.clear()
    summaries._seen.clear()  # as a new process starts
    again = open_repository(sqlite_target)
    assert audit_summaries(again) == first
    assert counted == []
    again.engine.dispose()


def test_figures_kept_by_one_process_are_not_trusted_after_another_changes_the_audit(
    sqlite_target: str,
) -> None:
    one, two = open_repository(sqlite_target), open_repository(sqlite_target)
    load_demo(one)
    audit_summaries(one)
    audit = audits.open_audit(two, DEMO_AUDIT)
    case = case_ops.list_cases(two, audit)[0]
    before = {s.name: s for s in audit_summaries(one)}[DEMO_AUDIT].answered
    answer_ops.save_answer(two, audit, case, "2.2.1", None)
    assert {s.name: s for s in audit_summaries(one)}[DEMO_AUDIT].answered == before - 1
    assert _listed(audit_summaries(one)) == _exact(one)
    one.engine.dispose()
    two.engine.dispose()


def test_an_audit_given_a_deleted_audits_id_never_shows_its_figures(
    repo: Repository, rubric_text: str
) -> None:
    gone = audits.create_audit(repo, "gone", rubric_text)
    case_ops.add_cases(repo, gone, [("C-1", NO_PSR), ("C-2", NO_PSR)])
    assert [s.cases for s in audit_summaries(repo)] == [2]
    audits.delete_audit(repo, "gone")
    audits.create_audit(repo, "new", rubric_text)
    assert [(s.name, s.cases, s.answered) for s in audit_summaries(repo)] == [("new", 0, 0)]


def test_a_writer_holding_the_database_does_not_stall_the_list(sqlite_target: str) -> None:
    """The figures are shown at once and simply not kept: the list never waits for a writer
    (here one that would hold it for a minute)."""
    repo = open_repository(sqlite_target, wait=60)
    load_demo(repo)
    summaries._seen.clear()
    with sqlite3.connect(sqlite_target, isolation_level=None) as holder:
        holder.execute("BEGIN IMMEDIATE")
        start = time.monotonic()
        found = audit_summaries(repo)
        waited = time.monotonic() - start
        holder.execute("ROLLBACK")
    assert waited < 30 and _listed(found) == _exact(repo)
    with sqlite3.connect(sqlite_target) as con:
        assert con.execute("SELECT count(*) FROM audit_summary").fetchone() == (0,)
    audit_summaries(repo)  # nothing counted again (this process kept them), nothing stored
    summaries._seen.clear()
    audit_summaries(repo)
    with sqlite3.connect(sqlite_target) as con:
        assert con.execute("SELECT count(*) FROM audit_summary").fetchone() == (3,)
    repo.engine.dispose()


def test_a_kept_summary_is_written_only_at_the_revision_it_was_counted_at(
    sqlite_target: str, rubric_text: str
) -> None:
    """Figures counted at revision R reach the table only while the audit is still at R: a
    change committed between counting and keeping leaves no stale row behind."""
    repo = open_repository(sqlite_target)
    made = audits.create_audit(repo, "a", rubric_text)
    case_ops.add_cases(repo, made, [("C-1", NO_PSR)])
    made = audits.open_audit(repo, "a")
    figures = summaries.count_many(repo, [made])[made.info.id]
    case_ops.add_cases(repo, made, [("C-2", NO_PSR)])  # the audit moves on
    assert summaries.store(repo, {made.info.id: figures})
    with sqlite3.connect(sqlite_target) as con:
        assert con.execute("SELECT count(*) FROM audit_summary").fetchone() == (0,)
    assert [s.cases for s in audit_summaries(repo)] == [2]
    repo.engine.dispose()


def test_the_database_file_keeps_its_owner_only_mode_with_summaries(sqlite_target: str) -> None:
    repo = open_repository(sqlite_target)
    load_demo(repo)
    audit_summaries(repo)
    repo.engine.dispose()
    assert Path(sqlite_target).stat().st_mode & 0o077 == 0


def test_figures_are_counted_in_the_same_statements_for_two_audits_as_for_twelve(
    repo: Repository, rubric_text: str
) -> None:
    """A first list of 1,000 audits on PostgreSQL cost four round trips per audit (12 s); the
    audits are now counted together, and a framework rated by its cases counted exactly."""
    checklist = (RUBRICS / "all-questions.toml").read_text(encoding="utf-8")
    for i in range(12):
        made = audits.create_audit(repo, f"a{i:02d}", checklist if i == 0 else rubric_text)
        attrs = {"plan_due": "no"} if i == 0 else NO_PSR
        case_ops.add_cases(repo, made, [("C-1", attrs), ("C-2", attrs)])
        made = audits.open_audit(repo, made.info.name)
        cases = case_ops.list_cases(repo, made)
        item = "O1.1" if i == 0 else "2.2.1"
        answer_ops.save_answer(repo, made, cases[0], item, Answer.YES if i % 2 else Answer.NO)
        answer_ops.save_answer(repo, made, cases[1], item, Answer.YES)
    opened = [audits.open_audit(repo, info.name) for info in audits.list_audits(repo)]
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(repo.engine, "before_cursor_execute", seen)
    try:
        few = summaries.count_many(repo, opened[1:3])
        n_few, statements[:] = len(statements), []
        many = summaries.count_many(repo, opened[1:])
        n_many = len(statements)
    finally:
        event.remove(repo.engine, "before_cursor_execute", seen)
    assert n_many == n_few and len(many) == 11 and set(few) <= set(many)
    # the checklist's verdicts need its cases and their answers: two statements for it alone
    statements.clear()
    event.listen(repo.engine, "before_cursor_execute", seen)
    try:
        everything = summaries.count_many(repo, opened)
    finally:
        event.remove(repo.engine, "before_cursor_execute", seen)
    assert len(statements) == n_many + 2
    exact = _exact(repo)
    for audit in opened:
        f = everything[audit.info.id]
        assert (f.cases, f.answered, f.applicable, f.score, f.rating) == exact[audit.info.name]
