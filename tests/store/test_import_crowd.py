"""SQLite: imports in pieces among a crowd, for a few seconds. Four auditors save (each save
carrying the value its writer saw) while a lead imports again and again in pieces into random
cases of the same audit, and another import program is killed (SIGKILL) after its first piece.

Afterwards no import is left part-way, every history chain holds, the kept counts agree with the
answers, every save a writer was told succeeded is in the history as told, and every import the
lead was told succeeded wrote all its answers: each is the last word on its answers, or a later
write in the history follows it."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from audit_tui.store import audits, verify
from audit_tui.store.database import open_repository
from tests.store.test_concurrency import assert_chains_hold, assert_counts_hold
from tests.store.test_import_pieces import ATTRS

pytestmark = pytest.mark.slow  # processes at work for seconds

SECONDS = 6.0
CASES = 40
ITEMS = ("2.2.1", "2.2.2", "2.3.1", "2.4.1", "2.5.1")

PREAMBLE = """
import json, random, sys, time
from audit_tui.domain.answers import Answer
from audit_tui.domain.errors import AuditError
from audit_tui.store import answers, audits, import_runs
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.repository import AnswerConflict

target, user, seconds, seed = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
items = sys.argv[5].split(",")
repo = open_repository(target, user)
audit = audits.open_audit(repo, "crowd")
cases = case_ops.list_cases(repo, audit)
rng = random.Random(seed)
end = time.monotonic() + seconds
"""

SAVER = (
    PREAMBLE
    + """
saved, clashes = [], []
while time.monotonic() < end:
    case, item = rng.choice(cases), rng.choice(items)
    seen = answers.answers_for_case(repo, case.id).get(item)
    seen = seen.value if seen else None
    new = rng.choice([v for v in ("yes", "no", "na", None) if v != seen])
    try:
        answers.save_answer(repo, audit, case, item, Answer(new) if new else None, expected=seen)
    except AnswerConflict:
        clashes.append(1)
        continue
    saved.append([case.id, item, seen, new])
print(json.dumps({"saved": saved, "clashes": len(clashes)}))
"""
)

IMPORTER = (
    PREAMBLE
    + """
import_runs.PIECE_ROWS = 12  # a few cases a piece
import_runs.REST = 0.01
done = []
while time.monotonic() < end:
    chosen = rng.sample(cases, 15)
    given = {c.id: {i: Answer(rng.choice(("yes", "no", "na"))) for i in items} for c in chosen}
    answers.import_answers(repo, audit, given)
    done.append([[cid, i, a.value] for cid, row in given.items() for i, a in row.items()])
print(json.dumps(done))
"""
)


STUCK = IMPORTER.replace(
    "import_runs.REST = 0.01", "import_runs.rest = lambda: time.sleep(3600)  # until killed"
)


def _start(script: str, target: str, seed: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    args = [target, "crowd-lead", str(SECONDS), str(seed), ",".join(ITEMS)]
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_imports_in_pieces_among_savers_and_a_killed_importer(
    sqlite_target: str, rubric_text: str
) -> None:
    from audit_tui.store import cases as case_ops

    lead = open_repository(sqlite_target, "crowd-lead")
    made = audits.create_audit(lead, "crowd", rubric_text)
    case_ops.add_cases(lead, made, [(f"K-{n:02d}", ATTRS) for n in range(CASES)])
    audit = audits.open_audit(lead, "crowd")
    savers = [_start(SAVER, sqlite_target, seed) for seed in range(4)]
    importer = _start(IMPORTER, sqlite_target, 10)
    killed = _start(STUCK, sqlite_target, 11)
    try:
        with sqlite3.connect(sqlite_target, timeout=30) as raw:  # its first piece written
            while not raw.execute(
                "SELECT 1 FROM import_run WHERE pid = ?", (killed.pid,)
            ).fetchone():
                assert killed.poll() is None, killed.communicate()[1][-2000:]
                time.sleep(0.005)
        killed.send_signal(signal.SIGKILL)
        results = [p.communicate(timeout=SECONDS + 120) for p in (*savers, importer)]
    finally:
        for p in (*savers, importer, killed):
            if p.poll() is None:
                p.kill()
    for p, (_out, err) in zip((*savers, importer), results, strict=True):
        assert p.returncode == 0, err[-2000:]
    assert killed.wait() == -signal.SIGKILL
    open_repository(sqlite_target).engine.dispose()  # puts back what the killed one left
    with sqlite3.connect(sqlite_target) as raw:
        assert raw.execute("SELECT COUNT(*) FROM import_run").fetchone() == (0,)
        assert raw.execute("SELECT COUNT(*) FROM import_claim").fetchone() == (0,)
        history = raw.execute(
            "SELECT id, case_id, item_id, old_value, new_value, via, changed_at"
            " FROM answer_history ORDER BY id"
        ).fetchall()
    assert_chains_hold(sqlite_target)
    assert_counts_hold(sqlite_target, "crowd")
    assert verify.verify(lead, audit) == []
    told = Counter(
        (case, item, seen, new)
        for out, _ in results[:-1]
        for case, item, seen, new in json.loads(out)["saved"]
    )
    tui = Counter((h[1], h[2], h[3], h[4]) for h in history if h[5] == "tui")
    assert tui == told  # every save told succeeded, as told; none the history does not hold
    assert sum(told.values()) > 20
    imports = json.loads(results[-1][0])
    assert len(imports) >= 2
    undone = [h for h in history if h[5] == "undo"]
    assert undone, "the killed import had written a piece, and it was put back"
    runs: dict[Any, list[tuple[Any, ...]]] = {}  # each import's rows, by its moment
    for h in history:
        if h[5] == "import":
            runs.setdefault(h[6], []).append(h)
    for given in imports:  # each told succeeded wrote every answer it gave, in one moment
        assert any(_wrote(given, rows, history) for rows in runs.values()), given
    lead.engine.dispose()


def _wrote(
    given: list[list[Any]], rows: list[tuple[Any, ...]], history: list[tuple[Any, ...]]
) -> bool:
    """The import's rows are these: one per answer it changed, to the value it gave, and every
    answer it gave without a row was that value already when the import began."""
    wanted = {(cid, item): value for cid, item, value in given}
    written = {(h[1], h[2]): h[4] for h in rows}
    if not written or any(wanted.get(cell) != value for cell, value in written.items()):
        return False
    began = rows[0][0]
    before: dict[tuple[Any, Any], Any] = {}
    for h in history:
        if h[0] < began:
            before[h[1], h[2]] = h[4]
    return all(before.get(cell) == value for cell, value in wanted.items() if cell not in written)
