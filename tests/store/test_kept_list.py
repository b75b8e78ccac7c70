"""The audit list as last kept, read before SQLAlchemy loads (store/kept_list.py): exactly the full
read's rows while every audit is at its kept revision, else nothing; never a write, never a
wait, never an error of its own."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from audit_tui.demo import DEMO_AUDIT, load_demo
from audit_tui.domain.answers import Answer
from audit_tui.store import answers as answer_ops
from audit_tui.store import audits, team
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.kept_list import KeptAudit, kept_audits
from audit_tui.store.listing import audit_summaries
from audit_tui.store.moderation import start_round
from audit_tui.store.repository import Repository
from audit_tui.store.revisions import HEAD
from tests.support.paths import ROOT

DIPP = ROOT / "rubric" / "hmip-dipp-2025.toml"


@pytest.fixture
def demo(sqlite_target: str) -> Repository:
    """The demo's three audits, a DIPP audit (no score, no ratings) and a locked one, looked at
    once (which keeps their figures)."""
    repo = open_repository(sqlite_target)
    load_demo(repo)
    audits.create_audit(repo, "dipp-north", DIPP.read_text(encoding="utf-8"))
    team.lock_audit(repo, audits.open_audit(repo, "demo-oversight"))
    audit_summaries(repo)
    return repo


def _fields(found: object) -> dict[str, object]:
    """What a row of the list shows, from either read."""
    names = [f.name for f in dataclasses.fields(KeptAudit) if f.name != "scale"]
    return {
        **{name: getattr(found, name) for name in names},
        "ratings": found.scale.ratings,  # type: ignore[attr-defined]
        "hidden": found.hidden,  # type: ignore[attr-defined]
    }


def test_the_kept_rows_are_the_full_reads_rows(demo: Repository, sqlite_target: str) -> None:
    kept = kept_audits(sqlite_target, demo.user)
    full = audit_summaries(demo)
    assert kept is not None and len(kept) == 4
    assert [_fields(k) for k in kept] == [_fields(s) for s in full]
    dipp = next(k for k in kept if k.name == "dipp-north")
    assert (dipp.score_max, dipp.scale.ratings) == (0, ())  # percentages only


def test_an_answer_since_the_last_look_gives_no_kept_list(
    demo: Repository, sqlite_target: str
) -> None:
    audit = audits.open_audit(demo, DEMO_AUDIT)
    case = case_ops.list_cases(demo, audit)[0]
    answer_ops.save_answer(demo, audit, case, "2.2.1", Answer.NO, note="moved")
    assert kept_audits(sqlite_target, demo.user) is None  # its figures moved: not shown as kept
    audit_summaries(demo)  # the next look counts it again and keeps it
    kept = kept_audits(sqlite_target, demo.user)
    assert kept is not None
    assert [_fields(k) for k in kept] == [_fields(s) for s in audit_summaries(demo)]


def test_a_new_audit_never_looked_at_gives_no_kept_list(
    demo: Repository, sqlite_target: str, rubric_text: str
) -> None:
    audits.create_audit(demo, "new-one", rubric_text)
    assert kept_audits(sqlite_target, demo.user) is None


def test_a_blind_second_marker_gets_no_kept_list(demo: Repository, sqlite_target: str) -> None:
    """The full read hides a blind marker's figures: the kept rows would show them."""
    audit = audits.open_audit(demo, DEMO_AUDIT)
    start_round(demo, audit, "kim", cases=[case_ops.list_cases(demo, audit)[0].case_ref])
    audit_summaries(demo)
    assert kept_audits(sqlite_target, "kim") is None
    assert kept_audits(sqlite_target, demo.user) is not None  # the lead is not blind


def test_an_older_schema_gives_no_kept_list(demo: Repository, sqlite_target: str) -> None:
    demo.engine.dispose()
    with sqlite3.connect(sqlite_target) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0015'")
    conn.close()
    assert HEAD != "0015"
    assert kept_audits(sqlite_target, "tester") is None


