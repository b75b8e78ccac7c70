"""The report screen's breakdowns by practitioner and team: shown with the caution every report
gives, and with the usual suppression."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Select, Static

from audit_tui.domain.answers import Answer
from audit_tui.store import answers, audits
from audit_tui.store.database import open_repository
from audit_tui.store.oversight import add_reviewed_case
from audit_tui.tui.app import build_app
from audit_tui.tui.screens.report import ReportScreen
from tests.tui.helpers import settle, steps

NO_PSR = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}


async def test_the_report_breaks_down_by_practitioner_with_a_caution(
    tmp_path: Path, rubric_text: str
) -> None:
    db = str(tmp_path / "people.db")
    repo = open_repository(db, user="spo")
    audit = audits.create_audit(repo, "ov", rubric_text, kind="oversight")
    for i in range(12):  # P-1 and P-2 five cases each (shown), P-3 two (too few)
        who = "P-1" if i < 5 else "P-2" if i < 10 else "P-3"
        case = add_reviewed_case(repo, audit, f"R-{i}", NO_PSR, practitioner=who, team="T-1")
        answers.save_answer(repo, audit, case, "2.2.1", Answer.YES if i % 2 else Answer.NO)
    repo.engine.dispose()
    app = build_app(db, open_audit="ov", user="spo", poll_seconds=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await steps(pilot, app, "r", "4")
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        chooser = screen.query_one("#breakdown-by", Select)
        chooser.value = "practitioner"
        await settle(pilot, app)
        note = str(screen.query_one("#breakdown-note", Static).render())
        assert note.startswith("A practitioner's or a team's figures rest on the few cases")
        table = screen.query_one("#report-breakdown", DataTable)
        assert [str(c.label) for c in table.columns.values()] == [
            "Key question",
            "P-1: 5 cases",
            "P-2: 5 cases",
            "P-3: 2 cases",
        ]
        row = [str(cell) for cell in table.get_row("2.2.1")]
        # P-3's figure is too few; shown, P-1's would give it away (the total less P-1 and
        # P-2), so the smaller of the two (a tie: the first) is withheld with it
        assert row[1:] == ["withheld", "60% (3/5)", "too few"]
        assert "'withheld': shown, it would give a 'too few' figure away" in str(note)
