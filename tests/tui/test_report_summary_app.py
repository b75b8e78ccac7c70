"""The report screen opens with its findings in words and says when the audit is a draft; the
lead writes their own summary there (`s`), which every report then shows above the generated
one; an auditor pressing `s` is told why not and nothing opens. The feedback screen says when
its case's review is a draft. On SQLite and on PostgreSQL, each person their own login."""

from __future__ import annotations

from textual.widgets import Static

from audit_tui.domain.answers import Answer
from audit_tui.reporting.render import render_report
from audit_tui.store import answers, audits, cases, team
from audit_tui.store.lead_summary import lead_summary
from audit_tui.store.oversight import add_reviewed_case
from audit_tui.tui.app import build_app
from audit_tui.tui.screens.feedback import FeedbackScreen
from audit_tui.tui.screens.report import ReportScreen
from audit_tui.tui.screens.summary_dialog import SummaryDialog
from tests.conftest import Person
from tests.tui.helpers import settle, steps
from tests.tui.test_oversight_app import ATTRIBUTES, _login

SIZE = (120, 40)
WORDS = "Keeping people safe must come first."


def shown(screen: object, selector: str) -> Static:
    assert isinstance(screen, ReportScreen | FeedbackScreen)
    return screen.query_one(selector, Static)


async def test_the_lead_writes_the_summary_and_an_auditor_is_told_why_not(
    people: Person, rubric_text: str
) -> None:
    lee, ann = people("lee"), people("ann")
    audit = audits.create_audit(lee, "q1", rubric_text, pdu="Tameside")
    cases.add_cases(lee, audit, [("C-1", ATTRIBUTES)])
    audit = audits.open_audit(lee, "q1")
    case = cases.list_cases(lee, audit)[0]
    answers.save_answer(lee, audit, case, "2.2.1", Answer.YES)
    team.set_member(lee, audit, ann.user, "auditor")

    target, user = _login(lee)
    app = build_app(target, open_audit="q1", poll_seconds=0, user=user)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "r")
        report = app.screen
        draft = shown(report, "#report-draft")
        assert draft.display
        assert str(draft.render()).startswith(f"Draft: 1 of {case.applicable} items answered")
        found = str(shown(report, "#report-findings").render())
        assert found.startswith("From the figures") and "The one key question answered" in found
        assert not shown(report, "#report-lead-summary").display
        await pilot.press("s")
        await settle(pilot, app)
        assert isinstance(app.screen, SummaryDialog)
        await pilot.press(*WORDS, "ctrl+s")
        await settle(pilot, app)
        assert app.screen is report
        lead = shown(report, "#report-lead-summary")
        assert lead.display and WORDS in str(lead.render())
    said = lead_summary(lee, audit)
    assert said is not None and said.text == WORDS and said.by == lee.user
    md = render_report(lee, audit, "md")
    assert isinstance(md, str) and md.index(WORDS) < md.index("### From the figures")

    target, user = _login(ann)
    app = build_app(target, open_audit="q1", poll_seconds=0, user=user)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "r", "s")
        assert isinstance(app.screen, ReportScreen)  # nothing opened
        assert WORDS in str(shown(app.screen, "#report-lead-summary").render())
        told = [str(n.message) for n in app._notifications]
        assert f"Only the lead writes the audit's summary ({ann.user} is auditor)" in told
    assert lead_summary(lee, audit) == said


async def test_a_finished_audit_shows_no_draft_and_an_unfinished_review_does(
    demo_db: str, rubric_text: str
) -> None:
    from audit_tui.store.database import open_repository

    repo = open_repository(demo_db, user="spo")
    audit = audits.create_audit(repo, "checks", rubric_text, kind="oversight")
    add_reviewed_case(repo, audit, "OV-9", ATTRIBUTES)
    repo.engine.dispose()

    app = build_app(demo_db, open_audit="demo-tameside", poll_seconds=0, user="spo")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "r")
        assert not shown(app.screen, "#report-draft").display
        found = str(shown(app.screen, "#report-findings").render())
        assert "Overall rating: Requires improvement, a score of 7 out of 27." in found

    app = build_app(demo_db, open_audit="checks", poll_seconds=0, user="spo")
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "f")
        screen = app.screen
        assert isinstance(screen, FeedbackScreen)
        draft = shown(screen, "#feedback-draft")
        assert draft.display and str(draft.render()).startswith("Draft: 0 of ")
