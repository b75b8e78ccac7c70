"""The app shows hostile stored text as text too: Textual passes ESC and C1 controls in a widget's
text on to the terminal, so the feedback and actions screens escape what any tool may have
written (the same database as tests/reports/test_hostile_text.py, written by raw SQL)."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from audit_tui.store import audits, cases
from audit_tui.store.database import open_repository
from audit_tui.tui.app import build_app
from audit_tui.tui.screens.actions import ActionsScreen
from audit_tui.tui.screens.feedback import FeedbackScreen
from tests.reports.test_hostile_text import AUDIT, RAW, hostile_db
from tests.tui.helpers import settle

__all__ = ["hostile_db"]  # the fixture, shared


def shown(screen: object, selector: str) -> str:
    from textual.screen import Screen

    assert isinstance(screen, Screen)
    return str(screen.query_one(selector, Static).render())


def assert_escaped(text: str, *tokens: str) -> None:
    found = RAW.search(text)
    assert found is None, (
        f"raw {found.group()!r} in {text[max(0, found.start() - 300) : found.start() + 100]!r}"
    )
    for token in tokens:
        assert token in text, token


async def test_feedback_and_actions_screens_show_stored_text_escaped(hostile_db: str) -> None:
    repo = open_repository(hostile_db, "tester")
    audit = audits.open_audit(repo, AUDIT)
    [case] = [c for c in cases.list_cases(repo, audit) if "CASE-REF" in c.case_ref]
    repo.engine.dispose()
    app = build_app(hostile_db, poll_seconds=0, user="tester")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        app.push_screen(FeedbackScreen(audit, case))
        await settle(pilot, app)
        screen = app.screen
        assert_escaped(shown(screen, "#feedback-title"), "CASE-REF", "PRAC-CODE", "AUDIT-NAME")
        assert_escaped(shown(screen, "#tagged-notes"), "NOTE-TEXT", "MEGA-NOTE")
        assert len(shown(screen, "#tagged-notes")) < 30_000  # the 1 MB note, cut
        assert_escaped(app.export_screenshot())

        app.push_screen(ActionsScreen())
        await settle(pilot, app)
        screen = app.screen
        table = screen.query_one("#actions", DataTable)
        assert table.row_count == 1
        assert_escaped(" ".join(str(c) for c in table.get_row_at(0)), "CASE-REF", "PRAC-CODE")
        assert_escaped(shown(screen, "#action-detail"), "ACTION-WHAT", "ACTION-NOTE")
        assert_escaped(app.export_screenshot())
