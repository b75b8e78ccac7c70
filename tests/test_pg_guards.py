"""The team rules kept by PostgreSQL itself: an auditor who connects with plain SQL (psql, a
script) instead of the app meets the same refusals, and cannot sign as someone else."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from sqlalchemy.engine import make_url

from audit_tui.domain.answers import Answer
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import CaseInfo, OpenAudit
from audit_tui.store import team
from audit_tui.store.database import open_repository
from audit_tui.store.repository import Repository
from tests.conftest import Person, empty_pg
from tests.test_team import _answer_all, _audit, _case

pytestmark = pytest.mark.postgres


@pytest.fixture
def db_target(pg_server_url: str) -> Iterator[str]:
    """PostgreSQL only: these tests are about the server. Emptied after each, as elsewhere."""
    yield pg_server_url
    empty_pg(pg_server_url)


def _sql(repo_url: str, role: str) -> psycopg.Connection:
    url = make_url(repo_url).set(drivername="postgresql", username=role, password=None)
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


@dataclass
class Scene:
    lead: Repository
    ann: Repository
    bob: Repository
    audit: OpenAudit
    c1: CaseInfo
    c2: CaseInfo
    sql: psycopg.Connection
    """ann's own connection, as psql would make it."""


@pytest.fixture
def scene(people: Person, rubric_text: str, db_target: str) -> Iterator[Scene]:
    """An audit led by lead, C-1 allocated to ann, C-2 to bob, one answer each."""
    lead, ann, bob = people("lead"), people("ann"), people("bob")
    audit = _audit(lead, rubric_text, n=2)
    team.allocate(lead, audit, [ann.user, bob.user])
    c1, c2 = _case(lead, audit, "C-1"), _case(lead, audit, "C-2")
    ann.save_answer(audit, c1, "2.2.1", Answer.YES)
    bob.save_answer(audit, c2, "2.2.1", Answer.YES)
    with _sql(db_target, ann.user) as conn:
        yield Scene(lead=lead, ann=ann, bob=bob, audit=audit, c1=c1, c2=c2, sql=conn)


def _refused(conn: psycopg.Connection, statement: str, *params: object) -> str:
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
        conn.execute(statement, params)
    return str(caught.value).splitlines()[0]


def test_an_auditor_with_psql_changes_only_their_own_answers(scene: Scene) -> None:
    conn, c1, c2, ann = scene.sql, scene.c1, scene.c2, scene.ann
    line = _refused(conn, "UPDATE answer SET value = 'no' WHERE case_id = %s", c2.id)
    assert line == f"audit-tui: {ann.user} may not change the answers of case C-2"
    _refused(
        conn,
        "INSERT INTO answer (case_id, item_id, value, note, updated_at, updated_by)"
        " VALUES (%s, '2.3.1', 'no', '', now(), 'bob')",
        c2.id,
    )
    _refused(conn, "DELETE FROM answer WHERE case_id = %s", c1.id)  # deleting is the lead's
    # their own case: allowed, and stamped with their login whatever name they write
    conn.execute("UPDATE answer SET value = 'no', updated_by = 'bob' WHERE case_id = %s", (c1.id,))
    row = conn.execute("SELECT value, updated_by FROM answer WHERE case_id = %s", (c1.id,))
    assert row.fetchone() == ("no", ann.user)
    conn.execute(
        "INSERT INTO answer_history (case_id, item_id, old_value, new_value, changed_at,"
        " changed_by, via) VALUES (%s, '2.2.1', 'yes', 'no', now(), 'bob', 'psql')",
        (c1.id,),
    )
    who = conn.execute("SELECT changed_by FROM answer_history WHERE via = 'psql'").fetchone()
    assert who == (ann.user,)
    _refused(conn, "UPDATE answer_history SET new_value = 'yes' WHERE case_id = %s", c1.id)
    _refused(conn, "DELETE FROM answer_history WHERE case_id = %s", c1.id)


