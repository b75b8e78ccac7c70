"""Bring a database to the current schema when it is opened, backing up an older SQLite file first."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "0001"
"""The newest revision in migrations/versions (a test keeps them in step). Knowing it without
loading Alembic keeps opening an up-to-date database fast; Alembic loads only to upgrade."""


def _config(scripts: Path = MIGRATIONS) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(scripts))
    return cfg


def head_revision(scripts: Path = MIGRATIONS) -> str | None:
    if scripts == MIGRATIONS:
        return HEAD
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config(scripts)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.scalar(text("SELECT version_num FROM alembic_version"))


def upgrade(engine: Engine, scripts: Path = MIGRATIONS) -> Path | None:
    """Apply pending migrations. Returns the backup made of an existing SQLite file, if any."""
    head, current = head_revision(scripts), current_revision(engine)
    if current == head:
        return None
    backup = None
    if current is not None and engine.dialect.name == "sqlite" and engine.url.database:
        backup = _backup_sqlite(Path(engine.url.database), current)
    from alembic import command

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
