"""Every screen and dialog at 80x24 (a laptop terminal) and 120x40, compared with stored SVG
snapshots (pytest-textual-snapshot): nothing essential may be cut off at the small size.

Update deliberately with `pytest tests/tui/test_snapshots.py --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from audit_tui.io.caseload import import_caseload
from audit_tui.store import audits
from audit_tui.store.database import open_repository
from audit_tui.tui.app import AuditApp, build_app
from tests.tui.helpers import Typed, steps
from tests.tui.test_sampling_app import write_caseload

Before = Callable[[Pilot[Any]], Awaitable[None]]
SAMPLED = "q3-sample"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def caseload_db(tmp_path: Path, rubric_text: str) -> str:
    """An audit with no cases yet and a 120-case caseload extract kept for it."""
    target = str(tmp_path / "caseload.db")
    repo = open_repository(target)
    audit = audits.create_audit(repo, SAMPLED, rubric_text, pdu="Tameside")
    import_caseload(repo, audit, write_caseload(tmp_path / "caseload.csv"))
    repo.engine.dispose()
    return target


@pytest.fixture
def region_quarter_db(tmp_path: Path) -> str:
    """Ten synthetic PDUs of one region, one audit each (the region demo's first quarter)."""
    from audit_tui.region_demo import load_region_demo

    target = str(tmp_path / "region.db")
    repo = open_repository(target, create=True)
    load_region_demo(repo, quarters=1)
    repo.engine.dispose()
    return target


def _app(db: str, open_audit: str | None = None) -> AuditApp:
    app = build_app(db, open_audit=open_audit, poll_seconds=0)
    app.animation_level = "none"
    return app


def _steps(app: AuditApp, *keys: str) -> Before:
    async def run_before(pilot: Pilot[Any]) -> None:
        await steps(pilot, app, *keys)
        for field in app.screen.query(Input):  # a blinking cursor is drawn or not by the clock
            field.cursor_blink = False
        await pilot.pause()

    return run_before


# (name, fixture giving the database, audit opened at start or None, keys pressed)
SCREENS = [
    ("audit_list", "demo_db", None, ()),
    ("new_audit", "demo_db", None, ("n",)),
    ("discard_typing", "demo_db", None, ("n", "x", "escape")),
    ("dashboard", "demo_db", "demo-tameside", ()),
    ("oversight_dashboard", "demo_db", "demo-oversight", ()),  # practitioner and team columns
    ("add_case", "demo_db", "demo-tameside", ("c",)),
    ("import_cases", "demo_db", "demo-tameside", ("i",)),
    ("remove_case", "demo_db", "demo-tameside", ("delete",)),
    ("rename_audit", "demo_db", "demo-tameside", ("f2",)),
    ("delete_audit", "demo_db", "demo-tameside", ("ctrl+d",)),
    ("judgements", "demo_db", "demo-tameside", ("j",)),
    ("report_ratings", "demo_db", "demo-tameside", ("r",)),
    ("report_key_questions", "demo_db", "demo-tameside", ("r", "2", "down", "down", "down")),
    ("report_findings", "demo_db", "demo-tameside", ("r", "3")),
    ("report_breakdowns", "demo_db", "demo-tameside", ("r", "4")),
    ("report_moderation", "demo_db", "demo-tameside", ("r", "5")),
    ("report_summary", "demo_db", "demo-tameside", ("r", "s", *"Safe practice first.")),
    ("reconcile", "demo_db", "demo-tameside", ("d", "down")),
    ("settle", "demo_db", "demo-tameside", ("d", "n")),
    ("moderate", "demo_db", "demo-tameside", ("m",)),
    ("case_walk", "two_case_db", "spo-check", ("enter", "y", "n")),
    ("help", "two_case_db", "spo-check", ("enter", "question_mark")),
    ("guidance", "two_case_db", "spo-check", ("enter", "f1")),
    ("note", "two_case_db", "spo-check", ("enter", "e")),
    ("item_history", "two_case_db", "spo-check", ("enter", "h")),
    ("allocate_case", "demo_db", "demo-tameside", ("t",)),
    # the timeline's rows carry the times the demo was loaded: shown filtered to none
    ("timeline", "demo_db", "demo-tameside", ("h", "z", "z", "z")),
    # before drawing: sentence_type ticked, a window, a size and a seed; the allocation below
    # the first audit of the one-quarter region demo, then its region
    ("region", "region_quarter_db", None, ("g",)),
    ("sampling", "caseload_db", SAMPLED, ("S", "tab", "tab", "space", *["tab"] * 6,
     Typed("2024-01-01"), "enter", Typed("31/03/2024"), "enter", Typed("12"), "enter",
     Typed("4242"))),
]  # fmt: skip


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    "name, database, audit, keys", SCREENS, ids=[screen[0] for screen in SCREENS]
)
def test_screen(  # type: ignore[no-untyped-def]
    snap_compare,
    request: pytest.FixtureRequest,
    name: str,
    database: str,
    audit: str | None,
    keys: tuple[str, ...],
    size: tuple[int, int],
) -> None:
    app = _app(request.getfixturevalue(database), audit)
    assert snap_compare(app, terminal_size=size, run_before=_steps(app, *keys)), name


class _FixedDay(datetime.date):
    @classmethod
    def today(cls) -> _FixedDay:
        return cls(2026, 11, 26)


@pytest.mark.parametrize("size", SIZES)
def test_export_dialog(  # type: ignore[no-untyped-def]
    snap_compare, demo_db: str, size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proposed file name holds today's date and the folder a home: both fixed here."""
    home = Path("/tmp/audit-tui-snapshot-home")
    (home / "Documents").mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr("audit_tui.tui.screens.export_dialog.date", _FixedDay)
    app = _app(demo_db, "demo-tameside")
    assert snap_compare(app, terminal_size=size, run_before=_steps(app, "x"))


# Management oversight: the quick review dialog, a case's feedback and the actions list, on the
# demo's oversight audit. Its times and "today" are fixed (overdue is counted from today).
FOLLOW_UP = [
    ("review_case", "demo-oversight", ("plus",)),
    ("feedback", "demo-oversight", ("f",)),
    ("actions", None, ("A",)),
]


@pytest.fixture
def follow_up_db(demo_db: str) -> str:
    from sqlalchemy import text

    repo = open_repository(demo_db)
    with repo.engine.begin() as conn:
        for table, column in (("case_feedback", "updated_at"),
                              ("case_action_history", "changed_at")):  # fmt: skip
            conn.execute(text(f"UPDATE {table} SET {column} = '2026-11-20 10:00:00.000000'"))
    repo.engine.dispose()
    return demo_db


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name, audit, keys", FOLLOW_UP, ids=[s[0] for s in FOLLOW_UP])
def test_follow_up_screen(  # type: ignore[no-untyped-def]
    snap_compare,
    follow_up_db: str,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    audit: str | None,
    keys: tuple[str, ...],
    size: tuple[int, int],
) -> None:
    for module in ("actions", "feedback"):
        monkeypatch.setattr(f"audit_tui.tui.screens.{module}.date", _FixedDay)
    app = _app(follow_up_db, audit)
    assert snap_compare(app, terminal_size=size, run_before=_steps(app, *keys)), name
