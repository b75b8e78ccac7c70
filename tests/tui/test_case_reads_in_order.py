"""A case's answers are read in order with the answers given: keys typed while they are being
read wait for them, and a case opened again while its answers are still being saved starts
after them. The write queue is held shut by a gate (a job that waits) so that the keys surely
arrive while the read is pending; nothing here waits on the clock."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from textual.pilot import Pilot
from textual.widgets import TextArea

from audit_tui.tui.app import AuditApp, build_app
from audit_tui.tui.screens import case_reads
from audit_tui.tui.screens.case_walk import CaseWalkScreen
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.widgets.virtual_table import VirtualTable
from tests.tui.helpers import burst, hold_writes, settle, steps, until
from tests.tui.test_dipp_app import rubric_db
from tests.tui.test_keys_land import _saved_by_ref, notices

SIZE = (120, 40)


def _target(tmp_path: Path) -> str:
    return rubric_db(tmp_path, "all-questions", {"plan_due": "no"})


def _held(app: AuditApp, keys: int = 3) -> bool:
    """The case on top has read the `keys` of the burst and waits for its answers."""
    walk = app.screen
    return isinstance(walk, CaseWalkScreen) and not walk.loaded and len(walk._typed_ahead) == keys


def _cursor(app: AuditApp) -> int:
    board = app.screen
    assert isinstance(board, DashboardScreen)
    return board.query_one("#cases", VirtualTable).cursor


async def _open_first_case_held(pilot: Pilot[Any], app: AuditApp) -> threading.Event:
    """Open K-1 from the dashboard with the write queue held: the case is up, not yet read."""
    await settle(pilot, app)
    gate = hold_writes(app)
    burst(app, "enter")
    await until(pilot, lambda: _walk_up(app))
    return gate


def _walk_up(app: AuditApp) -> bool:
    walk = app.screen
    return isinstance(walk, CaseWalkScreen) and walk.is_mounted


async def test_an_answer_then_esc_typed_while_the_case_is_read_is_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`y` then Esc while the case's answers were still being read left the case at once: the
    answer, kept for when they were, was never given. Now both wait for the read, in order, and
    the Down typed after Esc moves the dashboard's cursor from the case left."""
    target = _target(tmp_path)
    gate = threading.Event()
    read = case_reads.AnswersRead.read

    def slow(*args: Any, **kwargs: Any) -> case_reads.AnswersRead:
        gate.wait(30)  # the read itself held, wherever it runs
        return read(*args, **kwargs)

    monkeypatch.setattr(case_reads.AnswersRead, "read", slow)
    app = build_app(target, open_audit="all-questions", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        burst(app, "enter")
        await until(pilot, lambda: _walk_up(app))
        burst(app, "y", "escape", "down")
        await until(pilot, lambda: _held(app) or not isinstance(app.screen, CaseWalkScreen))
        gate.set()
        await settle(pilot, app)
        assert _cursor(app) == 1
    assert _saved_by_ref(target) == {"K-1": {"O1.1": "yes"}, "K-2": {}}


async def test_keys_waiting_for_answers_that_cannot_be_read_are_said_not_acted_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read fails (the server went away): the answer typed before it is not given blind (it
    could replace one never seen), and says so; Esc still leaves, and the keys after it act on
    the dashboard."""
    target = _target(tmp_path)

    def unreadable(*_args: Any, **_kwargs: Any) -> None:
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    app = build_app(target, open_audit="all-questions", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        gate = await _open_first_case_held(pilot, app)
        monkeypatch.setattr(case_reads.AnswersRead, "read", unreadable)
        burst(app, "y", "escape", "down")
        await until(pilot, lambda: _held(app))
        gate.set()
        await settle(pilot, app)
        assert _cursor(app) == 1
        said = notices(app)
        assert "1 key typed before this case's answers were read not acted on" in said
        assert any("could not" in line.lower() or "connection" in line for line in said), said
        assert app.is_running
    assert _saved_by_ref(target) == {"K-1": {}, "K-2": {}}


async def test_a_case_opened_again_while_its_answers_save_starts_after_them(
    tmp_path: Path,
) -> None:
    """Two answers, Esc, Enter and a third in one burst, while the disk is slow: the case opened
    again read its answers before the two were saved, so it started on the first item, and the
    third key answered that item again (yes over the no just given). It now reads after them."""
    target = _target(tmp_path)
    app = build_app(target, open_audit="all-questions", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        first = app.screen
        gate = hold_writes(app)
        burst(app, "n", "n", "escape", "enter", "y")
        await until(pilot, lambda: app.screen is not first and _walk_up(app))
        gate.set()
        await settle(pilot, app)
        walk = app.screen
        assert isinstance(walk, CaseWalkScreen) and walk.case.case_ref == "K-1"
    assert _saved_by_ref(target) == {
        "K-1": {"O1.1": "no", "O1.2": "no", "O2.1": "yes"},
        "K-2": {},
    }


async def test_a_note_key_typed_while_the_answers_are_read_opens_the_note(tmp_path: Path) -> None:
    """`e` and a note's text while the case's answers are read: `e` (a priority key) ran at
    once, said "still loading" and was gone, and the note's letters were given as answers."""
    from audit_tui.tui.screens.note_dialog import NoteDialog

    target = _target(tmp_path)
    app = build_app(target, open_audit="all-questions", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        gate = await _open_first_case_held(pilot, app)
        burst(app, "e", *"nay")
        await until(pilot, lambda: _held(app, 4))
        gate.set()
        await until(pilot, lambda: isinstance(app.screen, NoteDialog))
        await settle(pilot, app)
        note = app.screen
        assert isinstance(note, NoteDialog)
        assert note.query_one("#note", TextArea).text == "nay"
    assert _saved_by_ref(target) == {"K-1": {}, "K-2": {}}


async def test_the_standards_key_typed_while_the_answers_are_read_moves_the_standards(
    tmp_path: Path,
) -> None:
    """`s`, Down, Enter, `y` while the case's answers are read: the answer goes to the second
    standard's first item (it went to the first item: `s` ran before the answers came, and
    their arrival put the cursor back at the start)."""
    target = _target(tmp_path)
    app = build_app(target, open_audit="all-questions", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        gate = await _open_first_case_held(pilot, app)
        burst(app, "s", "down", "enter", "y")
        await until(pilot, lambda: _held(app, 4))
        gate.set()
        await settle(pilot, app)
    assert _saved_by_ref(target)["K-1"] == {"O2.1": "yes"}


async def test_after_a_read_that_failed_keys_are_refused_and_esc_leaves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answers could not be read: keys typed afterwards no longer wait for them (they did,
    and Esc after them too, so the case could not be left). An answer is refused, said as
    still loading, and Esc leaves."""
    target = _target(tmp_path)

    def unreadable(*_args: Any, **_kwargs: Any) -> None:
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(case_reads.AnswersRead, "read", unreadable)
    app = build_app(target, open_audit="all-questions", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await steps(pilot, app, "enter")
        assert isinstance(app.screen, CaseWalkScreen) and not app.screen.loaded
        burst(app, "y", "escape", "down")
        await settle(pilot, app)
        assert _cursor(app) == 1
        assert "Still loading this case's answers…" in notices(app)
    assert _saved_by_ref(target) == {"K-1": {}, "K-2": {}}