def test_an_auditor_with_psql_cannot_touch_a_signed_off_case_or_a_locked_audit(
    scene: Scene,
) -> None:
    conn, lead, ann, audit, c1 = scene.sql, scene.lead, scene.ann, scene.audit, scene.c1
    _answer_all(ann, audit, c1)
    team.sign_off(lead, audit, "C-1")
    line = _refused(conn, "UPDATE answer SET value = 'no' WHERE case_id = %s", c1.id)
    assert line == "audit-tui: case C-1 was signed off: its answers can no longer change"
    _refused(conn, "UPDATE audit_case SET signed_off_at = NULL WHERE id = %s", c1.id)
    team.lock_audit(lead, audit)
    c2 = scene.c2
    assert _refused(conn, "UPDATE answer SET value = 'no'") == (
        "audit-tui: the audit is locked: nothing in it can change"
    )
    _refused(conn, "UPDATE audit SET locked_at = NULL, locked_by = NULL")
    _refused(conn, "UPDATE audit SET name = 'mine'")
    _refused(
        conn,
        "INSERT INTO audit_member (audit_id, user_name, role, added_at, added_by)"
        " VALUES (%s, 'mallory', 'lead', now(), 'lead')",
        audit.info.id,
    )
    _refused(conn, "UPDATE audit_member SET role = 'lead'")
    _refused(conn, "UPDATE audit_event SET detail = 'nothing happened'")
    _refused(conn, "DELETE FROM audit WHERE id = %s", audit.info.id)
    # what the app says for the same refusals
    with pytest.raises(Exception, match="is locked"):
        scene.bob.save_answer(audit, c2, "2.2.1", Answer.NO)


def test_a_login_without_a_grant_is_told_to_ask_the_owner(
    db_target: str, pg_server_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.cli import run

    role = f"stranger_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(
        make_url(db_target).set(drivername="postgresql").render_as_string(hide_password=False),
        autocommit=True,
    ) as owner:
        owner.execute(f'CREATE ROLE "{role}" LOGIN')
        try:
            url = make_url(db_target).set(username=role).render_as_string(hide_password=False)
            code, out, err = run(capsys, "--db", url, "new", "x", "--rubric",
                                 "hmip-probation-pdu-2021")  # fmt: skip
            assert (code, out) == (1, "")
            assert "audit-tui grant USER" in err and len(err.splitlines()) == 1, err
            code, _, err = run(capsys, "--db", db_target, "grant", role)
            assert code == 0, err
            code, out, err = run(capsys, "--db", url, "new", "x", "--rubric",
                                 "hmip-probation-pdu-2021")  # fmt: skip
            assert code == 0, err
        finally:
            owner.execute(f'DROP OWNED BY "{role}"')
            owner.execute(f'DROP ROLE "{role}"')


def test_the_team_demo_shares_an_audit_between_two_auditors(db_target: str) -> None:
    from audit_tui.team_demo import AUDIT, set_up

    urls = set_up(db_target)
    ann = open_repository(urls["ann"])
    audit = ann.open_audit(AUDIT)
    cases = ann.list_cases(audit)
    assert ann.user == "ann" and len(cases) == 28
    assert {c.allocated_to for c in cases} == {"ann", "bob"}
    mine = next(c for c in cases if c.allocated_to == "ann")
    theirs = next(c for c in cases if c.allocated_to == "bob")
    assert ann.save_answer(audit, mine, "2.2.1", Answer.YES).changed
    with pytest.raises(AuditError, match="allocated to bob"):
        ann.save_answer(audit, theirs, "2.2.1", Answer.YES)
    ann.engine.dispose()
    set_up(db_target)  # a second run starts the audit afresh
    lead = open_repository(urls["lead"])
    again = lead.open_audit(AUDIT)
    assert sum(c.answered for c in lead.list_cases(again)) == 0
    lead.engine.dispose()
