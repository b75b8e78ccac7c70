"""A few screens at fixed sizes, compared with stored SVG snapshots (pytest-textual-snapshot).

Update deliberately with `pytest tests/tui/test_snapshots.py --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from audit_tui.tui.app import AuditApp, build_app
from tests.tui.helpers import steps

Before = Callable[[Pilot], Awaitable[None]]


def _app(db: str, open_audit: str | None = None) -> AuditApp:
    app = build_app(db, open_audit=open_audit)
    app.animation_level = "none"
    return app


def _steps(app: AuditApp, *keys: str) -> Before:
    async def run_before(pilot: Pilot) -> None:
        await steps(pilot, app, *keys)

    return run_before


def test_audit_list(snap_compare, demo_db: str) -> None:  # type: ignore[no-untyped-def]
    app = _app(demo_db)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_steps(app))


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
def test_dashboard(snap_compare, demo_db: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    app = _app(demo_db, "demo-tameside")
    assert snap_compare(app, terminal_size=size, run_before=_steps(app))


def test_case_walk(snap_compare, two_case_db: str) -> None:  # type: ignore[no-untyped-def]
    app = _app(two_case_db, "spo-check")
    assert snap_compare(app, terminal_size=(120, 40), run_before=_steps(app, "enter", "y", "n"))


def test_help(snap_compare, two_case_db: str) -> None:  # type: ignore[no-untyped-def]
    app = _app(two_case_db, "spo-check")
    assert snap_compare(
        app, terminal_size=(120, 40), run_before=_steps(app, "enter", "question_mark")
    )


def test_report_key_questions(snap_compare, demo_db: str) -> None:  # type: ignore[no-untyped-def]
    app = _app(demo_db, "demo-tameside")
    assert snap_compare(
        app, terminal_size=(120, 40), run_before=_steps(app, "r", "2", "down", "down", "down")
    )
