"""Removal undone in the app, on SQLite and PostgreSQL: remove a case, ctrl+z, restore it with the
reason offered, and it is back in the table with its answers, the ratings as before, the log
saying both; `R` lists the removed cases, filtered as typed, and Enter restores one; anyone but
the lead is told why not, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, Static

from audit_tui.demo import load_demo
from audit_tui.store import audits, scores, team
from audit_tui.store import cases as case_ops
from audit_tui.store import events as event_ops
from audit_tui.store.database import open_repository
from audit_tui.tui.app import build_app
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.screens.removed_cases import (
    UNDO_REASON,
    RemovedCasesScreen,
    RestoreCaseDialog,
)
from audit_tui.tui.widgets.virtual_table import VirtualTable
from tests.conftest import Person, is_pg
from tests.store.test_team import _audit
from tests.tui.helpers import settle, steps

SIZE = (120, 40)
AUDIT = "demo-tameside"


@pytest.fixture
def demo_any_db(db_target: str) -> str:
    repo = open_repository(db_target)
    load_demo(repo)
    repo.engine.dispose()
    return db_target


def figures(target: str) -> tuple[Any, ...]:
    """What the removal changes and the restore must put back: the kept tallies, the cases and
    their progress, the overall rating."""
    repo = open_repository(target)
    audit = audits.open_audit(repo, AUDIT)
    cases, tallies = scores.tallies(repo, audit)
    progress = [(c.case_ref, c.answered) for c in case_ops.list_cases(repo, audit)]
    overall = scores.score(repo, audit).overall
    repo.engine.dispose()
    return cases, tallies, progress, overall


def rows(table: VirtualTable) -> list[str]:
    return [table.get_row_at(i)[0] for i in range(table.row_count)]


def text_of(widget: Static) -> str:
    return str(widget.render())


async def test_remove_then_ctrl_z_restores_the_case_with_its_answers(demo_any_db: str) -> None:
    before = figures(demo_any_db)
    app = build_app(demo_any_db, open_audit=AUDIT, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        table = dash.query_one("#cases", VirtualTable)
        rating = text_of(dash.query_one("#rating-2-2", Static))
        await pilot.press("down", "delete", *"transferred out", "enter")
        await settle(pilot, app)
        assert app.screen is dash and app.focused is table
        assert "TS23-002" not in rows(table) and table.row_count == 27
        assert figures(demo_any_db) != before

        await pilot.press("ctrl+z")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, RestoreCaseDialog) and dialog.case.case_ref == "TS23-002"
        assert dialog.query_one("#reason", Input).value == UNDO_REASON
        note = text_of(dialog.query_one(".dialog-note", Static))
        assert "with its 65 answers and their history" in note
        assert "removed on 20" in note and note.endswith(": transferred out.")
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen is dash and app.focused is table
        assert rows(table)[:3] == ["TS23-001", "TS23-002", "TS23-003"]  # in its place
        assert table.get_row_at(1)[-2:] == ["65/65", "✓ complete"]
        assert text_of(dash.query_one("#rating-2-2", Static)) == rating
        assert "28 cases" in text_of(dash.query_one("#cases-status", Static))
        assert dash.just_removed is None
        await pilot.press("ctrl+z")  # nothing left to undo: the list of removed cases, empty
        await settle(pilot, app)
        assert isinstance(app.screen, RemovedCasesScreen)
        assert "No case has been removed" in text_of(
            app.screen.query_one("#removed-status", Static)
        )
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen is dash and app.focused is table
    assert figures(demo_any_db) == before
    repo = open_repository(demo_any_db)
    events = [
        (e.event, e.detail) for e in event_ops.audit_events(repo, audits.open_audit(repo, AUDIT))
    ]
    assert [e for e in events if e[0] in ("remove-case", "restore-case")] == [
        ("remove-case", "TS23-002: transferred out"),
        ("restore-case", f"TS23-002: {UNDO_REASON}"),
    ]
    repo.engine.dispose()


async def test_the_removed_cases_list_filters_and_restores(demo_any_db: str) -> None:
    repo = open_repository(demo_any_db)
    audit = audits.open_audit(repo, AUDIT)
    for ref, why in (("TS23-004", "duplicate"), ("TS23-009", "transferred out"),
                     ("TS23-011", "sentence ended")):  # fmt: skip
        case_ops.remove_case(repo, audit, ref, why)
    repo.engine.dispose()
    app = build_app(demo_any_db, open_audit=AUDIT, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "R")
        listed = app.screen
        assert isinstance(listed, RemovedCasesScreen)
        assert "3 cases removed" in text_of(listed.query_one("#removed-status", Static))
        await pilot.press("slash", *"transf", "enter", "enter")  # filter, into the list, restore
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, RestoreCaseDialog) and dialog.case.case_ref == "TS23-009"
        assert dialog.query_one("#reason", Input).value == ""
        await pilot.press("enter")  # a reason is required
        await settle(pilot, app)
        assert app.screen is dialog
        await pilot.press(*"the transfer fell through", "enter")
        await settle(pilot, app)
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        table = dash.query_one("#cases", VirtualTable)
        assert app.focused is table and table.row_count == 26 and "TS23-009" in rows(table)
    repo = open_repository(demo_any_db)
    audit = audits.open_audit(repo, AUDIT)
    assert [c.case_ref for c in case_ops.removed_cases(repo, audit)] == ["TS23-004", "TS23-011"]
    assert event_ops.audit_events(repo, audit)[-1].detail == "TS23-009: the transfer fell through"
    repo.engine.dispose()


async def test_only_the_lead_is_offered_a_restore(
    people: Person, rubric_text: str, db_target: str
) -> None:
    lead, vic = people("lead"), people("vic")
    audit = _audit(lead, rubric_text, n=3)
    team.set_member(lead, audit, vic.user, "viewer")
    case_ops.remove_case(lead, audit, "C-2", "duplicate")
    if is_pg(db_target):  # vic's own login
        app = build_app(vic.engine.url.render_as_string(hide_password=False),
                        open_audit=audit.info.name, poll_seconds=0)  # fmt: skip
    else:
        app = build_app(db_target, open_audit=audit.info.name, poll_seconds=0, user=vic.user)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "ctrl+z")
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        said = [n.message for n in app._notifications]
        assert any(f"({vic.user} is viewer)" in m for m in said), said
        await steps(pilot, app, "R")  # a viewer may read the list
        assert isinstance(app.screen, RemovedCasesScreen)
        await steps(pilot, app, "enter")
        assert isinstance(app.screen, RemovedCasesScreen)  # no dialog: told why not
        assert sum(f"({vic.user} is viewer)" in n.message for n in app._notifications) == 2
    assert [c.case_ref for c in case_ops.removed_cases(lead, audit)] == ["C-2"]
