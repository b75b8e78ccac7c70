"""Writes outside sampling that decided on a read made before the audit's lock, on both engines:
another lead commits just before the lock is taken, and the write must see it (the same worst
moment as tests/store/test_sampling_race.py makes for draws and replacements)."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_tui.domain.answers import Answer
from audit_tui.domain.errors import AuditError
from audit_tui.io.imports import import_answers, import_second_marks
from audit_tui.store import answers, audits, cases, team
from audit_tui.store.repository import Repository
from tests.conftest import Person
from tests.store.test_sampling_race import _first_lock_after, _second_lead
from tests.support.cli import table_counts

WITH_PSR = {"sentence_type": "community", "has_psr": "yes", "rosh": "low"}
NO_PSR = {**WITH_PSR, "has_psr": "no"}
COURT = "2.1.1"
"""Court work: applies only to a case with a pre-sentence report."""


def test_a_delete_refuses_an_audit_renamed_since_its_name_was_read(
    repo: Repository, people: Person, rubric_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = audits.create_audit(repo, "spring", rubric_text)
    other = _second_lead(repo, audit, people)

    def renamed() -> None:
        audits.rename_audit(other, audits.open_audit(other, "spring"), "summer")

    with (
        _first_lock_after(repo, monkeypatch, renamed) as fired,
        pytest.raises(AuditError, match='"spring" was renamed "summer" meanwhile'),
    ):
        audits.delete_audit(repo, "spring")
    assert fired and [a.name for a in audits.list_audits(repo)] == ["summer"]


def test_an_answer_is_checked_against_the_case_as_it_stands_under_the_lock(
    repo: Repository, people: Person, rubric_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = audits.create_audit(repo, "court", rubric_text)
    cases.add_cases(repo, audit, [("C-1", WITH_PSR)])
    (case,) = cases.list_cases(repo, audit)  # as the auditor's screen holds it: with a report
    other = _second_lead(repo, audit, people)

    def no_report() -> None:
        cases.update_case(other, audits.open_audit(other, "court"), case.id, NO_PSR)

    with (
        _first_lock_after(repo, monkeypatch, no_report) as fired,
        pytest.raises(AuditError, match=f"{COURT} does not apply to case C-1"),
    ):
        answers.save_answer(repo, audit, case, COURT, Answer.YES)
    assert fired and COURT not in answers.answers_for_case(repo, case.id)


def test_an_import_is_checked_against_the_cases_as_they_stand_under_the_lock(
    repo: Repository,
    people: Person,
    rubric_text: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    audit = audits.create_audit(repo, "court", rubric_text)
    cases.add_cases(repo, audit, [("C-1", WITH_PSR), ("C-2", WITH_PSR)])
    ids = {c.case_ref: c.id for c in cases.list_cases(repo, audit)}
    path = tmp_path / "answers.csv"
    path.write_text(f"case_ref,{COURT},2.2.1\nC-1,yes,no\nC-2,no,yes\n", encoding="utf-8")
    other = _second_lead(repo, audit, people)

    def no_report() -> None:
        cases.update_case(other, audits.open_audit(other, "court"), ids["C-2"], NO_PSR)

    with (
        _first_lock_after(repo, monkeypatch, no_report) as fired,
        pytest.raises(AuditError, match=f"C-2: {COURT} no longer applies"),
    ):
        import_answers(repo, audit, path)
    assert fired
    assert all(answers.answers_for_case(repo, case_id) == {} for case_id in ids.values())  # nothing


def test_a_second_marking_is_checked_against_the_case_as_it_stands_under_the_lock(
    repo: Repository,
    people: Person,
    db_target: str,
    rubric_text: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    audit = audits.create_audit(repo, "court", rubric_text)
    cases.add_cases(repo, audit, [("C-1", WITH_PSR)])
    (case,) = cases.list_cases(repo, audit)
    sam = people("sam")
    team.set_member(repo, audit, sam.user, "auditor")
    items = [i for i in audit.rubric.column_order if audit.rubric.applies(i, WITH_PSR)]
    path = tmp_path / "sam.csv"  # complete for the case with its report
    path.write_text(f"case_ref,{','.join(items)}\nC-1,{','.join('no' for _ in items)}\n")
    other = _second_lead(repo, audit, people)

    def no_report() -> None:
        cases.update_case(other, audits.open_audit(other, "court"), case.id, NO_PSR)

    moderation = ("moderation_round", "moderation_case", "second_answer", "second_answer_history")
    before = {t: n for t, n in table_counts(db_target).items() if t in moderation}
    with (
        _first_lock_after(repo, monkeypatch, no_report) as fired,
        pytest.raises(AuditError, match=f"case C-1: {COURT}[^;]* no longer applies"),
    ):
        import_second_marks(repo, audit, path, sam.user)
    assert fired
    assert {t: n for t, n in table_counts(db_target).items() if t in moderation} == before
