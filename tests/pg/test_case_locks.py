"""Auditors of one audit do not wait for each other on PostgreSQL (`begin_answer`): a save or an
import locks its cases and shares the audit, and the server counts the revision when the
answers are written.

Each test holds one transaction open at a chosen point and checks what another writer does
meanwhile, by the server's own account (`pg_stat_activity` says who waits on a lock), not by
timing: saves to other cases (and an import into them) go through, a save to the same case
waits its turn and chains, an audit-wide write (locking the audit) waits for the save in
flight and sees it, and a lead who locks the audit by hand while a save is being written makes
the save refuse, not land after the figures were published.
"""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from audit_tui.domain.answers import Answer
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import CaseInfo, OpenAudit
from audit_tui.store import answers as answer_ops
from audit_tui.store import audits, sampling, team, verify
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.faults import fault_message
from audit_tui.store.repository import ANSWER, ANSWER_HISTORY, AUDIT, Repository
from audit_tui.store.roles import grant
from tests.conftest import empty_pg

pytestmark = pytest.mark.postgres

ATTRS = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}
ITEM = "2.2.1"


@dataclass
class Team:
    url: str
    """The database, as its owner."""
    repos: dict[str, Repository]
    """lead, ann and bob (auditors), vic (a viewer) and eve (in no audit), each their own login."""
    audit: str
    case_of: dict[str, CaseInfo]
    """ann's case and bob's case (each allocated one)."""

    def opened(self, who: str) -> OpenAudit:
        return audits.open_audit(self.repos[who], self.audit)


