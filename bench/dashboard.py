"""Opening an audit's dashboard and filtering its cases, in a real terminal, at 28 cases and at
a regional audit's size: the time from the key to the screen showing the result.

Read through a terminal emulator (pyte), so a time is taken when the screen has changed, not when
the app thinks it has drawn.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from audit_tui.store import audits
from bench.responsiveness import _read_for
from tests.tui.terminal import Terminal

OPENS = 7
BACKSPACE = "\x7f"
STATUS = re.compile(r"([\d,]+) cases? · ([\d,]+) complete(?: · ([\d,]+) shown)?")


@dataclass
class Dashboard:
    opened: list[float]
    """Seconds from Enter on the audit list to the cases and the ratings on screen."""
    filtered: list[float]
    """Seconds from each filter keystroke to the new count of cases shown."""


def _status(term: Terminal) -> tuple[int, int | None] | None:
    match = STATUS.search(term.text())
    if not match:
        return None
    shown = match.group(3)
    return int(match.group(1).replace(",", "")), int(shown.replace(",", "")) if shown else None


def _changed_from(before: tuple[int, int | None] | None, term: Terminal) -> bool:
    return _status(term) not in (None, before)


def _opened(term: Terminal) -> bool:
    return _status(term) is not None and "Score " in term.text()


def _wait(term: Terminal, ready: Callable[[Terminal], bool], timeout: float = 120) -> float:
    deadline = time.monotonic() + timeout
    while not ready(term):
        if not term.pump(max(0.0, deadline - time.monotonic())) and time.monotonic() > deadline:
            raise AssertionError(f"the dashboard never showed:\n{term.text()}")
    return time.monotonic()


def measure(*audits: tuple[str, str, str]) -> list[Dashboard]:
    """For each (database, audit, keys): open the audit from the audit list OPENS times, each
    in a freshly started app (an audit is counted in full when it is opened: nothing may be
    left warm from before), then type `keys` into the filter one at a time, each changing how
    many cases are shown (so the screen shows when the filter has run). The audits take turns,
    one open each, so a spell of a busy machine falls on them alike, not on one side's five."""
    found = [Dashboard(opened=[], filtered=[]) for _ in audits]
    rows = [_row_of(db, audit) for db, audit, _ in audits]
    for run in range(OPENS):
        for (db, audit, keys), row, into in zip(audits, rows, found, strict=True):
            _open_once(db, audit, row, keys if run == OPENS - 1 else "", into)
    return found


def _open_once(db: str, audit: str, row: int, keys: str, into: Dashboard) -> None:
    term = Terminal("--db", db, size=(120, 40))
    try:
        term.wait_for(audit, timeout=60)
        term.keys(DOWN * row)  # to the audit's row (the list is in name order)
        _read_for(term, 1.0)  # the list is read before a choice is made
        pressed = time.monotonic()
        term.keys("\r")
        shown = _wait(term, _opened)
        into.opened.append(shown - pressed)
        if keys:
            _read_for(term, 1.0)
            term.keys("/")
            _read_for(term, 0.5)
        for key in keys:
            before = _status(term)
            pressed = time.monotonic()
            term.keys(key)
            shown = _wait(term, partial(_changed_from, before))
            into.filtered.append(shown - pressed)
            _read_for(term, 0.6)
    finally:
        term.kill()


DOWN = "\x1b[B"


def _row_of(db: str, audit: str) -> int:
    """Where the audit stands in the audit list: the demo holds three audits, the one measured
    second among them."""
    from audit_tui.store.database import open_repository

    repo = open_repository(db)
    names = [info.name for info in audits.list_audits(repo)]
    repo.engine.dispose()
    return names.index(audit)


def median(values: list[float]) -> float:
    return statistics.median(values)
