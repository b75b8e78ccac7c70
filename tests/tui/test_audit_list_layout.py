"""The audit list at 80 columns keeps each audit's name, progress, score and overall rating in
sight without scrolling; wide enough, it adds the rubric's title (not its id), whole; a legend
says what the progress bar's parts mean."""

from __future__ import annotations

import pytest

from audit_tui.tui.app import build_app
from audit_tui.tui.screens.audit_list import (
    ALWAYS,
    COLUMNS,
    GIVE_WAY_LATE,
    LEGEND,
    AuditListScreen,
    progress_text,
)
from audit_tui.tui.widgets.virtual_table import columns_in_view
from tests.tui.cut_words import screen_text
from tests.tui.helpers import settle

DEMO = (
    ("demo-oversight", "100%", "–/27", "not yet rated"),
    ("demo-tameside", "100%", "7/27", "★☆☆ Requires improvement"),
    ("demo-tameside-reaudit", "100%", "11/27", "★☆☆ Requires improvement"),
)


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (160, 50)])
async def test_name_progress_score_and_rating_fit(demo_db: str, size: tuple[int, int]) -> None:
    app = build_app(demo_db, poll_seconds=0)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, AuditListScreen)
        text = screen_text(app.screen)
    lines = text.splitlines()
    for name, progress, score, rating in DEMO:
        row = next(line for line in lines if line.startswith(f" {name} "))
        assert all(part in row for part in (progress, score, rating.split()[0])), row
        assert rating in text.replace("\n", " ").replace("  ", " ") or "improvement" in text
    assert LEGEND in text
    assert "hmip-probation-pdu-2021" not in text
    assert ("HMIP adult probation" in text) is (size[0] >= 160)  # shown whole, or not at all


def test_columns_drop_before_the_essentials() -> None:
    row = ("a-long-audit-name-2026", "Somewhere", "A framework title of some length", "28",
           progress_text(3, 4), "7/27", "★☆☆ Requires improvement")  # fmt: skip
    keys = [key for _, key in COLUMNS]
    widths = [max(len(label), len(cell)) for (label, _), cell in zip(COLUMNS, row, strict=True)]

    def shown(room: int) -> list[str]:
        return [keys[i] for i in columns_in_view(keys, widths, room, ALWAYS, GIVE_WAY_LATE)]

    narrow = shown(78)
    assert narrow[:1] == ["name"] and {"progress", "score", "overall"} <= set(narrow)
    assert "pdu" not in narrow and "rubric" not in narrow and "cases" in narrow
    assert shown(200) == [
        "name",
        "pdu",
        "rubric",
        "cases",
        "progress",
        "score",
        "overall",
    ]
    assert progress_text(3, 4) == "████░░  75%" and progress_text(0, 0) == "–"


async def test_back_on_the_list_an_audit_that_moved_is_redrawn_and_a_new_one_appears(
    demo_db: str, rubric_text: str
) -> None:
    """Only the moved audit's row is read again on the return (its figures right); an audit
    made meanwhile by someone else needs the whole list again, and gets it."""
    from audit_tui.store import audits
    from audit_tui.store import cases as case_ops
    from audit_tui.store.database import open_repository
    from audit_tui.tui.screens.dashboard import DashboardScreen
    from audit_tui.tui.widgets.virtual_table import VirtualTable
    from tests.tui.helpers import steps

    app = build_app(demo_db, poll_seconds=0)  # no watch: the return alone reads the list
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        table = app.screen.query_one("#audits", VirtualTable)
        cases_at = [c.key for c in table.columns].index("cases")
        assert table.get_row("demo-tameside")[cases_at] == "28"
        other = open_repository(demo_db)
        audit = audits.open_audit(other, "demo-tameside")
        gone = case_ops.list_cases(other, audit)[0].case_ref
        case_ops.remove_case(other, audit, gone, "file missing")
        await steps(pilot, app, "enter")
        assert isinstance(app.screen, DashboardScreen)
        await steps(pilot, app, "escape")
        assert isinstance(app.screen, AuditListScreen)
        assert table.get_row("demo-tameside")[cases_at] == "27"
        assert "zzz-new" not in table.keys_shown
        audits.create_audit(other, "zzz-new", rubric_text)
        await steps(pilot, app, "enter", "escape")
        assert table.keys_shown[-1] == "zzz-new"
        other.engine.dispose()


async def test_a_burst_into_the_filter_is_text_and_enter_opens_the_match(demo_db: str) -> None:
    """`/` and a name, in one burst, filter the list; Enter opens the one audit shown; the
    list's own keys (`n` new audit, `g` region, `a`) typed into the filter are text."""
    from textual.widgets import Input

    from audit_tui.tui.screens.dashboard import DashboardScreen
    from audit_tui.tui.widgets.virtual_table import VirtualTable
    from tests.tui.helpers import burst

    app = build_app(demo_db, poll_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        burst(app, "/", *"reaudit")
        await settle(pilot, app)
        table = app.screen.query_one("#audits", VirtualTable)
        assert table.keys_shown == ["demo-tameside-reaudit"]
        burst(app, "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.audit_name == "demo-tameside-reaudit"
        await pilot.press("escape")
        await settle(pilot, app)
        burst(app, "/", "ctrl+u", *"nga")  # keys of the list, typed as text
        await settle(pilot, app)
        assert isinstance(app.screen, AuditListScreen)
        assert app.screen.query_one("#filter", Input).value == "nga"
        assert table.row_count == 0
