"""Opening a database target for use: build the engine, check it is ours, bring its schema up to date."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError

from audit_tui.domain.errors import AuditError
from audit_tui.store import import_runs, migrate
from audit_tui.store.engine import WAIT_SECONDS, check_opens, describe, make_engine
from audit_tui.store.faults import fault_message
from audit_tui.store.repository import Repository


def open_repository(
    target: str,
    user: str | None = None,
    *,
    create: bool = True,
    password: str | None = None,
    user_from: str = "--as",
    wait: int = WAIT_SECONDS,
) -> Repository:
    """The one way the CLI and the TUI open a database. Raises AuditError with one clear line.
    `create=False` for commands that only make sense on an existing database; `password` for a
    PostgreSQL login, given apart from the URL (see `make_engine`); `user`, `user_from` and
    `wait` from the settings (see `Repository`), which the caller built: the store reads no
    environment variable."""
    engine = make_engine(target, create=create, password=password, wait=wait)
    try:
        check_opens(engine, target)
        migrate.upgrade(engine)
        repo = Repository(engine, user, user_from=user_from, wait=wait)
        import_runs.recover(repo)  # SQLite: an import a program left part-way is undone
    except AuditError:
        engine.dispose()
        raise
    except SQLAlchemyError as exc:
        engine.dispose()
        raise AuditError.at(
            describe(target), f"cannot bring the database up to date: {fault_message(exc, wait)}"
        ) from None
    return repo
