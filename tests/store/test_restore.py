"""Removal undone (issue 20): `restore-case` brings a removed case back with its answers and
history, its counts and the report's figures exactly as before the removal, and a
`restore-case` event with the reason beside the removal; refused, with nothing written, to anyone
but the lead, in a locked audit, for a case not removed or unknown, or without a reason; and
`verify` follows a case through removal and restore. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from audit_tui.domain.answers import Answer
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import OpenAudit
from audit_tui.io.caseload import import_caseload
from audit_tui.store import answers, audits, sampling, team
from audit_tui.store import cases as case_ops
from audit_tui.store import events as event_ops
from audit_tui.store.database import open_repository
from audit_tui.store.models import ItemTallyRow, table_of
from audit_tui.store.repository import ANSWER_HISTORY, AUDIT_EVENT, CASE, Repository
from audit_tui.store.restore import restore_case
from audit_tui.store.verify import verify
from tests.conftest import Person, is_pg
from tests.store.test_operations import ANSWERS, CASES, one_error
from tests.store.test_team import _audit
from tests.support.cli import run, table_counts

TALLY = table_of(ItemTallyRow)


@pytest.fixture
def a1(db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Audit "a1": three answered cases (C-2 with two answers, one given a note since)."""
    (tmp_path / "cases.csv").write_text(CASES)
    (tmp_path / "answers.csv").write_text(ANSWERS)
    db = ("--db", db_target)
    assert run(capsys, *db, "new", "a1", "--rubric", "hmip-probation-pdu-2021")[0] == 0
    assert run(capsys, *db, "import-cases", "a1", str(tmp_path / "cases.csv"))[0] == 0
    assert run(capsys, *db, "import-answers", "a1", str(tmp_path / "answers.csv"))[0] == 0
    repo = open_repository(db_target)
    audit = audits.open_audit(repo, "a1")
    c2 = next(c for c in case_ops.list_cases(repo, audit) if c.case_ref == "C-2")
    answers.save_answer(repo, audit, c2, "2.2.1", note="Risk not revisited")
    repo.engine.dispose()
    return db_target


def kept(target: str) -> dict[str, Any]:
    """What a removal must not lose and a restore must put back: the kept counts, each case's
    state, its answers' history, and the JSON report (as `report` prints it)."""
    repo = open_repository(target)
    audit = audits.open_audit(repo, "a1")
    with repo.engine.connect() as conn:
        tallies = sorted(
            tuple(r)
            for r in conn.execute(
                select(TALLY.c.item_id, TALLY.c.value, TALLY.c.n).where(
                    TALLY.c.audit_id == audit.info.id, TALLY.c.n != 0
                )
            )
        )
        cases = [
            tuple(r)
            for r in conn.execute(
                select(
                    CASE.c.case_ref,
                    CASE.c.answered,
                    CASE.c.removed_at,
                    CASE.c.removed_by,
                    CASE.c.removed_reason,
                    CASE.c.position,
                )
                .where(CASE.c.audit_id == audit.info.id)
                .order_by(CASE.c.position)
            )
        ]
        history = [
            tuple(r) for r in conn.execute(select(ANSWER_HISTORY).order_by(ANSWER_HISTORY.c.id))
        ]
    listed = [c.case_ref for c in case_ops.list_cases(repo, audit)]
    repo.engine.dispose()
    return {"tallies": tallies, "cases": cases, "history": history, "listed": listed}


def report(capsys: pytest.CaptureFixture[str], target: str) -> dict[str, Any]:
    code, out, _ = run(capsys, "--db", target, "report", "a1", "--format", "json")
    assert code == 0
    found: dict[str, Any] = json.loads(out)
    return found


def events(target: str) -> list[tuple[str, str, str]]:
    repo = open_repository(target)
    found = [
        (e.event, e.detail, e.by)
        for e in event_ops.audit_events(repo, audits.open_audit(repo, "a1"))
    ]
    repo.engine.dispose()
    return found


