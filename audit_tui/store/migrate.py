"""Bring a database to the current schema when it is opened, backing up an older SQLite file first.

The check and the upgrade happen under the write lock, so two programs opening an old database at
once upgrade it once. A database from a newer release is refused, untouched and not copied.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from audit_tui.domain.errors import AuditError
from audit_tui.store.engine import OWNER_ONLY, writer
from audit_tui.store.pg import SCHEMA
from audit_tui.store.revisions import HEAD as HEAD
from audit_tui.store.revisions import REVISIONS as REVISIONS

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PG_MIGRATION_LOCK = 0x61756474  # any constant: one upgrade at a time on a PostgreSQL database


def _config(scripts: Path = MIGRATIONS) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(scripts))
    return cfg


def known_revisions(scripts: Path = MIGRATIONS) -> tuple[str, ...]:
    if scripts == MIGRATIONS:
        return REVISIONS
    from alembic.script import ScriptDirectory

    walk = ScriptDirectory.from_config(_config(scripts)).walk_revisions()
    return tuple(reversed([s.revision for s in walk]))


def head_revision(scripts: Path = MIGRATIONS) -> str | None:
    known = known_revisions(scripts)
    return known[-1] if known else None


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _current(conn)


def _current(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    version: str | None = conn.scalar(text("SELECT version_num FROM alembic_version"))
    return version


def upgrade(engine: Engine, scripts: Path = MIGRATIONS) -> Path | None:
    """Apply pending migrations. Returns the backup made of an existing SQLite file, if any."""
    known = known_revisions(scripts)
    head = known[-1]
    if current_revision(engine) == head:
        return None
    with writer(engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_MIGRATION_LOCK})
            # the app's schema first, so a new database's tables are made in it (an older one's
            # move there in 0011); first on every connection's search path (engine.py)
            conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
        current = _current(conn)  # again, now that no one else can be upgrading it
        if current == head:
            return None
        if current is not None and current not in known:
            raise AuditError.at(
                _where(engine),
                f"this database has schema {current}, newer than this release of audit-tui"
                f" knows (up to {head}): upgrade audit-tui to open it",
            )
        backup = None
        if current is not None and engine.dialect.name == "sqlite" and engine.url.database:
            backup = _backup_sqlite(Path(engine.url.database), current)
        from alembic import command

        cfg = _config(scripts)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return backup


def _where(engine: Engine) -> str:
    from audit_tui.store.engine import describe

    return (
        engine.url.database or "" if engine.dialect.name == "sqlite" else describe(str(engine.url))
    )


def _backup_sqlite(path: Path, revision: str) -> Path:
    """A consistent copy (sqlite3 backup API, so WAL contents are included), owner-only."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    dest = path.with_name(f"{path.name}.{revision}.{stamp}.bak")
    os.close(os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY))
    with sqlite3.connect(path) as src, sqlite3.connect(dest) as out:
        src.backup(out)
    return dest
