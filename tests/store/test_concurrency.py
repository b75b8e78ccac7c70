"""Several writers on one database at once, as a team works: real processes, released together.

Every history chain must hold (each change's old value is the previous change's new value, and
the last new value is what is stored), every command ends in exit 0 or one clear line, and what a
save reports is what the history recorded.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import select

from audit_tui.store import audits, cases, team
from audit_tui.store.database import open_repository
from audit_tui.store.models import AnswerHistoryRow, AnswerRow, CaseRow, table_of

WRITERS = 8
CASES = 200
KEY_QUESTIONS = ("2.1.1", "2.2.1", "2.2.2", "2.3.1", "2.4.1", "2.5.1", "2.6.1")
VALUES = ("yes", "no", "n/a")

# Each writer loads its code, says it is ready, then waits for the word: all start together.
RELEASED_TOGETHER = """
import sys
import audit_tui.io.imports, audit_tui.store.database  # the slow part of starting, done first
print("ready", flush=True)
sys.stdin.readline()
"""

CLI_WRITER = (
    RELEASED_TOGETHER
    + """
from audit_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""
)

SAVE_WRITER = (
    RELEASED_TOGETHER
    + """
import json, random
from audit_tui.domain.answers import Answer
from audit_tui.store import answers, audits
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository

target, seed, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
repo = open_repository(target, user=f"writer-{seed}")
audit = audits.open_audit(repo, "team")
cases = case_ops.list_cases(repo, audit)[:3]
rng = random.Random(seed)
saves = []
for _ in range(rounds):
    case = rng.choice(cases)
    value = rng.choice([Answer.YES, Answer.NO, Answer.NOT_APPLICABLE, None])
    saved = answers.save_answer(repo, audit, case, "2.2.1", value)
    if saved.changed:
        saves.append([case.id, saved.old_value, saved.answer.value, saved.revision])
print(json.dumps(saves))
"""
)


def release(
    scripts: list[list[str]], timeout: float = 300
) -> list[subprocess.CompletedProcess[str]]:
    """Start every writer (`python -c SCRIPT ARGS…`), wait until each is ready, then release them
    at once; wait for all. Other test modules use it too."""
    env = {**os.environ, "AUDIT_TUI_USER": "tester"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", *args],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in scripts
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=timeout)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


@pytest.fixture
def team_db(db_target: str, rubric_text: str) -> str:
    repo = open_repository(db_target)
    audit = audits.create_audit(repo, "team", rubric_text)
    # each writer may change every case: on SQLite each is a name of its own; on PostgreSQL all
    # are this login (a member must be a login there), the audit's lead already
    names = (
        ()
        if db_target.startswith("postgresql")
        else ("tester", *(f"writer-{seed}" for seed in range(WRITERS)))
    )
    for name in names:
        team.set_member(repo, audit, name, "lead")
    cases.add_cases(
        repo,
        audit,
        [
            (f"T-{i:03d}", {"sentence_type": "community", "has_psr": "yes", "rosh": "low"})
            for i in range(CASES)
        ],
    )
    repo.engine.dispose()
    return db_target


def _chains(
    target: str,
) -> tuple[
    dict[tuple[int, str], list[tuple[str | None, str | None]]], dict[tuple[int, str], str | None]
]:
    repo = open_repository(target)
    history, answer = table_of(AnswerHistoryRow), table_of(AnswerRow)
    with repo.engine.connect() as conn:
        chains: dict[tuple[int, str], list[tuple[str | None, str | None]]] = defaultdict(list)
        for case_id, item_id, old, new in conn.execute(
            select(
                history.c.case_id, history.c.item_id, history.c.old_value, history.c.new_value
            ).order_by(history.c.id)
        ):
            chains[case_id, item_id].append((old, new))
        stored = {
            (case_id, item_id): value
            for case_id, item_id, value in conn.execute(
                select(answer.c.case_id, answer.c.item_id, answer.c.value)
            )
        }
    repo.engine.dispose()
    return chains, stored


