"""When an audit's work happened: the day it was created and its latest recorded change.

An audit has no period field to fill in (or to disagree with its answers); a report derives the
period from what the database records anyway: the audit's creation and the history rows every
change to an answer or a judgement appends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, func, select

from audit_tui.store.models import (
    AnswerHistoryRow,
    AuditRow,
    CaseRow,
    JudgementHistoryRow,
    table_of,
)

AUDIT = table_of(AuditRow)
CASE = table_of(CaseRow)
ANSWER_HISTORY = table_of(AnswerHistoryRow)
JUDGEMENT_HISTORY = table_of(JudgementHistoryRow)


@dataclass(frozen=True)
class Activity:
    """Both aware (UTC) datetimes; `last_change` is None while nothing has been recorded."""

    created_at: datetime
    last_change: datetime | None


def audit_activity(engine: Engine, audit_id: int) -> Activity | None:
    """The audit's creation and its latest answer or judgement change, in one SELECT (the
    latest of each history by MAX); None when there is no such audit."""
    with engine.connect() as conn:
        return activity_on(conn, audit_id)


def activity_on(conn: Connection, audit_id: int) -> Activity | None:
    """`audit_activity` on `conn` (a report's snapshot)."""
    answers = (
        select(func.max(ANSWER_HISTORY.c.changed_at))
        .select_from(ANSWER_HISTORY.join(CASE, CASE.c.id == ANSWER_HISTORY.c.case_id))
        .where(CASE.c.audit_id == audit_id)
        .scalar_subquery()
    )
    judgements = (
        select(func.max(JUDGEMENT_HISTORY.c.changed_at))
        .where(JUDGEMENT_HISTORY.c.audit_id == audit_id)
        .scalar_subquery()
    )
    query = select(
        AUDIT.c.created_at,
        answers.label("last_answer"),
        judgements.label("last_judgement"),
    ).where(AUDIT.c.id == audit_id)
    row = conn.execute(query).one_or_none()
    if row is None:
        return None
    changes = [_utc(t) for t in (row.last_answer, row.last_judgement) if t is not None]
    return Activity(created_at=_utc(row.created_at), last_change=max(changes, default=None))


def _utc(value: datetime) -> datetime:
    """SQLite hands back the stored UTC time without its zone; PostgreSQL an aware one."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
