"""The audit list at scale (issue 22): start to a populated list at 1,000 audits against 2 and
against a bare Textual app, and back to the list from a dashboard (where an answer was given)
at 1,000 audits against 2.

Start-up runs headless in a fresh interpreter, as `startup.py` does, and ends when the list has
shown its rows; the figures are the kept ones a previous run left (as on any working day). The
return is timed in one app under Pilot, from the key to the list showing the answer's audit
moved."""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path
from typing import Any

from bench.startup import BARE, _once

POPULATED = """
import sys
from audit_tui.tui.app import build_app
from audit_tui.tui.screens.audit_list import AuditListScreen

shown = AuditListScreen._show

def _show(self, rows):
    shown(self, rows)
    if rows:
        self.app.call_after_refresh(self.app.exit)

AuditListScreen._show = _show
build_app(sys.argv[1]).run(headless=True, size=(120, 40))
"""


def populated(small: str, big: str, runs: int = 7) -> tuple[float, float, float]:
    """(2 audits, 1,000 audits, bare Textual): medians of interleaved runs after a warm-up."""
    for db in (small, big):
        _once(POPULATED, db)  # warm-up; keeps each audit's figures, as a day's first look would
    _once(BARE)
    times: dict[str, list[float]] = {"small": [], "big": [], "bare": []}
    for _ in range(runs):
        times["bare"].append(_once(BARE))
        times["small"].append(_once(POPULATED, small))
        times["big"].append(_once(POPULATED, big))
    return tuple(statistics.median(times[k]) for k in ("small", "big", "bare"))  # type: ignore[return-value]


async def _returns(db: str, rounds: int) -> list[float]:
    from audit_tui.demo import DEMO_AUDIT
    from audit_tui.domain.answers import Answer
    from audit_tui.tui.app import build_app
    from audit_tui.tui.screens.dashboard import DashboardScreen
    from audit_tui.tui.widgets.virtual_table import VirtualTable

    seen: list[float] = []  # when the list last drew rows: all of them, or those that moved
    set_rows, update_row = VirtualTable.set_rows, VirtualTable.update_row

    def drew_all(self: VirtualTable, *args: Any) -> None:
        set_rows(self, *args)
        if self.id == "audits":
            seen.append(time.perf_counter())

    def drew_one(self: VirtualTable, *args: Any) -> None:
        update_row(self, *args)
        if self.id == "audits":
            seen.append(time.perf_counter())

    VirtualTable.set_rows, VirtualTable.update_row = drew_all, drew_one  # type: ignore[method-assign, assignment]
    app = build_app(db, poll_seconds=0)  # the return alone reads the list again, no watch
    times = []
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            while len(seen) < 2:  # the empty table, then the audits
                await pilot.pause(0.01)
            target = app.audit_names.index(DEMO_AUDIT)
            await pilot.press(*["down"] * target)
            for i in range(rounds):
                await pilot.press("enter")
                while not isinstance(app.screen, DashboardScreen):
                    await pilot.pause(0.01)
                from audit_tui.store import answers, audits, cases

                repo = app.store.repo
                audit = audits.open_audit(repo, DEMO_AUDIT)
                case = cases.list_cases(repo, audit)[0]
                answers.save_answer(  # a new note each time: the audit always moves
                    repo,
                    audit,
                    case,
                    "2.2.1",
                    (Answer.NO, Answer.YES)[i % 2],
                    note=f"bench {i} {time.time()}",
                )
                await pilot.pause(0.2)
                before = len(seen)
                start = time.perf_counter()
                await pilot.press("escape")
                deadline = time.perf_counter() + 60
                while len(seen) == before and time.perf_counter() < deadline:
                    await pilot.pause(0.001)
                if len(seen) == before:
                    raise AssertionError("the list never showed the audit that moved")
                times.append(seen[-1] - start)
    finally:
        VirtualTable.set_rows, VirtualTable.update_row = set_rows, update_row  # type: ignore[method-assign]
    return times


def back_to_list(small: str, big: str, rounds: int = 7) -> tuple[float, float]:
    """(2 audits, 1,000 audits): median seconds from Escape on a dashboard where an answer was
    just given to the list read again and shown."""
    small_t = asyncio.run(_returns(small, rounds))
    big_t = asyncio.run(_returns(big, rounds))
    return statistics.median(small_t), statistics.median(big_t)


def many(work: Path, source: Path, copies: int = 998) -> Path:
    """A copy of `source` (the demo's audits) with `copies` more audits."""
    import shutil

    from audit_tui.demo import DEMO_AUDIT
    from bench.many_audits import clone_audits

    big = work / "thousand.db"
    shutil.copy(source, big)
    clone_audits(big, DEMO_AUDIT, copies)
    return big
