"""The engine factory: one database target (SQLite path or PostgreSQL URL), the same code for both.

Nothing is created at import time; callers (CLI, TUI, tests) build an engine and pass it on.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.pool import StaticPool

from audit_tui.domain.errors import AuditError

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA synchronous=FULL",
)


def is_url(target: str) -> bool:
    return "://" in target


def describe(target: str) -> str:
    """A target safe to print: a URL without its password."""
    if not is_url(target):
        return target
    from sqlalchemy.engine import make_url

    return make_url(target).render_as_string(hide_password=True)


def make_engine(target: str, *, create: bool = True) -> Engine:
    """Build an engine for a file path, `sqlite://` (in memory, for tests) or a PostgreSQL URL.

    With `create=False` a missing SQLite file is an error rather than a new, empty database.
    """
    if target == "sqlite://":
        engine = create_engine(
            target, connect_args={"check_same_thread": False}, poolclass=StaticPool
        )
    elif is_url(target):
        url = target.replace("postgresql://", "postgresql+psycopg://", 1)
        url = url.replace("postgres://", "postgresql+psycopg://", 1)
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"check_same_thread": False})
        else:
            try:
                engine = create_engine(url, pool_pre_ping=True)
            except ModuleNotFoundError as exc:
                raise AuditError.at(
                    describe(target),
                    f"cannot use this database: {exc.name} is missing"
                    " (install audit-tui[postgres])",
                ) from None
    else:
        path = Path(target).expanduser().resolve()
        if not create and not path.exists():
            raise AuditError.at(
                str(path), "no database here (`audit-tui new` or `audit-tui demo` creates one)"
            )
        path = _prepare_sqlite_file(path)
        engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    for pragma in SQLITE_PRAGMAS:
        cur.execute(pragma)
    cur.close()


def _prepare_sqlite_file(path: Path) -> Path:
    """Create the file owner-only (0600) before SQLite does, so case data is never world-readable.

    SQLite gives its -wal and -shm files the database file's permissions.
    """
    path = path.expanduser().resolve()
    if path.is_dir():
        raise AuditError.at(str(path), "is a directory, not a database file")
    if not path.exists():
        if not path.parent.exists():
            try:
                path.parent.mkdir(parents=True, mode=0o700)
            except OSError as exc:
                raise AuditError.at(str(path), f"cannot create folder ({exc.strerror})") from None
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
        except FileExistsError:
            pass
        except OSError as exc:
            raise AuditError.at(str(path), f"cannot create database ({exc.strerror})") from None
    return path


def check_opens(engine: Engine, target: str) -> None:
    """Fail early, with one line, on a file that is not a database or a server that will not answer."""
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
    except (DatabaseError, OperationalError) as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        raise AuditError.at(describe(target), f"cannot open database: {reason}") from None
    ours = {"alembic_version", "audit"}
    if names and not names & ours:
        raise AuditError.at(
            describe(target), "holds tables that are not audit-tui's; refusing to use it"
        )
