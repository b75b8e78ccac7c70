"""SQLite imports bind their rows into a TEMP table before the write lock (`store/staging`):
another auditor's save goes through while they are bound, the import still writes exactly what
the row-by-row import wrote (history, notes, counts), and the TEMP tables leave with it."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import pytest
from sqlalchemy import event

from audit_tui.domain.answers import Answer
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import OpenAudit
from audit_tui.store import answers, audits
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.repository import Repository
from tests.store.test_counts import assert_counts_hold

STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
ATTRS = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}


@pytest.fixture
def audit(sqlite_repo: Repository, rubric_text: str) -> OpenAudit:
    made = audits.create_audit(sqlite_repo, "staged", rubric_text)
    case_ops.add_cases(sqlite_repo, made, [(f"S-{n}", ATTRS) for n in range(1, 4)])
    return audits.open_audit(sqlite_repo, "staged")


def _temp_tables(repo: Repository) -> list[str]:
    with repo.writer.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_temp_master")]


def test_a_save_goes_through_while_an_import_binds_its_rows(
    sqlite_repo: Repository, sqlite_target: str, audit: OpenAudit
) -> None:
    """The other writer waits for no lock at all (wait=0): had the binding taken
    the write lock, or written the database itself, their save would fail 'database is locked'."""
    other = open_repository(sqlite_target, sqlite_repo.user, wait=0)  # another process
    s1, s2, _ = case_ops.list_cases(sqlite_repo, audit)
    saved: list[bool] = []

    def save_meanwhile(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT INTO temp.import_stage"):  # mid-binding, uncommitted
            saved.append(answers.save_answer(other, audit, s2, "2.2.1", Answer.NO).changed)

    event.listen(sqlite_repo.engine, "after_cursor_execute", save_meanwhile)
    try:
        summary = answers.import_answers(sqlite_repo, audit, {s1.id: {"2.2.1": Answer.YES}})
    finally:
        event.remove(sqlite_repo.engine, "after_cursor_execute", save_meanwhile)
        other.engine.dispose()
    assert saved == [True]
    assert summary.written == 1
    assert answers.answers_for_case(sqlite_repo, s2.id)["2.2.1"].value == "no"
    assert answers.answers_for_case(sqlite_repo, s1.id)["2.2.1"].value == "yes"


def test_a_staged_import_writes_what_changes_and_nothing_else(
    sqlite_repo: Repository, sqlite_target: str, audit: OpenAudit
) -> None:
    """Equal values left alone, changed ones updated with their notes kept, a note-only answer
    given its value, new ones inserted: each with one history row from the value before."""
    s1, s2, s3 = case_ops.list_cases(sqlite_repo, audit)
    answers.save_answer(sqlite_repo, audit, s1, "2.2.1", Answer.YES)
    answers.save_answer(sqlite_repo, audit, s1, "2.2.2", Answer.NO, note="kept note")
    answers.save_answer(sqlite_repo, audit, s2, "2.3.1", None, note="note only")
    summary = answers.import_answers(
        sqlite_repo,
        audit,
        {
            s1.id: {"2.2.1": Answer.YES, "2.2.2": Answer.YES},
            s2.id: {"2.3.1": Answer.NOT_APPLICABLE},
            s3.id: {"2.2.1": Answer.NO, "2.4.1": Answer.YES},
        },
        via="import",
    )
    assert (summary.rows, summary.written, summary.unchanged) == (3, 4, 1)
    first, second, third = (answers.answers_for_case(sqlite_repo, c.id) for c in (s1, s2, s3))
    assert (first["2.2.1"].value, first["2.2.2"].value, first["2.2.2"].note) == (
        "yes",
        "yes",
        "kept note",
    )
    assert (second["2.3.1"].value, second["2.3.1"].note) == ("na", "note only")
    assert {k: v.value for k, v in third.items()} == {"2.2.1": "no", "2.4.1": "yes"}

    def trail(case_id: int, item: str) -> list[tuple[Any, ...]]:
        return [
            (h["old_value"], h["new_value"], h["via"], h["changed_by"])
            for h in answers.answer_history(sqlite_repo, case_id, item)
        ]

    me = sqlite_repo.user
    assert trail(s1.id, "2.2.1") == [(None, "yes", "tui", me)]  # unchanged: no import row
    assert trail(s1.id, "2.2.2")[-1] == ("no", "yes", "import", me)
    assert trail(s2.id, "2.3.1")[-1] == (None, "na", "import", me)
    assert trail(s3.id, "2.4.1") == [(None, "yes", "import", me)]
    assert_counts_hold(sqlite_repo, audit)
    assert _temp_tables(sqlite_repo) == []
    with sqlite3.connect(sqlite_target) as raw:  # stored as a save stores them: text sorts right
        stamps = raw.execute("SELECT via, changed_at FROM answer_history").fetchall()
        stamps += raw.execute("SELECT 'answer', updated_at FROM answer").fetchall()
    assert {via for via, _ in stamps} == {"tui", "import", "answer"}
    assert all(STAMP.fullmatch(at) for _, at in stamps), stamps


def test_a_refused_or_empty_import_leaves_nothing_behind(
    sqlite_repo: Repository, audit: OpenAudit
) -> None:
    s1, s2, _ = case_ops.list_cases(sqlite_repo, audit)
    before = audits.open_audit(sqlite_repo, "staged").info.revision
    with pytest.raises(AuditError, match="no longer applies"):  # 9.9.9 is no item of S-2
        answers.import_answers(
            sqlite_repo, audit, {s1.id: {"2.2.1": Answer.YES}, s2.id: {"9.9.9": Answer.YES}}
        )
    assert answers.answers_for_case(sqlite_repo, s1.id) == {}  # all or nothing
    assert answers.import_answers(sqlite_repo, audit, {}).written == 0
    assert audits.open_audit(sqlite_repo, "staged").info.revision == before
    assert _temp_tables(sqlite_repo) == []
