"""`verify`: a count bent, a chain broken, an event forged are each found, in one line, on both
engines; `--repair` puts the counts right and says so in the log; a clean audit passes.

Tampering is done as someone with the file (SQLite) or as the server's superuser with the
triggers switched off (PostgreSQL): no login can do any of it (tests/pg/test_pg_security.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import Connection, select, text

from audit_tui.demo import load_demo
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import OpenAudit
from audit_tui.store import cases, events, team
from audit_tui.store.database import open_repository
from audit_tui.store.repository import ANSWER, AUDIT_EVENT, CASE, Repository
from audit_tui.store.verify import repair, verify
from tests.conftest import Person
from tests.store.test_team import _audit
from tests.support.cli import run


@pytest.fixture
def demo(repo: Repository) -> OpenAudit:
    return load_demo(repo)


@contextmanager
def tampering(repo: Repository) -> Iterator[Connection]:
    """A transaction that writes past the app, and on PostgreSQL past the server's triggers."""
    with repo.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        yield conn


def lines(repo: Repository, audit: OpenAudit) -> list[str]:
    return [str(p) for p in verify(repo, audit)]


def test_a_clean_audit_holds_together(repo: Repository, demo: OpenAudit) -> None:
    assert lines(repo, demo) == []
    team.lock_audit(repo, demo)
    team.unlock_audit(repo, demo, "a figure corrected")
    assert lines(repo, demo) == []


def test_a_bent_count_is_found_and_repaired_with_a_log_entry(
    repo: Repository, demo: OpenAudit
) -> None:
    with tampering(repo) as conn:
        conn.execute(
            text(
                "UPDATE item_tally SET n = n + 3 WHERE audit_id = :a AND item_id = '2.2.1'"
                " AND value = 'yes'"
            ),
            {"a": demo.info.id},
        )
        conn.execute(
            text(
                "UPDATE audit_case SET answered = 0 WHERE audit_id = :a AND case_ref = 'TS23-004'"
            ),
            {"a": demo.info.id},
        )
    found = lines(repo, demo)
    assert any(line.startswith("item 2.2.1: the kept count of 'yes' answers is") for line in found)
    assert any(
        line.startswith("case TS23-004: the kept count of answered items is 0") for line in found
    )
    assert len(found) == 2, found
    assert repair(repo, demo).fixed == 2
    assert lines(repo, demo) == []
    assert events.audit_events(repo, demo)[-1].event == "repair"


def test_a_broken_chain_is_found(repo: Repository, demo: OpenAudit) -> None:
    case = cases.list_cases(repo, demo)[0]
    with tampering(repo) as conn:  # an answer changed with no trace
        conn.execute(
            ANSWER.update()
            .where(ANSWER.c.case_id == case.id, ANSWER.c.item_id == "2.2.1")
            .values(value="na")
        )
        conn.execute(  # and a link of another chain altered
            text(
                "UPDATE answer_history SET old_value = 'na' WHERE id = (SELECT min(id) FROM"
                " answer_history WHERE case_id = :c AND item_id = '2.3.1')"
            ),
            {"c": case.id},
        )
    found = lines(repo, demo)
    assert f"answer {case.case_ref} 2.2.1: holds 'na', but its history ends at" in "\n".join(found)
    assert any(
        f"answer {case.case_ref} 2.3.1: its history starts at 'na'" in line for line in found
    ), found


def test_a_forged_event_is_found(repo: Repository, demo: OpenAudit) -> None:
    unsigned = cases.list_cases(repo, demo)[1].case_ref
    with tampering(repo) as conn:
        first = conn.scalar(select(AUDIT_EVENT.c.at).where(AUDIT_EVENT.c.audit_id == demo.info.id))
        assert first is not None
        conn.execute(
            AUDIT_EVENT.insert().values(
                audit_id=demo.info.id,
                audit_name=demo.info.name,
                at=first - timedelta(hours=1),
                by="mallory",
                event="sign-off",
                detail=unsigned,
            )
        )
        conn.execute(  # and a lock nobody logged
            text(
                "UPDATE audit SET locked_at = CURRENT_TIMESTAMP, locked_by = 'mallory' WHERE id = :a"
            ),
            {"a": demo.info.id},
        )
    found = "\n".join(lines(repo, demo))
    assert "(sign-off by mallory): is dated before the event logged ahead of it" in found
    assert f"case {unsigned}: the log says it was signed off, but it is not" in found
    assert "lock: the audit is locked (by mallory) but its log has no lock" in found


def test_verify_on_the_command_line(
    db_target: str, capsys: pytest.CaptureFixture[str], repo: Repository, demo: OpenAudit
) -> None:
    db = ("--db", db_target)
    code, out, err = run(capsys, *db, "verify", demo.info.name)
    assert (code, err) == (0, "") and "holds together" in out
    with tampering(repo) as conn:
        conn.execute(
            text("UPDATE item_tally SET n = n + 1 WHERE audit_id = :a"), {"a": demo.info.id}
        )
        conn.execute(
            CASE.update()
            .where(CASE.c.audit_id == demo.info.id)
            .values(answered=CASE.c.answered + 1)
        )
    code, out, err = run(capsys, *db, "verify", demo.info.name)
    problems = err.splitlines()
    assert code == 1 and out == "" and len(problems) == 21  # 20 lines, then how many more
    assert all(line.startswith("audit-tui: error: ") for line in problems)
    code, out, err = run(capsys, *db, "verify", demo.info.name, "--repair")
    assert code == 0 and "kept counts put right" in err and "holds together" in out


def test_only_the_lead_repairs_or_on_postgresql_the_owner(
    people: Person, rubric_text: str, db_target: str
) -> None:
    lead, ann = people("lead"), people("ann")
    audit = _audit(lead, rubric_text, n=2)
    team.set_member(lead, audit, ann.user, "auditor")
    with pytest.raises(AuditError, match="lead"):
        repair(ann, audit)
    assert repair(lead, audit).fixed == 0
    assert lines(ann, audit) == []
    if db_target.startswith("postgresql"):  # the owner, in no role in the audit
        owner = open_repository(db_target)
        assert repair(owner, audit).fixed == 0
        assert [e.by for e in events.audit_events(owner, audit)][-2:] == [lead.user, owner.user]
        owner.engine.dispose()


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("answer", "value", "Yes"),
        ("answer_history", "via", "psql!"),
        ("audit_member", "role", "owner"),
        ("audit", "kind", "census"),
        ("case_action", "status", "closed"),
        ("audit_event", "event", "lock-all"),
    ],
)
def test_closed_sets_are_kept_by_the_database(
    repo: Repository, demo: OpenAudit, table: str, column: str, value: str
) -> None:
    """A value outside its set, written past the app (a second mark stored as "Yes" once crashed
    a report), is refused by the database itself, on both engines."""
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), tampering(repo) as conn:
        conn.execute(text(f"UPDATE {table} SET {column} = :v"), {"v": value})
