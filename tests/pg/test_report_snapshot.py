"""A report is read in one snapshot (`Repository.snapshot`, `reporting.gather`): another process
committing answers between two of its reads changes nothing the report says. The writer runs in
its own process, released by an Event right after the report has listed its cases and waited
for before the report goes on to score them: no sleep decides the outcome."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from typing import Any

import pytest

from audit_tui.domain.records import CaseInfo, OpenAudit
from audit_tui.reporting.gather import Reads, gather
from audit_tui.store import audits
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.repository import Repository
from tests.conftest import empty_pg
from tests.store.test_team import _answer_all, _audit

pytestmark = pytest.mark.postgres
WAIT = 60  # seconds: only a hung writer ever reaches it, and then the test fails


@pytest.fixture
def db_target(pg_server_url: str) -> Iterator[str]:
    """PostgreSQL only: REPEATABLE READ is what is under test. Emptied after, as elsewhere."""
    yield pg_server_url
    empty_pg(pg_server_url)


def answer_everything(url: str, name: str, user: str, go: Any, done: Any) -> None:
    """The other process, as the same person: once released, answer every item of every case
    Yes, and commit."""
    go.wait(WAIT)
    repo = open_repository(url, user)
    audit = audits.open_audit(repo, name)
    for case in case_ops.list_cases(repo, audit):
        _answer_all(repo, audit, case)
    repo.engine.dispose()
    done.set()


def test_answers_committed_between_a_reports_reads_are_not_half_in_it(
    repo: Repository, rubric_text: str, db_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = _audit(repo, rubric_text, n=6)
    ctx = multiprocessing.get_context("spawn")
    go, done = ctx.Event(), ctx.Event()
    writer = ctx.Process(
        target=answer_everything, args=(db_target, audit.info.name, repo.user, go, done)
    )
    writer.start()
    listed = case_ops.list_cases

    def list_then_let_the_writer_commit(
        repo: Repository, audit: OpenAudit, *, progress: bool = True
    ) -> list[CaseInfo]:
        cases = listed(repo, audit, progress=progress)
        if not go.is_set():  # the report's first list: the writer commits before it goes on
            go.set()
            assert done.wait(WAIT), "the writer did not commit"
        return cases

    monkeypatch.setattr(case_ops, "list_cases", list_then_let_the_writer_commit)
    try:
        record = gather(repo, audit, Reads.REPORT | Reads.VALUES)
    finally:
        go.set()
        writer.join(WAIT)
    monkeypatch.undo()
    assert writer.exitcode == 0 and done.is_set()

    data = record.report
    listed_answered = sum(c.answered for c in data.cases)
    scored_answered, scored_applicable = data.result.progress
    yes = sum(kq.yes for st in data.result.standards for kq in st.key_questions)
    given = sum(len(v) for v in record.values.values())
    # the case list, the score and the answer values all say what stood before the writer
    assert (listed_answered, scored_answered, yes, given) == (0, 0, 0, 0)
    assert data.draft == f"Draft: 0 of {sum(c.applicable for c in data.cases):,} items answered"
    assert scored_applicable > 0
    # ... while the writer's answers were committed meanwhile: a report read now has them all
    now = gather(repo, audit, Reads.REPORT).report
    assert now.draft is None
    assert now.result.progress == (scored_applicable, scored_applicable)
