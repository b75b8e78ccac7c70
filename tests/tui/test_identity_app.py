"""The app's dialogs hold the same identity rules as the command line: a reference typed as
`ab-7 ` is the case `AB-7` (and a taken one is said to be taken whatever its letter case), codes
likewise; a login name with a space is refused beside its field. Every check reads the screen
or the database."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select, Static

from audit_tui.store import audits, cases
from audit_tui.store.database import open_repository
from audit_tui.store.moderation import rounds
from audit_tui.tui.app import build_app
from audit_tui.tui.screens.case_dialog import CaseDialog
from audit_tui.tui.screens.case_walk import CaseWalkScreen
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.screens.moderation import ModerateDialog
from audit_tui.tui.screens.oversight import ReviewedCaseDialog
from audit_tui.tui.screens.team_dialogs import AllocateDialog
from tests.tui.helpers import settle, steps

SIZE = (120, 40)
AUDIT = "spo-check"


def error_of(screen: object, field: str) -> str:
    from textual.screen import Screen

    assert isinstance(screen, Screen)
    return str(screen.query_one(f"#error-{field}", Static).render())


def cases_of(target: str, audit: str) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Reference -> (allocated to, practitioner, team), as stored."""
    repo = open_repository(target)
    found = {
        c.case_ref: (c.allocated_to or None, c.practitioner or None, c.team or None)
        for c in cases.list_cases(repo, audits.open_audit(repo, audit))
    }
    repo.engine.dispose()
    return found


async def test_a_case_typed_in_lower_case_is_added_upper_case(two_case_db: str) -> None:
    app = build_app(two_case_db, open_audit=AUDIT, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "c")
        dialog = app.screen
        assert isinstance(dialog, CaseDialog)
        for attr, value in (("sentence_type", "licence"), ("has_psr", "no"), ("rosh", "low")):
            dialog.query_one(f"#attr-{attr}", Select).value = value
        dialog.query_one("#case_ref", Input).value = " qa-001 "
        await steps(pilot, app, "ctrl+s")
        assert "QA-001 is already in this audit" in error_of(dialog, "case_ref")
        dialog.query_one("#case_ref", Input).value = "ab-7 "
        await steps(pilot, app, "ctrl+s")
        assert isinstance(app.screen, DashboardScreen)
    assert list(cases_of(two_case_db, AUDIT)) == ["QA-001", "QA-002", "AB-7"]


async def test_names_typed_in_dialogs_follow_the_one_rule(two_case_db: str) -> None:
    app = build_app(two_case_db, open_audit=AUDIT, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "t")  # on QA-001
        dialog = app.screen
        assert isinstance(dialog, AllocateDialog)
        dialog.query_one("#auditor", Input).value = "Ann Smith"
        await steps(pilot, app, "enter")
        assert "'Ann Smith' has spaces: give the login name" in error_of(dialog, "auditor")
        dialog.query_one("#auditor", Input).value = " ann "
        await steps(pilot, app, "enter")
        assert isinstance(app.screen, DashboardScreen)

        await steps(pilot, app, "m")
        moderate = app.screen
        assert isinstance(moderate, ModerateDialog)
        moderate.query_one("#marker", Input).value = "kim\x07"
        moderate.query_one("#cases", Input).value = " qa-001"
        await steps(pilot, app, "enter")
        assert "holds a control character (\\x07)" in error_of(moderate, "marker")
        moderate.query_one("#marker", Input).value = "kim"
        await steps(pilot, app, "enter")
        assert isinstance(app.screen, DashboardScreen)
    assert cases_of(two_case_db, AUDIT)["QA-001"][0] == "ann"
    repo = open_repository(two_case_db)
    found = rounds(repo, audits.open_audit(repo, AUDIT))
    repo.engine.dispose()
    assert [(r.info.marker, r.case_refs) for r in found] == [("kim", ("QA-001",))]


async def test_a_reviewed_case_and_its_codes_are_stored_upper_case(
    tmp_path: Path, rubric_text: str
) -> None:
    target = str(tmp_path / "ov.db")
    repo = open_repository(target)
    audits.create_audit(repo, "ov", rubric_text, kind="oversight")
    repo.engine.dispose()
    app = build_app(target, open_audit="ov", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "c")
        assert isinstance(app.screen, ReviewedCaseDialog)
        await pilot.click("#case_ref")
        # the row: reference, codes, then ← → choices (community; no PSR; high RoSH), Enter
        await pilot.press(*"ov-9", "space", "tab", *"p-017", "tab", *"t-north", "tab", "right")
        await pilot.press("tab", "right", "right", "tab", "right", "right", "right", "enter")
        await settle(pilot, app)
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen) and walk.case.case_ref == "OV-9"
    assert cases_of(target, "ov") == {"OV-9": ("tester", "P-017", "T-NORTH")}
