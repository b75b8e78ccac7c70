"""Moderation on both engines: rounds drawn from a recorded seed, blind second marks kept apart
from the audit's answers, blindness in the reports and the trail, double entry, and settling
disagreements into the audit's answers (and ratings).

On PostgreSQL each person is a real login (the identity is `session_user`); on SQLite a name.
"""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from audit_tui.domain.answers import Answer
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import OpenAudit
from audit_tui.scoring.agreement import agreement
from audit_tui.scoring.results import AuditResult, KeyQuestionResult
from audit_tui.store import answers, audits, scores, team
from audit_tui.store import cases as case_ops
from audit_tui.store import events as event_ops
from audit_tui.store.models import AnswerHistoryRow, AnswerRow, CaseRow, table_of
from audit_tui.store.moderation import Share, blind_cases, marking, rounds, start_round
from audit_tui.store.repository import Repository
from audit_tui.store.second_marks import complete_second, save_second, second_answers
from audit_tui.store.settlement import Agreed, settle, summary
from tests.conftest import Person, is_pg
from tests.support.cli import run, table_counts

NO_PSR = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}
LICENCE = {"sentence_type": "licence", "has_psr": "no", "rosh": "high"}
ANSWER = table_of(AnswerRow)
HISTORY = table_of(AnswerHistoryRow)
CASE = table_of(CaseRow)


def _team_audit(lead: Repository, rubric_text: str, auditors: list[str], n: int = 12) -> OpenAudit:
    """An audit of `n` cases allocated in turn to ann and cy, every item answered Yes by its
    auditor (so the first marker of each case is its auditor)."""
    audit = audits.create_audit(lead, f"mod-{uuid.uuid4().hex[:6]}", rubric_text)
    case_ops.add_cases(lead, audit, [(f"C-{i:02}", LICENCE if i % 3 == 0 else NO_PSR)
                           for i in range(1, n + 1)])  # fmt: skip
    audit = audits.open_audit(lead, audit.info.name)
    team.allocate(lead, audit, auditors)
    return audits.open_audit(lead, audit.info.name)


def _answer_case(repo: Repository, audit: OpenAudit, ref: str, value: Answer) -> None:
    case = next(c for c in case_ops.list_cases(repo, audit) if c.case_ref == ref)
    items = [i for i in audit.rubric.column_order if audit.rubric.applies(i, case.attributes)]
    answers.import_answers(repo, audit, {case.id: dict.fromkeys(items, value)})


def _second_mark_case(
    repo: Repository, audit: OpenAudit, ref: str, value: Answer, *, differ: tuple[str, ...] = ()
) -> None:
    """Second-mark every applicable item `value`, except `differ` items (marked No)."""
    case = next(c for c in case_ops.list_cases(repo, audit) if c.case_ref == ref)
    for item in audit.rubric.column_order:
        if audit.rubric.applies(item, case.attributes):
            mark = Answer.NO if item in differ else value
            save_second(repo, audit, case.id, item, mark)


@pytest.fixture
def crew(people: Person, rubric_text: str) -> tuple[dict[str, Repository], OpenAudit]:
    names = ("lead", "ann", "cy", "bob")
    repos = {n: people(n) for n in names}
    audit = _team_audit(repos["lead"], rubric_text, [repos["ann"].user, repos["cy"].user])
    for owner in ("ann", "cy"):
        for ref in _allocated(repos["lead"], audit, repos[owner].user):
            _answer_case(repos[owner], audit, ref, Answer.YES)
    return repos, audit


def _allocated(repo: Repository, audit: OpenAudit, user: str) -> set[str]:
    with repo.engine.connect() as conn:
        return set(
            conn.scalars(
                select(CASE.c.case_ref).where(
                    CASE.c.audit_id == audit.info.id, CASE.c.allocated_to == user
                )
            )
        )


# ---- rounds ----------------------------------------------------------------------------------


