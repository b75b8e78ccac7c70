"""A team's database as an attacker meets it: a real audit with something in every table, the
people around it, and a way to run SQL as any of them, as `psql` would.

The victim audit V was sampled from a caseload (a replacement made), shared out to ann and bob,
answered, judged, given feedback and an action; bob second-marked one of ann's cases (completed,
one disagreement settled), kim is second-marking one of bob's blind; vic views it. eve is in no
audit; mal leads an audit of his own (M). A deleted audit left its log behind.

Scopes: V is of PDU North Dale in region Demo North, M of South Fen in Demo South. reg leads the
region Demo North (reads V as a viewer, no member of it), pdv views the PDU South Fen (reads M,
nothing of V), and kim, blind in V, leads Demo North too (her scope must not lift the blind).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from audit_tui.domain.answers import Answer
from audit_tui.domain.records import CaseInfo, Judgement
from audit_tui.store import answers as answer_ops
from audit_tui.store import audits, follow_up, judgements, sampling, team
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.moderation import start_round
from audit_tui.store.repository import Repository
from audit_tui.store.roles import grant
from audit_tui.store.scopes import grant_scope
from audit_tui.store.second_marks import complete_second, save_second
from audit_tui.store.settlement import Agreed, settle

PEOPLE = ("lead", "ann", "bob", "vic", "kim", "eve", "mal", "reg", "pdv")
V_PDU, V_REGION = "North Dale", "Demo North"
M_PDU, M_REGION = "South Fen", "Demo South"
NO_PSR = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}
LICENCE = {"sentence_type": "licence", "has_psr": "no", "rosh": "high"}


@dataclass
class World:
    url: str
    """The database, as its owner (the test server's superuser)."""
    login: dict[str, str]
    """Each person's login name."""
    ids: dict[str, Any] = field(default_factory=dict)
    """Row ids the probes aim at (the victim audit's, its cases', ...)."""

    def connect(self, who: str) -> psycopg.Connection[Any]:
        """A connection as `who` ("owner": the database's owner), not in autocommit."""
        url = make_url(self.url).set(drivername="postgresql")
        if who != "owner":
            url = url.set(username=self.login[who], password=None)
        return psycopg.connect(url.render_as_string(hide_password=False))


def build(server_url: str, rubric_text: str) -> Iterator[World]:
    """Make the world in a new database, yield it, drop it (and its logins)."""
    suffix = uuid.uuid4().hex[:6]
    name = f"audit_tui_attack_{suffix}"
    admin = create_engine(
        server_url.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    login = {p: f"{p}_{suffix}" for p in PEOPLE}
    try:
        owner = open_repository(url)
        with owner.engine.begin() as conn:
            for role in login.values():
                conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        for role in login.values():
            grant(owner.engine, role)
        world = World(url=url, login=login)
        _populate(world, rubric_text)
        owner.engine.dispose()
        yield world
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for role in login.values():
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def _as(world: World, who: str) -> Repository:
    url = make_url(world.url).set(username=world.login[who], password=None)
    return open_repository(url.render_as_string(hide_password=False))


def _populate(world: World, rubric_text: str) -> None:
    people = {p: _as(world, p) for p in PEOPLE}
    lead, ann, bob, kim, mal = (people[p] for p in ("lead", "ann", "bob", "kim", "mal"))
    audit = audits.create_audit(
        lead, f"victim-{world.login['lead']}", rubric_text, pdu=V_PDU, region=V_REGION
    )
    extract = [
        sampling.CaseloadCase(
            case_ref=f"V-{i:02d}",
            attributes=LICENCE if i % 3 == 0 else NO_PSR,
            start_date=date(2026, 1, 1 + i),
            team="T-1",
            practitioner=f"P-{i % 4}",
        )
        for i in range(1, 21)
    ]
    sampling.set_caseload(lead, audit, extract)
    sampling.draw_sample(lead, audit, 6, seed=7)
    audit = audits.open_audit(lead, audit.info.name)
    first = case_ops.list_cases(lead, audit)[0].case_ref
    sampling.replace_case(lead, audit, first, "file missing")
    team.allocate(lead, audit, [ann.user, bob.user])
    team.set_member(lead, audit, world.login["vic"], "viewer")
    team.set_member(lead, audit, kim.user, "auditor")
    audit = audits.open_audit(lead, audit.info.name)
    cases: dict[str | None, list[CaseInfo]] = {
        c.allocated_to: [] for c in case_ops.list_cases(lead, audit)
    }
    for case in case_ops.list_cases(lead, audit):
        cases[case.allocated_to].append(case)
    for repo in (ann, bob):
        for case in cases[repo.user]:
            answers = {
                item: Answer.YES
                for item in audit.rubric.column_order
                if audit.rubric.applies(item, case.attributes)
            }
            answer_ops.import_answers(repo, audit, {case.id: answers})
    judgements.save_judgements(lead, audit, [Judgement("1.1", "Good", "clear leadership", "")])
    a1, a2, *_ = cases[ann.user]
    b1, b2, *_ = cases[bob.user]
    answer_ops.save_answer(ann, audit, a1, "2.2.1", note="seen the OASys")
    follow_up.save_feedback(ann, audit, a1.case_ref, strengths="good plan", improvements="")
    action = follow_up.add_action(ann, audit, a1.case_ref, "review the plan", date(2027, 1, 15))
    follow_up.update_action(ann, action.id, due=date(2027, 2, 1), note="leave")
    follow_up.save_feedback(bob, audit, b1.case_ref, strengths="thorough", improvements="")
    follow_up.add_action(bob, audit, b1.case_ref, "see the victim liaison", date(2027, 1, 20))
    # round 1: bob second-marks ann's a1, differing on 2.2.1 and 2.2.2; completed, 2.2.1 settled
    start_round(lead, audit, bob.user, cases=[a1.case_ref])
    for item in audit.rubric.column_order:
        if audit.rubric.applies(item, a1.attributes):
            differ = item in ("2.2.1", "2.2.2")
            save_second(bob, audit, a1.id, item, Answer.NO if differ else Answer.YES)
    complete_second(bob, audit, a1.id)
    settle(lead, audit, [Agreed(1, a1.case_ref, "2.2.1", Answer.NO, "no risk assessment on file")])
    # round 2: kim second-marks bob's b1, blind, unfinished
    start_round(lead, audit, kim.user, cases=[b1.case_ref])
    save_second(kim, audit, b1.id, "2.2.1", Answer.NO)
    team.complete_case(ann, audit, a2.case_ref)
    team.sign_off(lead, audit, a2.case_ref)
    # mal's own audit, and one he deleted
    own = audits.create_audit(
        mal, f"mallory-{world.login['mal']}", rubric_text, pdu=M_PDU, region=M_REGION
    )
    case_ops.add_cases(mal, own, [("M-1", NO_PSR), ("M-2", NO_PSR)])
    m1 = case_ops.list_cases(mal, own)[0]
    sampling.set_caseload(mal, own, extract[:3])
    answer_ops.save_answer(mal, own, m1, "2.2.1", Answer.YES)
    gone = audits.create_audit(mal, f"gone-{world.login['mal']}", rubric_text)
    audits.delete_audit(mal, gone.info.name)
    world.ids.update(
        V=audit.info.id,
        M=own.info.id,
        a1=a1.id,
        a2=a2.id,
        b1=b1.id,
        b2=b2.id,
        m1=m1.id,
        action=action.id,
        audit=audit,
    )
    with _owner(world) as conn:
        world.ids["round1_case"] = conn.execute(
            "SELECT mc.id FROM audit_tui.moderation_case mc JOIN audit_tui.moderation_round r"
            " ON r.id = mc.round_id WHERE r.audit_id = %s AND r.number = 1",
            (audit.info.id,),
        ).fetchone()[0]  # type: ignore[index]
        world.ids["round2_case"] = conn.execute(
            "SELECT mc.id FROM audit_tui.moderation_case mc JOIN audit_tui.moderation_round r"
            " ON r.id = mc.round_id WHERE r.audit_id = %s AND r.number = 2",
            (audit.info.id,),
        ).fetchone()[0]  # type: ignore[index]
    owner = open_repository(world.url)
    for who, kind, name in (("reg", "region", V_REGION), ("pdv", "pdu", M_PDU),
                            ("kim", "region", V_REGION)):  # fmt: skip
        grant_scope(owner.engine, world.login[who], kind, name)
    owner.engine.dispose()
    for repo in people.values():
        repo.engine.dispose()


@contextmanager
def _owner(world: World) -> Iterator[psycopg.Connection[Any]]:
    conn = world.connect("owner")
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


# ---- probes -------------------------------------------------------------------------------------

REFUSED = "refused"
ALLOWED = "allowed"


@dataclass(frozen=True)
class Probe:
    """One thing someone tries, and what must happen: `refused` (an error of privilege, or no
    row touched), `allowed` (done, at least one row, and `check` holds after it), or a count."""

    name: str
    actor: str
    statement: str
    params: Sequence[Any] = ()
    expect: str | int = REFUSED
    check: Callable[[psycopg.Connection[Any]], bool] | None = None

    def holds(self, conn: psycopg.Connection[Any]) -> tuple[bool, str]:
        """Run it on `conn` (already acting as the actor, inside a transaction the caller rolls
        back); whether the expectation held, and what happened."""
        try:
            cur = conn.execute(self.statement.encode(), self.params or None)
            while cur.nextset():  # several statements: what the last one did
                pass
            rows = cur.fetchall() if cur.description else None
        except psycopg.Error as exc:
            said = f"{exc.sqlstate}: {str(exc).splitlines()[0]}"
            return self.expect == REFUSED and exc.sqlstate == "42501", said
        touched = cur.rowcount if rows is None else len(rows)
        if isinstance(self.expect, int):
            got = rows[0][0] if rows else None
            return got == self.expect, f"count {got}"
        if self.expect == REFUSED:
            return touched == 0, f"{touched} rows"
        if touched == 0:
            return False, "no row touched"
        if self.check is not None and not self.check(conn):
            return False, "done, but its check failed"
        return True, f"{touched} rows"


def scalar(conn: psycopg.Connection[Any], statement: str, *params: Any) -> Any:
    row = conn.execute(statement.encode(), params).fetchone()
    return row[0] if row else None


class AsLogins:
    """Each probe on the actor's own connection (as psql would), rolled back after it."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.conns: dict[str, psycopg.Connection[Any]] = {}

    def run(self, probe: Probe) -> tuple[bool, str]:
        conn = self.conns.get(probe.actor)
        if conn is None:
            conn = self.conns[probe.actor] = self.world.connect(probe.actor)
        try:
            return probe.holds(conn)
        finally:
            conn.rollback()

    def close(self) -> None:
        for conn in self.conns.values():
            conn.close()


class AsOwnerSwitching:
    """Each probe inside one transaction of the owner's, as the actor (SET SESSION AUTHORIZATION
    changes `session_user` too), in a savepoint rolled back after it: so a change to the schema
    made in that transaction (a policy dropped) is seen by every probe, then undone."""

    def __init__(self, conn: psycopg.Connection[Any], world: World) -> None:
        self.conn, self.world = conn, world

    def run(self, probe: Probe) -> tuple[bool, str]:
        self.conn.execute("SAVEPOINT probe")
        try:
            if probe.actor != "owner":
                role = sql.Identifier(self.world.login[probe.actor])
                self.conn.execute(sql.SQL("SET SESSION AUTHORIZATION {}").format(role))
            return probe.holds(self.conn)
        finally:
            self.conn.execute("ROLLBACK TO SAVEPOINT probe")
