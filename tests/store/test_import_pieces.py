"""SQLite: a large import commits a range of cases at a time (`store/import_runs`), and stays one
import: the same rows as one transaction; saves to other cases go on between its pieces while
saves to its cases and audit-wide writes wait; a piece that fails, a program that dies and a run
left silent are undone, answer by answer, with a trail that still chains."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from audit_tui.domain.answers import Answer
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import Judgement, OpenAudit
from audit_tui.store import answers, audits, import_runs, judgements, team, verify
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.repository import Repository
from tests.store.test_counts import assert_counts_hold

ATTRS = {"sentence_type": "community", "has_psr": "no", "rosh": "low"}
ITEMS = ("2.2.1", "2.2.2", "2.3.1", "2.4.1")
CASES = 12
PIECE = 2 * len(ITEMS)  # two cases a piece: six pieces


@pytest.fixture
def pieces(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Imports of more than two cases go in pieces; the rests between them are counted, not
    slept (a test replaces `rest` to act between pieces)."""
    rests: list[int] = []
    monkeypatch.setattr(import_runs, "PIECE_ROWS", PIECE)
    monkeypatch.setattr(import_runs, "rest", lambda: rests.append(1))
    yield rests


def _audit(repo: Repository, rubric_text: str) -> OpenAudit:
    made = audits.create_audit(repo, "pieces", rubric_text)
    case_ops.add_cases(repo, made, [(f"P-{n:02d}", ATTRS) for n in range(CASES)])
    audit = audits.open_audit(repo, "pieces")
    first, second = case_ops.list_cases(repo, audit)[:2]
    answers.save_answer(repo, audit, first, "2.2.1", Answer.NO, note="before")  # to change
    answers.save_answer(repo, audit, second, "2.2.2", Answer.NO)  # the import's already
    return audit


def _given(repo: Repository, audit: OpenAudit) -> dict[int, dict[str, Answer]]:
    """Every case but the last two, every item: YES on even cases, NO on odd ones."""
    listed = case_ops.list_cases(repo, audit)[: CASES - 2]
    return {
        c.id: dict.fromkeys(ITEMS, Answer.YES if n % 2 == 0 else Answer.NO)
        for n, c in enumerate(listed)
    }


def _stored(target: str) -> dict[str, Any]:
    """What the database holds, moments and row ids aside."""
    with sqlite3.connect(target) as raw:
        return {
            "answers": raw.execute(
                "SELECT c.case_ref, a.item_id, a.value, a.note FROM answer a"
                " JOIN audit_case c ON c.id = a.case_id ORDER BY 1, 2"
            ).fetchall(),
            "history": raw.execute(
                "SELECT c.case_ref, h.item_id, h.old_value, h.new_value, h.via"
                " FROM answer_history h JOIN audit_case c ON c.id = h.case_id ORDER BY h.id"
            ).fetchall(),
            "runs": raw.execute("SELECT COUNT(*) FROM import_run").fetchone()[0],
            "claims": raw.execute("SELECT COUNT(*) FROM import_claim").fetchone()[0],
        }


def _values(target: str) -> dict[tuple[str, str], str | None]:
    return {(ref, item): value for ref, item, value, _note in _stored(target)["answers"]}


def _holds(repo: Repository, audit: OpenAudit) -> None:
    """The kept counts match the answers and every history chain is whole."""
    assert_counts_hold(repo, audit)
    assert verify.verify(repo, audit) == []


