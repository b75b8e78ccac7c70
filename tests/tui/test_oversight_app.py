"""Management oversight in the app, as an SPO does it: a new oversight audit, a case reviewed as
quickly as opening a spreadsheet row (codes and attributes remembered), walked, then feedback and
an action written and the feedback sheet printed; an action marked done from the actions list
across audits, its history holding the note; a viewer and an auditor whose case it is not are
told why in one line and nothing changes. Keys are typed in bursts, settling only where a screen
waits for the database; every check reads the screen, the written file or the database."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static, TextArea

from audit_tui.store import answers as answer_ops
from audit_tui.store import audits, cases, events, team
from audit_tui.store.database import open_repository
from audit_tui.store.follow_up import action_history, actions, add_action, feedback, save_feedback
from audit_tui.store.oversight import add_reviewed_case
from audit_tui.store.repository import Repository
from audit_tui.tui.app import AuditApp, build_app
from audit_tui.tui.screens.actions import ActionsScreen
from audit_tui.tui.screens.case_walk import CaseWalkScreen
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.screens.feedback import FeedbackScreen, SheetDialog
from audit_tui.tui.screens.follow_up import ActionStepDialog
from audit_tui.tui.screens.new_audit import NewAuditDialog
from audit_tui.tui.screens.oversight import ReviewedCaseDialog
from audit_tui.tui.widgets.virtual_table import VirtualTable
from tests.conftest import Person
from tests.tui.helpers import settle, steps

SIZE = (120, 40)
OVERSIGHT = "demo-oversight"
TODAY = datetime.date(2026, 11, 26)
"""The day the demo's action dates were written against: action 3 is 13 days overdue."""


class _FixedDay(datetime.date):
    @classmethod
    def today(cls) -> _FixedDay:
        return cls(TODAY.year, TODAY.month, TODAY.day)


@pytest.fixture
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("actions", "feedback"):
        monkeypatch.setattr(f"audit_tui.tui.screens.{module}.date", _FixedDay)


def text_of(screen: object, selector: str) -> str:
    from textual.screen import Screen

    assert isinstance(screen, Screen)
    return str(screen.query_one(selector, Static).render())


def _app(db: str, user: str | None = None, audit: str | None = None) -> AuditApp:
    return build_app(db, open_audit=audit, poll_seconds=0, user=user)


