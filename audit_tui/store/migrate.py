"""Bring a database to the current schema when it is opened, backing up an older SQLite file first."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(scripts: Path = MIGRATIONS) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(scripts))
    return cfg


def head_revision(scripts: Path = MIGRATIONS) -> str | None:
    return ScriptDirectory.from_config(_config(scripts)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, scripts: Path = MIGRATIONS) -> Path | None:
    """Apply pending migrations. Returns the backup made of an existing SQLite file, if any."""
    head, current = head_revision(scripts), current_revision(engine)
    if current == head:
        return None
    backup = None
    if current is not None and engine.dialect.name == "sqlite" and engine.url.database:
        backup = _backup_sqlite(Path(engine.url.database), current)
    cfg = _config(scripts)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return backup


def _backup_sqlite(path: Path, revision: str) -> Path:
    """A consistent copy (sqlite3 backup API, so WAL contents are included), owner-only."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    dest = path.with_name(f"{path.name}.{revision}.{stamp}.bak")
    dest.touch(mode=0o600)
    with sqlite3.connect(path) as src, sqlite3.connect(dest) as out:
        src.backup(out)
    shutil.copymode(path, dest)
    return dest
