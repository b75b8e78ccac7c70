"""A framework with question sets and no ratings (HMIP's 2025 public-protection inspection),
walked in the app at a practised auditor's speed: a case is shown only its own set's questions,
reconstructed ones marked [R], and the live panel gives shares of cases and assignments where
a rated framework gives ratings."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static

from audit_tui.paths import shipped_rubric_dir
from audit_tui.store import answers, audits, cases
from audit_tui.tui.app import build_app
from audit_tui.tui.screens.case_walk import CaseWalkScreen
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.screens.report import ReportScreen
from audit_tui.tui.text import band_bar
from tests.support.paths import RUBRICS
from tests.tui.conftest import reopen
from tests.tui.cut_words import screen_text
from tests.tui.helpers import settle, steps

SIZE = (120, 40)
CORE = ["C1.a", "C1.b", "C1.c", "C1", "C2.a", "C2.b", "C2.c", "C2.d", "C2.e", "C2",
        "C3.a", "C3.b", "C3.c", "C3.d", "C3", "C4.a", "C4.b", "C4.c", "C4.d", "C4"]  # fmt: skip
ADJUSTED = ["A1.a", "A1.b", "A1", "A2.a", "A2.b", "A2", "A3.a", "A3.b", "A3",
            "A4.a", "A4.b", "A4"]  # fmt: skip


def text_of(widget: Static) -> str:
    return str(widget.render())


def dipp_db(tmp_path: Path) -> str:
    target = str(tmp_path / "dipp.db")
    repo = reopen(target)
    text = (shipped_rubric_dir() / "hmip-dipp-2025.toml").read_text(encoding="utf-8")
    audit = audits.create_audit(repo, "dipp-q1", text, region="North West")
    base = {"sentence_type": "licence", "rosh": "high"}
    cases.add_cases(
        repo,
        audit,
        [
            ("P-1", {**base, "contact_suspended": "no"}),
            ("P-2", {**base, "contact_suspended": "yes", "sentence_type": "PSS"}),
        ],
    )
    repo.engine.dispose()
    return target


async def test_a_case_is_walked_through_its_own_question_set_and_shares_go_live(
    tmp_path: Path,
) -> None:
    target = dipp_db(tmp_path)
    app = build_app(target, open_audit="dipp-q1", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        assert text_of(dash.query_one("#ratings .panel-title", Static)) == "Meeting the standard"
        assert "Assignments meeting it: –" in text_of(dash.query_one("#ratings-score", Static))

        await steps(pilot, app, "down", "enter")  # P-2: contact suspended early
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen) and walk.case.case_ref == "P-2"
        assert [r.item_id for r in walk.rows] == ADJUSTED  # the core set is not shown at all
        shown = {r.item_id: r.text for r in walk.rows}
        assert all(shown[i].startswith("[R] ") for i in ADJUSTED)  # every A is reconstructed
        await pilot.press(*"y" * len(ADJUSTED))  # one burst, no pause between keys
        await settle(pilot, app)
        line = text_of(walk.query_one("#standard-rating", Static))
        # the line follows the focus, now on the last stage
        assert line == "4 Reviewing across the audit: 100% of cases meet it · 100% of assignments"

        await steps(pilot, app, "<")  # P-1: the core questions, C1 a-c and C2 a-b verbatim
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen) and walk.case.case_ref == "P-1"
        assert [r.item_id for r in walk.rows] == CORE
        shown = {r.item_id: r.text for r in walk.rows}
        assert not shown["C1"].startswith("[R]") and shown["C3"].startswith("[R] ")
        await pilot.press(*"n" * len(CORE))
        await settle(pilot, app)
        line = text_of(walk.query_one("#standard-rating", Static))
        # reviewing: P-2 yes, P-1 no: 1 of 2; assignments 4 of 8
        assert line == "4 Reviewing across the audit: 50% of cases meet it · 50% of assignments"
        await steps(pilot, app, "escape")
        panel = text_of(app.screen.query_one("#ratings-score", Static))
        assert panel == "Assignments meeting it: 50% (4 of 8)"
        row = text_of(app.screen.query_one("#rating-1", Static))
        assert row.startswith("1 Assessment\n") and "50% (1 of 2)" in row
        assert "rated" not in row and "Score" not in panel
        await steps(pilot, app, "r")  # the report screen speaks of shares, not ratings
        report = app.screen
        assert isinstance(report, ReportScreen)
        summary = text_of(report.query_one("#report-summary", Static))
        assert summary == "2 cases · assignments meeting the standard: 50% (4 of 8)"
        table = report.query_one("#report-ratings", DataTable)
        assert [str(c.label) for c in table.columns.values()] == [
            "Stage",
            "Cases meeting it",
            "Of",
            "95% interval",
        ]  # fmt: skip (the rubric's word for a standard, as DIPP's reports say)
        assert [str(cell) for cell in table.get_row("assignments")][:3] == [
            "All stages (assignments)", "50%", "4/8"
        ]  # fmt: skip
        kq_heads = [
            str(c.label) for c in report.query_one("#report-kqs", DataTable).columns.values()
        ]
        assert "Could be" not in kq_heads and "Against the bands" not in kq_heads

    repo = reopen(target)  # every answer shown is on disk
    audit = audits.open_audit(repo, "dipp-q1")
    saved = answers.answer_values(repo, audit)
    by_ref = {c.case_ref: c.id for c in cases.list_cases(repo, audit)}
    repo.engine.dispose()
    assert saved[by_ref["P-2"]] == dict.fromkeys(ADJUSTED, "yes")
    assert saved[by_ref["P-1"]] == dict.fromkeys(CORE, "no")


def rubric_db(tmp_path: Path, rubric: str, attributes: dict[str, str]) -> str:
    target = str(tmp_path / f"{rubric}.db")
    repo = reopen(target)
    audit = audits.create_audit(repo, rubric, (RUBRICS / f"{rubric}.toml").read_text())
    cases.add_cases(repo, audit, [("K-1", attributes), ("K-2", attributes)])
    repo.engine.dispose()
    return target


async def test_three_ratings_are_walked_in_their_own_words(tmp_path: Path) -> None:
    target = rubric_db(tmp_path, "three-point", {"team": "north"})
    app = build_app(target, open_audit="three-point", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        await pilot.press("y", "n", "y")  # K-1: S1.1 yes, S1.2 no, S2.1 yes
        await steps(pilot, app, ">")
        await pilot.press("y", "y", "y")  # K-2: all yes
        await settle(pilot, app)
        # S1.1 2/2 100%, S1.2 1/2 50% -> S1 Partly meets (1); S2.1 100% Meets (2); score 3 of 4,
        # from 2: Partly meets overall
        line = text_of(app.screen.query_one("#standard-rating", Static))
        assert "Meets" in line and "score 3/4" in line and "Partly meets" in line
        await steps(pilot, app, "escape")
        row = text_of(app.screen.query_one("#rating-S1", Static))
        assert "Partly meets" in row and "lowest S1.2" in row
        assert band_bar(50.0, (75.0, 40.0)) in row  # its own edges, not HMIP's
        score = text_of(app.screen.query_one("#ratings-score", Static))
        assert score.startswith("Score 3/4   Overall: ") and "Partly meets" in score
        for hmip in ("Outstanding", "Good", "Inadequate", "Requires improvement"):
            assert hmip not in row + score + line


async def test_percentages_only_are_walked_with_no_rating_shown(tmp_path: Path) -> None:
    target = rubric_db(tmp_path, "bands-no-standard-rating", {"team": "south"})
    app = build_app(target, open_audit="bands-no-standard-rating", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        await pilot.press("y", ">")
        await settle(pilot, app)
        await pilot.press("n")
        await steps(pilot, app, "escape")
        row = text_of(app.screen.query_one("#rating-S1", Static))
        assert row == f"S1 Safety\n  {band_bar(50.0, ())}  50% lowest S1.1"
        score = text_of(app.screen.query_one("#ratings-score", Static))
        assert score == "Percentages only: this framework gives no ratings"


async def test_a_standard_rated_by_its_cases_is_walked_with_its_share_shown(
    tmp_path: Path,
) -> None:
    target = rubric_db(tmp_path, "all-questions", {"plan_due": "no"})
    app = build_app(target, open_audit="all-questions", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen)
        asked = [r.item_id for r in walk.rows if r.applies]
        assert asked == ["O1.1", "O1.2", "O2.1", "O2.2"]  # no plan due: O1.3 is not asked
        await pilot.press("y", "n", "y", "y", ">", "y", "y", "y", "y")  # one burst, two cases
        await settle(pilot, app)
        # O1: K-1 fails O1.2, K-2 meets both: 1 of 2 (50%), Partly met (1), though O1.1 is
        # 100%; O2: 2 of 2, Met (2); score 3 of 4, Partly met overall
        line = text_of(app.screen.query_one("#standard-rating", Static))
        assert "100% of cases meet every key question" in line and "score 3/4" in line
        await steps(pilot, app, "escape")
        row = text_of(app.screen.query_one("#rating-O1", Static))
        assert "Partly met" in row and " 50% meet all" in row and "lowest" not in row
        assert band_bar(50.0, (80.0, 50.0)) in row  # the share against the rubric's own edges
        score = text_of(app.screen.query_one("#ratings-score", Static))
        assert score.startswith("Score 3/4   Overall: ") and "Partly met" in score
        await steps(pilot, app, "r")
        report = app.screen
        assert isinstance(report, ReportScreen)
        table = report.query_one("#report-ratings", DataTable)
        assert str(list(table.columns.values())[2].label) == "Cases meeting every key question"
        assert [str(cell) for cell in table.get_row("O1")][2] == "50% (1 of 2)"
        # a key question's own band does not rate O1: no 'could be' against it, no ▶ lowest
        kqs = report.query_one("#report-kqs", DataTable)
        o11 = [str(cell) for cell in kqs.get_row("O1.1")]
        assert "rated by cases" in o11 and not o11[0].startswith("▶")

    repo = reopen(target)  # every answer shown is on disk
    audit = audits.open_audit(repo, "all-questions")
    saved = answers.answer_values(repo, audit)
    by_ref = {c.case_ref: c.id for c in cases.list_cases(repo, audit)}
    repo.engine.dispose()
    assert saved[by_ref["K-1"]] == {"O1.1": "yes", "O1.2": "no", "O2.1": "yes", "O2.2": "yes"}
    assert saved[by_ref["K-2"]] == dict.fromkeys(["O1.1", "O1.2", "O2.1", "O2.2"], "yes")


async def test_the_case_header_keeps_every_fact_at_80_columns(tmp_path: Path) -> None:
    """The header wraps to a second line rather than cutting the case's facts off."""
    target = dipp_db(tmp_path)
    app = build_app(target, open_audit="dipp-q1", poll_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await steps(pilot, app, "enter")
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen)
        header = walk.query_one("#case-header", Static)
        facts = walk._facts
        assert facts.count(" · ") >= 2 and header.size.height == 2
        shown = " ".join(line.strip() for line in screen_text(walk).splitlines()[:3])
        assert facts.replace(" · ", " ") in shown.replace(" · ", " ") and "…" not in shown
