"""`audit-tui serve`, driven as a person would: headless Chromium (the system's binary, no
download) opens the page, answers an item with the keyboard, and the answer is in the database.
A host other machines can reach is refused without `--public`.

The terminal is drawn on a canvas, so the test cannot read it: it sends a sequence of keys that
reaches an answer from any screen, and repeats it (after a pause) until the answer is stored.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit_tui.store.database import open_repository
from tests.cli import run

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listening on port {port} after {seconds} s")


@pytest.fixture
def served(tmp_path: Path, rubric_text: str) -> Iterator[tuple[str, str]]:
    """A server on a free port over a one-case audit; yields (url, database)."""
    db = str(tmp_path / "served.db")
    repo = open_repository(db, user="browser")  # who the served app will be: its lead
    audit = repo.create_audit("browser-check", rubric_text)
    repo.add_cases(audit, [("B-1", {"sentence_type": "community", "has_psr": "no"})])
    repo.engine.dispose()
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "audit_tui", "--db", db, "serve", "--port", str(port)],
        env={**os.environ, "AUDIT_TUI_USER": "browser"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(port)
        yield f"http://127.0.0.1:{port}/", db
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
        assert db not in out + err  # the database never appears in what the server prints


def _answers(db: str) -> list[tuple[str, str | None, str]]:
    repo = open_repository(db)
    audit = repo.open_audit("browser-check")
    case = repo.list_cases(audit)[0]
    found = [(a.item_id, a.value, a.updated_by) for a in repo.answers_for_case(case.id).values()]
    repo.engine.dispose()
    return found


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium binary on this machine (make test installs one with apt-get when it can)",
)
def test_an_item_answered_in_the_browser_is_in_the_database(served: tuple[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    url, db = served
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(url)
            page.wait_for_selector("canvas", timeout=30_000)
            page.locator("textarea").first.focus()  # the terminal's keyboard input
            for _attempt in range(10):
                # from any screen: back to the audit list, open the audit, its case, answer yes
                for key in ("Escape", "Escape", "Enter", "Enter", "y"):
                    page.keyboard.press(key)
                    time.sleep(1.0)
                if _answers(db):
                    break
            else:
                raise AssertionError("no answer reached the database from the browser")
        finally:
            browser.close()
    [(_item, value, who)] = _answers(db)
    assert (value, who) == ("yes", "browser")


def test_a_host_others_can_reach_needs_public(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "none.db")
    code, out, err = run(capsys, "--db", db, "serve", "--host", "0.0.0.0")
    assert (code, out) == (2, "")
    assert "has no login of its own" in err and "--public" in err and len(err.splitlines()) == 1
    assert not Path(db).exists()
    code, _, err = run(capsys, "--db", db, "serve", "--port", "0")
    assert code == 2 and "is not a port" in err
