"""An audit's event log: what the app records, and reads back."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, text

from audit_tui.domain.records import AuditEvent, OpenAudit
from audit_tui.store import server
from audit_tui.store.models import utcnow
from audit_tui.store.repository import AUDIT, AUDIT_EVENT, AuditLock, Repository

DETAIL_LENGTH = 2000
"""Longest event detail stored: an update of 10,000 cases is summed up, not listed."""


_LOG_EVENT = text("SELECT audit_tui.log_event(:a, :e, :d)")
"""PostgreSQL: an event the app records, stamped by the server (who, when; store/pg)."""


def audit_events(repo: Repository, audit: OpenAudit) -> list[AuditEvent]:
    """The audit's event log, oldest first: what happened to the audit as a whole (answers
    and judgements have their own history)."""
    query = (
        select(AUDIT_EVENT)
        .where(AUDIT_EVENT.c.audit_id == audit.info.id)
        .order_by(AUDIT_EVENT.c.id)
    )
    with repo.reading() as conn:
        return [AuditEvent(**row._mapping) for row in conn.execute(query)]


def record_event(
    repo: Repository, lock: AuditLock, event: str, detail: str, *, name: str | None = None
) -> None:
    """Append to the audit's event log, in the transaction making the change (on PostgreSQL
    the server stamps it, and writes the events of a change of state itself)."""
    conn = lock.conn
    if server.writes_event(conn, event):
        return
    if server.keeps_trail(conn):
        conn.execute(_LOG_EVENT, {"a": lock.audit_id, "e": event, "d": _held(detail)})
        return
    append(conn, lock.audit_id, repo.user, event, detail, name=name)


def append(
    conn: Connection,
    audit_id: int,
    by: str,
    event: str,
    detail: str,
    *,
    name: str | None = None,
) -> None:
    """SQLite: append an event, in the transaction making the change (`record_event`; the
    undo of an abandoned import, store/import_runs.py, whose writer is not a `Repository`'s)."""
    if name is None:
        name = conn.scalar(select(AUDIT.c.name).where(AUDIT.c.id == audit_id)) or ""
    conn.execute(
        insert(AUDIT_EVENT).values(
            audit_id=audit_id,
            audit_name=name,
            at=utcnow(),
            by=by,
            event=event,
            detail=_held(detail),
        )
    )


def _held(detail: str) -> str:
    """A detail cut to what is stored, saying how much was left out."""
    if len(detail) <= DETAIL_LENGTH:
        return detail
    keep = DETAIL_LENGTH - 40
    return f"{detail[:keep]}… ({len(detail) - keep:,} more characters)"


def record_access(repo: Repository, audit: OpenAudit, event: str, detail: str) -> None:
    """Who opened a case or took a report out, when, and why: case data is law-enforcement
    processing (Data Protection Act 2018, s.62 asks for logs of consultation and disclosure).
    An event in the audit's log, committed before the data is shown or written; it counts
    no change to the audit (nothing in it moved), so nobody's screen is recounted for it."""
    if len(detail) > DETAIL_LENGTH:
        detail = detail[: DETAIL_LENGTH - 1] + "…"
    with repo.writer.begin() as conn:
        if server.keeps_trail(conn):
            conn.execute(_LOG_EVENT, {"a": audit.info.id, "e": event, "d": detail})
            return
        conn.execute(
            insert(AUDIT_EVENT).values(
                audit_id=audit.info.id,
                audit_name=audit.info.name,
                at=utcnow(),
                by=repo.user,
                event=event,
                detail=detail,
            )
        )