def assert_counts_hold(target: str, name: str = "team") -> None:
    """The counts each write keeps agree with the answers, after every writer has written."""
    from audit_tui.store import aggregates, counts

    repo = open_repository(target)
    audit = audits.open_audit(repo, name)
    with repo.engine.connect() as conn:
        assert counts.answered_by_value(conn, audit.info.id) == aggregates.counted_answers(
            conn, audit.info.id
        )
    _, stored = _chains(target)
    per_case: dict[int, int] = {}
    for (case_id, _item), value in stored.items():
        per_case[case_id] = per_case.get(case_id, 0) + (value is not None)
    assert {c.id: c.answered for c in cases.list_cases(repo, audit)} == {
        c.id: per_case.get(c.id, 0) for c in cases.list_cases(repo, audit)
    }
    repo.engine.dispose()


def assert_chains_hold(target: str) -> int:
    chains, stored = _chains(target)
    broken: list[object] = []
    for cell, chain in chains.items():
        expected_old = None
        for old, new in chain:
            if old != expected_old:
                broken.append((cell, chain))
                break
            expected_old = new
        if stored.get(cell) != expected_old:
            broken.append((cell, "stored", stored.get(cell), expected_old))
    assert broken == [], f"{len(broken)} of {len(chains)} history chains are broken: {broken[:3]}"
    return sum(len(c) for c in chains.values())


@pytest.mark.slow
def test_eight_concurrent_imports_of_the_same_cells_keep_every_chain(
    team_db: str, tmp_path: Path
) -> None:
    scripts = []
    for writer in range(WRITERS):
        rng = random.Random(writer)
        path = tmp_path / f"answers-{writer}.csv"
        lines = ["case_ref," + ",".join(KEY_QUESTIONS)]
        lines += [
            f"T-{i:03d}," + ",".join(rng.choice(VALUES) for _ in KEY_QUESTIONS)
            for i in range(CASES)
        ]
        path.write_text("\n".join(lines) + "\n")
        scripts.append([CLI_WRITER, "--db", team_db, "import-answers", "team", str(path)])
    results = release(scripts)
    assert [r.returncode for r in results] == [0] * WRITERS, [r.stderr for r in results]
    changes = assert_chains_hold(team_db)
    assert_counts_hold(team_db)
    assert changes >= CASES * len(KEY_QUESTIONS)  # the first import wrote every cell
    written = sum(
        int(r.stdout.split(": ")[1].split(" written")[0].replace(",", "")) for r in results
    )
    assert written == changes  # every change reported is in the history, and nothing else


@pytest.mark.slow
def test_eight_concurrent_savers_report_what_the_history_holds(
    team_db: str, tmp_path: Path
) -> None:
    rounds = 40
    results = release([[SAVE_WRITER, team_db, str(seed), str(rounds)] for seed in range(WRITERS)])
    assert [r.returncode for r in results] == [0] * WRITERS, [r.stderr for r in results]
    assert_chains_hold(team_db)
    assert_counts_hold(team_db)
    reported = [tuple(save) for r in results for save in json.loads(r.stdout)]
    revisions = [save[3] for save in reported]
    # one change, one revision: the lock serialised them
    assert len(set(revisions)) == len(revisions)
    chains, _ = _chains(team_db)
    by_revision = sorted(reported, key=lambda save: save[3])
    # every change a writer was told about is the history, in the same order, cell by cell
    for case_id in {save[0] for save in reported} | {cell[0] for cell in chains}:
        told = [(save[1], save[2]) for save in by_revision if save[0] == case_id]
        assert told == chains[case_id, "2.2.1"]


def test_concurrent_case_imports_of_the_same_refs_end_in_one_clear_line(
    team_db: str, tmp_path: Path
) -> None:
    path = tmp_path / "more.csv"
    path.write_text(
        "case_ref,sentence_type,has_psr,rosh\n"
        + "".join(f"N-{i},licence,no,high\n" for i in range(50))
    )
    results = release(
        [[CLI_WRITER, "--db", team_db, "import-cases", "team", str(path)] for _ in range(4)]
    )
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 1, 1, 1], [r.stderr for r in results]
    for r in results:
        assert "Traceback" not in r.stderr
        if r.returncode:
            lines = r.stderr.strip().splitlines()
            assert all(line.startswith("audit-tui: error: ") for line in lines)
            assert "already in" in r.stderr and len(lines) <= 21
    repo = open_repository(team_db)
    with repo.engine.connect() as conn:
        refs = conn.scalars(select(table_of(CaseRow).c.case_ref)).all()
    repo.engine.dispose()
    assert len(refs) == CASES + 50 == len(set(refs))
