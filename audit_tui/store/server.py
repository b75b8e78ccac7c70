"""Who writes the audit trail: the database itself on PostgreSQL, the app on SQLite.

On PostgreSQL the server's triggers write every history row, the events that go with a change of
state and the kept counts (store/pg), from the rows as the server reads them, with its own time
and the real login; no login may write them. The app writes only the working tables, having told
the server for the transaction how (`via`) and why (`reason`, `note`) it makes the change. On
SQLite (one file, one person's permissions) the app writes the trail in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from audit_tui.domain.trail import SERVER_EVENTS

_TELL = text("SELECT set_config('audit_tui.' || :key, :value, true)")


def keeps_trail(conn: Connection) -> bool:
    """Whether the database writes history, events and counts itself (PostgreSQL)."""
    return conn.dialect.name == "postgresql"


def tell(conn: Connection, **context: str | None) -> None:
    """Say, for the rest of the transaction, how and why the following changes are made
    (`via`, `reason`, `note`); the server puts it in the history it writes. SQLite: nothing."""
    if keeps_trail(conn):
        for key, value in context.items():
            conn.execute(_TELL, {"key": key, "value": value or ""})


def writes_event(conn: Connection, event: str) -> bool:
    """Whether the server writes this event itself, as the change it records happens."""
    return keeps_trail(conn) and event in SERVER_EVENTS