def test_a_seeded_sample_is_drawn_again_the_same_and_recorded(
    crew: tuple[dict[str, Repository], OpenAudit], people: Person
) -> None:
    repos, audit = crew
    lead = repos["lead"]
    dee, eve = people("dee").user, people("eve").user  # on PostgreSQL a marker is a login
    first = start_round(lead, audit, repos["bob"].user, sample=Share.parse("25%"), seed=4711)
    assert len(first.case_refs) == 3  # 25% of 12, rounded up
    again = start_round(lead, audit, dee, sample=Share.parse("25%"), seed=4711)
    assert again.case_refs == first.case_refs  # same eligible cases, same seed: same draw
    other = start_round(lead, audit, eve, sample=Share.parse("25%"), seed=4712)
    assert len(other.case_refs) == 3
    found = rounds(lead, audit)
    assert [(r.info.number, r.info.marker, r.info.seed) for r in found] == [
        (1, repos["bob"].user, 4711), (2, dee, 4711), (3, eve, 4712)
    ]  # fmt: skip
    assert found[0].info.rule == "sample 25%"
    events = [e for e in event_ops.audit_events(lead, audit) if e.event == "moderate"]
    assert "seed 4711" in events[0].detail and first.case_refs[0] in events[0].detail


def test_per_auditor_samples_each_first_markers_cases_and_never_the_markers_own(
    crew: tuple[dict[str, Repository], OpenAudit],
) -> None:
    repos, audit = crew
    lead = repos["lead"]
    started = start_round(
        lead, audit, repos["ann"].user, sample=Share(count=2), per_auditor=True, seed=7
    )
    anns = _allocated(lead, audit, repos["ann"].user)
    cys = _allocated(lead, audit, repos["cy"].user)
    assert len(started.case_refs) == 2  # ann's own cases are never hers to moderate
    assert set(started.case_refs) <= cys and not set(started.case_refs) & anns
    by_bob = start_round(
        lead, audit, repos["bob"].user, sample=Share(count=2), per_auditor=True, seed=7
    )
    assert len(set(by_bob.case_refs) & anns) == 2 and len(set(by_bob.case_refs) & cys) == 2


def test_round_refusals_name_the_problem_and_write_nothing(
    crew: tuple[dict[str, Repository], OpenAudit], db_target: str
) -> None:
    repos, audit = crew
    before = table_counts(db_target)
    anns = sorted(_allocated(repos["lead"], audit, repos["ann"].user))
    with pytest.raises(AuditError, match=f"{repos['ann'].user} marked it first"):
        start_round(repos["lead"], audit, repos["ann"].user, cases=[anns[0]])
    with pytest.raises(AuditError, match="only the lead"):
        start_round(repos["ann"], audit, repos["bob"].user, cases=[anns[0]])
    with pytest.raises(AuditError, match="asked for 13 cases but only 12"):
        start_round(repos["lead"], audit, repos["bob"].user, sample=Share(count=13), seed=1)
    with pytest.raises(AuditError, match="not in the audit"):
        start_round(repos["lead"], audit, repos["bob"].user, cases=["NOPE"])
    for bad in ("0", "-3", "150%", "ten", "%"):
        with pytest.raises(AuditError, match="not a number of cases"):
            Share.parse(bad)
    assert table_counts(db_target) == before


# ---- blind second marks ------------------------------------------------------------------------


