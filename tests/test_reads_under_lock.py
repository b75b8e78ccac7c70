"""Writes outside sampling that decided on a read made before the audit's lock, on both engines:
another lead commits just before the lock is taken, and the write must see it (the same worst
moment as tests/test_sampling_race.py makes for draws and replacements)."""

from __future__ import annotations

import pytest

from audit_tui.domain.errors import AuditError
from audit_tui.store.repository import Repository
from tests.conftest import Person
from tests.test_sampling_race import _first_lock_after, _second_lead

WITH_PSR = {"sentence_type": "community", "has_psr": "yes", "rosh": "low"}
NO_PSR = {**WITH_PSR, "has_psr": "no"}
COURT = "2.1.1"
"""Court work: applies only to a case with a pre-sentence report."""


def test_a_delete_refuses_an_audit_renamed_since_its_name_was_read(
    repo: Repository, people: Person, rubric_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = repo.create_audit("spring", rubric_text)
    other = _second_lead(repo, audit, people)

    def renamed() -> None:
        other.rename_audit(other.open_audit("spring"), "summer")

    with (
        _first_lock_after(repo, monkeypatch, renamed) as fired,
        pytest.raises(AuditError, match='"spring" was renamed "summer" meanwhile'),
    ):
        repo.delete_audit("spring")
    assert fired and [a.name for a in repo.list_audits()] == ["summer"]
