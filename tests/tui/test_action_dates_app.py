"""Moving an action's due date from the actions list, typed as one burst: refused without a
reason (nothing changes), then moved, with the reason in the action's history."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import DataTable

from audit_tui.store import audits
from audit_tui.store.database import open_repository
from audit_tui.store.follow_up import action_history, actions, add_action
from audit_tui.store.oversight import add_reviewed_case
from audit_tui.tui.app import build_app
from audit_tui.tui.screens.actions import ActionsScreen
from audit_tui.tui.screens.follow_up import ActionDueDialog
from tests.tui.helpers import settle, steps
from tests.tui.test_data_path import burst

NO_PSR = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}


async def test_an_actions_date_moves_only_with_a_reason(tmp_path: Path, rubric_text: str) -> None:
    db = str(tmp_path / "dates.db")
    repo = open_repository(db, user="spo")
    audit = audits.create_audit(repo, "ov", rubric_text, kind="oversight")
    add_reviewed_case(repo, audit, "R-1", NO_PSR, practitioner="P-1")
    act = add_action(repo, audit, "R-1", "Complete the risk analysis", date(2026, 12, 1))
    app = build_app(db, open_audit="ov", user="spo", poll_seconds=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await steps(pilot, app, "A")
        screen = app.screen
        assert isinstance(screen, ActionsScreen)
        assert screen.query_one("#actions", DataTable).row_count == 1
        burst(app, "m15/01/2027")  # the date, no reason: refused in the dialog
        await pilot.press("enter")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, ActionDueDialog)
        assert "Say why" in str(dialog.query_one("#error-step-note").render())
        assert actions(repo)[0].due == date(2026, 12, 1)
        await pilot.press("tab")
        burst(app, "Leave")
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is screen
    (moved,) = actions(repo)
    assert moved.due == date(2027, 1, 15) and moved.status == "open"
    last = action_history(repo, act.id)[-1]
    assert (last.old_due, last.new_due, last.note) == (
        date(2026, 12, 1),
        date(2027, 1, 15),
        "Leave",
    )
    repo.engine.dispose()