def test_second_marks_are_kept_apart_with_history_and_the_marker_is_blind_until_complete(
    crew: tuple[dict[str, Repository], OpenAudit],
) -> None:
    repos, audit = crew
    lead, bob = repos["lead"], repos["bob"]
    ref = sorted(_allocated(lead, audit, repos["ann"].user))[0]
    start_round(lead, audit, repos["bob"].user, cases=[ref])
    case = next(c for c in case_ops.list_cases(bob, audit) if c.case_ref == ref)
    before = answers.answers_for_case(lead, case.id)

    assert blind_cases(bob, audit) == {case.id: ref}
    assert blind_cases(lead, audit) == {}
    with pytest.raises(AuditError, match="blind"):
        from audit_tui.reporting.render import render_report

        render_report(bob, audit, "json")
    with pytest.raises(AuditError, match="has no unfinished second marking"):
        save_second(repos["cy"], audit, case.id, "2.2.1", Answer.NO)  # not cy's round
    with pytest.raises(AuditError, match="still to second-mark"):
        complete_second(bob, audit, case.id)

    _second_mark_case(bob, audit, ref, Answer.YES, differ=("2.2.1", "2.2.1.a"))
    save_second(bob, audit, case.id, "2.2.1", note="risk of harm not assessed")
    assert answers.answers_for_case(lead, case.id) == before  # the audit's answers never move
    mark = marking(bob, audit, case.id)
    assert mark is not None and not mark.completed
    seconds = second_answers(bob, mark)
    assert seconds["2.2.1"].value == "no" and seconds["2.2.1"].note == "risk of harm not assessed"

    complete_second(bob, audit, case.id)
    assert blind_cases(bob, audit) == {}
    with pytest.raises(AuditError, match="has no unfinished second marking"):
        save_second(bob, audit, case.id, "2.2.1", Answer.YES)  # finished: frozen
    found = summary(lead, audit)
    assert found is not None and found.cases == 1
    assert {d.item_id for d in found.disagreements} == {"2.2.1", "2.2.1.a"}
    noted = next(d for d in found.disagreements if d.item_id == "2.2.1")
    assert noted.first.value == "yes" and noted.second.note == "risk of harm not assessed"
    assert noted.first_marker == repos["ann"].user and noted.second_marker == bob.user


def _as(db_target: str, person: Repository) -> tuple[str, ...]:
    """The command line's way to be `person`: their login's URL on PostgreSQL, --as on SQLite."""
    if is_pg(db_target):
        url = make_url(db_target).set(username=person.user, password=None)
        return ("--db", url.render_as_string(hide_password=False))
    return ("--db", db_target, "--as", person.user)


def test_the_blind_marker_cannot_read_the_first_marks_through_the_cli(
    crew: tuple[dict[str, Repository], OpenAudit],
    db_target: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repos, audit = crew
    ref = sorted(_allocated(repos["lead"], audit, repos["ann"].user))[0]
    start_round(repos["lead"], audit, repos["bob"].user, cases=[ref])
    name, bob, ann = audit.info.name, _as(db_target, repos["bob"]), _as(db_target, repos["ann"])
    for fmt in ("json", "md", "csv", "html"):
        code, out, err = run(capsys, *bob, "report", name, "--format", fmt)
        assert code == 1 and out == ""
        assert len(err.strip().splitlines()) == 1 and ref in err and "blind" in err
    never = tmp_path / "never.csv"
    code, out, err = run(capsys, *bob, "reconcile", name, "--export", str(never))
    assert code == 1 and "blind" in err and not never.exists()
    code, out, err = run(capsys, *bob, "history", name, "--format", "json")
    assert code == 0
    assert all(c.get("case") != ref for c in json.loads(out)), "a blind case's history showed"
    assert "hidden" in err
    code, out, _ = run(capsys, *ann, "history", name, "--format", "json")
    assert any(c.get("case") == ref for c in json.loads(out))


# ---- double entry and reconciliation -----------------------------------------------------------


def _spreadsheet(path: Path, audit: OpenAudit, repo: Repository, refs: list[str],
                 flips: dict[str, str]) -> None:  # fmt: skip
    """A second marker's wide answers file: Yes throughout, but `flips` (item -> value)."""
    cases = {c.case_ref: c for c in case_ops.list_cases(repo, audit)}
    items = audit.rubric.column_order
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["case_ref", *items])
        for ref in refs:
            attrs = cases[ref].attributes
            writer.writerow([ref, *(flips.get(i, "yes") if audit.rubric.applies(i, attrs)
                                    else "" for i in items)])  # fmt: skip