async def test_spo_reviews_a_case_writes_feedback_and_an_action_and_prints_the_sheet(
    db_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite and on PostgreSQL (the app runs the same code on both)."""
    monkeypatch.setenv("HOME", str(tmp_path))  # the sheet goes where an export would: home
    target = db_target
    app = _app(target)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "n")
        assert isinstance(app.screen, NewAuditDialog)
        # name, PDU, past region; the 2021 framework (two ship: one must be chosen), then the
        # kind: management oversight
        await pilot.press(*"spo-review", "tab", *"Tameside", "tab", "tab")
        app.screen.query_one("#rubric", Select).value = "hmip-probation-pdu-2021"
        await pilot.press("tab", "space", "down", "enter", "ctrl+s")  # Space opens a dropdown
        await settle(pilot, app)
        dialog = app.screen  # an oversight audit opens on its first review
        assert isinstance(dialog, ReviewedCaseDialog)

        # a name where a code belongs, nothing chosen: a line per problem, nothing added
        await pilot.press(*"Jo Bloggs", "tab", *"Jo Smith", "enter")
        await settle(pilot, app)
        assert "looks like a name" in text_of(dialog, "#error-case_ref")
        assert "not a pseudonymous practitioner code" in text_of(dialog, "#error-practitioner")
        for attr in ("sentence_type", "has_psr", "rosh"):
            assert text_of(dialog, f"#error-attr-{attr}") == "✗ Choose one (it is required)"
        dialog.query_one("#case_ref", Input).value = ""
        dialog.query_one("#practitioner", Input).value = ""
        await pilot.click("#case_ref")
        # the row: reference, codes, then ← → choices (community; no PSR; high RoSH), Enter
        await pilot.press(*"OV-101", "tab", *"P-050", "tab", *"T-WEST", "tab", "right", "tab")
        await pilot.press("right", "right", "tab", "right", "right", "right", "enter")
        await settle(pilot, app)
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen) and walk.case.case_ref == "OV-101"
        first = walk.current
        assert first is not None and first.item_id == "2.2.1.a"  # no PSR: court work skipped
        await pilot.press("y", "n", "y")
        await settle(pilot, app)
        assert [r.state for r in walk.rows if r.answered] == ["saved"] * 3

        await steps(pilot, app, "f")
        screen = app.screen
        assert isinstance(screen, FeedbackScreen)
        assert "practitioner P-050 · team T-WEST" in text_of(screen, "#feedback-title")
        await pilot.press(*"Motivation explored well.", "tab", *"No analysis of risk to children.")
        await pilot.press("escape", "n", *"Complete a risk of serious harm analysis", "tab")
        await pilot.press(*"31/12/2026", "enter")
        await settle(pilot, app)
        assert app.screen is screen
        assert text_of(screen, "#feedback-status").startswith("✓ saved")
        table = screen.query_one("#case-actions", DataTable)
        row = [str(c) for c in table.get_row_at(0)]
        assert row == ["31 Dec 2026", "open", "Complete a risk of serious harm analysis"]

        await steps(pilot, app, "p")
        sheet_dialog = app.screen
        assert isinstance(sheet_dialog, SheetDialog)
        assert sheet_dialog.query_one("#folder", Input).value == str(tmp_path)
        await pilot.press("enter")  # the proposed name, in the proposed folder
        await settle(pilot, app)
        assert app.screen is screen
        assert "Feedback sheet written to" in text_of(screen, "#feedback-status")

        await steps(pilot, app, "escape", "escape")  # back to the walk, then the dashboard
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        assert "management oversight" in text_of(dash, "#audit-title")
        assert "not a sample" in text_of(dash, "#oversight-note")
        cells = dash.query_one("#cases", VirtualTable).get_row_at(0)
        assert cells[:3] == ["OV-101", "P-050", "T-WEST"]
        await steps(pilot, app, "plus")  # the next review starts from the last codes
        again = app.screen
        assert isinstance(again, ReviewedCaseDialog)
        assert again.query_one("#practitioner", Input).value == "P-050"
        assert again.chosen() == {"sentence_type": "community", "has_psr": "no", "rosh": "high"}

    today = datetime.date.today().isoformat()
    sheet = (tmp_path / f"spo-review-ov-101-feedback-{today}.html").read_text(encoding="utf-8")
    for said in (
        "Motivation explored well.",
        "No analysis of risk to children.",
        "Complete a risk of serious harm analysis",
    ):
        assert said in sheet
    repo = open_repository(target)
    audit = audits.open_audit(repo, "spo-review")
    assert audit.info.oversight and audit.info.pdu == "Tameside"
    (case,) = cases.list_cases(repo, audit)
    assert (case.case_ref, case.practitioner, case.team) == ("OV-101", "P-050", "T-WEST")
    assert case.attributes == {"sentence_type": "community", "has_psr": "no", "rosh": "high"}
    assert case.allocated_to == repo.user  # whoever adds a review walks it
    answers = answer_ops.answers_for_case(repo, case.id)
    assert {k: v.value for k, v in answers.items()} == {
        "2.2.1.a": "yes",
        "2.2.1.b": "no",
        "2.2.1.c": "yes",
    }
    said = feedback(repo, audit, "OV-101")
    assert (said.strengths, said.improvements) == (
        "Motivation explored well.",
        "No analysis of risk to children.",
    )
    (agreed,) = actions(repo, audit=audit)
    assert (agreed.what, agreed.due, agreed.status) == (
        "Complete a risk of serious harm analysis",
        datetime.date(2026, 12, 31),
        "open",
    )
    exports = [e.detail for e in events.audit_events(repo, audit) if e.event == "export"]
    assert len(exports) == 1 and exports[0].startswith("feedback sheet for case OV-101: html")
    repo.engine.dispose()


async def test_an_action_is_marked_done_from_the_actions_list(
    demo_db: str, fixed_today: None
) -> None:
    app = _app(demo_db, audit="demo-tameside")  # a sample's dashboard: the list is every audit's
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "ctrl+p")
        await pilot.press(*"actions across", "enter")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, ActionsScreen)
        table = screen.query_one("#actions", DataTable)
        assert table.row_count == 4  # every audit's actions, soonest due first
        assert [str(c) for c in table.get_row_at(0)][:2] == ["13 Nov 2026", "⚠ OVERDUE by 13 days"]
        await steps(pilot, app, "v")  # overdue only: the one to chase
        assert table.row_count == 1
        overdue = screen.current()
        assert overdue is not None and overdue.case_ref == "OV26-003"
        await pilot.press("d", *"Times agreed on 24 November", "enter")
        await settle(pilot, app)
        assert app.screen is screen and table.row_count == 0  # done: no longer overdue
        assert "No actions to show" in text_of(screen, "#actions-status")
        await steps(pilot, app, "v", "slash", *"p-02", "enter")  # every action of P-023
        assert table.row_count == 1
        assert [str(c) for c in table.get_row_at(0)][:3] == ["13 Nov 2026", "✓ done", "P-023"]
        assert "open → done: Times agreed on 24 November" in text_of(screen, "#action-detail")
    repo = open_repository(demo_db)
    history = action_history(repo, overdue.id)
    assert [(h.old_status, h.new_status) for h in history] == [(None, "open"), ("open", "done")]
    assert history[-1].note == "Times agreed on 24 November" and history[-1].by == "tester"
    repo.engine.dispose()


REVIEWS = "spo-reviews"
ATTRIBUTES = {"sentence_type": "community", "has_psr": "no", "rosh": "medium"}


def _login(repo: Repository) -> tuple[str, str | None]:
    """How the app opens the database as this person: their login on PostgreSQL, --as on
    SQLite."""
    url = repo.engine.url
    if url.get_backend_name() == "sqlite":
        assert url.database
        return url.database, repo.user
    return url.render_as_string(hide_password=False), None


@pytest.fixture
def reviews(people: Person, rubric_text: str) -> dict[str, Repository]:
    """lee reviews OV-001 (feedback written, one action agreed); vic views the audit, ann audits
    in it with no case of hers."""
    lee, vic, ann = people("lee"), people("vic"), people("ann")
    audit = audits.create_audit(lee, REVIEWS, rubric_text, kind="oversight")
    add_reviewed_case(lee, audit, "OV-001", ATTRIBUTES, practitioner="P-017", team="T-NORTH")
    save_feedback(lee, audit, "OV-001", strengths="Contact is regular.", improvements="Plan late.")
    add_action(lee, audit, "OV-001", "Review the plan with her", datetime.date(2026, 12, 11))
    team.set_member(lee, audit, vic.user, "viewer")
    team.set_member(lee, audit, ann.user, "auditor")
    return {"lee": lee, "vic": vic, "ann": ann}


def _follow_up(repo: Repository) -> tuple[object, ...]:
    audit = audits.open_audit(repo, REVIEWS)
    said = feedback(repo, audit, "OV-001")
    found = [(a.id, a.status, a.due, a.what) for a in actions(repo, audit=audit)]
    history = [len(action_history(repo, a[0])) for a in found]
    return said.strengths, said.improvements, said.updated_at, found, history


async def test_a_viewer_and_another_auditor_are_refused_in_one_line(
    reviews: dict[str, Repository],
) -> None:
    """On SQLite and on PostgreSQL, where each person is their own login."""
    before = _follow_up(reviews["lee"])
    refusal = (
        "only the lead or the auditor case OV-001 is allocated to may change its feedback"
        " and actions ({} is {})"
    )
    vic, ann = reviews["vic"].user, reviews["ann"].user

    target, user = _login(reviews["vic"])
    app = _app(target, user=user, audit=REVIEWS)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "f")
        screen = app.screen
        assert isinstance(screen, FeedbackScreen)
        assert text_of(screen, "#feedback-title").startswith("Feedback · case OV-001 · READ ONLY")
        words = screen.query_one("#strengths", TextArea)
        assert words.text == "Contact is regular." and words.read_only
        await pilot.press("n", "d", "ctrl+s")
        await settle(pilot, app)
        assert app.screen is screen  # no dialog opened
        assert text_of(screen, "#feedback-status") == refusal.format(vic, "viewer")
        await pilot.click("#strengths")
        await pilot.press(*"more words")
        assert words.text == "Contact is regular."

    target, user = _login(reviews["ann"])
    app = _app(target, user=user, audit=REVIEWS)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "plus")  # reviews are added by the lead
        assert isinstance(app.screen, DashboardScreen)
        await steps(pilot, app, "A")
        assert isinstance(app.screen, ActionsScreen)
        await pilot.press("d", *"done, I think", "enter")
        await settle(pilot, app)
        dialog = app.screen
        assert isinstance(dialog, ActionStepDialog)  # still open: nothing was done
        lines = text_of(dialog, "#error-form").splitlines()
        assert lines == ["✗ " + refusal.format(ann, "auditor")]

    assert _follow_up(reviews["lee"]) == before
