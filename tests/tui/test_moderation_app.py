"""Moderation in the app, as each person does it: the second marker walks a case blind (no first
mark anywhere on screen, answering at typing speed) and completes it; the lead settles a
disagreement on the reconciliation screen and sees the audit's answer and rating move; the
moderation pane of the report; the lead starts a round from the dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text
from textual.widgets import DataTable, Input, Static

from audit_tui.domain.answers import Answer
from audit_tui.store import answers, audits, cases, team
from audit_tui.store.database import open_repository
from audit_tui.store.models import AnswerHistoryRow, AnswerRow, table_of
from audit_tui.store.moderation import start_round
from audit_tui.store.second_marks import complete_second, save_second
from audit_tui.tui.app import AuditApp, build_app
from audit_tui.tui.screens.case_walk import CaseWalkScreen
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.screens.moderation import ModerateDialog, ReconcileScreen, SettleDialog
from audit_tui.tui.screens.report import ReportScreen
from audit_tui.tui.widgets.item_row import ItemRow
from audit_tui.tui.widgets.virtual_table import VirtualTable
from tests.tui.helpers import settle, steps

SIZE = (120, 40)
AUDIT = "moderated"
ANSWER = table_of(AnswerRow)
HISTORY = table_of(AnswerHistoryRow)


@pytest.fixture
def moderated_db(tmp_path: Path, rubric_text: str) -> str:
    """lee leads; QA-001 is ann's and answered Yes throughout; QA-002 bob's. cy second-marks
    QA-001 in round 1."""
    target = str(tmp_path / "mod.db")
    lee = open_repository(target, user="lee")
    audit = audits.create_audit(lee, AUDIT, rubric_text)
    cases.add_cases(
        lee,
        audit,
        [
            ("QA-001", {"sentence_type": "community", "has_psr": "no", "rosh": "low"}),
            ("QA-002", {"sentence_type": "licence", "has_psr": "no", "rosh": "high"}),
        ],
    )
    team.allocate(lee, audit, ["ann", "bob"])
    ann = open_repository(target, user="ann")
    case = cases.list_cases(ann, audit)[0]
    items = [i for i in audit.rubric.column_order if audit.rubric.applies(i, case.attributes)]
    answers.import_answers(ann, audit, {case.id: dict.fromkeys(items, Answer.YES)})
    ann.engine.dispose()
    start_round(lee, audit, "cy", cases=["QA-001"])
    lee.engine.dispose()
    return target


def _app(db: str, user: str, audit: str = AUDIT) -> AuditApp:
    return build_app(db, open_audit=audit, poll_seconds=0, user=user)


def _text(screen: object, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())  # type: ignore[attr-defined]


def _applicable(db: str) -> list[str]:
    repo = open_repository(db)
    audit = audits.open_audit(repo, AUDIT)
    case = cases.list_cases(repo, audit)[0]
    repo.engine.dispose()
    return [i for i in audit.rubric.items if audit.rubric.applies(i, case.attributes)]


async def test_the_second_marker_walks_blind_at_typing_speed_and_then_sees(
    moderated_db: str,
) -> None:
    app = _app(moderated_db, "cy")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        ratings = _text(dash, "#ratings-score")
        assert ratings.startswith("Hidden.") and "QA-001" in ratings
        assert not dash.query(".rating-row")  # no standard's rating on screen
        for key in ("r", "x", "h", "d"):  # report, export, timeline, reconciliation
            await steps(pilot, app, key)
            assert app.screen is dash, key
        await steps(pilot, app, "enter")  # QA-001, ann's, answered Yes throughout
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen) and walk.case.case_ref == "QA-001"
        assert "SECOND MARKING (blind, round 1)" in _text(walk, "#case-header")
        assert "hidden" in _text(walk, "#standard-rating")
        rows = list(walk.query(ItemRow))
        assert all(r.value is None for r in rows), "a first mark showed to the blind marker"
        applicable = _applicable(moderated_db)
        for _ in applicable:  # a burst, no pause between keys
            await pilot.press("n")
        await settle(pilot, app)
        assert all(r.value == "no" for r in rows if r.applies)
        assert "SECOND MARKING (blind, round 1), answered all" in _text(walk, "#case-header")
        assert "you have answered all. m marks the case complete" in _text(walk, "#standard-rating")
        await steps(pilot, app, "m")
        # marked complete: ann's marks and cy's side by side, the differences awaiting the lead
        assert "second marks complete (round 1)" in _text(walk, "#case-header")
        words = _text(walk, "#standard-rating")
        assert words.startswith("Your second marks are marked complete"), words
        assert f"{len(applicable)} differ from the first marks, waiting for the lead" in words
        shown = [r for r in rows if r.applies]
        assert all(r.value == "yes" for r in shown)
        assert all("first mark: Yes · your second mark: No" in str(r.render()) for r in shown)
        await steps(pilot, app, "escape")
        assert not _text(app.screen, "#ratings-score").startswith("Hidden.")
    repo = open_repository(moderated_db)
    with repo.engine.connect() as conn:
        firsts = conn.execute(select(ANSWER.c.value).where(ANSWER.c.case_id == 1)).scalars()
        assert set(firsts) == {"yes"}  # the audit's answers never moved
        seconds = conn.execute(text("SELECT value FROM second_answer ORDER BY item_id")).scalars()
        assert list(seconds) == ["no"] * len(applicable)
        done = conn.execute(text("SELECT completed_by FROM moderation_case")).scalar()
        assert done == "cy"
    repo.engine.dispose()


def _second_marked(db: str, differ: tuple[str, ...]) -> None:
    """cy second-marks QA-001 like ann but No on `differ`, and completes it."""
    cy = open_repository(db, user="cy")
    audit = audits.open_audit(cy, AUDIT)
    for item in _applicable(db):
        save_second(cy, audit, 1, item, Answer.NO if item in differ else Answer.YES)
    complete_second(cy, audit, 1)
    cy.engine.dispose()


async def test_the_lead_settles_a_disagreement_and_the_answer_and_rating_move(
    moderated_db: str,
) -> None:
    _second_marked(moderated_db, ("2.2.1", "2.3.1"))
    app = _app(moderated_db, "lee")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        live = app.live
        assert live is not None
        before = next(k for s in live.result.standards for k in s.key_questions if k.id == "2.2.1")
        assert (before.yes, before.no) == (1, 0)
        await steps(pilot, app, "d")
        screen = app.screen
        assert isinstance(screen, ReconcileScreen)
        assert "0 of 2 disagreements settled" in _text(screen, "#reconcile-summary")
        table = screen.query_one("#disagreements", DataTable)
        assert table.row_count == 2
        assert "ann (first): Yes" in _text(screen, "#reconcile-detail")
        await steps(pilot, app, "n")
        dialog = app.screen
        assert isinstance(dialog, SettleDialog)
        await pilot.press(*"moderation: no RoSH assessment")
        await steps(pilot, app, "enter")
        assert app.screen is screen
        assert "1 of 2 disagreements settled" in _text(screen, "#reconcile-summary")
        await steps(pilot, app, "escape")
        live = app.live
        assert live is not None
        after = next(k for s in live.result.standards for k in s.key_questions if k.id == "2.2.1")
        assert (after.yes, after.no) == (0, 1)
    repo = open_repository(moderated_db)
    with repo.engine.connect() as conn:
        value = conn.scalar(select(ANSWER.c.value).where(
            ANSWER.c.case_id == 1, ANSWER.c.item_id == "2.2.1"))  # fmt: skip
        last = conn.execute(
            select(HISTORY.c.via, HISTORY.c.reason, HISTORY.c.changed_by)
            .where(HISTORY.c.case_id == 1, HISTORY.c.item_id == "2.2.1")
            .order_by(HISTORY.c.id.desc())
        ).first()
    repo.engine.dispose()
    assert value == "no"
    assert last is not None and tuple(last) == ("moderation", "moderation: no RoSH assessment",
                                                "lee")  # fmt: skip


async def test_the_report_has_a_moderation_pane(moderated_db: str) -> None:
    _second_marked(moderated_db, ("2.2.1",))
    app = _app(moderated_db, "lee")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "r")
        report = app.screen
        assert isinstance(report, ReportScreen)
        await steps(pilot, app, "5")
        summary = _text(report, "#moderation-summary")
        assert "1 case second-marked (round 1: cy, 1 of 1 done)" in summary
        assert "0 of 1 disagreement settled" in summary
        kqs = report.query_one("#moderation-kqs", DataTable)
        assert app.live is not None
        rubric = app.live.audit.rubric
        assert kqs.row_count == sum(len(s.key_questions) for s in rubric.standards)
        assert [str(c) for c in kqs.get_row("2.2.1")][1:3] == ["1", "–"]  # n 1: too few
        ratings = report.query_one("#moderation-ratings", DataTable)
        flags = {str(ratings.get_row(k)[0]).split()[0]: str(ratings.get_row(k)[1])
                 for k in [str(r.value) for r in ratings.rows]}  # fmt: skip
        assert flags["2.2"] == "≠ differ" and flags["2.3"] == "same"


async def test_the_lead_starts_a_round_from_the_dashboard(moderated_db: str) -> None:
    app = _app(moderated_db, "lee")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "down", "m")  # on QA-002
        dialog = app.screen
        assert isinstance(dialog, ModerateDialog)
        assert dialog.query_one("#cases", Input).value == "QA-002"
        await pilot.press(*"dee")
        await steps(pilot, app, "enter")
        assert isinstance(app.screen, DashboardScreen)
    repo = open_repository(moderated_db)
    audit = audits.open_audit(repo, AUDIT)
    from audit_tui.store.moderation import rounds

    found = rounds(repo, audit)
    repo.engine.dispose()
    assert [(r.info.number, r.info.marker, r.case_refs) for r in found] == [
        (1, "cy", ("QA-001",)),
        (2, "dee", ("QA-002",)),
    ]


async def test_the_audit_list_shows_a_blind_second_marker_no_figure(moderated_db: str) -> None:
    """cy second-marks QA-001 blind: the list shows neither the score nor the rating (the
    dashboard hides them too); the lead sees both."""
    from audit_tui.tui.screens.audit_list import BLIND, AuditListScreen

    for user, hidden in (("cy", True), ("lee", False)):
        app = build_app(moderated_db, poll_seconds=0, user=user)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            assert isinstance(app.screen, AuditListScreen)
            table = app.screen.query_one("#audits", VirtualTable)
            cells = table.get_row_at(0)
            row = {column.key: cells[i] for i, column in enumerate(table.columns)}
            assert row["name"] == AUDIT
            assert (BLIND in row["score"] and "hidden" in row["overall"]) is hidden, row
            assert ("/27" in row["score"]) is not hidden, row
