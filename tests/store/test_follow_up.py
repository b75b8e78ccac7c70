"""Management oversight and follow-up in the store: reviewed cases with codes, feedback, actions
and their history, who may change them, and the list across audits. On SQLite and PostgreSQL
(a login per person), through the same functions the app and the command line call."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import OpenAudit
from audit_tui.store import audits, team
from audit_tui.store import cases as case_ops
from audit_tui.store import events as event_ops
from audit_tui.store.database import open_repository
from audit_tui.store.follow_up import (
    action_history,
    actions,
    add_action,
    feedback,
    save_feedback,
    update_action,
)
from audit_tui.store.oversight import add_reviewed_case, set_codes
from audit_tui.store.repository import Repository
from tests.conftest import Person
from tests.store.test_team import NO_PSR, _answer_all, _audit, _case, _refused
from tests.support.cli import run, table_counts

DAY = date(2026, 12, 1)


def _oversight(lead: Repository, rubric_text: str, name: str = "ov") -> OpenAudit:
    audit = audits.create_audit(lead, name, rubric_text, kind="oversight")
    add_reviewed_case(lead, audit, "R-1", NO_PSR, practitioner="P-1", team="T-1")
    add_reviewed_case(lead, audit, "R-2", NO_PSR, practitioner="P-2", team="T-1")
    return audits.open_audit(lead, name)


def test_a_reviewed_case_is_added_with_its_codes_and_allocated_to_whoever_added_it(
    repo: Repository, rubric_text: str
) -> None:
    audit = _oversight(repo, rubric_text)
    assert audit.info.kind == "oversight" and audit.info.oversight
    cases = {c.case_ref: c for c in case_ops.list_cases(repo, audit)}
    assert (cases["R-1"].practitioner, cases["R-1"].team) == ("P-1", "T-1")
    assert cases["R-2"].allocated_to == repo.user
    with pytest.raises(AuditError) as caught:
        add_reviewed_case(repo, audit, "Jo Bloggs", {}, practitioner="Jo B", team="North team")
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 1 + 3 + 2  # the reference, three required attributes, two codes
    assert any("Jo Bloggs" in line and "looks like a name" in line for line in lines)
    assert any(line.startswith("practitioner: 'Jo B' is not a pseudonymous") for line in lines)
    with pytest.raises(AuditError, match="already in the audit: R-1"):
        add_reviewed_case(repo, audit, "R-1", NO_PSR)
    assert len(case_ops.list_cases(repo, audit)) == 2  # nothing half-added
    assert set_codes(repo, audit, {"R-1": ("P-9", ""), "R-2": ("P-2", "T-1")}) == 1
    moved = {c.case_ref: c for c in case_ops.list_cases(repo, audit)}["R-1"]
    assert (moved.practitioner, moved.team) == ("P-9", "")
    with pytest.raises(AuditError, match="not in the audit: R-7"):
        set_codes(repo, audit, {"R-7": ("P-1", "")})


def test_a_kind_that_is_not_one_is_refused(repo: Repository, rubric_text: str) -> None:
    with pytest.raises(AuditError, match="'survey' is not a kind of audit"):
        audits.create_audit(repo, "x", rubric_text, kind="survey")
    assert audits.list_audits(repo) == []


def test_feedback_keeps_lines_refuses_control_characters_and_logs_only_that_it_changed(
    repo: Repository, rubric_text: str
) -> None:
    audit = _oversight(repo, rubric_text)
    assert feedback(repo, audit, "R-1").strengths == ""
    said = save_feedback(repo, audit, "R-1", strengths="Warm\nPurposeful", improvements="Plan")
    assert said.strengths == "Warm\nPurposeful" and said.updated_by == repo.user
    before = audits.audit_revision(repo, audit.info.id)
    save_feedback(repo, audit, "R-1", strengths="Warm\nPurposeful", improvements="Plan")
    assert audits.audit_revision(repo, audit.info.id) == before  # the same words: no write at all
    for hostile in ("\x1b[2J", "a\x00b", "\u202eevil"):
        with pytest.raises(AuditError, match="control character"):
            save_feedback(repo, audit, "R-1", strengths=hostile, improvements="")
    with pytest.raises(AuditError, match="at most 4,000"):
        save_feedback(repo, audit, "R-1", strengths="x" * 4001, improvements="")
    assert feedback(repo, audit, "R-1").strengths == "Warm\nPurposeful"
    events = [e for e in event_ops.audit_events(repo, audit) if e.event == "feedback"]
    assert [e.detail for e in events] == ["feedback on case R-1 written"]  # never the words
    with pytest.raises(AuditError, match="no case 'R-9'"):
        save_feedback(repo, audit, "R-9", strengths="x", improvements="")


def test_an_action_lives_open_done_reopened_dropped_with_every_step_in_its_history(
    repo: Repository, rubric_text: str
) -> None:
    audit = _oversight(repo, rubric_text)
    act = add_action(repo, audit, "R-1", "Complete the risk analysis", DAY)
    assert (act.status, act.due, act.practitioner, act.team) == ("open", DAY, "P-1", "T-1")
    update_action(repo, act.id, status="done")  # done needs no note
    with pytest.raises(AuditError, match=f"action {act.id} is already done"):
        update_action(repo, act.id, status="done")
    with pytest.raises(AuditError, match="say why"):
        update_action(repo, act.id, status="open")
    update_action(repo, act.id, status="open", note="Not finished after all")
    update_action(repo, act.id, due=date(2026, 12, 15), note="Leave")
    final = update_action(repo, act.id, status="dropped", note="Case transferred")
    assert final.status == "dropped" and final.due == date(2026, 12, 15)
    steps = [
        (h.old_status, h.new_status, h.old_due, h.new_due, h.note)
        for h in action_history(repo, act.id)
    ]
    assert steps == [
        (None, "open", None, DAY, ""),
        ("open", "done", DAY, DAY, ""),
        ("done", "open", DAY, DAY, "Not finished after all"),
        ("open", "open", DAY, date(2026, 12, 15), "Leave"),
        ("open", "dropped", date(2026, 12, 15), date(2026, 12, 15), "Case transferred"),
    ]
    assert all(h.by == repo.user for h in action_history(repo, act.id))
    with pytest.raises(AuditError, match="'finished' is not a status"):
        update_action(repo, act.id, status="finished", note="x")
    with pytest.raises(AuditError, match="no action 999"):
        update_action(repo, 999, status="done")
    with pytest.raises(AuditError, match="cannot be empty"):
        add_action(repo, audit, "R-1", "   ", DAY)


def test_the_list_filters_across_audits_by_status_date_practitioner_and_team(
    repo: Repository, rubric_text: str
) -> None:
    first, second = _oversight(repo, rubric_text, "ov-a"), _oversight(repo, rubric_text, "ov-b")
    late = add_action(repo, first, "R-1", "late one", date(2026, 11, 1))
    add_action(repo, first, "R-2", "later one", date(2027, 1, 1))
    done = add_action(repo, second, "R-1", "done one", date(2026, 10, 1))
    done = update_action(repo, done.id, status="done")
    on = date(2026, 11, 26)
    assert [a.what for a in actions(repo)] == ["done one", "late one", "later one"]  # by due
    assert [a.what for a in actions(repo, open_only=True)] == ["late one", "later one"]
    assert [a.id for a in actions(repo, overdue_on=on)] == [late.id]
    assert {a.audit for a in actions(repo, practitioner="P-1")} == {"ov-a", "ov-b"}
    assert [a.what for a in actions(repo, practitioner="P-2")] == ["later one"]
    assert len(actions(repo, team="T-1")) == 3 and actions(repo, team="T-9") == []
    assert [a.what for a in actions(repo, audit=second)] == ["done one"]
    assert late.overdue(on) and not done.overdue(on)
    case_ops.remove_case(
        repo, first, "R-2", "transferred out"
    )  # a removed case's actions leave the list
    assert [a.what for a in actions(repo, audit=first)] == ["late one"]


def test_only_the_lead_or_the_cases_auditor_follows_it_up_even_after_sign_off_and_lock(
    people: Person, rubric_text: str
) -> None:
    lead, ann, bob, vic = people("lead"), people("ann"), people("bob"), people("vic")
    audit = _audit(lead, rubric_text, n=2)
    team.allocate(lead, audit, [ann.user], cases=["C-1"])
    team.set_member(lead, audit, bob.user, "auditor")
    team.set_member(lead, audit, vic.user, "viewer")
    act = add_action(ann, audit, "C-1", "ann's action", DAY)
    save_feedback(ann, audit, "C-1", strengths="ok", improvements="")
    _refused(lambda: add_action(bob, audit, "C-1", "bob's", DAY), "only the lead or the auditor")
    _refused(lambda: update_action(bob, act.id, status="done"), "only the lead or the auditor")
    _refused(lambda: save_feedback(vic, audit, "C-1", strengths="x", improvements=""), "viewer")
    _refused(lambda: add_action(ann, audit, "C-2", "not mine", DAY), "only the lead or")
    _answer_all(ann, audit, _case(ann, audit, "C-1"))
    team.sign_off(lead, audit, "C-1")
    team.lock_audit(lead, audit)
    # the follow-up comes after the figures are final
    assert update_action(ann, act.id, status="done", note="seen").status == "done"
    assert add_action(lead, audit, "C-2", "lead's", DAY).status == "open"
    assert [h.by for h in action_history(lead, act.id)] == [ann.user, ann.user]
    assert feedback(lead, audit, "C-1").strengths == "ok"


def test_actions_through_the_command_line(
    capsys: pytest.CaptureFixture[str], db_target: str, rubric_text: str
) -> None:
    def cli(*argv: str) -> tuple[int, str, str]:
        return run(capsys, "--db", db_target, *argv)

    assert cli("new", "ov", "--rubric", "hmip-probation-pdu-2021", "--kind", "oversight")[0] == 0
    code, out, err = cli(
        "add-case", "ov", "R-1", "--practitioner", "P-1", "--team", "T-1",
        "--attr", "sentence_type=community", "--attr", "has_psr=no", "--attr", "rosh=low",
    )  # fmt: skip
    assert code == 0 and "added case R-1" in out, err
    assert (
        cli("add-action", "ov", "R-1", "--what", '=HYPERLINK("x")', "--due", "01/11/2026")[0] == 0
    )
    assert cli("add-action", "ov", "R-1", "--what", "later", "--due", "2099-01-01")[0] == 0
    code, out, _ = cli("actions", "--overdue", "--format", "json")
    rows = json.loads(out)
    assert [(r["id"], r["what"], r["due"], r["overdue"]) for r in rows] == [
        (1, '=HYPERLINK("x")', "2026-11-01", True)
    ]
    code, out, _ = cli("actions", "--practitioner", "P-1")
    assert code == 0 and "open OVERDUE" in out and out.endswith("2 actions: 2 open, 1 overdue\n")
    assert cli("actions", "--practitioner", "P-9")[1] == "no actions match\n"
    before = table_counts(db_target)
    code, _, err = cli("update-action", "1", "--status", "dropped")
    assert code == 1 and err.count("\n") == 1 and "say why" in err
    code, _, err = cli("add-action", "ov", "R-1", "--what", "x", "--due", "31/02/2026")
    assert code == 2 and "is not a date" in err
    code, _, err = cli("update-action", "1")
    assert code == 2 and "give --status or --due" in err
    assert table_counts(db_target) == before  # refusals wrote nothing
    assert cli("update-action", "1", "--status", "done", "--note", "done in supervision")[0] == 0
    assert "done" in cli("actions", "--audit", "ov")[1]
    assert cli("actions", "--open", "--format", "json")[1].count('"id"') == 1


def test_a_drawn_sample_carries_the_extracts_practitioner_codes(
    repo: Repository, rubric_text: str, tmp_path: Path
) -> None:
    from audit_tui.io.caseload import import_caseload
    from audit_tui.store.sampling import draw_sample

    audit = audits.create_audit(repo, "drawn", rubric_text)
    extract = tmp_path / "caseload.csv"
    rows = [f"K-{i},community,no,low,2024-01-0{i},T-{i % 2},P-{i}" for i in range(1, 7)]
    extract.write_text(
        "case_ref,sentence_type,has_psr,rosh,start_date,team,practitioner\n" + "\n".join(rows)
    )
    import_caseload(repo, audit, extract)
    draw_sample(repo, audit, 3, seed=7)
    for case in case_ops.list_cases(repo, audit):
        i = int(case.case_ref.split("-")[1])
        assert (case.practitioner, case.team) == (f"P-{i}", f"T-{i % 2}")


def test_import_cases_reads_codes_and_refuses_names_in_them(
    capsys: pytest.CaptureFixture[str], sqlite_target: str, tmp_path: Path
) -> None:
    assert (
        run(capsys, "--db", sqlite_target, "new", "ov", "--rubric", "hmip-probation-pdu-2021")[0]
        == 0
    )
    bad = tmp_path / "cases.csv"
    bad.write_text(
        "case_ref,sentence_type,has_psr,rosh,practitioner,team\n"
        "C-1,community,no,low,P-1,T-1\n"
        "C-2,community,no,low,Jo Bloggs,T-1\n"
        "C-3,community,no,low,P-3,=cmd|' /C calc'!A0\n"
    )
    before = table_counts(sqlite_target)
    code, _, err = run(capsys, "--db", sqlite_target, "import-cases", "ov", str(bad))
    lines = err.splitlines()
    assert code == 1 and len(lines) == 2, err
    assert "row 3, column 'practitioner': 'Jo Bloggs' is not a pseudonymous" in lines[0]
    assert "row 4, column 'team'" in lines[1]
    assert table_counts(sqlite_target) == before
    good = tmp_path / "good.csv"
    good.write_text("case_ref,sentence_type,has_psr,rosh,practitioner\nC-1,community,no,low,P-1\n")
    assert run(capsys, "--db", sqlite_target, "import-cases", "ov", str(good))[0] == 0
    repo = open_repository(sqlite_target)
    (case,) = case_ops.list_cases(repo, audits.open_audit(repo, "ov"))
    assert (case.practitioner, case.team) == ("P-1", "")
