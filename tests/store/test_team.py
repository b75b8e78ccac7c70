"""A team on one audit, on both engines: who may change what, allocation, completion, sign-off,
lock and unlock, and the history that says so.

On PostgreSQL each person is a real login made for the test (the identity is `session_user`);
on SQLite a name given with `--as` / `user=`.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from audit_tui.domain.answers import Answer
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import CaseInfo, OpenAudit
from audit_tui.store import answers as answer_ops
from audit_tui.store import audits, team
from audit_tui.store import cases as case_ops
from audit_tui.store import events as event_ops
from audit_tui.store.database import open_repository
from audit_tui.store.repository import Repository
from tests.conftest import Person, is_pg
from tests.support.cli import run

NO_PSR = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}
LICENCE = {"sentence_type": "licence", "has_psr": "no", "rosh": "high"}


def _audit(lead: Repository, rubric_text: str, n: int = 6, name: str | None = None) -> OpenAudit:
    audit = audits.create_audit(lead, name or f"team-{uuid.uuid4().hex[:6]}", rubric_text)
    case_ops.add_cases(
        lead, audit, [(f"C-{i}", LICENCE if i % 3 == 0 else NO_PSR) for i in range(1, n + 1)]
    )
    return audits.open_audit(lead, audit.info.name)


def _case(repo: Repository, audit: OpenAudit, ref: str) -> CaseInfo:
    return next(c for c in case_ops.list_cases(repo, audit) if c.case_ref == ref)


def _refused(fn: Callable[[], object], *words: str) -> str:
    with pytest.raises(AuditError) as caught:
        fn()
    line = str(caught.value)
    for word in words:
        assert word in line, line
    return line


def _answer_all(repo: Repository, audit: OpenAudit, case: CaseInfo) -> None:
    answers = {
        item: Answer.YES
        for item in audit.rubric.column_order
        if audit.rubric.applies(item, case.attributes)
    }
    answer_ops.import_answers(repo, audit, {case.id: answers})


def test_the_creator_leads_and_an_audit_always_keeps_a_lead(
    people: Person, rubric_text: str
) -> None:
    lead, ann = people("lead"), people("ann")
    audit = _audit(lead, rubric_text)
    assert [(m.user, m.role) for m in team.members(lead, audit)] == [(lead.user, "lead")]
    assert team.set_member(lead, audit, ann.user, "viewer") == f"{ann.user} added as viewer"
    assert team.set_member(lead, audit, ann.user, "auditor") == (
        f"{ann.user} now auditor (was viewer)"
    )
    _refused(lambda: team.set_member(ann, audit, ann.user, "lead"), "only the lead")
    _refused(lambda: team.remove_member(lead, audit, lead.user), "only lead")
    team.set_member(lead, audit, ann.user, "lead")
    team.remove_member(ann, audit, lead.user)  # another lead may take over
    assert [(m.user, m.role) for m in team.members(ann, audit)] == [(ann.user, "lead")]
    events = [(e.event, e.detail) for e in event_ops.audit_events(ann, audit)]
    assert events[-1] == ("member", f"{lead.user} removed (was lead)")


def test_allocation_deals_in_turn_balanced_across_an_attribute(
    people: Person, rubric_text: str
) -> None:
    lead, ann, bob, cat = people("lead"), people("ann"), people("bob"), people("cat")
    audit = _audit(lead, rubric_text, n=14)  # C-3, C-6, C-9, C-12 licence; 10 community
    done = team.allocate(lead, audit, [ann.user, bob.user, cat.user], balance="sentence_type")
    assert sum(done.counts.values()) == 14 and set(done.added) == {ann.user, bob.user, cat.user}
    cases = case_ops.list_cases(lead, audit)
    per = Counter(c.allocated_to for c in cases)
    assert max(per.values()) - min(per.values()) <= 1
    for value in ("community", "licence"):
        shares = Counter(c.allocated_to for c in cases if c.attributes["sentence_type"] == value)
        counts = [shares.get(u, 0) for u in (ann.user, bob.user, cat.user)]
        assert max(counts) - min(counts) <= 1, (value, counts)
    # a second run finds nothing new; moving named cases works; viewers are refused
    assert str(team.allocate(lead, audit, [ann.user])) == "no case to allocate"
    team.allocate(lead, audit, [bob.user], cases=["C-1", "C-2"])
    assert {
        c.case_ref for c in case_ops.list_cases(lead, audit) if c.case_ref in ("C-1", "C-2")
    } == {
        "C-1",
        "C-2",
    }
    assert all(
        c.allocated_to == bob.user
        for c in case_ops.list_cases(lead, audit)
        if c.case_ref in ("C-1", "C-2")
    )
    team.set_member(lead, audit, cat.user, "viewer")
    _refused(lambda: team.allocate(lead, audit, [cat.user], cases=["C-1"]), "viewers")
    _refused(lambda: team.allocate(ann, audit, [ann.user], cases=["C-1"]), "only the lead")
    _refused(lambda: team.allocate(lead, audit, [ann.user], balance="shoe_size"), "shoe_size")


def test_auditors_answer_only_their_own_cases(people: Person, rubric_text: str) -> None:
    lead, ann, bob, vic, eve = (people(n) for n in ("lead", "ann", "bob", "vic", "eve"))
    audit = _audit(lead, rubric_text, n=2)
    team.allocate(lead, audit, [ann.user, bob.user])  # C-1 ann, C-2 bob
    team.set_member(lead, audit, vic.user, "viewer")
    c1, c2 = _case(lead, audit, "C-1"), _case(lead, audit, "C-2")
    assert (c1.allocated_to, c2.allocated_to) == (ann.user, bob.user)

    saved = answer_ops.save_answer(ann, audit, c1, "2.2.1", Answer.YES)
    assert saved.answer.updated_by == ann.user
    _refused(
        lambda: answer_ops.save_answer(ann, audit, c2, "2.2.1", Answer.NO),
        f"case C-2 is allocated to {bob.user}: {ann.user} answers only their own cases",
    )
    _refused(
        lambda: answer_ops.save_answer(vic, audit, c1, "2.2.1", Answer.NO), "viewer", "read only"
    )
    _refused(lambda: answer_ops.save_answer(eve, audit, c1, "2.2.1", Answer.NO), "not a member")
    _refused(
        lambda: answer_ops.import_answers(
            ann, audit, {c1.id: {"2.3.1": Answer.NO}, c2.id: {"2.3.1": Answer.NO}}
        ),
        "case C-2 is allocated",
    )
    answer_ops.save_answer(lead, audit, c2, "2.2.1", Answer.NO)  # the lead answers any case
    _refused(lambda: audits.rename_audit(ann, audit, "mine"), "only the lead")
    _refused(lambda: case_ops.add_cases(ann, audit, [("C-9", NO_PSR)]), "only the lead")
    _refused(lambda: case_ops.remove_case(ann, audit, "C-2", "not mine"), "only the lead")
    assert not audits.delete_audit(ann, "nonexistent")
    _refused(lambda: audits.delete_audit(ann, audit.info.name), "only the lead")
    answers = answer_ops.answers_for_case(lead, c1.id)
    assert (answers["2.2.1"].value, set(answers)) == ("yes", {"2.2.1"})  # nothing else landed


def test_complete_then_sign_off_freezes_the_case(people: Person, rubric_text: str) -> None:
    lead, ann = people("lead"), people("ann")
    audit = _audit(lead, rubric_text, n=2)
    team.allocate(lead, audit, [ann.user])
    c1 = _case(ann, audit, "C-1")
    _refused(lambda: team.complete_case(ann, audit, "C-1"), "still to answer")
    _answer_all(ann, audit, c1)
    done = team.complete_case(ann, audit, "C-1")
    assert done.completed_by == ann.user and not done.signed_off
    _refused(lambda: team.sign_off(ann, audit, "C-1"), "only the lead")
    signed = team.sign_off(lead, audit, "C-1")
    assert signed.signed_off and signed.signed_off_by == lead.user
    for attempt in (
        lambda: answer_ops.save_answer(ann, audit, c1, "2.2.1", Answer.NO),
        lambda: answer_ops.save_answer(lead, audit, c1, "2.2.1", Answer.NO),
        lambda: answer_ops.import_answers(lead, audit, {c1.id: {"2.2.1": Answer.NO}}),
        lambda: case_ops.update_case(lead, audit, c1.id, {**c1.attributes, "rosh": "high"}),
        lambda: case_ops.remove_case(lead, audit, "C-1", "late"),
    ):
        _refused(attempt, "C-1 was signed off")
    assert answer_ops.answers_for_case(lead, c1.id)["2.2.1"].value == "yes"
    assert [e.event for e in event_ops.audit_events(lead, audit)][-2:] == ["complete", "sign-off"]


def test_a_locked_audit_refuses_every_change_until_the_lead_unlocks_it(
    people: Person, rubric_text: str
) -> None:
    lead, ann = people("lead"), people("ann")
    audit = _audit(lead, rubric_text, n=2)
    team.allocate(lead, audit, [ann.user])
    c1 = _case(lead, audit, "C-1")
    team.lock_audit(lead, audit)
    assert audits.open_audit(lead, audit.info.name).info.locked_by == lead.user
    for attempt in (
        lambda: answer_ops.save_answer(ann, audit, c1, "2.2.1", Answer.YES),
        lambda: answer_ops.save_answer(lead, audit, c1, "2.2.1", Answer.YES),
        lambda: answer_ops.import_answers(lead, audit, {c1.id: {"2.2.1": Answer.YES}}),
        lambda: audits.rename_audit(lead, audit, "renamed"),
        lambda: case_ops.add_cases(lead, audit, [("C-9", NO_PSR)]),
        lambda: team.allocate(lead, audit, [ann.user], cases=["C-2"]),
        lambda: audits.delete_audit(lead, audit.info.name),
    ):
        _refused(attempt, "is locked")
    _refused(lambda: team.unlock_audit(ann, audit, "please"), "only the lead")
    _refused(lambda: team.unlock_audit(lead, audit, "  "), "reason")
    team.unlock_audit(lead, audit, "a late answer came to light")
    assert answer_ops.save_answer(ann, audit, c1, "2.2.1", Answer.YES).changed
    events = [(e.event, e.detail, e.by) for e in event_ops.audit_events(lead, audit)]
    assert events[-2:] == [
        ("lock", "", lead.user),
        ("unlock", "a late answer came to light", lead.user),
    ]


def test_an_audit_with_no_members_is_open_to_everyone_on_sqlite_and_only_the_owner_on_pg(
    people: Person, rubric_text: str, db_target: str
) -> None:
    """As audits made before members were: the migration could name nobody as their lead. On
    SQLite (one file, one person's permissions) everyone may use it; on PostgreSQL what no rule
    allows is refused, so only the database's owner may, to add a lead."""
    lead, ann = people("lead"), people("ann")
    audit = _audit(lead, rubric_text, n=1)
    c1 = _case(lead, audit, "C-1")
    owner = open_repository(db_target)
    with owner.engine.begin() as conn:  # as before 0005 (on PostgreSQL, past the triggers)
        if is_pg(db_target):
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("DELETE FROM audit_member"))
    if not is_pg(db_target):
        owner.engine.dispose()
        assert answer_ops.save_answer(ann, audit, c1, "2.2.1", Answer.YES).changed
        assert audits.rename_audit(ann, audit, f"{audit.info.name}-x").info.name.endswith("-x")
        return
    _refused(lambda: answer_ops.save_answer(ann, audit, c1, "2.2.1", Answer.YES), "not a member")
    _refused(lambda: audits.open_audit(ann, audit.info.name), "no audit named")
    assert answer_ops.save_answer(
        owner, audit, c1, "2.2.1", Answer.YES
    ).changed  # the owner acts as lead
    team.set_member(owner, audit, ann.user, "lead")
    owner.engine.dispose()
    assert audits.rename_audit(ann, audit, f"{audit.info.name}-x").info.name.endswith("-x")


