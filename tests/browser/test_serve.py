"""`audit-tui serve`, driven as a person would: headless Chromium (the system's binary, no
download) opens the address the server printed (its token included), answers an item with the
keyboard, and the answer is in the database. A host other machines can reach is refused without
`--public`. The token, the Origin check and the team's sign-in: test_serve_auth.py.

The terminal is drawn on a canvas, so the test reads what the app sends the page instead
(tests/support/serving.PageScreen): after each key it waits for the words of the next screen.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit_tui.store import answers, audits, cases
from audit_tui.store.database import open_repository
from tests.support.cli import run
from tests.support.serving import CHROMIUM, PageScreen, serving

pytestmark = pytest.mark.slow  # servers and Chromium


@pytest.fixture
def served(tmp_path: Path, rubric_text: str) -> Iterator[tuple[str, str]]:
    """A server on a free port over a one-case audit; yields (the address it printed, database)."""
    db = str(tmp_path / "served.db")
    repo = open_repository(db, user="browser")  # who the served app will be: its lead
    audit = audits.create_audit(repo, "browser-check", rubric_text)
    cases.add_cases(repo, audit, [("B-1", {"sentence_type": "community", "has_psr": "no"})])
    repo.engine.dispose()
    with serving(db, env={"AUDIT_TUI_USER": "browser"}) as server:
        assert "?token=" in server.printed
        yield server.printed, db
    assert not any(db in text for text in server.output)  # nor in what the server printed


def _answers(db: str) -> list[tuple[str, str | None, str]]:
    repo = open_repository(db)
    audit = audits.open_audit(repo, "browser-check")
    case = cases.list_cases(repo, audit)[0]
    found = [
        (a.item_id, a.value, a.updated_by) for a in answers.answers_for_case(repo, case.id).values()
    ]
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
            screen = PageScreen(page)
            page.goto(url)
            assert "token" not in page.url  # swapped for a cookie, out of the history
            page.wait_for_selector("canvas", timeout=30_000)
            screen.wait_for("browser-check")  # the audit list
            page.locator("textarea").first.focus()  # the terminal's keyboard input
            screen.press("Enter", then="B-1")  # the audit's cases
            screen.press("Enter", then="Next blank")  # the case's items
            page.keyboard.press("y")
            deadline = time.monotonic() + 60
            while not _answers(db):
                assert time.monotonic() < deadline, "no answer reached the database"
                page.wait_for_timeout(50)
            page.reload()  # the cookie opens the page again
            page.wait_for_selector("canvas", timeout=30_000)
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
    assert "--public" in err and len(err.splitlines()) == 1
    assert "only the token in the printed address protects the page" in err and "TLS" in err
    assert not Path(db).exists()
    code, _, err = run(capsys, "--db", db, "serve", "--port", "0")
    assert code == 2 and "is not a port" in err
