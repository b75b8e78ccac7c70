"""A PostgreSQL server lost in the middle of a command, for real: the command's backend is
terminated (`pg_terminate_backend`) from another connection while it is at work, and the command
prints one line on stderr (no traceback, password or SQL), exits 1, and leaves the audit as it
was.

Where the backend is when it is terminated is decided, not raced: the test holds a lock the
command needs further on (the event log an import ends with; the answers a report reads), so the
command is caught with its work half done, and the test polls `pg_stat_activity` until its
backend waits there. Nothing sleeps in place of a condition.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, TextClause, create_engine, text
from sqlalchemy.engine import make_url

from audit_tui.store.database import open_repository
from audit_tui.store.roles import grant
from tests.support.cli import run, table_counts

pytestmark = pytest.mark.postgres

SECRET = "Lost-S3cret-pw"
CASES = 20_000
"""A large import: its rows are all sent, in its transaction, before it is cut off."""
APP = "audit-tui-lost-server-test"
"""The application_name the command's connection carries, to find its backend by."""


def wait_until(condition: Callable[[], bool], timeout: float = 120) -> None:
    """Poll a condition the command will make true (never a sleep that decides the result)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the command's backend never reached the point waited for")
        time.sleep(0.02)


@pytest.fixture
def login(pg_server_url: str) -> Iterator[str]:
    """A login of its own with a password (which no output may show): its URL."""
    name = f"lost_{uuid.uuid4().hex[:8]}"
    owner = open_repository(pg_server_url).engine  # the schema brought up to date
    with owner.begin() as conn:
        conn.execute(text(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{SECRET}'"))
    grant(owner, name)
    yield make_url(pg_server_url).set(username=name, password=SECRET).render_as_string(False)
    with owner.begin() as conn:
        conn.execute(text("TRUNCATE audit_tui.audit RESTART IDENTITY CASCADE"))
        conn.execute(text(f'DROP OWNED BY "{name}"'))
        conn.execute(text(f'DROP ROLE "{name}"'))
    owner.dispose()


def _big_audit(url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], cases: int) -> None:
    """Audit "big": `cases` cases, the first key question answered for each."""
    rows = "".join(f"BIG-{i:05d},community,no,low\n" for i in range(cases))
    (tmp_path / "cases.csv").write_text("case_ref,sentence_type,has_psr,rosh\n" + rows)
    answers = "".join(f"BIG-{i:05d},{'yes' if i % 3 else 'no'}\n" for i in range(cases))
    (tmp_path / "answers.csv").write_text("case_ref,2.2.1\n" + answers)
    for argv in (
        ("new", "big", "--rubric", "hmip-probation-pdu-2021"),
        ("import-cases", "big", str(tmp_path / "cases.csv")),
        ("import-answers", "big", str(tmp_path / "answers.csv")),
    ):
        code, _, err = run(capsys, "--db", url, *argv)
        assert code == 0, err


def _state(url: str) -> tuple[dict[str, int], list[tuple[object, ...]]]:
    """Rows in every table, and the audits as stored (their revision included)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        audits = [tuple(r) for r in conn.execute(text("SELECT * FROM audit_tui.audit ORDER BY id"))]
    engine.dispose()
    return table_counts(url), audits


def _cut_off(
    url: str, owner_url: str, argv: list[str], hold: str, waiting_on: str
) -> subprocess.CompletedProcess[str]:
    """Run `audit-tui --db URL ARGV` while another connection holds `hold` (a LOCK TABLE);
    once the command's backend waits on it (its query starting `waiting_on`), terminate that
    backend, then let go of the lock."""
    tagged = make_url(url).update_query_dict({"application_name": APP})
    env = {**os.environ, "AUDIT_TUI_WAIT": "600"}  # the lock never times out first
    owner = create_engine(owner_url)
    watcher = create_engine(owner_url, isolation_level="AUTOCOMMIT")
    query = text(
        "SELECT pid, query FROM pg_stat_activity WHERE application_name = :app"
        " AND usename = :user AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    )
    params = {"app": APP, "user": str(tagged.username)}
    try:
        with owner.connect() as holder, watcher.connect() as watch:
            holder.execute(text(hold))  # held until this transaction ends, after the kill
            proc = subprocess.Popen(
                [sys.executable, "-m", "audit_tui", "--db", tagged.render_as_string(False), *argv],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            try:
                wait_until(lambda: _waiting(watch, query, params, proc))
                [(pid, sql)] = watch.execute(query, params).all()
                assert str(sql).lstrip().upper().startswith(waiting_on), sql
                assert watch.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                out, err = proc.communicate(timeout=120)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate()
            holder.rollback()
    finally:
        owner.dispose()
        watcher.dispose()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _waiting(
    watch: Connection, query: TextClause, params: dict[str, str], proc: subprocess.Popen[str]
) -> bool:
    if proc.poll() is not None:  # it ended without reaching the lock: say how
        raise AssertionError(f"the command ended first ({proc.returncode}): {proc.communicate()}")
    return watch.execute(query, params).first() is not None


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert (result.returncode, result.stdout) == (1, ""), result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("audit-tui: error: "), result.stderr
    for leak in ("Traceback", "[SQL", "INSERT", "SELECT", SECRET, SECRET[:6]):
        assert leak not in result.stderr, result.stderr
    return lines[0]


def test_an_import_cut_off_half_written_is_one_line_and_writes_nothing(
    login: str, pg_server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _big_audit(login, tmp_path, capsys, 10)
    rows = "".join(f"new-{i:05d},licence,no,high\n" for i in range(CASES))
    path = tmp_path / "more.csv"
    path.write_text("case_ref,sentence_type,has_psr,rosh\n" + rows)
    before = _state(login)
    # the import's last statement appends to the event log (through the server's own
    # function): by then every case row is sent
    result = _cut_off(
        login,
        pg_server_url,
        ["import-cases", "big", str(path)],
        "LOCK TABLE audit_tui.audit_event IN SHARE MODE",
        "SELECT AUDIT_TUI.LOG_EVENT",
    )
    line = _one_line(result)
    assert "the database server ended the connection" in line and "not confirmed" in line
    assert f"{make_url(login).username}:***@" in line  # the target named, its password hidden
    assert _state(login) == before


def test_a_report_cut_off_while_reading_is_one_line_and_logs_nothing(
    login: str, pg_server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _big_audit(login, tmp_path, capsys, 3_000)
    before = _state(login)
    result = _cut_off(
        login,
        pg_server_url,
        ["report", "big", "--format", "json", "--out", str(tmp_path / "report.json")],
        "LOCK TABLE audit_tui.answer IN ACCESS EXCLUSIVE MODE",
        "SELECT",
    )
    line = _one_line(result)
    assert "the database server ended the connection" in line
    assert not (tmp_path / "report.json").exists()  # no file, and no export in the log
    assert _state(login) == before
