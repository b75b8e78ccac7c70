"""The framework is data: a second, made-up rubric with other attributes and other bands is walked
and rated without any HMIP name or edge showing through."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from audit_tui.reporting.render import render_report
from audit_tui.store import audits, cases
from audit_tui.tui.app import build_app
from audit_tui.tui.screens.case_walk import CaseWalkScreen
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.screens.report import ReportScreen
from audit_tui.tui.text import band_bar
from audit_tui.tui.widgets.virtual_table import VirtualTable
from tests.support.paths import RUBRICS
from tests.tui.conftest import reopen
from tests.tui.helpers import settle, steps

RUBRIC = RUBRICS / "local-youth-check.toml"
SIZE = (120, 40)


def text_of(widget: Static) -> str:
    return str(widget.render())


def youth_db(tmp_path: Path) -> str:
    target = str(tmp_path / "youth.db")
    repo = reopen(target)
    audit = audits.create_audit(repo, "youth-q1", RUBRIC.read_text(), pdu="Northtown YOT")
    cases.add_cases(
        repo,
        audit,
        [
            ("Y-1", {"team": "north", "tier": "standard", "in_education": "yes"}),
            ("Y-2", {"team": "south", "tier": "intensive", "in_education": "no"}),
        ],
    )
    repo.engine.dispose()
    return target


async def test_a_second_rubric_is_walked_and_rated_by_its_own_rules(tmp_path: Path) -> None:
    target = youth_db(tmp_path)
    app = build_app(target, open_audit="youth-q1", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        table = dash.query_one("#cases", VirtualTable)
        assert [c.label for c in table.columns] == ["Case", "Team", "Tier", "Answered", "Status"]
        assert table.get_row("1")[:3] == ["Y-1", "North", "Standard"]
        assert "Score –/4" in text_of(dash.query_one("#ratings-score", Static))

        await steps(pilot, app, "down", "enter")  # Y-2: out of education, so B applies
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen) and walk.case.case_ref == "Y-2"
        header = text_of(walk.query_one("#case-header", Static))
        assert "Team: South" in header and "ETE: No" in header
        assert (
            "PSR" not in header and "Tier" not in header
        )  # the rubric shows tier in the list only
        assert [r.item_id for r in walk.rows if r.applies] == ["A.1.a", "A.1", "B.1"]
        await pilot.press("y", "y", "y")
        await steps(pilot, app, "<")  # back to Y-1: in education, so B does not apply to it
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen) and walk.case.case_ref == "Y-1"
        assert [r.item_id for r in walk.rows if not r.applies] == ["B.1"]
        await pilot.press("n", "y")  # A.1.a no, A.1 yes: A.1 is 2 of 2
        await settle(pilot, app)
        rating = text_of(walk.query_one("#standard-rating", Static))
        # 100% is this rubric's top band, Good (HMIP would call it Outstanding); 2 + 2 of 4
        assert "A Engagement across the audit: ★★☆ Good" in rating and "score 4/4" in rating

        await steps(pilot, app, "escape")
        row = text_of(app.screen.query_one("#rating-A", Static))
        assert band_bar(100.0, (70.0, 40.0)) in row  # its own band edges, not 50/65/80
        assert band_bar(100.0, (80.0, 65.0, 50.0)) not in row
        await steps(pilot, app, "r")
        report = app.screen
        assert isinstance(report, ReportScreen) and report.data is not None
        assert report.data.result.overall == "Good" and report.data.result.score == 4
        sample = text_of(report.query_one("#report-sample", Static))
        assert "Youth offending team: North 1, South 1" in sample
    repo = reopen(target)
    text = render_report(repo, audits.open_audit(repo, "youth-q1"), "md")
    repo.engine.dispose()
    assert isinstance(text, str)
    assert "Local youth justice case check (made up for tests)" in text
    assert "Sentence type" not in text and "Pre-sentence report" not in text