@pytest.fixture
def crew(pg_server_url: str, rubric_text: str) -> Iterator[Team]:
    suffix = uuid.uuid4().hex[:6]
    logins = {who: f"{who}_{suffix}" for who in ("lead", "ann", "bob", "vic", "eve")}
    admin = create_engine(
        make_url(pg_server_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        for login in logins.values():
            conn.execute(text(f'CREATE ROLE "{login}" LOGIN'))
    owner = open_repository(pg_server_url)
    for login in logins.values():
        grant(owner.engine, login)
    owner.engine.dispose()
    repos = {
        who: open_repository(
            make_url(pg_server_url)
            .set(username=login, password=None)
            .render_as_string(hide_password=False)
        )
        for who, login in logins.items()
    }
    lead = repos["lead"]
    audit = audits.create_audit(lead, "one-audit", rubric_text)
    case_ops.add_cases(lead, audit, [("C-1", ATTRS), ("C-2", ATTRS)])
    team.allocate(lead, audit, [logins["ann"], logins["bob"]])
    team.set_member(lead, audit, logins["vic"], "viewer")  # eve is in no audit
    audit = audits.open_audit(lead, audit.info.name)
    case_of = {
        who: next(c for c in case_ops.list_cases(lead, audit) if c.allocated_to == logins[who])
        for who in ("ann", "bob")
    }
    yield Team(pg_server_url, repos, audit.info.name, case_of)
    for repo in repos.values():
        repo.engine.dispose()
    empty_pg(pg_server_url)
    with admin.connect() as conn:
        for login in logins.values():
            conn.execute(text(f'DROP OWNED BY "{login}"'))
            conn.execute(text(f'DROP ROLE "{login}"'))
    admin.dispose()


def waiting_on_a_lock(url: str, count: int = 1, deadline: float = 30) -> None:
    """Return once `count` sessions of this database wait on a lock (the server says so)."""
    raw = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(raw, autocommit=True) as conn:
        ends = time.monotonic() + deadline
        while time.monotonic() < ends:
            waiting = conn.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            if waiting is not None and waiting[0] >= count:
                return
            time.sleep(0.02)
    raise AssertionError(f"no {count} sessions came to wait on a lock in {deadline} s")


def in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    """Run `work` in a thread; its result (or error) lands in the returned dict."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["result"] = work()
        except BaseException as exc:  # reported by the test, on its own thread
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def stored(crew: Team, case: CaseInfo) -> tuple[str | None, list[tuple[str | None, str | None]]]:
    """The case's answer to ITEM and its history, (old, new) oldest first, as the owner reads."""
    repo = open_repository(crew.url)
    try:
        with repo.engine.connect() as conn:
            value = conn.scalar(
                select(ANSWER.c.value).where(ANSWER.c.case_id == case.id, ANSWER.c.item_id == ITEM)
            )
            history = conn.execute(
                select(ANSWER_HISTORY.c.old_value, ANSWER_HISTORY.c.new_value)
                .where(ANSWER_HISTORY.c.case_id == case.id, ANSWER_HISTORY.c.item_id == ITEM)
                .order_by(ANSWER_HISTORY.c.id)
            ).all()
    finally:
        repo.engine.dispose()
    return value, [(old, new) for old, new in history]


def revision(crew: Team) -> int:
    return audits.audit_revision(crew.repos["lead"], crew.opened("lead").info.id) or 0


def test_a_save_to_another_case_of_the_audit_goes_through_while_one_is_open(crew: Team) -> None:
    """ann's save is open (her case locked, her answer written, not committed); bob's save to his
    own case commits meanwhile, without waiting: the server would give up on him after 5 s."""
    ann, bob = crew.repos["ann"], crew.repos["bob"]
    audit = crew.opened("ann")
    before = revision(crew)
    patient = open_repository(bob.engine.url.render_as_string(hide_password=False), wait=5)
    try:
        with ann.locked_cases(audit.info.id, [crew.case_of["ann"].id]) as open_save:
            assert open_save.access.user == ann.user
            saved = answer_ops.save_answer(
                patient, crew.opened("bob"), crew.case_of["bob"], ITEM, Answer.YES
            )
            assert saved.changed and saved.revision == before + 1
    finally:
        patient.engine.dispose()
    assert stored(crew, crew.case_of["bob"]) == ("yes", [(None, "yes")])
    assert revision(crew) == before + 1  # ann's open save wrote nothing, counted nothing


def test_saves_to_one_case_take_turns_and_the_history_chains(crew: Team) -> None:
    """The lead's save to ann's case waits while ann's save to it is open, then reads her
    answer as the old value: the history chains."""
    ann, lead = crew.repos["ann"], crew.repos["lead"]
    case = crew.case_of["ann"]
    raw = ann.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(raw) as held:
        held.execute(
            "SELECT * FROM audit_tui.begin_answer(%s, %s)", (crew.opened("ann").info.id, [case.id])
        )
        thread, out = in_thread(
            lambda: answer_ops.save_answer(lead, crew.opened("lead"), case, ITEM, Answer.YES)
        )
        waiting_on_a_lock(crew.url)
        assert thread.is_alive()
        held.execute(
            "INSERT INTO audit_tui.answer (audit_id, case_id, item_id, value, note, updated_at,"
            " updated_by) VALUES (%s, %s, %s, 'no', '', now(), current_user)",
            (crew.opened("ann").info.id, case.id, ITEM),
        )
        held.commit()
    thread.join(30)
    assert "error" not in out, out.get("error")
    assert out["result"].old_value == "no"
    assert stored(crew, case) == ("yes", [(None, "no"), ("no", "yes")])


def test_locking_the_audit_waits_for_a_save_in_flight_and_holds_it(crew: Team) -> None:
    """The lead locks the audit while ann's save is written but not committed: the lock waits,
    ann's save commits, then the audit locks with her answer in it, and no save follows."""
    ann, lead = crew.repos["ann"], crew.repos["lead"]
    case = crew.case_of["ann"]
    audit_id = crew.opened("ann").info.id
    raw = ann.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(raw) as held:
        held.execute("SELECT * FROM audit_tui.begin_answer(%s, %s)", (audit_id, [case.id]))
        held.execute(
            "INSERT INTO audit_tui.answer (audit_id, case_id, item_id, value, note, updated_at,"
            " updated_by) VALUES (%s, %s, %s, 'yes', '', now(), current_user)",
            (audit_id, case.id, ITEM),
        )
        thread, out = in_thread(lambda: team.lock_audit(lead, crew.opened("lead")))
        waiting_on_a_lock(crew.url)
        assert thread.is_alive()
        held.commit()
    thread.join(30)
    assert "error" not in out, out.get("error")
    assert stored(crew, case) == ("yes", [(None, "yes")])
    with pytest.raises(AuditError, match="locked"):
        answer_ops.save_answer(ann, crew.opened("ann"), case, ITEM, Answer.NO)
    assert stored(crew, case) == ("yes", [(None, "yes")])


def test_an_audit_wide_write_queued_behind_two_saves_deadlocks_with_neither(crew: Team) -> None:
    """ann's save has counted its revision; bob's has begun; the lead's lock queues behind both;
    then bob's save counts its revision. Each waits its turn (bob for ann's commit, the lock for
    both saves) and everything lands. The crowd soak once saw the server kill a second marker's
    audit-wide write as a deadlock when the lock was the audit's row (0013); since 0014 a
    queued audit-wide write waits on no row a save needs (an advisory lock in 0014, the audit's
    row of `audit_write_lock` since 0015), so no save can wait for it: this is the interleaving
    that soak could not be relied on to reach."""
    ann, bob, lead = crew.repos["ann"], crew.repos["bob"], crew.repos["lead"]
    audit_id = crew.opened("ann").info.id
    insert = (
        "INSERT INTO audit_tui.answer (audit_id, case_id, item_id, value, note, updated_at,"
        " updated_by) VALUES (%s, %s, %s, %s, '', now(), current_user)"
    )

    def raw(repo: Repository) -> str:
        return repo.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    with psycopg.connect(raw(ann)) as ann_save, psycopg.connect(raw(bob)) as bob_save:
        for conn, who in ((ann_save, "ann"), (bob_save, "bob")):
            conn.execute(
                "SELECT * FROM audit_tui.begin_answer(%s, %s)",
                (audit_id, [crew.case_of[who].id]),
            )
        ann_save.execute(insert, (audit_id, crew.case_of["ann"].id, ITEM, "yes"))
        locking, locked = in_thread(lambda: team.lock_audit(lead, crew.opened("lead")))
        waiting_on_a_lock(crew.url)  # the lead's lock, queued behind both saves
        counting, counted = in_thread(
            lambda: bob_save.execute(insert, (audit_id, crew.case_of["bob"].id, ITEM, "no"))
        )
        waiting_on_a_lock(crew.url, count=2)  # bob's count, behind ann's
        ann_save.commit()
        counting.join(30)
        assert "error" not in counted, counted.get("error")
        bob_save.commit()
    locking.join(30)
    assert "error" not in locked, locked.get("error")
    assert stored(crew, crew.case_of["ann"]) == ("yes", [(None, "yes")])
    assert stored(crew, crew.case_of["bob"]) == ("no", [(None, "no")])
    assert crew.opened("lead").info.locked_at is not None


def test_a_lead_locking_by_hand_during_a_save_makes_the_save_refuse(crew: Team) -> None:
    """The lead's own SQL locks the audit (no `begin_write`) while ann's save is being written:
    her save, held at the revision's count until the lock commits, is refused whole."""
    ann = crew.repos["ann"]
    case = crew.case_of["ann"]
    audit_id = crew.opened("ann").info.id
    before = revision(crew)
    lead_url = crew.repos["lead"].engine.url.set(drivername="postgresql")
    with psycopg.connect(lead_url.render_as_string(hide_password=False)) as lead:
        lead.execute("UPDATE audit_tui.audit SET locked_at = now() WHERE id = %s", (audit_id,))
        thread, out = in_thread(
            lambda: answer_ops.save_answer(ann, crew.opened("ann"), case, ITEM, Answer.YES)
        )
        waiting_on_a_lock(crew.url)
        lead.commit()
    thread.join(30)
    assert "error" in out, out  # the server's refusal, as the app says it in one line
    assert fault_message(out["error"]) == (
        "the audit is locked: nothing in it can change; nothing was written"
    )
    assert stored(crew, case) == (None, [])
    owner = open_repository(crew.url)
    with owner.engine.connect() as conn:
        locked_at, now = conn.execute(
            select(AUDIT.c.locked_at, AUDIT.c.revision).where(AUDIT.c.id == audit_id)
        ).one()
    owner.engine.dispose()
    assert locked_at is not None and now == before  # the hand's lock counts no revision


def test_eight_auditors_flipping_one_item_on_their_own_cases_never_deadlock(crew: Team) -> None:
    """Saves that move the same kept counts in opposite directions at once (yes to no, no to
    yes) take them in one order: none fails, and the counts match the answers."""
    lead = crew.repos["lead"]
    audit = crew.opened("lead")
    case_ops.add_cases(lead, audit, [(f"F-{i}", ATTRS) for i in range(8)])
    audit = crew.opened("lead")
    flipped = [c for c in case_ops.list_cases(lead, audit) if c.case_ref.startswith("F-")]
    start = threading.Barrier(len(flipped))

    def flip(case: CaseInfo, first: Answer) -> int:
        repo = open_repository(lead.engine.url.render_as_string(hide_password=False), wait=10)
        try:
            start.wait(30)
            other = Answer.NO if first is Answer.YES else Answer.YES
            for n in range(30):
                answer_ops.save_answer(repo, audit, case, ITEM, first if n % 2 == 0 else other)
            return 30
        finally:
            repo.engine.dispose()

    threads = [
        in_thread(partial(flip, case, Answer.YES if n % 2 else Answer.NO))
        for n, case in enumerate(flipped)
    ]
    for thread, _ in threads:
        thread.join(120)
    assert [out.get("error") for _, out in threads] == [None] * len(flipped)
    for case in flipped:
        value, history = stored(crew, case)
        assert len(history) == 30 and history[-1][1] == value
        assert all(a[1] == b[0] for a, b in itertools.pairwise(history))
    from audit_tui.store.verify import verify

    assert verify(lead, crew.opened("lead")) == []  # kept counts match the answers


def test_an_import_into_other_cases_does_not_stall_a_save(
    crew: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lead's import into ann's case has taken its locks and read what it needs, and is
    about to write; bob's save to his own case goes through meanwhile (the server would give up
    on him after 5 s); then the import writes and commits, all of it. (Once its answers are
    written, other saves wait only while the import commits: `make bench` measures the worst
    save during a 5,000-case import.)"""
    lead, bob = crew.repos["lead"], crew.repos["bob"]
    ready, release = threading.Event(), threading.Event()
    real = answer_ops.write_answers

    def held_open(*args: Any, **kwargs: Any) -> None:
        ready.set()
        release.wait(30)
        real(*args, **kwargs)

    monkeypatch.setattr(answer_ops, "write_answers", held_open)
    anns = crew.case_of["ann"]
    items = {"2.2.1": Answer.NO, "2.3.1": Answer.YES, "2.4.1": Answer.YES}
    thread, out = in_thread(
        lambda: answer_ops.import_answers(lead, crew.opened("lead"), {anns.id: items})
    )
    assert ready.wait(30)
    patient = open_repository(bob.engine.url.render_as_string(hide_password=False), wait=5)
    try:
        saved = answer_ops.save_answer(
            patient, crew.opened("bob"), crew.case_of["bob"], ITEM, Answer.YES
        )
    finally:
        patient.engine.dispose()
        release.set()
    thread.join(30)
    assert "error" not in out, out.get("error")
    assert saved.changed and out["result"].written == len(items)
    assert stored(crew, crew.case_of["bob"]) == ("yes", [(None, "yes")])
    assert stored(crew, anns) == ("no", [(None, "no")])


def test_someone_outside_the_audit_or_a_viewer_takes_no_lock(crew: Team) -> None:
    """eve (in no audit) learns nothing from `begin_answer` and vic (a viewer) only his role;
    while both hold their transactions open, the lead locks the audit without waiting."""
    audit = crew.opened("lead")
    case_ids = [c.id for c in crew.case_of.values()]
    opened = []
    try:
        for who in ("eve", "vic"):
            url = crew.repos[who].engine.url.set(drivername="postgresql")
            conn = psycopg.connect(url.render_as_string(hide_password=False))
            opened.append(conn)
            rows = conn.execute(
                "SELECT role FROM audit_tui.begin_answer(%s, %s)", (audit.info.id, case_ids)
            ).fetchall()
            assert rows == ([] if who == "eve" else [("viewer",)])
        lead_url = crew.repos["lead"].engine.url.render_as_string(hide_password=False)
        patient = open_repository(lead_url, wait=5)
        try:
            team.lock_audit(patient, audits.open_audit(patient, crew.audit))
        finally:
            patient.engine.dispose()
    finally:
        for conn in opened:
            conn.close()
    assert audits.open_audit(crew.repos["lead"], crew.audit).info.locked_at is not None


def _psql(repo: Repository) -> str:
    """The login's own connection string, as `psql` would use it."""
    return repo.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_login_in_no_audit_holds_nothing_a_save_or_a_lock_waits_for(crew: Team) -> None:
    """eve, in no audit, with `psql`: the advisory lock 0014 used (held, it stopped every save
    and every lock of the audit while her session lasted), the lock rows, their table, the
    tables logins could DELETE from before 0015 (and so LOCK) and the audit's own row. She reads no lock row, may lock none, and while she holds all she could
    get, ann's save and the lead's lock go straight through."""
    audit_id = crew.opened("lead").info.id
    with psycopg.connect(_psql(crew.repos["eve"]), autocommit=True) as eve:
        eve.execute("SELECT pg_advisory_lock(1635083361, %s)", (audit_id,))  # the session's
        assert eve.execute("SELECT count(*) FROM audit_tui.audit_write_lock").fetchone() == (0,)
        for sql in (
            "SELECT audit_id FROM audit_tui.audit_write_lock FOR KEY SHARE",
            "SELECT audit_id FROM audit_tui.audit_write_lock WHERE audit_id = %s FOR UPDATE",
            "LOCK TABLE audit_tui.audit_write_lock IN EXCLUSIVE MODE",
            "UPDATE audit_tui.audit_write_lock SET audit_id = audit_id WHERE audit_id = %s",
            "DELETE FROM audit_tui.audit_write_lock WHERE audit_id = %s",
            "INSERT INTO audit_tui.audit_write_lock (audit_id) VALUES (%s)",
            # the tables a lead deleted from: with DELETE, any mode of LOCK TABLE was hers
            "LOCK TABLE audit_tui.audit IN EXCLUSIVE MODE",
            "LOCK TABLE audit_tui.audit_member IN SHARE MODE",
            "LOCK TABLE audit_tui.caseload_case IN ACCESS EXCLUSIVE MODE",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), eve.transaction():
                eve.execute(sql, (audit_id,) if "%s" in sql else None)
        with eve.transaction():  # her row locks on the audit, held open: she gets none
            try:
                got = eve.execute(
                    "SELECT id FROM audit_tui.audit WHERE id = %s FOR UPDATE", (audit_id,)
                ).fetchall()
            except psycopg.errors.InsufficientPrivilege:
                got = []
            assert got == []
            saved = answer_ops.save_answer(
                crew.repos["ann"], crew.opened("ann"), crew.case_of["ann"], ITEM, Answer.YES
            )
            team.lock_audit(crew.repos["lead"], crew.opened("lead"))
    assert saved.changed and stored(crew, crew.case_of["ann"]) == ("yes", [(None, "yes")])
    assert crew.opened("lead").info.locked_at is not None


def test_every_audit_has_its_write_lock_row_and_takes_it_away(crew: Team, rubric_text: str) -> None:
    """The row is made with the audit (`audit_created`) and goes with it: an audit without one
    would be written unlocked, so `begin_write` and `begin_answer` then write nothing."""
    owner = open_repository(crew.url)

    def lock_rows() -> set[int]:
        """The audits with both their rows (the gate and the lock itself)."""
        with owner.engine.connect() as conn:
            return set(
                conn.scalars(
                    text(
                        "SELECT audit_id FROM audit_tui.audit_write_lock GROUP BY audit_id"
                        " HAVING array_agg(lock::text ORDER BY lock) = ARRAY['gate', 'write']"
                    )
                )
            )

    try:
        first = crew.opened("lead").info.id
        assert lock_rows() == {first}
        second = audits.create_audit(crew.repos["lead"], "another", rubric_text).info.id
        assert lock_rows() == {first, second}
        audits.delete_audit(crew.repos["lead"], "another")
        assert lock_rows() == {first}
        with owner.engine.begin() as conn:  # a row gone by hand (the owner may): no write lands
            conn.execute(text("DELETE FROM audit_tui.audit_write_lock WHERE audit_id = :a"),
                         {"a": first})  # fmt: skip
        with pytest.raises(AuditError, match="no longer exists"):
            answer_ops.save_answer(
                crew.repos["ann"], crew.opened("ann"), crew.case_of["ann"], ITEM, Answer.YES
            )
        with pytest.raises(AuditError, match="no longer exists"):
            team.lock_audit(crew.repos["lead"], crew.opened("lead"))
        assert stored(crew, crew.case_of["ann"]) == (None, [])
    finally:
        owner.engine.dispose()


def test_a_save_begun_while_an_audit_wide_write_waits_goes_after_it(crew: Team) -> None:
    """ann's save is in flight; the lead's lock waits for it; bob's save, begun meanwhile,
    waits for the lock rather than passing it (a lock or a sign-off is never held off by saves
    that keep overlapping), and then finds the audit locked."""
    ann, bob, lead = crew.repos["ann"], crew.repos["bob"], crew.repos["lead"]
    audit_id = crew.opened("ann").info.id
    with psycopg.connect(_psql(ann)) as ann_save, psycopg.connect(_psql(bob)) as bob_save:
        ann_save.execute(
            "SELECT * FROM audit_tui.begin_answer(%s, %s)", (audit_id, [crew.case_of["ann"].id])
        )
        locking, locked = in_thread(lambda: team.lock_audit(lead, crew.opened("lead")))
        waiting_on_a_lock(crew.url)  # the lead's lock, behind ann's save
        beginning, begun = in_thread(
            lambda: bob_save.execute(
                "SELECT locked_at FROM audit_tui.begin_answer(%s, %s)",
                (audit_id, [crew.case_of["bob"].id]),
            ).fetchone()
        )
        waiting_on_a_lock(crew.url, count=2)  # bob's save too: behind the lock, not past it
        assert beginning.is_alive()
        ann_save.commit()
        locking.join(30)
        assert "error" not in locked, locked.get("error")
        beginning.join(30)
        assert "error" not in begun, begun.get("error")
        row = begun["result"]
        assert row is not None and row[0] is not None  # bob's save sees the lock: refused
        bob_save.rollback()


def test_a_repair_of_the_counts_waits_for_the_saves_in_flight(crew: Team) -> None:
    """`verify --repair` counts under the audit's write lock: begun after ann's save began and
    before it writes, it waits for the save, then finds the counts right. It once took only the
    audit's row, which saves no longer wait on: it then waited for her case's row while her save
    waited for the audit's row to count its revision, and the server killed one of them."""
    audit_id = crew.opened("ann").info.id
    case = crew.case_of["ann"]
    with psycopg.connect(_psql(crew.repos["ann"])) as ann_save:
        ann_save.execute("SELECT * FROM audit_tui.begin_answer(%s, %s)", (audit_id, [case.id]))
        repairing, repaired = in_thread(
            lambda: verify.repair(crew.repos["lead"], crew.opened("lead"))
        )
        waiting_on_a_lock(crew.url)  # the repair, behind ann's save
        assert repairing.is_alive()
        ann_save.execute(  # her answer, its counts and the revision: nothing waits for the repair
            "INSERT INTO audit_tui.answer (audit_id, case_id, item_id, value, note, updated_at,"
            " updated_by) VALUES (%s, %s, %s, 'yes', '', now(), current_user)",
            (audit_id, case.id, ITEM),
        )
        ann_save.commit()
    repairing.join(30)
    assert "error" not in repaired, repaired.get("error")
    assert repaired["result"].fixed == 0  # the save's own counts were right; none written back
    assert verify.verify(crew.repos["lead"], crew.opened("lead")) == []


def test_the_owner_deletes_and_refills_an_audit_with_no_members(
    crew: Team, rubric_text: str
) -> None:
    """An audit with no members (made before there were members) is its administrator's, who
    acts as its lead: its caseload replaced whole, and the audit deleted, through the server's
    functions as a lead's are."""
    owner = open_repository(crew.url)
    try:
        made = audits.create_audit(owner, "legacy", rubric_text)
        with owner.engine.begin() as conn:  # as 0005 left such audits: no member at all
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(
                text("DELETE FROM audit_tui.audit_member WHERE audit_id = :a"), {"a": made.info.id}
            )
        legacy = audits.open_audit(owner, "legacy")

        def extract(prefix: str, n: int) -> list[sampling.CaseloadCase]:
            return [
                sampling.CaseloadCase(case_ref=f"{prefix}-{i}", attributes=ATTRS,
                                      start_date=date(2026, 1, i), team="T", practitioner="P")
                for i in range(1, n + 1)
            ]  # fmt: skip

        sampling.set_caseload(owner, legacy, extract("A", 5))
        sampling.set_caseload(owner, legacy, extract("B", 3))  # replaces the first whole
        with owner.engine.connect() as conn:
            refs = set(conn.scalars(text(
                "SELECT case_ref FROM audit_tui.caseload_case WHERE audit_id = :a"
            ), {"a": made.info.id}))  # fmt: skip
        assert refs == {"B-1", "B-2", "B-3"}
        assert audits.delete_audit(owner, "legacy")
        assert "legacy" not in [a.name for a in audits.list_audits(owner)]
    finally:
        owner.engine.dispose()
