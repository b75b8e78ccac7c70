"""Faults after the database opened end in one line and exit 1, and cost nothing already stored.

Each fault is made for real where the machine allows: a writer holding the lock, a file size
limit that fills the "disk", a damaged page, a server connection killed mid-command, a database
from a newer release, secrets in URLs. The database is dumped before and after to prove nothing
was lost or half-written.
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from audit_tui.store import audits, migrate
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from tests.support.cli import run

CASES = 300
ANSWERS_HEADER = "case_ref,2.1.1,2.2.1,2.2.2,2.3.1"


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("audit-tui: error: "), err
    assert "Traceback" not in err and "[SQL:" not in err
    return lines[0]


def dump(target: str) -> list[tuple[object, ...]]:
    """Every row of every audit-tui table, in a stable order: what 'nothing lost' compares."""
    repo = open_repository(target, create=False)
    rows: list[tuple[object, ...]] = []
    with repo.engine.connect() as conn:
        for table in ("audit", "audit_case", "answer", "answer_history", "judgement"):
            for row in conn.execute(text(f"SELECT * FROM {table} ORDER BY id")):
                rows.append((table, *map(str, row)))
    repo.engine.dispose()
    return rows


def wait_until(condition: Callable[[], bool], timeout: float = 30) -> None:
    """Poll a condition another process will make true (not a sleep standing in for one)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition never became true")
        time.sleep(0.02)


