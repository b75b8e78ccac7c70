"""Start-up: the audit list's first paint against a bare Textual app painting one word.

Both run headless in a fresh interpreter, started the same way, and exit right after their first
refresh; the database is only opened after that paint, so it is not part of either.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

BARE = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("ready")

    def on_mount(self):
        self.call_after_refresh(self.exit)

Bare().run(headless=True, size=(120, 40))
"""

OURS = """
import sys
from audit_tui.tui.app import build_app

build_app(sys.argv[1], exit_after_first_paint=True).run(headless=True, size=(120, 40))
assert "sqlalchemy" not in sys.modules, "the database layer was imported before the first paint"
"""


def _once(code: str, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, timeout=60)
    return time.perf_counter() - start


def measure(db: str, runs: int = 9) -> tuple[float, float]:
    """(ours, bare): medians of interleaved runs, after one warm-up each."""
    _once(BARE)
    _once(OURS, db)
    ours, bare = [], []
    for _ in range(runs):
        bare.append(_once(BARE))
        ours.append(_once(OURS, db))
    return statistics.median(ours), statistics.median(bare)
