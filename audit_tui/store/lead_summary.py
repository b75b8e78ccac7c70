"""The lead's own summary of an audit: the words a report shows above the summary generated from
its figures. Kept as the audit's "summary" events, the latest one standing, so every earlier
wording stays in the log (`history`) with who wrote it and when; an empty one clears it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from audit_tui.domain.labels import clean_text
from audit_tui.domain.records import OpenAudit
from audit_tui.store import events
from audit_tui.store.events import DETAIL_LENGTH
from audit_tui.store.repository import AUDIT_EVENT, Repository

EVENT = "summary"
SUMMARY_LENGTH = DETAIL_LENGTH
"""A few paragraphs; kept whole in one event (whose detail is cut beyond this)."""


@dataclass(frozen=True)
class LeadSummary:
    text: str
    by: str
    at: datetime


def lead_summary(repo: Repository, audit: OpenAudit) -> LeadSummary | None:
    """The summary standing now (the latest event), or None when never written or cleared."""
    with repo.reading() as conn:
        return _latest(conn, audit.info.id)


def _latest(conn: Connection, audit_id: int) -> LeadSummary | None:
    query = (
        select(AUDIT_EVENT.c.detail, AUDIT_EVENT.c.by, AUDIT_EVENT.c.at)
        .where(AUDIT_EVENT.c.audit_id == audit_id, AUDIT_EVENT.c.event == EVENT)
        .order_by(AUDIT_EVENT.c.id.desc())
        .limit(1)
    )
    row = conn.execute(query).first()
    if row is None or not (row.detail or "").strip():
        return None
    return LeadSummary(text=row.detail, by=row.by, at=row.at)


def save_lead_summary(repo: Repository, audit: OpenAudit, text: str) -> LeadSummary | None:
    """Record `text` as the audit's summary ("" clears it); the lead's alone, allowed on a locked
    audit (its figures are final, the words about them may come after). Lines are kept, control
    characters refused and the length bounded, as in feedback. The same words again record
    nothing."""
    text = clean_text(text, EVENT, limit=SUMMARY_LENGTH)
    with repo.locked(audit.info.id) as lock:
        lock.access.lead(EVENT, while_locked=True)
        current = _latest(lock.conn, audit.info.id)
        if (current.text if current else "") == text:
            return current
        events.record_event(repo, lock, EVENT, text, name=audit.info.name)
        lock.keep()
    return lead_summary(repo, audit)
