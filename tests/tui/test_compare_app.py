"""Comparing audits in the app: `v` on the dashboard (or the palette) opens the compare screen,
a tick sets another audit beside the open one, and the table says in words what changed; the
dashboard draws sparklines once three audits of the same rubric and PDU lead up to the open one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from textual import events
from textual.widgets import DataTable, SelectionList, Sparkline, Static

from audit_tui.io.imports import import_answers, import_cases, import_judgements
from audit_tui.store import audits
from audit_tui.store.database import open_repository
from audit_tui.store.repository import AUDIT
from audit_tui.tui.app import AuditApp, build_app
from audit_tui.tui.screens.compare import CompareScreen, bars
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.widgets.trend_lines import TrendLines
from tests.support.paths import DATA
from tests.tui.helpers import palette_highlights, settle, steps, until

SIZE = (120, 40)
SERIES = ("tameside-2023", "tameside-2024", "tameside-2025")


def burst(app: AuditApp, keys: str) -> None:
    """Keys as a terminal delivers them: posted at once, no pause between."""
    for key in keys:
        app.post_message(events.Key("space" if key == " " else key, key))


def cells(table: DataTable[object], key: str) -> list[str]:
    return [str(c) for c in table.get_row(key)]


def text_of(widget: Static) -> str:
    return str(widget.render())


@pytest.fixture
def series_db(tmp_path: Path, rubric_text: str) -> str:
    """Three audits of one PDU, oldest first: the demo's first audit, its re-audit, and a third
    with 2.5.3 answered yes in every case; plus one of another PDU (never in the series)."""
    target = str(tmp_path / "series.db")
    repo = open_repository(target)
    sources = (("demo-cases", "demo-answers"), ("demo-reaudit-cases", "demo-reaudit-answers"))
    for name, (cases, answers) in zip(SERIES, (*sources, sources[1]), strict=True):
        audit = audits.create_audit(repo, name, rubric_text, pdu="Tameside")
        import_cases(repo, audit, DATA / f"{cases}.csv")
        import_answers(repo, audit, DATA / f"{answers}.csv")
        import_judgements(repo, audit, DATA / "demo-judgements.csv")
    safer = tmp_path / "safer.csv"
    safer.write_text(
        "case_ref,2.5.3\n" + "".join(f"TS24-{i:03d},yes\n" for i in range(1, 29)), encoding="utf-8"
    )
    import_answers(repo, audits.open_audit(repo, SERIES[2]), safer)
    elsewhere = audits.create_audit(repo, "oldham-2024", rubric_text, pdu="Oldham")
    import_cases(repo, elsewhere, DATA / "demo-cases.csv")
    with repo.engine.begin() as conn:  # a year apart, as re-audits are (and fixed for snapshots)
        for name, year in (*zip(SERIES, (2023, 2024, 2025), strict=True), ("oldham-2024", 2024)):
            moved = datetime(year, 3, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=len(name))
            conn.execute(update(AUDIT).where(AUDIT.c.name == name).values(created_at=moved))
    repo.engine.dispose()
    return target


async def test_compare_two_audits_from_the_dashboard(demo_db: str) -> None:
    app = build_app(demo_db, open_audit="demo-tameside", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, DashboardScreen)
        burst(app, "v ")  # open the screen and tick the first audit offered, in one burst
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        chooser = screen.query_one("#compare-with", SelectionList)
        assert list(chooser.selected) == ["demo-tameside-reaudit"]
        assert str(chooser.get_option_at_index(0).prompt).startswith(
            "✓ ticked · demo-tameside-reaudit"
        )  # ticked in a word, not by colour alone
        kqs = screen.query_one("#compare-kqs", DataTable)
        assert kqs.row_count == 14
        assert cells(kqs, "2.2.3") == [
            "2.2.3",
            "29% (8/28)",
            "68% (19/28)",
            "▲ changed: up",
            "+39 (+13 to +59)",
        ]
        assert cells(kqs, "2.3.3")[3] == "no clear change"
        ratings = screen.query_one("#compare-ratings", DataTable)
        assert cells(ratings, "2.2") == [
            "2.2",
            "☆☆☆ Inadequate",
            "★☆☆ Requires improvement",
            "up",
        ]
        assert cells(ratings, "1.2")[-1] == "same"
        status = text_of(screen.query_one("#compare-status", Static))
        assert status.startswith("A = demo-tameside, B = demo-tameside-reaudit (oldest first).")
        await pilot.press("tab", "down", "down", "down")  # the table's highlighted row, in words
        await settle(pilot, app)
        words = text_of(screen.query_one("#compare-words", Static))
        assert words == "2.2.3: up 39 points (95% interval +13 to +59): a real change"
        await steps(pilot, app, "escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_the_palette_opens_compare_and_unticking_clears_it(demo_db: str) -> None:
    app = build_app(demo_db, open_audit="demo-tameside-reaudit", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("ctrl+p", *"Compare with other")
        await until(pilot, palette_highlights(app, "Compare with other"))
        await pilot.press("enter")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        await steps(pilot, app, "space")
        # the open audit is the later one: it is B whichever dashboard it was opened from
        assert screen.comparison is not None
        assert (screen.comparison.a, screen.comparison.b) == (
            "demo-tameside",
            screen.audit.info.name,
        )
        await steps(pilot, app, "space")
        assert screen.comparison is None
        assert screen.query_one("#compare-kqs", DataTable).row_count == 0


async def test_two_ticked_make_a_trend_column(series_db: str) -> None:
    app = build_app(series_db, open_audit=SERIES[1], poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, "v ")
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        offered = [str(o.prompt).split(" · ")[-4] for o in screen.query_one(SelectionList).options]
        assert offered == ["tameside-2023", "oldham-2024", "tameside-2025"]  # oldest first
        await pilot.press("down", "down", "space")
        await settle(pilot, app)
        c = screen.comparison
        assert c is not None and c.trend is not None
        assert (c.a, c.b) == (SERIES[0], SERIES[2])  # oldest first, the open one in the middle
        kqs = screen.query_one("#compare-kqs", DataTable)
        assert cells(kqs, "2.5.3")[-1] == bars([100 * 11 / 28, 50.0, 100.0]) == "▄▅█"
        ratings = screen.query_one("#compare-ratings", DataTable)
        assert [str(c.label) for c in ratings.columns.values()] == [
            "Standard",
            "1",
            "2",
            "3",
            "Moved",
        ]
        assert "Ratings: 1 tameside-2023, 2 tameside-2024, 3 tameside-2025." in text_of(
            screen.query_one("#compare-status", Static)
        )


async def test_sparklines_need_three_audits_of_the_pdu_up_to_the_open_one(series_db: str) -> None:
    app = build_app(series_db, open_audit=SERIES[2], poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        lines = app.screen.query_one(TrendLines)
        assert lines.display and lines.trend is not None
        assert lines.trend.audits == SERIES  # not Oldham's
        rows = lines.query(".trend-row")
        assert len(rows) == 14 and len(lines.query(Sparkline)) == 14
        safety = next(r for r in rows if text_of(r.query_one(".trend-id", Static)) == "2.5.3")
        assert text_of(safety.query_one(".trend-figures", Static)) == "39% → 100% (3 audits)"
        assert list(safety.query_one(Sparkline).data or ()) == pytest.approx(
            [100 * 11 / 28, 50.0, 100.0]
        )
    app = build_app(series_db, open_audit=SERIES[1], poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        lines = app.screen.query_one(TrendLines)
        assert lines.trend is None and not lines.display  # two audits so far: no trend yet
        assert [i.name for i in lines.candidates or ()] == [SERIES[0], "oldham-2024", SERIES[2]]


async def test_an_oversight_audit_is_no_point_in_a_samples_trend(
    series_db: str, rubric_text: str
) -> None:
    repo = open_repository(series_db)
    audits.create_audit(repo, "tameside-reviews", rubric_text, pdu="Tameside", kind="oversight")
    with repo.engine.begin() as conn:  # between the first and second audit of the series
        when = datetime(2023, 9, 1, tzinfo=UTC)
        conn.execute(
            update(AUDIT).where(AUDIT.c.name == "tameside-reviews").values(created_at=when)
        )
    repo.engine.dispose()
    app = build_app(series_db, open_audit=SERIES[2], poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        lines = app.screen.query_one(TrendLines)
        assert lines.trend is not None and lines.trend.audits == SERIES
