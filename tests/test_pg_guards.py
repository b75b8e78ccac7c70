"""The team rules kept by PostgreSQL itself: an auditor who connects with plain SQL (psql, a
script) instead of the app meets the same refusals, and cannot sign as someone else."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from audit_tui.domain.answers import Answer
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import CaseInfo, OpenAudit
from audit_tui.store import team
from audit_tui.store.database import open_repository
from audit_tui.store.moderation import start_round
from audit_tui.store.repository import Repository
from audit_tui.store.second_marks import complete_second, import_second, save_second
from audit_tui.store.settlement import Agreed, settle, summary
from tests.conftest import PG_URL_VAR, Person, empty_pg
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
            code, out, err = run(
                capsys, "--db", url, "new", "x", "--rubric", "hmip-probation-pdu-2021"
            )
            assert (code, out) == (1, "")
            assert "audit-tui grant USER" in err and len(err.splitlines()) == 1, err
            code, _, err = run(capsys, "--db", db_target, "grant", role)
            assert code == 0, err
            code, out, err = run(
                capsys, "--db", url, "new", "x", "--rubric", "hmip-probation-pdu-2021"
            )
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


# ---- moderation (migration 0008) -------------------------------------------------------------


@dataclass
class Moderated:
    """The scene with both cases answered in full by their auditors, and two rounds started by
    the lead: ann second-marks bob's C-2 (round 1), bob second-marks ann's C-1 (round 2)."""

    scene: Scene
    cy: Repository
    """An auditor of the audit with no part in either round."""
    mine: int
    """ann's moderation_case (C-2 in round 1)."""
    theirs: int
    """bob's moderation_case (C-1 in round 2)."""
    items: list[str]
    """The items that apply to C-2, in rubric order."""


@pytest.fixture
def moderated(scene: Scene, people: Person) -> Moderated:
    lead, ann, bob, audit = scene.lead, scene.ann, scene.bob, scene.audit
    cy = people("cy")
    team.set_member(lead, audit, cy.user, "auditor")
    _answer_all(ann, audit, scene.c1)
    _answer_all(bob, audit, scene.c2)
    start_round(lead, audit, ann.user, cases=["C-2"])
    start_round(lead, audit, bob.user, cases=["C-1"])
    mine, theirs = (
        _one(
            scene.sql,
            "SELECT mc.id FROM moderation_case mc JOIN moderation_round r ON r.id = mc.round_id"
            " WHERE r.marker = %s",
            who,
        )
        for who in (ann.user, bob.user)
    )
    items = [i for i in audit.rubric.column_order if audit.rubric.applies(i, scene.c2.attributes)]
    return Moderated(scene=scene, cy=cy, mine=mine, theirs=theirs, items=items)


def _one(conn: psycopg.Connection, statement: str, *params: object) -> Any:
    row = conn.execute(statement, params).fetchone()
    assert row is not None, statement
    return row[0]