# ---- the command line ------------------------------------------------------------------------


def test_the_team_commands_as_a_lead_and_an_auditor_type_them(
    sqlite_target: str, capsys: pytest.CaptureFixture[str], rubric_text: str
) -> None:
    db = ("--db", sqlite_target)
    lead = open_repository(sqlite_target, user="lee")
    audit = _audit(lead, rubric_text, n=4)
    lead.engine.dispose()
    name = audit.info.name
    assert run(capsys, *db, "--as", "lee", "member", name, "add", "ann") == (
        0,
        "ann added as auditor\n",
        "",
    )
    code, out, _ = run(capsys, *db, "--as", "lee", "allocate", name, "--auditors", "ann,bob")
    assert (code, out) == (
        0,
        f'allocated 4 cases: ann 2, bob 2 (added as auditors: bob) in "{name}"\n',
    )
    assert run(capsys, *db, "--as", "lee", "member", name, "list")[1] == (
        "lee\tlead\nann\tauditor\nbob\tauditor\n"
    )
    code, out, err = run(capsys, *db, "--as", "ann", "lock", name)
    assert (code, out) == (1, "")
    assert (
        err
        == f'audit-tui: error: lock: only the lead of audit "{name}" may do this (ann is auditor)\n'
    )
    assert json.loads(run(capsys, *db, "report", name, "--format", "json")[1])["locked"] is None
    assert run(capsys, *db, "--as", "lee", "lock", name)[0] == 0
    locked = json.loads(run(capsys, *db, "report", name, "--format", "json")[1])["locked"]
    assert set(locked) == {"by", "at"} and locked["by"] == "lee" and locked["at"].endswith("Z")
    markdown = run(capsys, *db, "report", name, "--format", "md")[1]
    assert "- Locked by lee on " in markdown and ": its figures are final" in markdown
    page = run(capsys, *db, "report", name, "--format", "html")[1]
    assert '<dt>Locked</dt><dd id="locked">Locked by lee on ' in page
    code, _, err = run(capsys, *db, "--as", "lee", "rename", name, "other")
    assert code == 1 and "is locked (by lee on " in err and len(err.splitlines()) == 1
    assert run(capsys, *db, "--as", "lee", "unlock", name, "--reason", "")[0] == 2
    assert run(capsys, *db, "--as", "lee", "unlock", name, "--reason", "typo in C-2")[0] == 0
    code, out, _ = run(capsys, *db, "--as", "lee", "history", name, "--format", "json")
    events = [e for e in json.loads(out) if "event" in e]
    assert [e["event"] for e in events if e["event"] != "export"][-4:] == [
        "member",
        "allocate",
        "lock",
        "unlock",
    ]
    assert events[-1]["detail"] == "typo in C-2" and set(events[-1]) == {
        "at",
        "by",
        "event",
        "detail",
    }


