"""The engine factory: one database target (SQLite path or PostgreSQL URL), the same code for both.

Nothing is created at import time; callers (CLI, TUI, tests) build an engine and pass it on.

Writes take the database's write lock from their first statement (`writer`): on SQLite an
immediate transaction, on PostgreSQL a row lock on the audit. A reader that later decides to
write cannot lose an update made in between.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.pool import StaticPool

from audit_tui.domain.errors import AuditError, UsageError
from audit_tui.store.urls import SECRET_QUERY_KEYS, is_url, redact

WAIT_SECONDS = 30
"""How long a write waits for another writer (SQLite busy timeout, PostgreSQL lock timeout)
before it gives up with one line, unless the settings say otherwise (`make_engine(wait=)`)."""

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=FULL",
)
WRITE = "audit_tui_write"
"""Execution option that makes a transaction take the write lock when it begins."""
OWNER_ONLY = 0o600


def parse_url(target: str) -> URL:
    """A SQLAlchemy URL, or a usage error that never echoes the URL (it may hold a password)."""
    scheme = target.split("://", 1)[0]
    hint = "percent-encode '@', ':' and '/' in a user name or password (%40, %3A, %2F)"
    try:
        url = make_url(target)
    except (ArgumentError, ValueError):
        raise UsageError(f"--db: malformed database URL ({scheme}://…): {hint}") from None
    if (url.host and ("@" in url.host or ":" in url.host)) or (
        url.port is not None and url.port <= 0
    ):
        raise UsageError(f"--db: malformed database URL ({scheme}://…): {hint}")
    return url


def describe(target: str) -> str:
    """A target safe to print: a URL without its password, wherever the URL carries it."""
    if not is_url(target):
        return target
    try:
        url = make_url(target)
    except (ArgumentError, ValueError):
        return target.split("://", 1)[0] + "://…"
    hidden = {k: "***" for k in url.query if k.lower() in SECRET_QUERY_KEYS}
    if hidden:
        url = url.update_query_dict(hidden)
    return url.render_as_string(hide_password=True)


def make_engine(
    target: str, *, create: bool = True, password: str | None = None, wait: int = WAIT_SECONDS
) -> Engine:
    """Build an engine for a file path, `sqlite://` (in memory, for tests) or a PostgreSQL URL.

    With `create=False` a missing SQLite file is an error rather than a new, empty database.
    A PostgreSQL `password` goes to psycopg with the connection's other arguments, not into the
    URL, which the app shows and passes on (a browser tab's app gets it from `serve`'s pipe);
    it takes the place of one in the URL. SQLite has no passwords: it is not used there.
    `wait`: seconds a write waits for another writer (the settings' `wait`).
    """
    if target == "sqlite://":
        engine = create_engine(
            target, connect_args={"check_same_thread": False}, poolclass=StaticPool
        )
    elif is_url(target):
        url = parse_url(target)
        if url.drivername.startswith("sqlite"):
            database = url.database or ""
            if url.query.get("uri") in ("true", "1") and database.startswith("file:"):
                # a URI filename (file:PATH?mode=ro): check the file, leave the URI as given
                read_only = url.query.get("mode") == "ro"
                _prepare_sqlite_file(
                    Path(database.removeprefix("file:")), create=create and not read_only
                )
            elif database and database != ":memory:":
                path = _prepare_sqlite_file(Path(database), create=create)
                url = url.set(database=str(path))
            engine = create_engine(url, connect_args={"check_same_thread": False})
        else:
            if url.drivername in ("postgresql", "postgres"):
                url = url.set(drivername="postgresql+psycopg")
            connect_args: dict[str, object] = {
                "connect_timeout": 10,
                # the app's schema first (store/pg); public only for a database whose tables
                # are still there, until migration 0011 moves them
                "options": f"-c lock_timeout={wait * 1000} -c search_path=audit_tui,public",
            }
            if password is not None:
                connect_args["password"] = password
            try:
                engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
            except ModuleNotFoundError as exc:
                raise AuditError.at(
                    describe(target),
                    f"cannot use this database: {exc.name} is missing"
                    " (install audit-tui[postgres])",
                ) from None
            except ArgumentError:
                raise UsageError(f"--db: unsupported database URL ({url.drivername}://…)") from None
    else:
        path = _prepare_sqlite_file(Path(target), create=create)
        engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    if engine.dialect.name == "sqlite":
        pragmas = (*SQLITE_PRAGMAS, f"PRAGMA busy_timeout={wait * 1000}")
        event.listen(engine, "connect", lambda conn, _record: _sqlite_connect(conn, pragmas))
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, for transactions that write: they take the write lock when they begin."""
    return engine.execution_options(**{WRITE: True})


def _sqlite_connect(dbapi_conn: sqlite3.Connection, pragmas: tuple[str, ...]) -> None:
    # The driver would begin transactions lazily, at the first write; we begin them ourselves.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    for pragma in pragmas:
        cur.execute(pragma)
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(WRITE, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _prepare_sqlite_file(path: Path, *, create: bool) -> Path:
    """Create the file owner-only (0600) before SQLite does, so case data is never world-readable;
    tighten an existing one (and its -wal and -shm, which SQLite creates with the file's mode)."""
    path = path.expanduser().resolve()
    if path.is_dir():
        raise AuditError.at(str(path), "is a directory, not a database file")
    if not path.exists():
        if not create:
            raise AuditError.at(
                str(path), "no database here (`audit-tui new` or `audit-tui demo` creates one)"
            )
        if not path.parent.exists():
            try:
                path.parent.mkdir(parents=True, mode=0o700)
            except OSError as exc:
                raise AuditError.at(str(path), f"cannot create folder ({exc.strerror})") from None
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)
            os.close(fd)
        except FileExistsError:
            pass
        except OSError as exc:
            raise AuditError.at(str(path), f"cannot create database ({exc.strerror})") from None
    elif not stat.S_ISREG(path.stat().st_mode):
        raise AuditError.at(str(path), "is not a regular file, so not a database")
    for companion in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
        _owner_only(companion)
    return path


def _owner_only(path: Path) -> None:
    try:
        info = path.stat()
        if info.st_mode & 0o077 and info.st_uid == os.getuid():
            path.chmod(stat.S_IMODE(info.st_mode) & 0o700)
    except OSError:
        pass  # absent, or not ours to change: SQLite will say if it cannot be used


def check_opens(engine: Engine, target: str) -> None:
    """Fail early, with one line, on a file that is not a database or a server that will not answer."""
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
    except (DatabaseError, OperationalError) as exc:
        from audit_tui.store.faults import fault_message

        raise AuditError.at(
            describe(target), f"cannot open database: {redact(fault_message(exc), target)}"
        ) from None
    ours = {"alembic_version", "audit"}
    if names and not names & ours:
        raise AuditError.at(
            describe(target), "holds tables that are not audit-tui's; refusing to use it"
        )