def test_broken_kept_ratings_give_no_kept_list(demo: Repository, sqlite_target: str) -> None:
    for broken in ("not json", json.dumps({"a": 1}), json.dumps([1, 2])):
        with sqlite3.connect(sqlite_target) as conn:
            conn.execute("UPDATE audit_summary SET ratings = ?", (broken,))
        conn.close()
        assert kept_audits(sqlite_target, demo.user) is None, broken


@pytest.mark.parametrize(
    "target",
    ["sqlite://", "postgresql://someone@localhost/audit", "sqlite:///{tmp}/x.db", "{tmp}",
     "{tmp}/missing.db", "{tmp}/text.db", "{tmp}/other.db", "{tmp}/fifo"],
)  # fmt: skip
def test_anything_but_a_current_database_gives_none_and_is_left_as_it_was(
    tmp_path: Path, target: str
) -> None:
    (tmp_path / "text.db").write_text("audit notes written around the app\n")
    with sqlite3.connect(tmp_path / "other.db") as conn:  # SQLite, not ours
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    os.mkfifo(tmp_path / "fifo")
    before = sorted((p.name, p.stat().st_size) for p in tmp_path.iterdir())
    assert kept_audits(target.format(tmp=tmp_path), "tester") is None
    assert sorted((p.name, p.stat().st_size) for p in tmp_path.iterdir()) == before


def test_the_kept_read_writes_nothing_and_waits_for_no_writer(
    demo: Repository, sqlite_target: str
) -> None:
    demo.engine.dispose()
    path = Path(sqlite_target)
    before = path.read_bytes()
    writer = sqlite3.connect(sqlite_target, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")  # a writer holding the database (WAL: readers go on)
    try:
        kept = kept_audits(sqlite_target, "tester")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert kept is not None and len(kept) == 4
    assert path.read_bytes() == before
    assert {p.stat().st_mode & 0o777 for p in path.parent.glob(path.name + "*")} == {0o600}


def test_the_kept_read_loads_neither_sqlalchemy_nor_pydantic(
    demo: Repository, sqlite_target: str
) -> None:
    code = (
        "import sys\n"
        "from audit_tui.store.kept_list import kept_audits\n"
        f"assert len(kept_audits({sqlite_target!r}, 'tester')) == 4\n"
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'pydantic') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_cells_of_another_type_give_no_kept_list_and_are_counted_again(
    demo: Repository, sqlite_target: str
) -> None:
    """SQLite keeps text in an INTEGER column when another tool writes it: the kept read gives
    up, and the full read counts that audit again (and keeps it anew) rather than failing."""
    expected = [_fields(s) for s in audit_summaries(demo)]
    for column, value in (
        ("answered", "lots"),
        ("score_max", 2.5),
        ("ratings", "not json"),
        ("rubric_title", b"title"),
    ):  # a blob stays one, where a number would read as text
        with sqlite3.connect(sqlite_target) as conn:
            conn.execute(
                f"UPDATE audit_summary SET {column} = ? WHERE audit_id ="
                " (SELECT id FROM audit WHERE name = ?)",
                (value, DEMO_AUDIT),
            )
        conn.close()
        assert kept_audits(sqlite_target, demo.user) is None, column
        fresh = open_repository(sqlite_target)  # the next process: nothing counted in memory
        assert [_fields(s) for s in audit_summaries(fresh)] == expected, column
        fresh.engine.dispose()
        kept = kept_audits(sqlite_target, demo.user)  # kept anew by that read
        assert kept is not None and [_fields(k) for k in kept] == expected, column


def test_paths_no_file_could_be_give_none(tmp_path: Path) -> None:
    """A loop of links, an unknown ~user, a NUL: the store's opening says what is wrong."""
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    for target in (str(tmp_path / "loop1"), "~no-such-user-here/x.db", f"{tmp_path}/a\0b.db"):
        assert kept_audits(target, "tester") is None, target
