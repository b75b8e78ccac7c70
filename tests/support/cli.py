"""Running the command line in-process as a test would type it, and counting what it wrote:
shared by every module that checks commands end to end."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select
from sqlmodel import SQLModel

from audit_tui.cli import main
from audit_tui.store.database import open_repository


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `audit-tui ARGV…`."""
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def table_counts(target: str) -> dict[str, int]:
    """Rows in every table: compared before and after a command that must write nothing."""
    repo = open_repository(target)
    with repo.engine.connect() as conn:
        present = set(inspect(conn).get_table_names())  # PostgreSQL has no audit_summary
        counts = {
            t.name: conn.scalar(select(func.count()).select_from(t)) or 0
            for t in SQLModel.metadata.sorted_tables
            if t.name in present
        }
    repo.engine.dispose()
    return counts
