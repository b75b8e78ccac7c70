"""The open audit's state is the app's reactives (`live`, `revision`, `versions`), which screens
watch: a dashboard out of sight is not read again on every change, only once when it shows
again; one on screen is read at once; our own answers move `revision`, drawn from `live`."""

from __future__ import annotations

import pytest

from audit_tui.tui.app import build_app
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.screens.help import HelpScreen
from audit_tui.tui.widgets.virtual_table import VirtualTable
from tests.tui.helpers import settle, steps
from tests.tui.test_data_path import SIZE, open_first_case


async def test_a_dashboard_out_of_sight_reads_a_changed_audit_once_when_shown_again(
    two_case_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []
    load = DashboardScreen.load

    def counted(self: DashboardScreen) -> None:
        loads.append(self.audit_name)
        load(self)

    monkeypatch.setattr(DashboardScreen, "load", counted)
    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_first_case(pilot, app)
        await steps(pilot, app, "question_mark")  # help above the case: the dashboard is
        assert isinstance(app.screen, HelpScreen)  # out of sight (the one right beneath the
        before = len(loads)  # top screen counts as current in Textual: it may show through)
        for audit in ("spo-check", "spo-check", "another audit"):
            app.audit_changed(audit)
        await settle(pilot, app)
        assert len(loads) == before  # out of sight: nothing read yet
        await steps(pilot, app, "escape", "escape")  # help, then the case
        assert isinstance(app.screen, DashboardScreen)
        assert len(loads) == before + 1  # shown again: read once, for both changes
        app.audit_changed("another audit")
        await settle(pilot, app)
        assert len(loads) == before + 1
        app.audit_changed("spo-check")  # on screen: read at once
        await settle(pilot, app)
        assert len(loads) == before + 2


async def test_our_answers_move_the_revision_and_the_dashboard_draws_them(
    two_case_db: str,
) -> None:
    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        walk = await open_first_case(pilot, app)
        live, start = app.live, app.revision
        assert live is not None and start == live.revision
        await steps(pilot, app, "y", "n")
        assert app.live is live and app.revision == live.revision == start + 2
        await steps(pilot, app, "escape")
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        table = dashboard.query_one("#cases", VirtualTable)
        progress = [table.cells(i)[-2] for i in range(table.row_count)]
        assert sorted(p.split("/")[0] for p in progress) == ["0", "2"], progress
        assert walk.case.case_ref in {c.case_ref for c in dashboard.cases if c.answered == 2}
