"""The team rules on PostgreSQL through the app: logins, the team demo, moderation and second
marks as each person's own login, where the database keeps the rules too (raw SQL against them:
tests/pg/test_pg_security.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from audit_tui.domain.answers import Answer
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import CaseInfo, OpenAudit
from audit_tui.store import answers, audits, team
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.moderation import start_round
from audit_tui.store.repository import Repository
from audit_tui.store.second_marks import complete_second, import_second, save_second
from audit_tui.store.settlement import Agreed, settle, summary
from tests.conftest import PG_URL_VAR, Person, empty_pg
from tests.store.test_team import _answer_all, _audit, _case

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
    answers.save_answer(ann, audit, c1, "2.2.1", Answer.YES)
    answers.save_answer(bob, audit, c2, "2.2.1", Answer.YES)
    with _sql(db_target, ann.user) as conn:
        yield Scene(lead=lead, ann=ann, bob=bob, audit=audit, c1=c1, c2=c2, sql=conn)


def test_a_login_without_a_grant_is_told_to_ask_the_owner(
    db_target: str, pg_server_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.cli import run

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
    audit = audits.open_audit(ann, AUDIT)
    cases = case_ops.list_cases(ann, audit)
    assert ann.user == "ann" and len(cases) == 28
    assert {c.allocated_to for c in cases} == {"ann", "bob"}
    mine = next(c for c in cases if c.allocated_to == "ann")
    theirs = next(c for c in cases if c.allocated_to == "bob")
    assert answers.save_answer(ann, audit, mine, "2.2.1", Answer.YES).changed
    with pytest.raises(AuditError, match="allocated to bob"):
        answers.save_answer(ann, audit, theirs, "2.2.1", Answer.YES)
    ann.engine.dispose()
    set_up(db_target)  # a second run starts the audit afresh
    lead = open_repository(urls["lead"])
    again = audits.open_audit(lead, AUDIT)
    assert sum(c.answered for c in case_ops.list_cases(lead, again)) == 0
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
            "SELECT mc.id FROM audit_tui.moderation_case mc JOIN audit_tui.moderation_round r"
            " ON r.id = mc.round_id WHERE r.marker = %s",
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


def _second_mark_all(
    repo: Repository, audit: OpenAudit, case: CaseInfo, differ: tuple[str, ...] = ()
) -> None:
    """Every item that applies marked Yes (the `differ` items No), then marked complete."""
    for item in audit.rubric.column_order:
        if audit.rubric.applies(item, case.attributes):
            save_second(repo, audit, case.id, item, Answer.NO if item in differ else Answer.YES)
    complete_second(repo, audit, case.id)


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
    found = answers.answers_for_case(bob, c2.id)
    assert [(found[i].value, found[i].updated_by) for i in (x, y, z)] == [
        ("no", lead.user),
        ("no", ann.user),
        ("yes", bob.user),
    ]
    assert answers.answer_history(bob, c2.id, y)[-1]["changed_by"] == ann.user
    # the answer moved on, and the second marker settles again: the count of answers moves too
    answers.save_answer(bob, audit, _case(bob, audit, "C-2"), y, None)
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
    assert audits.delete_audit(lead, audit.info.name) is True
    with _sql(_url(lead), _owner()) as owner:  # (the owner sees every row there is)
        for table in (
            "moderation_round",
            "moderation_case",
            "moderation_first_mark",
            "second_answer",
            "settlement",
            "second_answer_history",
        ):
            assert _one(owner, f"SELECT count(*) FROM audit_tui.{table}") == 0


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
        "SELECT r.marker, r.created_by, mc.completed_by FROM audit_tui.moderation_round r"
        " JOIN audit_tui.moderation_case mc ON mc.round_id = r.id ORDER BY r.number"
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


def test_a_0010_database_moves_into_its_schema_and_its_logins_keep_only_their_rows(
    pg_server_url: str, rubric_text: str
) -> None:
    """A database a 0010 release made (tables in `public`, the old hand-written guards, a login
    granted the old way) upgrades: the tables move into `audit_tui` with their rows, the old
    guards are gone, row security is on, and the login, given the new privileges, still reads
    and answers its own audit and sees no other."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from audit_tui.domain.loader import rubric_hash
    from audit_tui.store import migrate

    name = f"audit_tui_old_{uuid.uuid4().hex[:8]}"
    role = f"olduser_{uuid.uuid4().hex[:6]}"
    admin = create_engine(
        make_url(pg_server_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    url = make_url(pg_server_url).set(drivername="postgresql+psycopg", database=name)
    try:
        old = create_engine(url)  # as a 0010 release connected: no schema of its own
        with old.begin() as conn:
            cfg = migrate._config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0010")
            conn.execute(text("SET LOCAL session_replication_role = replica"))  # data as it was
            for audit_name, lead in (("theirs", role), ("others", "someone")):
                conn.execute(
                    text(
                        "INSERT INTO audit (name, pdu, region, rubric_id, rubric_version,"
                        " rubric_hash, rubric_snapshot, created_at, created_by, revision, kind)"
                        " VALUES (:n, '', '', 'hmip-probation-pdu-2021', '2021.1', :h, :s, now(),"
                        " :lead, 0, 'sample')"
                    ),
                    {
                        "n": audit_name,
                        "h": rubric_hash(rubric_text),
                        "s": rubric_text,
                        "lead": lead,
                    },
                )
            conn.execute(
                text(
                    "INSERT INTO audit_member (audit_id, user_name, role, added_at, added_by)"
                    " SELECT id, CASE name WHEN 'theirs' THEN :role ELSE 'someone' END, 'lead',"
                    " now(), 'x' FROM audit"
                ),
                {"role": role},
            )
            conn.execute(
                text(
                    "INSERT INTO audit_case (audit_id, case_ref, position, attributes,"
                    " created_at, answered) SELECT id, 'o-1 ', 1, :a, now(), 0 FROM audit"
                ),
                {"a": '{"sentence_type": "community", "has_psr": "no", "rosh": "low"}'},
            )
            conn.execute(
                text(
                    f'GRANT SELECT, INSERT, UPDATE, DELETE ON audit, audit_case, answer, answer_history, item_tally, audit_member, audit_event TO "{role}"'
                )
            )
            conn.execute(text(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
            assert conn.scalar(
                text("SELECT count(*) FROM pg_proc WHERE proname LIKE 'audit_tui_%'")
            )
        old.dispose()

        owner = open_repository(url.render_as_string(hide_password=False))  # upgrades
        with owner.engine.connect() as conn:
            assert (
                conn.scalar(text("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) == 0
            )
            assert (
                conn.scalar(text("SELECT count(*) FROM pg_proc WHERE proname LIKE 'audit_tui_%'"))
                == 0
            )
            assert conn.scalar(
                text(
                    "SELECT bool_and(relrowsecurity) FROM pg_class WHERE relnamespace = 'audit_tui'::regnamespace AND relkind = 'r'"
                )
            )
            assert (
                conn.scalar(
                    text("SELECT count(*) FROM audit_tui.audit_case WHERE case_ref = 'O-1'")
                )
                == 2
            )
        owner.engine.dispose()
        mine = open_repository(url.set(username=role).render_as_string(hide_password=False))
        assert [a.name for a in audits.list_audits(mine)] == ["theirs"]
        audit = audits.open_audit(mine, "theirs")
        case = case_ops.list_cases(mine, audit)[0]
        assert case.case_ref == "O-1"
        assert answers.save_answer(mine, audit, case, "2.2.1", Answer.YES).changed
        assert answers.answer_history(mine, case.id, "2.2.1")[0]["changed_by"] == role
        mine.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
