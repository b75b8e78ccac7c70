from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from audit_tui.store import audits, cases
from audit_tui.store.database import open_repository
from audit_tui.store.repository import Repository


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> str:
    """A fresh demo database of the test's own: a copy of the one built this session."""
    target = tmp_path / "demo.db"
    shutil.copy2(demo_template, target)
    return str(target)


@pytest.fixture
def two_case_db(tmp_path: Path, rubric_text: str) -> str:
    """One audit, two cases, no answers: what a new auditor starts from."""
    return _two_cases(str(tmp_path / "two.db"), rubric_text)


@pytest.fixture
def two_case_any_db(db_target: str, rubric_text: str) -> str:
    """The same, on SQLite and on PostgreSQL."""
    return _two_cases(db_target, rubric_text)


def _two_cases(target: str, rubric_text: str) -> str:
    repo = open_repository(target)
    audit = audits.create_audit(repo, "spo-check", rubric_text, pdu="Tameside")
    cases.add_cases(
        repo,
        audit,
        [
            (
                "QA-001",
                {"sentence_type": "community", "has_psr": "no", "gender": "male", "rosh": "medium"},
            ),
            (
                "QA-002",
                {"sentence_type": "licence", "has_psr": "yes", "gender": "female", "rosh": "high"},
            ),
        ],
    )
    repo.engine.dispose()
    return target


def reopen(target: str) -> Repository:
    return open_repository(target)
