"""The one-snapshot report test (tests/pg/test_report_snapshot.py) on SQLite: its deferred
BEGIN, held for the whole gather, sees the file as it stood at the report's first read while
another process commits in WAL mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pg.test_report_snapshot import (
    answer_everything as answer_everything,
)
from tests.pg.test_report_snapshot import (
    test_answers_committed_between_a_reports_reads_are_not_half_in_it as test_on_sqlite,
)

__all__ = ["test_on_sqlite"]


@pytest.fixture
def db_target(tmp_path: Path) -> str:
    return str(tmp_path / "audits.db")
