"""The removed cases and the restore dialog at 80x24 and 120x40 (as tests/tui/test_snapshots.py):
the note, the reason and the list's reasons wrap or fit, never cut mid-word. The removals are
dated 2026-11-26 so the pictures do not move with the clock.

Update deliberately: `pytest tests/tui/test_restore_snapshots.py --snapshot-update`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from audit_tui.store import audits, cases
from audit_tui.store.database import open_repository
from audit_tui.store.repository import CASE
from tests.tui.test_snapshots import SIZES, _app, _steps

AUDIT = "demo-tameside"
REMOVED = (
    ("TS23-004", "duplicate of TS23-003, entered twice by the admin team"),
    ("TS23-009", "transferred to another PDU before the audit period began"),
)


@pytest.fixture
def removed_db(demo_db: str) -> str:
    repo = open_repository(demo_db)
    audit = audits.open_audit(repo, AUDIT)
    for ref, why in REMOVED:
        cases.remove_case(repo, audit, ref, why)
    with repo.engine.begin() as conn:
        conn.execute(
            update(CASE)
            .where(CASE.c.audit_id == audit.info.id, CASE.c.removed_at.is_not(None))
            .values(removed_at=datetime(2026, 11, 26, 10, 0, tzinfo=UTC))
        )
    repo.engine.dispose()
    return demo_db


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "keys",
    [pytest.param(("R",), id="removed_cases"), pytest.param(("R", "enter"), id="restore_case")],
)
def test_removed_screen(  # type: ignore[no-untyped-def]
    snap_compare, removed_db: str, keys: tuple[str, ...], size: tuple[int, int]
) -> None:
    app = _app(removed_db, AUDIT)
    assert snap_compare(app, terminal_size=size, run_before=_steps(app, *keys))