def _refused_together(conn: psycopg.Connection, *statements: tuple[str, tuple[object, ...]]) -> str:
    """The statements in one transaction, the last refused (and so all rolled back)."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught, conn.transaction():
        for statement, params in statements:
            conn.execute(statement, params)
    return str(caught.value).splitlines()[0]


def _second_mark_all(
    repo: Repository, audit: OpenAudit, case: CaseInfo, differ: tuple[str, ...] = ()
) -> None:
    """Every item that applies marked Yes (the `differ` items No), then marked complete."""
    for item in audit.rubric.column_order:
        if audit.rubric.applies(item, case.attributes):
            save_second(repo, audit, case.id, item, Answer.NO if item in differ else Answer.YES)
    complete_second(repo, audit, case.id)


SECOND_MARK = (
    "INSERT INTO second_answer (moderation_case_id, item_id, value, note, updated_at, updated_by)"
    " VALUES (%s, %s, 'no', '', now(), 'lead')"
)
SECOND_HISTORY = (
    "INSERT INTO second_answer_history (moderation_case_id, item_id, old_value, new_value,"
    " changed_at, changed_by, via) VALUES (%s, %s, NULL, 'no', now(), 'lead', 'psql')"
)
SETTLE = (
    "INSERT INTO settlement (moderation_case_id, item_id, first_value, second_value,"
    " agreed_value, reason, settled_at, settled_by)"
    " VALUES (%s, %s, 'yes', 'no', %s, 'psql', '2000-01-01', 'lead')"
)


def test_a_second_marker_with_psql_marks_only_their_own_unfinished_cases(
    moderated: Moderated,
) -> None:
    conn, ann = moderated.scene.sql, moderated.scene.ann
    mine, theirs, item = moderated.mine, moderated.theirs, moderated.items[0]
    line = _refused(conn, SECOND_MARK, theirs, item)
    assert line == (
        f"audit-tui: {ann.user} may not second-mark case C-1"
        f" (it is {moderated.scene.bob.user}'s to mark)"
    )
    # their own: allowed, and stamped with their login whatever name they write
    conn.execute(SECOND_MARK, (mine, item))
    conn.execute(
        "UPDATE second_answer SET value = 'yes', updated_by = 'lead' WHERE item_id = %s", (item,)
    )
    assert _one(
        conn, "SELECT updated_by FROM second_answer WHERE moderation_case_id = %s", mine
    ) == (ann.user)
    _refused(conn, "UPDATE second_answer SET moderation_case_id = %s", theirs)
    _refused(conn, "DELETE FROM second_answer")  # deleting is the lead's
    conn.execute(SECOND_HISTORY, (mine, item))
    assert _one(conn, "SELECT changed_by FROM second_answer_history WHERE via = 'psql'") == ann.user
    _refused(conn, "UPDATE second_answer_history SET new_value = 'yes'")  # not granted
    line = _refused(conn, "DELETE FROM second_answer_history")
    assert line == "audit-tui: history is append-only"
    with _sql(_url(moderated.scene.lead), _owner()) as owner:
        line = _refused(owner, "UPDATE second_answer_history SET new_value = 'yes'")
    assert line == "audit-tui: history is append-only"  # not even the tables' owner
    # settling waits for the second marker to finish; finishing is theirs
    line = _refused(conn, SETTLE, mine, item, "no")
    assert line == (
        "audit-tui: case C-2 is still being second-marked:"
        f" it is settled once {ann.user} marks it complete"
    )
    _refused(conn, "UPDATE moderation_case SET completed_at = now() WHERE id = %s", theirs)
    _refused(conn, "UPDATE moderation_case SET first_marker = %s WHERE id = %s", ann.user, mine)
    conn.execute(
        "UPDATE moderation_case SET completed_at = now(), completed_by = 'lead' WHERE id = %s",
        (mine,),
    )
    assert _one(conn, "SELECT completed_by FROM moderation_case WHERE id = %s", mine) == ann.user
    # finished: the marks are fixed, and reopening is the lead's
    line = _refused(
        conn, "UPDATE second_answer SET value = 'no' WHERE moderation_case_id = %s", mine
    )
    assert line == (
        "audit-tui: the second marking of case C-2 was completed: its marks can no longer change"
    )
    _refused(conn, SECOND_HISTORY, mine, item)
    _refused(conn, "UPDATE moderation_case SET completed_at = NULL WHERE id = %s", mine)


def test_an_auditor_with_psql_cannot_choose_cases_for_moderation(
    moderated: Moderated, people: Person
) -> None:
    scene = moderated.scene
    conn, ann, bob, audit = scene.sql, scene.ann, scene.bob, scene.audit
    new_round = (
        "INSERT INTO moderation_round (audit_id, number, marker, rule, created_at, created_by)"
        " VALUES (%s, %s, %s, 'psql', now(), 'lead') RETURNING id"
    )
    for marker in (bob.user, ann.user):  # not for someone else, nor for themself
        line = _refused(conn, new_round, audit.info.id, 9, marker)
        assert line == (
            f"audit-tui: only the audit's lead may choose cases for moderation ({ann.user} is"
            " auditor)"
        )
    first_round = _one(conn, "SELECT round_id FROM moderation_case WHERE id = %s", moderated.mine)
    add_case = "INSERT INTO moderation_case (round_id, case_id, first_marker) VALUES (%s, %s, %s)"
    _refused(conn, add_case, first_round, scene.c1.id, "someone")  # even into her own round
    bobs_round = _one(conn, "SELECT round_id FROM moderation_case WHERE id = %s", moderated.theirs)
    _refused(conn, add_case, bobs_round, scene.c2.id, "someone")
    _refused(conn, "UPDATE moderation_round SET marker = %s", ann.user)
    _refused(conn, "UPDATE moderation_round SET rule = 'mine'")
    _refused(conn, "DELETE FROM moderation_case")
    _refused(conn, "DELETE FROM moderation_round")
    # the lead may not give a marker a case they marked first, even with psql
    with _sql(_url(scene.lead), scene.lead.user) as lead:
        line = _refused(lead, add_case, first_round, scene.c1.id, ann.user)
        assert line == (
            f"audit-tui: {ann.user} marked case C-1 first: a second marker marks someone else's"
            " case"
        )
    # no one in a locked audit
    team.lock_audit(scene.lead, audit)
    with _sql(_url(scene.lead), scene.lead.user) as lead:
        line = _refused(lead, new_round, audit.info.id, 10, ann.user)
    assert line == "audit-tui: the audit is locked: nothing in it can change"
    # the lead may take a round away, its marks and their history with it
    team.unlock_audit(scene.lead, audit, "one more round")
    with _sql(_url(scene.lead), scene.lead.user) as lead:
        lead.execute("DELETE FROM moderation_round WHERE id = %s", (first_round,))
        assert _one(lead, "SELECT count(*) FROM moderation_case WHERE id = %s", moderated.mine) == 0


def test_settling_with_psql_is_for_the_lead_or_the_markers_and_becomes_the_answer(
    moderated: Moderated,
) -> None:
    scene = moderated.scene
    conn, ann, audit, c2, mine = scene.sql, scene.ann, scene.audit, scene.c2, moderated.mine
    x, y = moderated.items[:2]
    _second_mark_all(ann, audit, c2, differ=(x, y))
    set_answer = (
        "UPDATE answer SET value = %s, updated_by = 'lead' WHERE case_id = %s AND item_id = %s"
    )
    # C-2 is bob's: ann changes its answers only by settling, in the same transaction
    line = _refused(conn, set_answer, "no", c2.id, x)
    assert line == f"audit-tui: {ann.user} may not change the answers of case C-2"
    with _sql(_url(scene.lead), moderated.cy.user) as cy:
        line = _refused(cy, SETTLE, mine, x, "no")
    assert line == (
        f"audit-tui: {moderated.cy.user} may not settle case C-2: its lead or its markers do"
    )
    settle_x = (SETTLE, (mine, x, "no"))
    _refused_together(conn, settle_x, (set_answer, ("yes", c2.id, x)))  # not what was agreed
    _refused_together(conn, settle_x, (set_answer, ("no", c2.id, y)))  # not what was settled
    _refused_together(
        conn,
        settle_x,
        (
            "UPDATE answer SET value = 'no', note = 'mine' WHERE case_id = %s AND item_id = %s",
            (c2.id, x),
        ),
    )
    with conn.transaction():
        conn.execute(*settle_x)
        conn.execute(set_answer, ("no", c2.id, x))
        conn.execute(
            "INSERT INTO answer_history (case_id, item_id, old_value, new_value, changed_at,"
            " changed_by, via, reason) VALUES (%s, %s, 'yes', 'no', now(), 'lead', 'moderation',"
            " 'psql')",
            (c2.id, x),
        )
    settled = conn.execute(
        "SELECT settled_by, settled_at > '2001-01-01' FROM settlement WHERE item_id = %s", (x,)
    ).fetchone()
    assert settled == (ann.user, True)
    answer = "SELECT value, updated_by FROM answer WHERE case_id = %s AND item_id = %s"
    assert conn.execute(answer, (c2.id, x)).fetchone() == ("no", ann.user)
    changed = "SELECT changed_by FROM answer_history WHERE via = 'moderation' AND item_id = %s"
    assert _one(conn, changed, x) == ann.user
    # the settlement is of that transaction only
    _refused(conn, set_answer, "no", c2.id, x)
    _refused(conn, "UPDATE settlement SET moderation_case_id = %s", moderated.theirs)
    _refused(conn, "DELETE FROM settlement")
    # once signed off, nobody settles
    _answer_all(scene.bob, audit, c2)
    team.sign_off(scene.lead, audit, "C-2")
    line = _refused(conn, SETTLE, mine, y, "no")
    assert line == "audit-tui: case C-2 was signed off: its answers can no longer change"


def test_moderation_through_the_app_on_postgresql(moderated: Moderated) -> None:
    scene = moderated.scene
    lead, ann, bob, cy, audit = scene.lead, scene.ann, scene.bob, moderated.cy, scene.audit
    c2 = scene.c2
    x, y, z = moderated.items[:3]
    _second_mark_all(ann, audit, c2, differ=(x, y, z))
    with pytest.raises(AuditError, match="no unfinished second marking"):
        save_second(ann, audit, c2.id, x, Answer.YES)
    with pytest.raises(AuditError, match="only the lead or the case's markers"):
        settle(
            cy,
            audit,
            [Agreed(round=1, case_ref="C-2", item_id=x, agreed=Answer.NO, reason="cy thinks so")],
        )
    assert (
        settle(
            lead,
            audit,
            [
                Agreed(
                    round=1, case_ref="C-2", item_id=x, agreed=Answer.NO, reason="the lead's call"
                )
            ],
        )
        == 1
    )
    assert (
        settle(
            ann,
            audit,
            [
                Agreed(
                    round=1,
                    case_ref="C-2",
                    item_id=y,
                    agreed=Answer.NO,
                    reason="the second marker's",
                )
            ],
        )
        == 1
    )
    assert (
        settle(
            bob,
            audit,
            [
                Agreed(
                    round=1,
                    case_ref="C-2",
                    item_id=z,
                    agreed=Answer.YES,
                    reason="the first marker's",
                )
            ],
        )
        == 0
    )
    found = bob.answers_for_case(c2.id)
    assert [(found[i].value, found[i].updated_by) for i in (x, y, z)] == [
        ("no", lead.user),
        ("no", ann.user),
        ("yes", bob.user),
    ]
    assert bob.answer_history(c2.id, y)[-1]["changed_by"] == ann.user
    # the answer moved on, and the second marker settles again: the count of answers moves too
    bob.save_answer(audit, _case(bob, audit, "C-2"), y, None)
    before = _case(lead, audit, "C-2").answered
    assert (
        settle(
            ann,
            audit,
            [Agreed(round=1, case_ref="C-2", item_id=y, agreed=Answer.YES, reason="on reflection")],
        )
        == 1
    )
    assert _case(lead, audit, "C-2").answered == before + 1
    settled = summary(lead, audit)
    assert settled is not None
    # bob's round, the other way about; then the lead deletes the audit, moderation and all
    _second_mark_all(bob, audit, scene.c1, differ=(x,))
    assert (
        settle(
            bob,
            audit,
            [Agreed(round=2, case_ref="C-1", item_id=x, agreed=Answer.NO, reason="agreed")],
        )
        == 1
    )
    assert lead.delete_audit(audit.info.name) is True
    for table in (
        "moderation_round",
        "moderation_case",
        "second_answer",
        "settlement",
        "second_answer_history",
    ):
        assert _one(scene.sql, f"SELECT count(*) FROM {table}") == 0


def test_second_marks_imported_on_postgresql_by_the_marker_or_the_lead(scene: Scene) -> None:
    lead, ann, bob, audit = scene.lead, scene.ann, scene.bob, scene.audit
    _answer_all(ann, audit, scene.c1)
    _answer_all(bob, audit, scene.c2)

    def sheet(case: CaseInfo) -> dict[int, dict[str, Answer]]:
        items = audit.rubric.column_order
        return {case.id: {i: Answer.NO for i in items if audit.rubric.applies(i, case.attributes)}}

    with pytest.raises(AuditError, match="not in an unfinished round"):
        import_second(ann, audit, sheet(scene.c2), ann.user, "ann.csv")  # the lead chooses
    start_round(lead, audit, ann.user, cases=["C-2"])
    done = import_second(ann, audit, sheet(scene.c2), ann.user, "ann.csv")  # her own sheet
    assert done.written > 0
    with pytest.raises(AuditError, match="only the lead"):
        import_second(ann, audit, sheet(scene.c1), bob.user, "bob.csv")
    import_second(lead, audit, sheet(scene.c1), bob.user, "bob.csv")  # the lead enters bob's
    rows = scene.sql.execute(
        "SELECT r.marker, r.created_by, mc.completed_by FROM moderation_round r"
        " JOIN moderation_case mc ON mc.round_id = r.id ORDER BY r.number"
    ).fetchall()
    assert rows == [(ann.user, lead.user, ann.user), (bob.user, lead.user, lead.user)]
    agreed = Agreed(round=1, case_ref="C-2", item_id="2.2.1", agreed=Answer.NO, reason="agreed")
    assert settle(ann, audit, [agreed]) == 1


def _url(repo: Repository) -> str:
    return repo.engine.url.render_as_string(hide_password=False)


def _owner() -> str:
    """The login that made the test database (and owns its tables)."""
    name = make_url(str(os.environ[PG_URL_VAR])).username
    assert name is not None
    return name


def test_the_population_and_the_draw_are_the_leads_even_with_psql(
    people: Person, rubric_text: str, db_target: str
) -> None:
    """An auditor with psql can neither change the caseload a sample was drawn from, nor the
    record of the draw or its replacements; the lead's draw is stamped with the real login."""
    from datetime import date

    from audit_tui.store.sampling import CaseloadCase, draw_sample, set_caseload

    lead, ann = people("lead"), people("ann")
    audit = lead.create_audit(f"sampled-{uuid.uuid4().hex[:6]}", rubric_text)
    team.set_member(lead, audit, ann.user, "auditor")
    attrs = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}
    set_caseload(
        lead,
        audit,
        [
            CaseloadCase(case_ref=f"K-{i}", attributes=attrs, start_date=date(2024, 1, i + 1))
            for i in range(6)
        ],
    )
    with pytest.raises(AuditError, match="only the lead"):
        set_caseload(ann, audit, [])
    draw_sample(lead, audit, 3, seed=1)
    with _sql(db_target, ann.user) as conn:
        for statement in (
            "UPDATE caseload_case SET start_date = '2020-01-01'",
            "DELETE FROM caseload_case",
            "UPDATE sample_draw SET seed = 2",
            "INSERT INTO sample_replacement (audit_id, replaced, reason, at, by)"
            f" VALUES ({audit.info.id}, 'K-1', 'mine', now(), 'lead')",
        ):
            line = _refused(conn, statement)
            assert line.startswith("audit-tui: only the audit's lead may change the audit's sample")
        assert (
            _one(conn, "SELECT drawn_by FROM sample_draw WHERE audit_id = %s", audit.info.id)
            == lead.user
        )