def test_restore_brings_the_case_back_as_it_was(
    a1: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", a1)
    before, figures = kept(a1), report(capsys, a1)
    assert run(capsys, *db, "remove-case", "a1", "C-2", "--reason", "transferred out")[0] == 0
    removed = kept(a1)
    assert removed["tallies"] != before["tallies"] and removed["listed"] == ["C-1", "C-3"]
    assert report(capsys, a1)["cases"] == 2

    code, out, err = run(
        capsys, *db, "restore-case", "a1", "c-2", "--reason", " removed by mistake "
    )
    assert (code, err) == (0, "")
    assert out == ('restored case C-2 to "a1" (back in every count and report, with 2 answers)\n')
    assert kept(a1) == before  # counts, the case's state and place, its history: as they were
    assert report(capsys, a1) == figures
    me = open_repository(a1)
    assert [e for e in events(a1) if e[0] != "export"][-2:] == [
        ("remove-case", "C-2: transferred out", me.user),
        ("restore-case", "C-2: removed by mistake", me.user),
    ]
    assert verify(me, audits.open_audit(me, "a1")) == []
    code, out, _ = run(capsys, *db, "history", "a1", "--format", "json")
    trail = json.loads(out)
    said = [e["detail"] for e in trail if e.get("event") in ("remove-case", "restore-case")]
    assert said == ["C-2: transferred out", "C-2: removed by mistake"]
    assert len([e for e in trail if e.get("case") == "C-2"]) == 3  # its answers' history
    # back, it is a case like any other: answered, removed again, restored again
    audit = audits.open_audit(me, "a1")
    c2 = next(c for c in case_ops.list_cases(me, audit) if c.case_ref == "C-2")
    assert answers.save_answer(me, audit, c2, "2.3.1", Answer.YES).changed
    case_ops.remove_case(me, audit, "C-2", "transferred out after all")
    assert restore_case(me, audit, "C-2", "the transfer fell through").answered == 3
    assert verify(me, audit) == []
    me.engine.dispose()
    code, out, _ = run(capsys, *db, "verify", "a1")
    assert code == 0 and "holds together" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["C-2", "--reason", "  "], "reason: cannot be empty: say why case C-2 is restored"),
        (["C-2", "--reason", "bad\x1b[2J"], "reason: bad\\x1b[2J holds a control character"),
        (["C-2", "--reason", "x" * 501], "reason: is 501 characters long (at most 500)"),
        (["C-9", "--reason", "back"], "case: no case 'C-9' in audit 'a1'"),
        (
            ["C-1", "--reason", "back"],
            "case: 'C-1' is in audit 'a1' (not removed): nothing to restore",
        ),
    ],
)
def test_restore_refusals_write_nothing(
    a1: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert run(capsys, "--db", a1, "remove-case", "a1", "C-2", "--reason", "gone")[0] == 0
    before = table_counts(a1)
    code, out, err = run(capsys, "--db", a1, "restore-case", "a1", *argv)
    assert (code, out) == (1, "")
    assert one_error(err).startswith(message), err
    assert table_counts(a1) == before
    assert kept(a1)["listed"] == ["C-1", "C-3"]


def test_restore_needs_a_reason_and_an_audit(capsys: pytest.CaptureFixture[str]) -> None:
    from audit_tui.cli import main

    with pytest.raises(SystemExit) as info:
        main(["restore-case", "a1", "C-2"])
    assert info.value.code == 2
    assert "the following arguments are required: --reason" in capsys.readouterr().err


def _as(who: Repository, target: str) -> tuple[str, ...]:
    """The command line's options acting as `who`: their own login on PostgreSQL."""
    if is_pg(target):
        return ("--db", who.engine.url.render_as_string(hide_password=False))
    return ("--db", target, "--as", who.user)


def test_only_the_lead_restores_and_not_in_a_locked_audit(
    people: Person, rubric_text: str, db_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """On PostgreSQL each person is a real login: the server refuses as the app does."""
    lead, ann, vic, eve = (people(n) for n in ("lead", "ann", "vic", "eve"))
    audit = _audit(lead, rubric_text, n=3)
    team.allocate(lead, audit, [ann.user])
    team.set_member(lead, audit, vic.user, "viewer")
    c2 = next(c for c in case_ops.list_cases(lead, audit) if c.case_ref == "C-2")
    answers.save_answer(lead, audit, c2, "2.2.1", Answer.YES)
    case_ops.remove_case(lead, audit, "C-2", "transferred out")
    refusals = [
        (ann, f'only the lead of audit "{audit.info.name}" may do this ({ann.user} is auditor)'),
        (vic, f"({vic.user} is viewer)"),
        (eve, "not a member"),
    ]
    for who, words in refusals:
        with pytest.raises(AuditError) as refused:
            restore_case(who, audit, "C-2", "back")
        assert words in str(refused.value)
    team.lock_audit(lead, audit)
    with pytest.raises(AuditError, match="is locked"):
        restore_case(lead, audit, "C-2", "back")
    before = table_counts(db_target)
    if is_pg(db_target):  # on the server an audit is not even named to a stranger
        refusals[2] = (eve, f'no audit named "{audit.info.name}"')
    for who, words in [*refusals, (lead, "is locked")]:  # as typed: one line, exit 1
        code, out, err = run(capsys, *_as(who, db_target), "restore-case", audit.info.name,
                             "C-2", "--reason", "back")  # fmt: skip
        assert (code, out) == (1, "") and words in one_error(err), err
    assert table_counts(db_target) == before
    assert [c.case_ref for c in case_ops.removed_cases(lead, audit)] == ["C-2"]
    assert [e.event for e in event_ops.audit_events(lead, audit)][-2:] == ["remove-case", "lock"]
    team.unlock_audit(lead, audit, "C-2 came back")
    assert restore_case(lead, audit, "C-2", "back").answered == 1
    assert audits.open_audit(lead, audit.info.name).info.cases == 3
    if is_pg(db_target):  # past the app: the server's own rules
        _pg_refuses_a_restore_by_sql(ann, lead, audit)


def _pg_refuses_a_restore_by_sql(ann: Repository, lead: Repository, audit: OpenAudit) -> None:
    """An auditor writing SQL can neither restore a case (their own, even) nor log a restore."""
    case_ops.remove_case(lead, audit, "C-1", "duplicate")
    for statement, words in (
        (
            "UPDATE audit_tui.audit_case SET removed_at = NULL"
            " WHERE audit_id = :a AND case_ref = 'C-1'",
            "may only mark case C-1 complete",
        ),
        ("SELECT audit_tui.log_event(:a, 'restore-case', 'C-1: forged')", "only the lead"),
    ):
        with pytest.raises(DBAPIError, match=words), ann.engine.begin() as conn:
            conn.execute(text(statement), {"a": audit.info.id})
    assert [c.case_ref for c in case_ops.removed_cases(lead, audit)] == ["C-1"]
    assert [e.event for e in event_ops.audit_events(lead, audit)][-1] == "remove-case"


def test_a_replaced_case_stays_out(people: Person, rubric_text: str, tmp_path: Path) -> None:
    """A drawn sample's replacement took the case's place: restoring it is refused, naming it."""
    from tests.store.test_sampling import _extract

    lead = people("lead")
    audit = audits.create_audit(lead, "drawn", rubric_text)
    import_caseload(lead, audit, _extract(tmp_path / "c.csv", n_community=6, n_licence=4))
    drawn = sampling.draw_sample(lead, audit, 5, strata=["sentence_type"], seed=9)
    out = drawn.plan[0].order[0]
    swap = sampling.replace_case(lead, audit, out, "file missing")
    before = [c.case_ref for c in case_ops.list_cases(lead, audit)]
    with pytest.raises(AuditError) as refused:
        restore_case(lead, audit, out, "found the file")
    line = str(refused.value)
    assert f"{out!r} was replaced in the drawn sample by {swap.replacement} on 20" in line
    assert "keeps the size and order it was drawn with" in line
    assert [c.case_ref for c in case_ops.list_cases(lead, audit)] == before


def test_verify_follows_removal_and_restore(repo: Repository, rubric_text: str) -> None:
    """A case back in the sample with no restore logged, or out of it with a restore last, is
    found; tampering as in tests/store/test_verify.py (past the app and the server's triggers)."""
    from tests.store.test_verify import lines, tampering

    lead = repo
    audit = _audit(lead, rubric_text, n=3)
    case_ops.remove_case(lead, audit, "C-1", "duplicate")
    case_ops.remove_case(lead, audit, "C-2", "duplicate")
    restore_case(lead, audit, "C-2", "not a duplicate")
    assert lines(lead, audit) == []
    with tampering(lead) as conn:
        conn.execute(
            CASE.update()
            .where(CASE.c.audit_id == audit.info.id, CASE.c.case_ref == "C-1")
            .values(removed_at=None, removed_by=None, removed_reason=None)
        )
        conn.execute(
            CASE.update()
            .where(CASE.c.audit_id == audit.info.id, CASE.c.case_ref == "C-2")
            .values(removed_at=CASE.c.created_at, removed_by="mallory", removed_reason="quietly")
        )
    found = lines(lead, audit)
    removal = next(
        e.id
        for e in _event_rows(lead, audit)
        if e.event == "remove-case" and e.detail.startswith("C-1:")
    )
    assert found == [
        f"case C-1: is in the sample, but the log's last word on it is its removal (event"
        f" {removal}): it was put back without a restore",
        "case C-2: was removed from the sample, but the log has no removal",
    ], found


def _event_rows(repo: Repository, audit: OpenAudit) -> list[Any]:
    with repo.engine.connect() as conn:
        return list(
            conn.execute(select(AUDIT_EVENT).where(AUDIT_EVENT.c.audit_id == audit.info.id))
        )
