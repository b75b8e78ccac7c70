"""The audit list as last kept, shown while the store opens (store/kept_list.py): populated in the
first paint, replaced by the full read once the store is open, and an Enter typed meanwhile opens
its audit then, with every key typed after it acted on there, as a practised user types them."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from textual.widgets import Static

from audit_tui.domain.errors import AuditError
from audit_tui.store import answers as answer_ops
from audit_tui.store import audits
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.listing import audit_summaries
from audit_tui.tui.app import AuditApp, _open_link
from audit_tui.tui.screens.audit_list import AuditListScreen, _row
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.store_link import StoreLink
from audit_tui.tui.widgets.virtual_table import VirtualTable
from tests.tui.helpers import burst, settle, until
from tests.tui.test_keys_land import opened

SIZE = (120, 40)


class HeldStore:
    """A store that opens only when the test lets it (as a slow disk or a cold start would)."""

    def __init__(self, fail: bool = False) -> None:
        self.go = threading.Event()
        self.fail = fail

    def __call__(self, target: str, user: str | None) -> StoreLink:
        if not self.go.wait(30):
            raise AssertionError("the test never let the store open")
        if self.fail:
            raise AuditError.at(target, "cannot open (the test says so)")
        return _open_link(target, user)


@pytest.fixture
def looked_at(demo_db: str) -> str:
    """The demo, its list looked at once (which keeps every audit's figures)."""
    repo = open_repository(demo_db)
    audit_summaries(repo)
    repo.engine.dispose()
    return demo_db


def _shown(app: AuditApp) -> list[tuple[str, ...]]:
    screen = app.screen
    assert isinstance(screen, AuditListScreen)
    return list(screen._rows)


def _full(db: str) -> list[tuple[str, ...]]:
    repo = open_repository(db)
    try:
        return [_row(s) for s in audit_summaries(repo)]
    finally:
        repo.engine.dispose()


async def test_the_list_shows_before_the_store_opens_then_the_full_read(looked_at: str) -> None:
    store = HeldStore()
    app = AuditApp(looked_at, link_factory=store, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.link is None
        kept = _shown(app)
        assert kept == _full(looked_at) and len(kept) == 3
        assert app.screen.query_one("#audits", VirtualTable).row_count == 3
        # meanwhile another auditor clears an answer: the full read shows it
        repo = open_repository(looked_at)
        audit = audits.open_audit(repo, "demo-oversight")
        case = case_ops.list_cases(repo, audit)[0]
        item = next(iter(answer_ops.answers_for_case(repo, case.id)))
        answer_ops.save_answer(repo, audit, case, item, None)
        repo.engine.dispose()
        store.go.set()
        await until(pilot, lambda: app.link is not None)
        await settle(pilot, app)
        now = _shown(app)
        assert now == _full(looked_at) and now != kept
        moved = {row[0]: row for row in now}["demo-oversight"]
        assert "99%" in moved[4]


async def test_enter_before_the_store_opens_opens_the_audit_with_the_keys_after_it(
    looked_at: str,
) -> None:
    """Down, Enter, then Down, Down, Enter for the dashboard's cases, in one burst while the
    store is still opening: the audit opens once it is, and the keys after Enter act there, in
    order, once its cases are in (the dashboard's table holds them till then)."""
    store = HeldStore()
    app = AuditApp(looked_at, link_factory=store, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        list_screen = app.screen
        assert isinstance(list_screen, AuditListScreen) and list_screen._rows
        burst(app, "down", "enter", "down", "down", "enter")
        await until(pilot, lambda: "Opening demo-tameside" in str(_status(list_screen)))
        for _ in range(20):
            await pilot.pause()
        assert app.screen is list_screen and app.link is None
        assert list_screen.query_one("#audits", VirtualTable).cursor_key == "demo-tameside"
        store.go.set()
        await until(pilot, lambda: opened(app) is not None)
        assert opened(app) == "TS23-003"
        assert app.screen_stack[-2].audit_name == "demo-tameside"  # type: ignore[attr-defined]


async def test_a_store_that_cannot_open_gives_the_list_its_keys_back(looked_at: str) -> None:
    store = HeldStore(fail=True)
    app = AuditApp(looked_at, link_factory=store, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        list_screen = app.screen
        assert isinstance(list_screen, AuditListScreen)
        burst(app, "enter", "down")
        await until(pilot, lambda: "Opening" in str(_status(list_screen)))
        store.go.set()
        await until(pilot, lambda: "Cannot open the database" in str(_status(list_screen)))
        table = list_screen.query_one("#audits", VirtualTable)
        assert table.typed_ahead is None
        first = table.cursor_key
        await pilot.press("down")
        await until(pilot, lambda: table.cursor_key != first)
        assert app.screen is list_screen


def _status(screen: AuditListScreen) -> Any:
    return screen.query_one("#status", Static).render()


async def test_keys_handed_to_the_dashboard_reach_its_priority_bindings(looked_at: str) -> None:
    """Typed after Enter while the store opens, `/` and a case's number are the dashboard's:
    its filter (a priority binding, which the app never tried there), then the case."""
    store = HeldStore()
    app = AuditApp(looked_at, link_factory=store, poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        list_screen = app.screen
        assert isinstance(list_screen, AuditListScreen)
        burst(app, "down", "enter")
        await until(pilot, lambda: "Opening demo-tameside" in str(_status(list_screen)))
        burst(app, "/", *"TS23-009", "enter")
        store.go.set()
        await until(pilot, lambda: opened(app) is not None)
        assert opened(app) == "TS23-009"


async def test_a_list_read_that_fails_lets_the_keys_go(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first read fails (no kept list, so the list holds the keys typed meanwhile): the
    failure is said, and F5 reads the list again."""
    from audit_tui.store import listing

    real, calls = listing.audit_summaries, []

    def failing_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the disk went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(listing, "audit_summaries", failing_once)
    notes: list[str] = []
    app = AuditApp(demo_db, poll_seconds=0)
    monkeypatch.setattr(app, "notify", lambda message, **_: notes.append(str(message)))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: len(calls) == 1 and bool(notes))
        burst(app, "down", "f5")
        await until(pilot, lambda: len(calls) == 2)
        screen = app.screen
        assert isinstance(screen, AuditListScreen)
        await until(pilot, lambda: len(screen._rows) == 3)
    assert sum("the disk went away" in note for note in notes) == 1


async def test_a_dashboard_that_cannot_read_its_audit_says_so_once(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes: list[str] = []
    app = AuditApp(demo_db, open_audit="no-such-audit", poll_seconds=0)
    monkeypatch.setattr(app, "notify", lambda message, **_: notes.append(str(message)))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: any("no-such-audit" in note for note in notes))
        await settle(pilot, app)
    assert sum("no-such-audit" in note for note in notes) == 1


async def test_a_path_that_loops_is_said_in_one_line_not_a_crash(tmp_path: Any) -> None:
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    app = AuditApp(str(tmp_path / "loop1"), poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, AuditListScreen)
        await until(pilot, lambda: "Cannot open the database" in str(_status(screen)))
    assert app.return_code in (None, 0)


@pytest.mark.parametrize("typed", ["before the read fails", "after it failed"])
async def test_after_a_failed_read_enter_on_the_empty_table_keeps_no_keys(
    demo_db: str, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    """The dashboard could not read its audit, so its table has no row: Enter there, typed
    while it read or after, chooses nothing, and the keys typed after it act here (Escape goes
    back to the list), not kept for a case that never comes."""
    from audit_tui.tui.live import LiveAudit

    go = threading.Event()

    def failing(*_: Any, **__: Any) -> LiveAudit:
        go.wait(30)
        raise AuditError.at("audit", "the disk went away")

    monkeypatch.setattr(LiveAudit, "read", failing)
    notes: list[str] = []
    app = AuditApp(demo_db, open_audit="demo-tameside", poll_seconds=0)
    monkeypatch.setattr(app, "notify", lambda message, **_: notes.append(str(message)))
    async with app.run_test(size=SIZE) as pilot:
        if typed == "before the read fails":
            await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
            burst(app, "enter", "escape")
        go.set()
        await until(pilot, lambda: any("the disk went away" in note for note in notes))
        if typed == "after it failed":
            burst(app, "enter", "escape")
        await until(pilot, lambda: isinstance(app.screen, AuditListScreen))


async def test_escape_leaves_a_dashboard_whose_read_has_not_come(
    demo_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Escape, typed first while the audit is read, goes back to the list at once: a read
    that is slow to come (a far server, a locked file) never keeps the user on the screen. The
    keys typed after it act on the list, in order. Typed after another key, Escape waits for
    the rows in its turn (test_keys_land)."""
    from audit_tui.tui.live import LiveAudit

    go, read, real = threading.Event(), threading.Event(), LiveAudit.read

    def slow(*args: Any, **kwargs: Any) -> LiveAudit:
        go.wait(30)
        try:
            return real(*args, **kwargs)
        finally:
            read.set()

    monkeypatch.setattr(LiveAudit, "read", slow)
    app = AuditApp(demo_db, open_audit="demo-oversight", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        first = app.screen
        burst(app, "escape", "down", "enter")  # then, on the list: the second audit
        try:
            await until(
                pilot, lambda: isinstance(app.screen, DashboardScreen) and app.screen is not first
            )
            assert not read.is_set()  # left, and the next opened, before the first read came
        finally:
            go.set()
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, DashboardScreen) and screen.audit_name == "demo-tameside"
        assert screen.audit is not None  # its own read came
