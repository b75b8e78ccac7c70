"""Answering in a real terminal, once a second: how soon "saved" and the live rating show, in a
28-case audit and in a large one, and how long the event loop is ever kept from running.

The app runs in a pseudo-terminal read through a terminal emulator (pyte), so a time is taken
when the screen a user sees has changed. Inside the app, a probe coroutine wakes every 10 ms and
records how late it woke: a late wake is the event loop blocked (by database work, or anything).
"""

from __future__ import annotations

import json
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from audit_tui.store import audits, cases
from tests.tui.terminal import Terminal

ANSWERS = 12
PAUSE = 1.0  # a practised auditor reading a prompt, then answering
HEADER = re.compile(r"(\d+)/(\d+) answered")

PROBED_APP = """
import asyncio, json, os, sys, time
from audit_tui.tui.app import AuditApp

lags = []

async def probe():
    while True:
        start = time.monotonic()
        await asyncio.sleep(0.01)
        lags.append((start, time.monotonic() - start - 0.01))

class Probed(AuditApp):
    def on_mount(self):  # Textual runs AuditApp.on_mount as well: handlers follow the MRO
        self._probe = asyncio.get_running_loop().create_task(probe())

db, audit, out = sys.argv[1:4]
Probed(db, open_audit=audit).run()
with open(out + ".part", "w") as f:
    json.dump(lags, f)
os.replace(out + ".part", out)
"""


@dataclass
class Answering:
    saved: list[float]
    """Seconds from each key to the screen showing the answer saved and the rating updated."""
    worst_lag: float
    """The longest the event loop was kept from running while answering, in seconds."""
    late: list[tuple[float, float]]
    """(seconds since the first key, lag) for each wake over 30 ms late while answering."""


def answer_in_terminal(db: str, audit: str, case_ref: str, work: Path) -> Answering:
    """Open `case_ref` (a case with nothing answered yet) and answer it, once a second."""
    lag_file = work / f"lags-{audit}.json"
    term = Terminal(db, audit, str(lag_file), python_args=("-c", PROBED_APP), size=(120, 40))
    try:
        term.wait_for("cases ·", timeout=120)  # the dashboard, counted in full
        term.keys("/" + case_ref)
        term.wait_for("1 shown", timeout=60)
        term.keys("\r")  # from the filter: opens its one match
        term.wait_for(" · score ", timeout=60)  # the case, its answers and the live rating
        _read_for(term, PAUSE)  # the auditor reads the first prompt
        times = []
        begun = time.monotonic()
        for i in range(ANSWERS):
            before = _answered(term)
            pressed = time.monotonic()
            term.keys("yn"[i % 2])
            while _answered(term) <= before:
                if not term.pump(30):
                    raise AssertionError("the answer never showed as saved")
            times.append(time.monotonic() - pressed)
            if i < ANSWERS - 1:
                _read_for(term, pressed + PAUSE - time.monotonic())
        _read_for(term, PAUSE / 2)  # what the last answer set going, before quitting
        ended = time.monotonic()
        term.keys("\x11")  # ctrl+q: the probe's record is written on the way out
        _wait_for_exit(term, lag_file)
    finally:
        term.kill()
    lags = [(start - begun, lag) for start, lag in json.loads(lag_file.read_text())]
    # each wake that both began and ended while answering (not the quit that follows)
    during = [(at, lag) for at, lag in lags if at >= 0 and at + 0.01 + lag <= ended - begun]
    return Answering(
        saved=times,
        worst_lag=max((lag for _, lag in during), default=0.0),
        late=[(round(at, 2), round(lag, 3)) for at, lag in during if lag > 0.03],
    )


def _read_for(term: Terminal, seconds: float) -> None:
    """Keep reading the screen for `seconds` (the app must never block on a full pty)."""
    until = time.monotonic() + seconds
    while (left := until - time.monotonic()) > 0:
        term.pump(left)


def _answered(term: Terminal) -> int:
    match = HEADER.search(term.text())
    return int(match.group(1)) if match else -1


def _wait_for_exit(term: Terminal, lag_file: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not lag_file.exists() and time.monotonic() < deadline:
        term.pump(0.1)


def prepare(db: str, audit: str) -> str:
    """Add a case with nothing answered to the audit (as a new case in a sample would be)."""
    from audit_tui.store.database import open_repository

    repo = open_repository(db)
    opened = audits.open_audit(repo, audit)
    ref = f"BENCH-{len(cases.case_index(repo, opened)):06d}"  # new every run, and found by itself
    attrs = {"sentence_type": "community", "has_psr": "yes", "rosh": "high"}
    cases.add_cases(repo, opened, [(ref, attrs)])
    repo.engine.dispose()
    return ref


def measure(
    small: tuple[str, str], large: tuple[str, str], work: Path
) -> tuple[Answering, Answering]:
    """(28-case, large) answering runs, each in its own terminal: (db, audit) of each."""
    return tuple(  # type: ignore[return-value]
        answer_in_terminal(db, audit, prepare(db, audit), work) for db, audit in (small, large)
    )


def median(values: list[float]) -> float:
    return statistics.median(values)