def test_an_import_in_pieces_writes_what_one_transaction_writes(
    tmp_path: Path, rubric_text: str, pieces: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = []
    for name, rows in (("whole", 10**9), ("pieces", PIECE)):
        monkeypatch.setattr(import_runs, "PIECE_ROWS", rows)
        target = str(tmp_path / f"{name}.db")
        repo = open_repository(target)
        audit = _audit(repo, rubric_text)
        summary = answers.import_answers(repo, audit, _given(repo, audit))
        assert (summary.rows, summary.written, summary.unchanged) == (10, 39, 1)
        _holds(repo, audit)
        stored.append(_stored(target))
        repo.engine.dispose()
    assert len(pieces) == 4  # five pieces of two cases, four rests
    whole, in_pieces = stored
    assert in_pieces == whole
    assert (whole["runs"], whole["claims"]) == (0, 0)


def test_saves_to_other_cases_go_on_between_pieces_and_the_import_s_own_wait(
    sqlite_repo: Repository,
    sqlite_target: str,
    rubric_text: str,
    monkeypatch: pytest.MonkeyPatch,
    pieces: list[int],
) -> None:
    """Another program (wait=0: it gives up at once rather than wait) between the first two
    pieces: its save to a case outside the import goes through, while a save to a case the
    import claims, and an audit-wide write, are told the import is under way."""
    audit = _audit(sqlite_repo, rubric_text)
    given = _given(sqlite_repo, audit)
    listed = case_ops.list_cases(sqlite_repo, audit)
    outside, claimed = listed[-1], listed[3]
    other = open_repository(sqlite_target, sqlite_repo.user, wait=0)
    seen: list[Any] = []

    def meanwhile() -> None:
        if seen:
            return
        seen.append(answers.save_answer(other, audit, outside, "2.2.1", Answer.YES).changed)
        for write in (
            lambda: answers.save_answer(other, audit, claimed, "2.2.1", Answer.YES),
            lambda: team.lock_audit(other, audit),
        ):
            with pytest.raises(AuditError, match="import into this audit by .* under way"):
                write()
        seen.append(_values(sqlite_target))

    monkeypatch.setattr(import_runs, "rest", meanwhile)
    answers.import_answers(sqlite_repo, audit, given)
    other.engine.dispose()
    assert seen[0] is True
    midway = seen[1]  # others see the first piece written, the rest not yet
    assert midway[("P-01", "2.2.1")] == "no"
    assert ("P-03", "2.2.1") not in midway
    after = _values(sqlite_target)
    assert after[("P-11", "2.2.1")] == "yes"  # the colleague's save, kept
    assert after[("P-03", "2.2.1")] == "no"  # the import's, all of it
    assert len([k for k in after if k[0] != "P-11"]) == 10 * len(ITEMS)
    assert audits.open_audit(sqlite_repo, "pieces").info.locked_by is None
    _holds(sqlite_repo, audit)


def _fail_at_piece(repo: Repository, n: int, onwards: bool = False) -> Callable[[], None]:
    """Make the `n`th piece's history statement fail (a full disk, say), and with `onwards`
    every one after it (the undo's too); returns what stops it."""
    count = [0]

    def fail(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT INTO main.answer_history") and "_moves" in statement:
            count[0] += 1  # an import's piece, or an undo
            if count[0] == n or (onwards and count[0] > n):
                raise sqlite3.OperationalError("database or disk is full")

    event.listen(repo.engine, "before_cursor_execute", fail)
    return lambda: event.remove(repo.engine, "before_cursor_execute", fail)


def test_a_piece_that_fails_has_the_pieces_before_it_undone(
    sqlite_repo: Repository, sqlite_target: str, rubric_text: str, pieces: list[int]
) -> None:
    audit = _audit(sqlite_repo, rubric_text)
    before = _stored(sqlite_target)
    stop = _fail_at_piece(sqlite_repo, 3)
    try:
        with pytest.raises(Exception, match="disk is full"):
            answers.import_answers(sqlite_repo, audit, _given(sqlite_repo, audit))
    finally:
        stop()
    after = _stored(sqlite_target)
    assert len(pieces) == 2  # two pieces were written before the third failed
    assert {k: v for k, v in _values(sqlite_target).items() if v is not None} == {
        k: v for k, v in _values_of(before).items() if v is not None
    }
    assert (after["runs"], after["claims"]) == (0, 0)
    undone = [h for h in after["history"] if h[4] == "undo"]
    written = [h for h in after["history"] if h[4] == "import"]
    assert len(written) == 15 and len(undone) == 15  # 4 cases x 4 answers, one already equal
    assert [(ref, item, new, old) for ref, item, old, new, _ in written] == [
        (ref, item, old, new) for ref, item, old, new, _ in undone
    ]
    _holds(sqlite_repo, audit)
    other = open_repository(sqlite_target, sqlite_repo.user, wait=0)  # nothing left in the way
    claimed = case_ops.list_cases(other, audit)[3]
    assert answers.save_answer(other, audit, claimed, "2.2.1", Answer.YES).changed
    other.engine.dispose()


def test_an_import_this_program_could_not_undo_is_undone_by_its_next_write(
    sqlite_repo: Repository, sqlite_target: str, rubric_text: str, pieces: list[int]
) -> None:
    """The disk stays full: the undo fails too, and the run is left, its first pieces seen. The
    program's next write in its way undoes it at once (the program lives, so no other would
    for `STALE`), then writes."""
    audit = _audit(sqlite_repo, rubric_text)
    before = _values(sqlite_target)
    other = open_repository(sqlite_target, sqlite_repo.user, wait=0)  # open already: no waiting
    stop = _fail_at_piece(sqlite_repo, 3, onwards=True)
    told = "stopped part-way .*disk is full.* could not be put back yet: the next program to open"
    try:
        with pytest.raises(AuditError, match=told):  # not "nothing was written"
            answers.import_answers(sqlite_repo, audit, _given(sqlite_repo, audit))
    finally:
        stop()
    assert _stored(sqlite_target)["runs"] == 1
    assert _values(sqlite_target)[("P-03", "2.2.1")] == "no"  # its second piece, left
    claimed = case_ops.list_cases(sqlite_repo, audit)[9]
    try:
        assert answers.save_answer(other, audit, claimed, "2.2.1", Answer.NO).changed
    finally:
        other.engine.dispose()
    after = _values(sqlite_target)
    assert after.pop(("P-09", "2.2.1")) == "no"
    assert {k: v for k, v in after.items() if v is not None} == before
    assert _stored(sqlite_target)["runs"] == 0
    _holds(sqlite_repo, audit)


def _values_of(stored: dict[str, Any]) -> dict[tuple[str, str], str | None]:
    return {(ref, item): value for ref, item, value, _note in stored["answers"]}


DIES = """
import os, sys
from audit_tui.store import answers, audits, import_runs
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.domain.answers import Answer

repo = open_repository(sys.argv[1], sys.argv[2])
audit = audits.open_audit(repo, "pieces")
listed = case_ops.list_cases(repo, audit)[:10]
import_runs.PIECE_ROWS = 8
import_runs.rest = lambda: os._exit(3)  # the program dies after its first piece
answers.import_answers(repo, audit, {c.id: dict.fromkeys(sys.argv[3:], Answer.YES) for c in listed})
"""


def _die_mid_import(target: str, user: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    run = [sys.executable, "-c", DIES, target, user, *ITEMS]
    done = subprocess.run(run, env=env, check=False)
    assert done.returncode == 3


def test_an_import_whose_program_died_is_undone_by_the_next_to_open_or_to_write(
    sqlite_repo: Repository, sqlite_target: str, rubric_text: str
) -> None:
    audit = _audit(sqlite_repo, rubric_text)
    before = _values(sqlite_target)
    second = case_ops.list_cases(sqlite_repo, audit)[1]
    for undoer in ("write", "open"):
        _die_mid_import(sqlite_target, sqlite_repo.user)
        left = _stored(sqlite_target)
        assert (left["runs"], left["claims"]) == (1, 10)
        assert _values(sqlite_target)[("P-00", "2.2.1")] == "yes"  # its first piece, seen
        if undoer == "write":  # an open program saving to a case it claims: undone, then saved
            saved = answers.save_answer(sqlite_repo, audit, second, "2.4.1", Answer.NO)
            assert saved.changed
            assert _values(sqlite_target).pop(("P-01", "2.4.1")) == "no"
            answers.save_answer(sqlite_repo, audit, second, "2.4.1", None)
        else:
            open_repository(sqlite_target).engine.dispose()
        after = _stored(sqlite_target)
        assert (after["runs"], after["claims"]) == (0, 0)
        assert {k: v for k, v in _values(sqlite_target).items() if v is not None} == before
        _holds(sqlite_repo, audit)
    with sqlite3.connect(sqlite_target) as raw:  # each said in the audit's log
        said = raw.execute("SELECT event, detail FROM audit_event WHERE event = 'repair'")
        logged = said.fetchall()
    assert len(logged) == 2
    assert all(re.fullmatch(LOGGED, detail) for _, detail in logged), logged


LOGGED = (
    r"the import by \S+ begun \d{4}-\d\d-\d\d \d\d:\d\d:\d\d stopped part-way:"
    r" the 8 answers it had written were put back"
)


def test_an_import_left_silent_is_undone_by_another_and_cannot_go_on(
    sqlite_repo: Repository,
    sqlite_target: str,
    rubric_text: str,
    monkeypatch: pytest.MonkeyPatch,
    pieces: list[int],
) -> None:
    """A run whose program lives but has written nothing for longer than `STALE` (stopped with
    ctrl+z, say) is undone by a colleague's save in its way; when it wakes, it stops with
    nothing of it kept, and the colleague's save stands."""
    audit = _audit(sqlite_repo, rubric_text)
    claimed = case_ops.list_cases(sqlite_repo, audit)[0]
    other = open_repository(sqlite_target, sqlite_repo.user, wait=0)

    def stalled() -> None:
        with sqlite3.connect(sqlite_target) as raw:
            raw.execute("UPDATE import_run SET beat_at = '2000-01-01 00:00:00.000000'")
        assert answers.save_answer(other, audit, claimed, "2.2.1", Answer.NOT_APPLICABLE).changed

    monkeypatch.setattr(import_runs, "rest", stalled)
    with pytest.raises(AuditError, match="undone by another program; nothing of it is kept"):
        answers.import_answers(sqlite_repo, audit, _given(sqlite_repo, audit))
    other.engine.dispose()
    values = {k: v for k, v in _values(sqlite_target).items() if v is not None}
    assert values == {("P-00", "2.2.1"): "na", ("P-01", "2.2.2"): "no"}  # theirs, and before
    after = _stored(sqlite_target)
    assert (after["runs"], after["claims"]) == (0, 0)
    _holds(sqlite_repo, audit)


HELD = """
import pathlib, sys, time
from audit_tui.store import answers, audits, import_runs
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.domain.answers import Answer

repo = open_repository(sys.argv[1], sys.argv[2])
go = pathlib.Path(sys.argv[3])
audit = audits.open_audit(repo, "pieces")
listed = case_ops.list_cases(repo, audit)[:10]
import_runs.PIECE_ROWS = 8


def rest():  # after its first piece, until the test says go
    while not go.exists():
        time.sleep(0.01)


import_runs.rest = rest
given = {c.id: dict.fromkeys(sys.argv[4:], Answer.YES) for c in listed}
print(answers.import_answers(repo, audit, given).written, flush=True)
"""


def test_a_colleague_s_save_waits_for_an_import_in_another_program_and_lands_after_it(
    sqlite_repo: Repository, sqlite_target: str, rubric_text: str, tmp_path: Path
) -> None:
    """Two programs: an import held after its first piece, and this one saving. A save to a case
    outside the import is written at once; one to a case it claims waits (the lock let go, the
    import goes on) and is written after the import's last piece, so its answer stands."""
    audit = _audit(sqlite_repo, rubric_text)
    listed = case_ops.list_cases(sqlite_repo, audit)
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    importer = subprocess.Popen(
        [sys.executable, "-c", HELD, sqlite_target, sqlite_repo.user, str(go), *ITEMS],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        while _stored(sqlite_target)["runs"] == 0:  # its first piece committed
            assert importer.poll() is None, "the importer stopped"
            time.sleep(0.01)
        assert answers.save_answer(sqlite_repo, audit, listed[-1], "2.2.1", Answer.NO).changed
        saved: list[Any] = []
        waiting = threading.Thread(
            target=lambda: saved.append(
                answers.save_answer(sqlite_repo, audit, listed[5], "2.4.1", Answer.NO)
            )
        )
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive()  # it waits for the import, however long
        go.touch()
        out, _ = importer.communicate(timeout=60)
        waiting.join(60)
    finally:
        go.touch()
        importer.wait(60)
    assert importer.returncode == 0 and out.strip() == "40"
    assert saved and saved[0].old_value == "yes"  # written after the import's value
    values = _values(sqlite_target)
    assert values[("P-11", "2.2.1")] == "no"
    assert values[("P-05", "2.4.1")] == "no"
    trail = [h for h in _stored(sqlite_target)["history"] if h[:2] == ("P-05", "2.4.1")]
    assert [h[2:] for h in trail] == [(None, "yes", "import"), ("yes", "no", "tui")]
    _holds(sqlite_repo, audit)


@pytest.mark.parametrize("size", ["small", "in pieces"])
def test_an_import_that_finds_a_dead_one_in_its_way_undoes_it_then_writes_its_own(
    sqlite_repo: Repository,
    sqlite_target: str,
    rubric_text: str,
    monkeypatch: pytest.MonkeyPatch,
    size: str,
) -> None:
    """The undo is written from a connection of its own: the import that found it has its own
    answers bound in its connection's TEMP tables, and they are what it writes."""
    audit = _audit(sqlite_repo, rubric_text)
    first, second = case_ops.list_cases(sqlite_repo, audit)[:2]
    _die_mid_import(sqlite_target, sqlite_repo.user)  # YES to every item of P-00 to P-09
    if size == "in pieces":
        monkeypatch.setattr(import_runs, "PIECE_ROWS", 1)
        monkeypatch.setattr(import_runs, "rest", lambda: None)
    given = {first.id: {"2.3.1": Answer.NOT_APPLICABLE}, second.id: {"2.4.1": Answer.NO}}
    summary = answers.import_answers(sqlite_repo, audit, given)
    assert summary.written == 2
    values = {k: v for k, v in _values(sqlite_target).items() if v is not None}
    assert values == {
        ("P-00", "2.2.1"): "no",  # as before the dead import
        ("P-01", "2.2.2"): "no",
        ("P-00", "2.3.1"): "na",  # this import's
        ("P-01", "2.4.1"): "no",
    }
    assert _stored(sqlite_target)["runs"] == 0
    _holds(sqlite_repo, audit)


def test_a_run_undone_while_its_program_slept_does_not_take_a_later_run_for_its_own(
    sqlite_repo: Repository,
    sqlite_target: str,
    rubric_text: str,
    monkeypatch: pytest.MonkeyPatch,
    pieces: list[int],
) -> None:
    """While the stalled import sleeps, its run is undone and another import claims cases. A run
    id is never given twice, so the sleeper wakes to find its own run gone (it stops, nothing
    kept) and leaves the other's run and claims alone."""
    audit = _audit(sqlite_repo, rubric_text)
    listed = case_ops.list_cases(sqlite_repo, audit)
    other = open_repository(sqlite_target, sqlite_repo.user, wait=0)
    theirs: list[int] = []

    def stalled_then_another() -> None:
        if theirs:
            return
        with sqlite3.connect(sqlite_target) as raw:
            raw.execute("UPDATE import_run SET beat_at = '2000-01-01 00:00:00.000000'")
        assert import_runs.recover(other) == 1
        with (
            other.staged(None) as conn,
            other.writing(conn, audit.info.id, [listed[-1].id]) as lock,
        ):
            theirs.append(import_runs.claim(conn, audit.info.id, [listed[-1].id], *LATER))
            lock.keep()

    monkeypatch.setattr(import_runs, "rest", stalled_then_another)
    with pytest.raises(AuditError, match="undone by another program; nothing of it is kept"):
        answers.import_answers(sqlite_repo, audit, _given(sqlite_repo, audit))
    other.engine.dispose()
    with sqlite3.connect(sqlite_target) as raw:
        assert raw.execute("SELECT id FROM import_run").fetchall() == [(theirs[0],)]
        assert raw.execute("SELECT case_id FROM import_claim").fetchall() == [(listed[-1].id,)]
    assert theirs[0] > 1
    values = {k: v for k, v in _values(sqlite_target).items() if v is not None}
    assert values == {("P-00", "2.2.1"): "no", ("P-01", "2.2.2"): "no"}  # as before it


LATER = (datetime(2030, 1, 1, tzinfo=UTC), "colleague", "import")


def test_a_database_left_with_an_abandoned_import_still_opens_read_only(
    sqlite_repo: Repository, sqlite_target: str, rubric_text: str
) -> None:
    """Opening puts back an abandoned import where it can write; read only, it opens as ever,
    and the next program that can write puts it back."""
    audit = _audit(sqlite_repo, rubric_text)
    before = _values(sqlite_target)
    _die_mid_import(sqlite_target, sqlite_repo.user)
    read_only = open_repository(f"sqlite:///file:{sqlite_target}?mode=ro&uri=true", create=False)
    assert audits.open_audit(read_only, "pieces").info.name == "pieces"
    read_only.engine.dispose()
    assert _stored(sqlite_target)["runs"] == 1
    open_repository(sqlite_target).engine.dispose()
    assert _stored(sqlite_target)["runs"] == 0
    assert {k: v for k, v in _values(sqlite_target).items() if v is not None} == before
    _holds(sqlite_repo, audit)


def test_ctrl_c_during_the_undo_leaves_the_run_to_this_program_s_next_write(
    sqlite_repo: Repository, sqlite_target: str, rubric_text: str, pieces: list[int]
) -> None:
    """The third piece fails, and ctrl+c stops its undo: the ctrl+c goes up, and the program's
    own next write in the run's way puts the run back rather than wait for itself."""
    audit = _audit(sqlite_repo, rubric_text)
    before = _values(sqlite_target)
    count = [0]

    def fail(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT INTO main.answer_history"):
            count[0] += 1
            if count[0] == 3:
                raise sqlite3.OperationalError("database or disk is full")
            if count[0] == 4:  # the undo's
                raise KeyboardInterrupt

    event.listen(sqlite_repo.engine, "before_cursor_execute", fail)
    try:
        with pytest.raises(KeyboardInterrupt):
            answers.import_answers(sqlite_repo, audit, _given(sqlite_repo, audit))
    finally:
        event.remove(sqlite_repo.engine, "before_cursor_execute", fail)
    assert _stored(sqlite_target)["runs"] == 1
    claimed = case_ops.list_cases(sqlite_repo, audit)[3]
    assert answers.save_answer(sqlite_repo, audit, claimed, "2.2.1", Answer.YES).changed
    assert _stored(sqlite_target)["runs"] == 0
    after = _values(sqlite_target)
    assert after.pop(("P-03", "2.2.1")) == "yes"
    assert {k: v for k, v in after.items() if v is not None} == before


@pytest.mark.parametrize("target", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_an_import_that_undoes_an_abandoned_one_writes_its_own(
    rubric_text: str, pieces: list[int], target: str
) -> None:
    """An in-memory database has one connection: the undo's TEMP tables are not the import's."""
    repo = open_repository(target)
    audit = _audit(repo, rubric_text)
    stop = _fail_at_piece(repo, 3, onwards=True)  # the undo fails too: the run is left
    try:
        with pytest.raises(Exception, match="disk is full"):
            answers.import_answers(repo, audit, _given(repo, audit))
    finally:
        stop()
    first, second = case_ops.list_cases(repo, audit)[:2]
    given = {first.id: {"2.3.1": Answer.NOT_APPLICABLE}, second.id: {"2.4.1": Answer.NO}}
    assert answers.import_answers(repo, audit, given).written == 2
    found = {
        (a.item_id, a.value)
        for case in (first, second)
        for a in answers.answers_for_case(repo, case.id).values()
        if a.value is not None
    }
    assert found == {("2.2.1", "no"), ("2.2.2", "no"), ("2.3.1", "na"), ("2.4.1", "no")}
    _holds(repo, audit)
    repo.engine.dispose()


def test_a_run_found_alive_after_all_moves_no_revision(
    sqlite_repo: Repository, sqlite_target: str, rubric_text: str
) -> None:
    """Two programs may find one run abandoned; the one that finds it alive, or gone, under the
    lock writes nothing: the audit's revision moves only with its data."""
    audit = _audit(sqlite_repo, rubric_text)
    case = case_ops.list_cases(sqlite_repo, audit)[0]
    with sqlite_repo.staged(None) as conn, sqlite_repo.writing(conn, audit.info.id, None) as lock:
        run_id = import_runs.claim(conn, audit.info.id, [case.id], *LATER)
        lock.keep()
    before = audits.open_audit(sqlite_repo, "pieces").info.revision
    with sqlite_repo.reading() as conn:
        live = import_runs.of(conn, run_id)
    assert live is not None
    assert import_runs.undo_if_dead(sqlite_repo, live) is False  # this program, alive
    with sqlite3.connect(sqlite_target) as raw:
        raw.execute("DELETE FROM import_run")
    assert import_runs.undo_if_dead(sqlite_repo, live) is False  # gone
    assert audits.open_audit(sqlite_repo, "pieces").info.revision == before


def test_a_judgement_that_waited_for_an_import_is_dated_after_the_one_that_did_not(
    sqlite_repo: Repository, sqlite_target: str, rubric_text: str
) -> None:
    """A judgement saved while an import holds the audit waits; one saved just after the import
    ends may go first. Each takes its moment under the lock, so the trail is in order."""
    audit = _audit(sqlite_repo, rubric_text)
    case = case_ops.list_cases(sqlite_repo, audit)[0]
    with sqlite_repo.staged(None) as conn, sqlite_repo.writing(conn, audit.info.id, None) as lock:
        import_runs.claim(conn, audit.info.id, [case.id], *LATER)
        lock.keep()
    standard = next(s.id for s in audit.rubric.standards if s.method == "judgement")
    waited: list[BaseException] = []

    def save(rating: str) -> None:
        judgements.save_judgements(sqlite_repo, audit, [Judgement(standard, rating, "why")])

    def waiting() -> None:
        try:
            save("Outstanding")
        except BaseException as exc:
            waited.append(exc)

    first = threading.Thread(target=waiting)
    first.start()
    first.join(0.3)
    assert first.is_alive()  # waiting for the import
    with sqlite3.connect(sqlite_target) as raw:
        raw.execute("DELETE FROM import_run")
    save("Good")  # most often before the waiting one looks again
    first.join(60)
    assert waited == []
    assert verify.verify(sqlite_repo, audit) == []