def make_audit(target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Audit "a1": CASES cases answered on four key questions, and a file flipping every answer."""
    cases = tmp_path / "cases.csv"
    cases.write_text(
        "case_ref,sentence_type,has_psr,rosh\n"
        + "".join(f"F-{i:04d},community,yes,low\n" for i in range(CASES))
    )
    answers = tmp_path / "answers.csv"
    answers.write_text(
        ANSWERS_HEADER + "\n" + "".join(f"F-{i:04d},yes,no,yes,no\n" for i in range(CASES))
    )
    (tmp_path / "flipped.csv").write_text(
        ANSWERS_HEADER + "\n" + "".join(f"F-{i:04d},no,yes,no,yes\n" for i in range(CASES))
    )
    for argv in (
        ("new", "a1", "--rubric", "hmip-probation-pdu-2021"),
        ("import-cases", "a1", str(cases)),
        ("import-answers", "a1", str(answers)),
    ):
        assert run(capsys, "--db", target, *argv)[0] == 0
    return target


@pytest.fixture
def audit_db(db_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    return make_audit(db_target, tmp_path, capsys)


@pytest.fixture
def short_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIT_TUI_WAIT", "1")


# ---- another writer holds the lock past the wait --------------------------------------------


def test_a_lock_held_past_the_wait_is_one_line(
    audit_db: str,
    tmp_path: Path,
    short_wait: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = dump(audit_db)
    with _holding(audit_db):
        code, out, err = run(
            capsys, "--db", audit_db, "import-answers", "a1", str(tmp_path / "flipped.csv")
        )
    line = one_error_line(err)
    assert code == 1 and out == ""
    assert (
        "the database is busy: another writer held it for more than 1 s; nothing was written"
        in line
    )
    assert dump(audit_db) == before


class _holding:
    """Hold the audit's write lock from another connection while the block runs."""

    def __init__(self, target: str) -> None:
        self.target = target

    def __enter__(self) -> None:
        if "://" in self.target:
            self.engine = create_engine(self.target)
            self.conn = self.engine.connect()
            self.conn.execute(text("SELECT id FROM audit_tui.audit WHERE name = 'a1' FOR UPDATE"))
        else:
            self.sqlite = sqlite3.connect(
                self.target, isolation_level=None, check_same_thread=False
            )
            self.sqlite.execute("BEGIN IMMEDIATE")

    def __exit__(self, *_: object) -> None:
        if "://" in self.target:
            self.conn.rollback()
            self.conn.close()
            self.engine.dispose()
        else:
            self.sqlite.execute("ROLLBACK")
            self.sqlite.close()


def test_a_writer_waits_its_turn_within_the_wait(
    audit_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Released before the wait runs out, the lock is taken and the import lands."""
    holder = _holding(audit_db)
    holder.__enter__()
    released = threading.Timer(0.5, holder.__exit__)
    released.start()
    code, out, err = run(
        capsys, "--db", audit_db, "import-answers", "a1", str(tmp_path / "flipped.csv")
    )
    released.join()
    assert (code, err) == (0, "") and f"{CASES * 4:,} written" in out


# ---- disk full, read-only, damaged ------------------------------------------------------------


def _cli(*argv: str, limit_bytes: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if limit_bytes is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run(
        [sys.executable, "-m", "audit_tui", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
        check=False,
    )


def test_a_full_disk_mid_import_is_one_line_and_writes_nothing(
    sqlite_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_audit(sqlite_target, tmp_path, capsys)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = dump(db)
    assert os.path.getsize(db) > 64 * 1024
    # 64 KiB: room for the shared-memory index (32 KiB), none for the import's write-ahead log
    proc = _cli(
        "--db", db, "import-answers", "a1", str(tmp_path / "flipped.csv"), limit_bytes=64 * 1024
    )
    line = one_error_line(proc.stderr)
    assert proc.returncode == 1
    assert "nothing was written" in line or "disk" in line
    assert dump(db) == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_read_only_database_is_one_line(
    sqlite_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_audit(sqlite_target, tmp_path, capsys)
    before = dump(db)
    read_only = f"sqlite:///file:{db}?mode=ro&uri=true"
    code, _out, err = run(
        capsys, "--db", read_only, "import-answers", "a1", str(tmp_path / "flipped.csv")
    )
    line = one_error_line(err)
    assert code == 1 and "read-only" in line and "nothing was written" in line
    assert dump(db) == before


def test_a_damaged_page_is_one_line(
    sqlite_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_audit(sqlite_target, tmp_path, capsys)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    with open(db, "r+b") as f:  # scribble over the pages after the schema
        for page in range(2, pages):
            f.seek(page * page_size)
            f.write(b"\xa5" * page_size)
    for argv in (
        ("report", "a1", "--format", "json"),
        ("import-answers", "a1", str(tmp_path / "flipped.csv")),
    ):
        code, out, err = run(capsys, "--db", db, *argv)
        line = one_error_line(err)
        assert code == 1 and out == ""
        assert "damaged" in line or "not a database" in line


# ---- a database from a newer release ---------------------------------------------------------


def test_a_newer_schema_is_refused_without_a_backup(
    sqlite_target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_audit(sqlite_target, tmp_path, capsys)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")
    before = dump_raw(db)
    for _ in range(2):
        code, _, err = run(capsys, "--db", db, "report", "a1")
        line = one_error_line(err)
        assert code == 1
        assert (
            f"schema 0999, newer than this release of audit-tui knows (up to {migrate.HEAD})"
            in line
        )
    assert list(tmp_path.glob("*.bak")) == []
    assert dump_raw(db) == before


def dump_raw(db: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


# ---- PostgreSQL: the server drops the connection mid-command ------------------------------


@pytest.mark.postgres
def test_postgres_connection_killed_mid_import_is_one_line(
    pg_server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = make_audit(pg_server_url, tmp_path, capsys)
    try:
        before = dump(db)
        admin = create_engine(db, isolation_level="AUTOCOMMIT")
        with _holding(db), admin.connect() as conn:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "audit_tui",
                    "--db",
                    db,
                    "import-answers",
                    "a1",
                    str(tmp_path / "flipped.csv"),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            waiting = text(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database()"
            )
            wait_until(lambda: conn.execute(waiting).first() is not None)
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM (" + waiting.text + ") w"))
            out, err = proc.communicate(timeout=60)
        admin.dispose()
        line = one_error_line(err)
        assert proc.returncode == 1 and out == ""
        assert "connection" in line and "not confirmed" in line
        assert dump(db) == before
    finally:
        repo = open_repository(db)
        audits.delete_audit(repo, "a1")
        repo.engine.dispose()


# ---- secrets and file modes ----------------------------------------------------------------


SECRET = "s3cret-Pa55"


@pytest.mark.parametrize(
    "url, code",
    [
        (f"postgresql://auditor:{SECRET}@127.0.0.1:1/audits", 1),
        (f"postgresql://auditor@127.0.0.1:1/audits?password={SECRET}", 1),
        (f"postgresql://auditor:{SECRET}:x@127.0.0.1:1/audits", 1),
        (f"postgresql://auditor:{SECRET}@x@127.0.0.1:1/audits", 2),
        (f"postgresql://auditor:{SECRET}@127.0.0.1:notaport/audits", 2),
        (f"postgresql://auditor:{SECRET}@[::1/audits", 2),
    ],
)
def test_passwords_never_appear_in_output(
    url: str, code: int, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for argv in (
        ("--db", url, "report", "a1"),
        ("--db", url, "new", "x", "--rubric", "hmip-probation-pdu-2021"),
    ):
        got, out, err = run(capsys, *argv)
        assert got == code, err
        one_error_line(err)
        assert SECRET not in out + err and SECRET[:6] not in out + err
    monkeypatch.setenv("AUDIT_TUI_DB", url)
    got, out, err = run(capsys, "report", "a1")
    assert got == code and SECRET not in out + err


@pytest.mark.parametrize("form", ["path", "sqlite-url"])
def test_database_files_are_owner_only_whatever_the_form(
    form: str, tmp_path: Path, rubric_text: str
) -> None:
    path = tmp_path / "team" / "audits.db"
    path.parent.mkdir()
    target = str(path) if form == "path" else f"sqlite:///{path}"
    old = os.umask(0)  # the most permissive a user's shell could have
    try:
        repo = open_repository(target)
        audit = audits.create_audit(repo, "a", rubric_text)
        case_ops.add_cases(
            repo, audit, [("C-1", {"sentence_type": "community", "has_psr": "no", "rosh": "low"})]
        )
        files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in path.parent.iterdir()}
        repo.engine.dispose()
    finally:
        os.umask(old)
    assert files == {"audits.db": 0o600, "audits.db-wal": 0o600, "audits.db-shm": 0o600}


def test_an_existing_world_readable_database_is_made_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "audits.db"
    open_repository(str(path)).engine.dispose()
    os.chmod(path, 0o644)
    repo = open_repository(str(path))
    with repo.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    repo.engine.dispose()
    assert set(modes.values()) == {0o600}