def test_as_is_refused_on_postgresql(
    db_target: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(capsys, "--db", db_target, "--as", "someone", "rubrics")
    assert code == 0  # commands that touch no database ignore it
    code, out, err = run(capsys, "--db", db_target, "--as", "someone", "new", "x", "--rubric",
                         "hmip-probation-pdu-2021")  # fmt: skip
    if not is_pg(db_target):
        assert code == 0
        repo = open_repository(db_target)
        assert [(m.user, m.role) for m in team.members(repo, audits.open_audit(repo, "x"))] == [
            ("someone", "lead")
        ]
        repo.engine.dispose()
        return
    assert (code, out) == (2, "")
    assert "--as is for SQLite" in err and len(err.splitlines()) == 1
    monkeypatch.setenv("AUDIT_TUI_USER", "mallory")  # a claimed name changes nothing there
    repo = open_repository(db_target)
    engine = create_engine(make_url(db_target).set(drivername="postgresql+psycopg"))
    with engine.connect() as conn:
        assert repo.user == conn.scalar(text("SELECT session_user")) != "mallory"
    engine.dispose()
    repo.engine.dispose()


def test_a_save_carries_what_its_auditor_saw(people: Person, rubric_text: str) -> None:
    """Two people on one item: the second, who saw it unanswered, is told, and nothing of the
    first's is overwritten until they choose (by saving again with what they now see)."""
    from audit_tui.store.repository import AnswerConflict

    lead, ann = people("lead"), people("ann")
    audit = _audit(lead, rubric_text, n=1)
    team.allocate(lead, audit, [ann.user])
    c1 = _case(lead, audit, "C-1")
    answer_ops.save_answer(ann, audit, c1, "2.2.1", Answer.YES, expected=None)
    with pytest.raises(AnswerConflict) as caught:
        answer_ops.save_answer(lead, audit, c1, "2.2.1", Answer.NO, expected=None)
    conflict = caught.value
    assert (conflict.stored.value, conflict.stored.updated_by, conflict.mine) == (
        "yes",
        ann.user,
        "no",
    )
    assert str(conflict) == (
        f"answer: {ann.user} changed 2.2.1 of case C-1 to yes since you looked: nothing was written"
    )
    assert len(answer_ops.answer_history(lead, c1.id, "2.2.1")) == 1
    saved = answer_ops.save_answer(lead, audit, c1, "2.2.1", Answer.NO, expected="yes")
    assert saved.changed and saved.old_value == "yes"


def test_every_export_and_case_opened_is_logged_with_who_and_why(
    sqlite_target: str, capsys: pytest.CaptureFixture[str], rubric_text: str, tmp_path: Path
) -> None:
    """Data Protection Act 2018 s.62: consultation and disclosure logged with date, time,
    identity and justification. A refused export is not logged as one."""
    lead = open_repository(sqlite_target, user="lee")
    audit = _audit(lead, rubric_text, n=1, name="dpa")
    lead.engine.dispose()
    db = ("--db", sqlite_target, "--as", "lee")
    out = tmp_path / "board.md"
    purpose = "for the PDU quality board, 3 December"
    assert run(capsys, *db, "report", "dpa", "--out", str(out), "--purpose", purpose)[0] == 0
    assert run(capsys, *db, "report", "dpa", "--format", "json")[0] == 0
    assert run(capsys, *db, "report", "dpa", "--out", sqlite_target)[0] == 1  # refused
    events = json.loads(run(capsys, *db, "history", "dpa", "--format", "json")[1])
    exports = [(e["by"], e["detail"]) for e in events if e.get("event") == "export"]
    assert exports == [
        ("lee", f"md report to {out.resolve()}: {purpose}"),
        ("lee", "json report to standard output: no purpose given"),
    ]
    repo = open_repository(sqlite_target, user="ann")
    event_ops.record_access(repo, audits.open_audit(repo, "dpa"), "open-case", "C-1")
    [(who, what)] = [
        (e.by, e.detail) for e in event_ops.audit_events(repo, audit) if e.event == "open-case"
    ]
    assert (who, what) == ("ann", "C-1")
    repo.engine.dispose()


def test_a_member_removed_from_a_locked_audit_keeps_their_cases_until_it_is_unlocked(
    people: Person, rubric_text: str
) -> None:
    """The same on both engines (on PostgreSQL the database refuses to move a locked audit's
    cases, so the app does not try)."""
    lead, ann = people("lead"), people("ann")
    audit = _audit(lead, rubric_text, n=2)
    team.allocate(lead, audit, [ann.user])
    team.lock_audit(lead, audit)
    assert team.remove_member(lead, audit, ann.user) == f"{ann.user} removed (was auditor)"
    assert {c.allocated_to for c in case_ops.list_cases(lead, audit)} == {ann.user}
    team.unlock_audit(lead, audit, "allocation to redo")
    team.set_member(lead, audit, ann.user, "auditor")
    said = team.remove_member(lead, audit, ann.user)
    assert said.endswith("2 cases no longer allocated"), said