def test_feedback_and_actions_with_psql_are_the_reviewers_and_stamped(scene: Scene) -> None:
    """ann follows up her own case (C-1) and not bob's, even by raw SQL; the history is
    append-only; every row carries her login whatever name she writes."""
    from audit_tui.store.follow_up import add_action

    conn, audit, ann = scene.sql, scene.audit, scene.ann
    a = audit.info.id
    theirs = add_action(scene.bob, audit, "C-2", "bob's action", date(2026, 12, 1))
    line = _refused(conn, "UPDATE case_action SET status = 'done' WHERE id = %s", theirs.id)
    assert line == f"audit-tui: {ann.user} may not change the feedback or actions of case C-2"
    _refused(
        conn,
        "INSERT INTO case_feedback (case_id, audit_id, strengths, improvements, updated_at,"
        " updated_by) VALUES (%s, %s, 'x', '', now(), 'bob')",
        scene.c2.id,
        a,
    )
    _refused(conn, "DELETE FROM case_action WHERE id = %s", theirs.id)  # deleting is the lead's
    conn.execute(
        "INSERT INTO case_action (audit_id, case_id, what, due, status, created_at, created_by,"
        " updated_at, updated_by) VALUES (%s, %s, 'mine', '2026-12-01', 'open', now(), 'lead',"
        " now(), 'lead')",
        (a, scene.c1.id),
    )
    mine = _one(conn, "SELECT id FROM case_action WHERE what = 'mine'")
    assert _one(conn, "SELECT created_by FROM case_action WHERE id = %s", mine) == ann.user
    conn.execute(
        "INSERT INTO case_action_history (action_id, audit_id, old_status, new_status, new_due,"
        " note, changed_at, changed_by) VALUES (%s, %s, NULL, 'open', '2026-12-01', '', now(),"
        " 'lead')",
        (mine, a),
    )
    assert _one(conn, "SELECT changed_by FROM case_action_history WHERE action_id = %s", mine) == (
        ann.user
    )
    _refused(conn, "UPDATE case_action_history SET note = 'rewritten' WHERE action_id = %s", mine)
    # an action cannot be moved onto another audit's or another reviewer's case
    _refused(conn, "UPDATE case_action SET case_id = %s WHERE id = %s", scene.c2.id, mine)