def test_double_entry_then_reconcile_round_trip_changes_answers_and_ratings(
    crew: tuple[dict[str, Repository], OpenAudit],
    db_target: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repos, audit = crew
    lead = repos["lead"]
    refs = sorted(_allocated(lead, audit, repos["ann"].user))[:4]
    sheet = tmp_path / "bob.csv"
    _spreadsheet(sheet, audit, lead, refs, {"2.2.1": "no", "2.2.2.a": "n/a"})
    from audit_tui.io.imports import import_second_marks

    done = import_second_marks(lead, audit, sheet, repos["bob"].user)  # the lead enters bob's sheet
    assert done.rows == 4
    found = summary(lead, audit)
    assert found is not None and found.cases == 4 and found.rounds[0].rule.startswith("imported")
    assert len(found.disagreements) == 8 and found.settled == 0
    before = found.overall.agreement
    st = next(s for s in found.standards if s.id == "2.2")
    assert st.first_rating == "Outstanding" and st.second_rating == "Inadequate" and st.differs
    score_before = scores.score(lead, audit)

    from audit_tui.io.reconcile import export_disagreements, import_settlements

    out = tmp_path / "disagreements.csv"
    n, settled = export_disagreements(lead, audit, out)
    assert (n, settled) == (8, 0)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {(r["case_ref"], r["item_id"], r["first"], r["second"]) for r in rows} == {
        (ref, item, "yes", second) for ref in refs
        for item, second in (("2.2.1", "no"), ("2.2.2.a", "n/a"))
    }  # fmt: skip
    for r in rows:  # settle 2.2.1 the second marker's way, leave 2.2.2.a open
        if r["item_id"] == "2.2.1":
            r["agreed"], r["reason"] = "no", "=risk assessment missing"  # a formula-looking reason
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    changed, settled, total = import_settlements(lead, audit, out)
    assert (changed, settled, total) == (4, 4, 8)

    after = summary(lead, audit)
    assert after is not None and after.settled == 4
    assert after.overall.agreement == before  # agreement compares the marks as moderated
    ids = {c.case_ref: c.id for c in case_ops.list_cases(lead, audit)}
    with lead.engine.connect() as conn:
        for ref in refs:
            value = conn.scalar(select(ANSWER.c.value).where(
                ANSWER.c.case_id == ids[ref], ANSWER.c.item_id == "2.2.1"))  # fmt: skip
            assert value == "no"
        trail = conn.execute(
            select(HISTORY.c.via, HISTORY.c.reason, HISTORY.c.old_value, HISTORY.c.new_value)
            .where(HISTORY.c.case_id == ids[refs[0]], HISTORY.c.item_id == "2.2.1")
            .order_by(HISTORY.c.id)
        ).all()
    assert trail[-1] == ("moderation", "=risk assessment missing", "yes", "no")
    score_after = scores.score(lead, audit)

    def kq(r: AuditResult) -> KeyQuestionResult:
        return next(k for s in r.standards for k in s.key_questions if k.id == "2.2.1")

    assert kq(score_after).yes == kq(score_before).yes - 4
    assert kq(score_after).no == kq(score_before).no + 4


def test_bad_settlement_files_say_each_problem_and_write_nothing(
    crew: tuple[dict[str, Repository], OpenAudit], db_target: str, tmp_path: Path
) -> None:
    repos, audit = crew
    lead = repos["lead"]
    refs = sorted(_allocated(lead, audit, repos["ann"].user))[:2]
    sheet = tmp_path / "bob.csv"
    _spreadsheet(sheet, audit, lead, refs, {"2.2.1": "no"})
    from audit_tui.io.imports import import_second_marks
    from audit_tui.io.reconcile import import_settlements

    import_second_marks(lead, audit, sheet, repos["bob"].user)
    bad = tmp_path / "settle.csv"
    bad.write_text(
        "round,case_ref,item_id,agreed,reason\n"
        f"1,{refs[0]},2.2.1,maybe,because\n"  # not an answer
        f"1,{refs[0]},2.2.2,no,they agreed\n"  # no disagreement there
        f"1,{refs[1]},2.2.1,no,\n"  # no reason
        f"x,{refs[1]},2.2.1,no,why\n"  # not a round
        f"1,{refs[1]},2.2.1,no,ok\n"
        f"1,{refs[1]},2.2.1,yes,twice\n",  # settled twice
        encoding="utf-8",
    )
    before = table_counts(db_target)
    with pytest.raises(AuditError) as caught:
        import_settlements(lead, audit, bad)
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == 5, lines  # the row with no disagreement is found once the rest pass
    assert any("row 2" in line and "not an answer" in line for line in lines)
    assert any("row 4" in line and "say why" in line for line in lines)
    assert any("row 5" in line and "round" in line for line in lines)
    assert any("row 6" in line and "twice" in line for line in lines)
    assert any("row 7" in line and "twice" in line for line in lines)
    assert table_counts(db_target) == before


def test_settling_is_for_the_lead_or_the_pair_after_the_second_marker_finished(
    crew: tuple[dict[str, Repository], OpenAudit], db_target: str
) -> None:
    repos, audit = crew
    lead, bob = repos["lead"], repos["bob"]
    ref = sorted(_allocated(lead, audit, repos["ann"].user))[0]
    start_round(lead, audit, repos["bob"].user, cases=[ref])
    _second_mark_case(bob, audit, ref, Answer.YES, differ=("2.2.1", "2.3.1"))
    one = Agreed(round=1, case_ref=ref, item_id="2.2.1", agreed=Answer.NO, reason="agreed")
    with pytest.raises(AuditError, match="no disagreement"):
        settle(lead, audit, [one])  # not complete yet: nothing to settle, nothing shown
    case_id = next(c.id for c in case_ops.list_cases(bob, audit) if c.case_ref == ref)
    complete_second(bob, audit, case_id)
    with pytest.raises(AuditError, match="only the lead or the case's markers"):
        settle(repos["cy"], audit, [one])
    assert settle(bob, audit, [one]) == 1  # the second marker, with the first, may settle
    two = Agreed(round=1, case_ref=ref, item_id="2.3.1", agreed=Answer.YES, reason="first right")
    assert settle(repos["ann"], audit, [two]) == 0  # agreed = the first mark: nothing changes
    found = summary(lead, audit)
    assert found is not None and found.settled == 2
    team.lock_audit(lead, audit)
    with pytest.raises(AuditError, match="locked"):
        settle(lead, audit, [one])


# ---- agreement from the stored marks, checked independently ------------------------------------


def test_the_reported_agreement_is_the_agreement_of_the_stored_pairs(
    sqlite_target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo's round: pairs read straight from the tables, fed to `agreement`, equal the
    report's overall figures; every key question's n counts the cases both answered."""
    assert run(capsys, "--db", sqlite_target, "demo", "--no-tui")[0] == 0
    code, out, _ = run(capsys, "--db", sqlite_target, "report", "demo-tameside",
                       "--section", "moderation", "--format", "json")  # fmt: skip
    assert code == 0
    block = json.loads(out)["moderation"]
    import sqlite3

    con = sqlite3.connect(sqlite_target)
    pairs = con.execute(
        "SELECT a.value, s.value, a.item_id FROM second_answer s"
        " JOIN moderation_case m ON m.id = s.moderation_case_id"
        " JOIN answer a ON a.case_id = m.case_id AND a.item_id = s.item_id"
        " WHERE a.value IS NOT NULL AND s.value IS NOT NULL"
    ).fetchall()
    con.close()
    overall = agreement([(a, b) for a, b, _ in pairs])
    assert block["overall"]["n"] == overall.n > 0
    assert block["overall"]["agreement"] == round(overall.observed or 0, 4)
    assert block["overall"]["ac1"] == round(overall.ac1 or 0, 4)
    assert block["disagreements"] == sum(1 for a, b, _ in pairs if a != b)
    kq = {k["id"]: k for k in block["key_questions"]}
    for item in ("2.2.1", "2.4.2"):
        mine = agreement([(a, b) for a, b, i in pairs if i == item])
        assert kq[item]["n"] == mine.n and kq[item]["kappa"] == (
            None if mine.kappa is None else round(mine.kappa, 4)
        )
    few = [k for k in block["key_questions"] if k["n"] < 10]
    assert few and all(k["kappa"] is None and k["ac1"] is None for k in few)
    assert all("fewer than 10" in k["reading"] for k in few)


def test_moderate_and_reconcile_on_the_command_line(
    sqlite_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ("--db", sqlite_target)
    assert run(capsys, *db, "demo", "--no-tui")[0] == 0
    code, out, err = run(capsys, *db, "moderate", "demo-tameside", "--sample", "3",
                         "--seed", "11", "--marker", "kim")  # fmt: skip
    assert code == 0, err
    assert "round 2: kim second-marks 3 cases blind (sample 3, seed 11)" in out
    code, out2, _ = run(capsys, *db, "moderate", "demo-tameside", "--sample", "3",
                        "--seed", "11", "--marker", "lee")  # fmt: skip
    assert out2.split(": ", 2)[-1] == out.split(": ", 2)[-1]  # the same cases from the same seed
    with pytest.raises(SystemExit) as usage:
        run(capsys, *db, "moderate", "demo-tameside", "--sample", "3", "--cases", "X",
            "--marker", "kim")  # fmt: skip
    assert usage.value.code == 2 and "not allowed with" in capsys.readouterr().err
    for argv, words in (
        (("--cases", "TS23-001", "--seed", "3"), "--seed goes with --sample"),
        (("--sample", "lots"), "not a number of cases"),
    ):
        code, _, err = run(capsys, *db, "moderate", "demo-tameside", *argv, "--marker", "kim")
        assert code in (1, 2) and words in err, err
    export = tmp_path / "d.csv"
    code, _, err = run(capsys, *db, "reconcile", "demo-tameside", "--export", str(export))
    assert code == 0 and "disagreement" in err
    assert export.stat().st_mode & 0o077 == 0  # notes inside: owner only
    code, _, err = run(capsys, *db, "reconcile", "demo-tameside", "--export", sqlite_target)
    assert code == 1 and "database" in err


def test_hostile_notes_and_reasons_stay_data(
    crew: tuple[dict[str, Repository], OpenAudit], tmp_path: Path
) -> None:
    """A note that is a formula leaves the export as text; a reason with a control character
    or an empty one is refused with one line; nothing is settled on the way."""
    repos, audit = crew
    lead, bob = repos["lead"], repos["bob"]
    ref = sorted(_allocated(lead, audit, repos["ann"].user))[0]
    start_round(lead, audit, bob.user, cases=[ref])
    _second_mark_case(bob, audit, ref, Answer.YES, differ=("2.2.1",))
    case_id = next(c.id for c in case_ops.list_cases(bob, audit) if c.case_ref == ref)
    save_second(bob, audit, case_id, "2.2.1", note='=HYPERLINK("http://evil","x")')
    case = next(c for c in case_ops.list_cases(lead, audit) if c.case_ref == ref)
    answers.save_answer(lead, audit, case, "2.2.1", note="@SUM(A1:A9) [b]bold[/b] <script>")
    complete_second(bob, audit, case_id)  # the first marks as they stand now are moderated
    from audit_tui.io.reconcile import export_disagreements

    out = tmp_path / "d.csv"
    export_disagreements(lead, audit, out)
    row = next(csv.DictReader(out.open(encoding="utf-8")))
    assert row["second_note"] == '\'=HYPERLINK("http://evil","x")'
    assert row["first_note"].startswith("'@SUM") and "<script>" in row["first_note"]
    for reason, words in (("ok\x1b[31m", "control character"), ("   ", "cannot be empty")):
        one = Agreed(round=1, case_ref=ref, item_id="2.2.1", agreed=Answer.NO, reason=reason)
        with pytest.raises(AuditError, match=words) as caught:
            settle(lead, audit, [one])
        assert len(caught.value.problems) == 1
    found = summary(lead, audit)
    assert found is not None and found.settled == 0


def test_a_marker_imports_only_into_their_own_rounds(
    crew: tuple[dict[str, Repository], OpenAudit], db_target: str, tmp_path: Path
) -> None:
    """Which cases are moderated is the lead's choice: a marker's own spreadsheet fills the
    round the lead gave them, and cannot start one."""
    repos, audit = crew
    lead, bob = repos["lead"], repos["bob"]
    refs = sorted(_allocated(lead, audit, repos["ann"].user))[:2]
    start_round(lead, audit, bob.user, cases=refs[:1])
    sheet = tmp_path / "bob.csv"
    from audit_tui.io.imports import import_second_marks

    _spreadsheet(sheet, audit, lead, refs, {"2.2.1": "no"})
    before = table_counts(db_target)
    with pytest.raises(AuditError, match=f"not in an unfinished round of {bob.user}'s"):
        import_second_marks(bob, audit, sheet, bob.user)
    assert table_counts(db_target) == before
    _spreadsheet(sheet, audit, lead, refs[:1], {"2.2.1": "no"})
    assert import_second_marks(bob, audit, sheet, bob.user).rows == 1
    found = summary(lead, audit)
    assert found is not None and found.cases == 1 and len(found.rounds) == 1


# ---- a round's figures stand ------------------------------------------------------------------


def _round_figures(repo: Repository, audit: OpenAudit, number: int) -> dict[str, object]:
    """One round's figures as the JSON report gives them: its markers' agreement and its
    disagreements with both marks (settlements aside, which are what may follow)."""
    from audit_tui.reporting.moderation_json import moderation_dict

    found = summary(repo, audit)
    assert found is not None
    data = moderation_dict(found)
    return {
        "markers": [m for m in data["markers"] if m["round"] == number],
        "disagreements": [
            {k: d[k] for k in ("case", "item", "first", "second")}
            for d in data["disagreement_list"]
            if d["round"] == number
        ],
    }


def test_two_rounds_sharing_a_case_both_settled_leave_each_rounds_figures_as_moderated(
    crew: tuple[dict[str, Repository], OpenAudit], people: Person
) -> None:
    """bob second-marks ann's case and differs on two items, one settled against ann; then dee
    second-marks the same case (as it stands after that settlement), differs on a third, which
    is settled too; then ann changes an answer the first round compared. Round 1's figures are
    the same at every step, and so are round 2's once it was completed."""
    repos, audit = crew
    lead, ann, bob = repos["lead"], repos["ann"], repos["bob"]
    dee = people("dee")
    ref = sorted(_allocated(lead, audit, ann.user))[0]
    case = next(c for c in case_ops.list_cases(lead, audit) if c.case_ref == ref)
    start_round(lead, audit, bob.user, cases=[ref])
    _second_mark_case(bob, audit, ref, Answer.YES, differ=("2.2.1", "2.2.2"))
    complete_second(bob, audit, case.id)
    round_1 = _round_figures(lead, audit, 1)
    assert len(round_1["disagreements"]) == 2  # type: ignore[arg-type]
    settle(lead, audit, [Agreed(1, ref, "2.2.1", Answer.NO, "no assessment on file")])
    assert _round_figures(lead, audit, 1) == round_1

    start_round(lead, audit, dee.user, cases=[ref])
    _second_mark_case(dee, audit, ref, Answer.YES, differ=("2.2.1", "2.3.1"))
    complete_second(dee, audit, case.id)
    round_2 = _round_figures(lead, audit, 2)
    # round 2 compared the case as it stood: 2.2.1 was settled to No, so dee's No agrees
    disagreements = round_2["disagreements"]
    assert isinstance(disagreements, list)
    assert {d["item"] for d in disagreements} == {"2.3.1"}
    settle(lead, audit, [Agreed(2, ref, "2.3.1", Answer.NO, "plan missed the victim")])
    ann_case = next(c for c in case_ops.list_cases(ann, audit) if c.case_ref == ref)
    answers.save_answer(
        ann, audit, ann_case, "2.2.2", Answer.NO
    )  # after both rounds: changes neither
    assert _round_figures(lead, audit, 1) == round_1
    assert _round_figures(lead, audit, 2) == round_2
    found = summary(lead, audit)
    assert found is not None and found.settled == 2 and len(found.disagreements) == 3
