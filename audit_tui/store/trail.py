"""The audit trail, readable: every change to answers and judgements, and the audit's events,
oldest first, filtered by case, item or person. What `audit-tui history` prints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from audit_tui.domain.cases import canonical_ref
from audit_tui.domain.records import OpenAudit
from audit_tui.store.repository import (
    ANSWER_HISTORY,
    AUDIT_EVENT,
    CASE,
    JUDGEMENT_HISTORY,
    Repository,
)


@dataclass(frozen=True)
class Change:
    """One change to an answer (`case` set) or a judgement (`case` None, `item` the standard)."""

    at: datetime
    by: str
    case: str | None
    item: str
    old: str | None
    new: str | None
    via: str
    reason: str | None = None
    note_changed: bool = False


@dataclass(frozen=True)
class Event:
    """Something that happened to the audit as a whole (renamed, members, allocation, lock)."""

    at: datetime
    by: str
    event: str
    detail: str


def changes(
    repo: Repository,
    audit: OpenAudit,
    *,
    case: str | None = None,
    item: str | None = None,
    by: str | None = None,
) -> list[Change]:
    """Answer changes (a removed case's included: the trail keeps them), then judgement changes
    unless a case is asked for, merged in time order."""
    answers = (
        select(
            ANSWER_HISTORY.c.changed_at,
            ANSWER_HISTORY.c.changed_by,
            CASE.c.case_ref,
            ANSWER_HISTORY.c.item_id,
            ANSWER_HISTORY.c.old_value,
            ANSWER_HISTORY.c.new_value,
            ANSWER_HISTORY.c.via,
            ANSWER_HISTORY.c.reason,
            ANSWER_HISTORY.c.old_note.is_not(None) | ANSWER_HISTORY.c.new_note.is_not(None),
        )
        .join(CASE, CASE.c.id == ANSWER_HISTORY.c.case_id)
        .where(CASE.c.audit_id == audit.info.id)
        .order_by(ANSWER_HISTORY.c.id)
    )
    if case is not None:
        answers = answers.where(CASE.c.case_ref == canonical_ref(case))
    if item is not None:
        answers = answers.where(ANSWER_HISTORY.c.item_id == item)
    if by is not None:
        answers = answers.where(ANSWER_HISTORY.c.changed_by == by)
    judged = (
        select(
            JUDGEMENT_HISTORY.c.changed_at,
            JUDGEMENT_HISTORY.c.changed_by,
            JUDGEMENT_HISTORY.c.standard_id,
            JUDGEMENT_HISTORY.c.old_rating,
            JUDGEMENT_HISTORY.c.new_rating,
            JUDGEMENT_HISTORY.c.via,
        )
        .where(JUDGEMENT_HISTORY.c.audit_id == audit.info.id)
        .order_by(JUDGEMENT_HISTORY.c.id)
    )
    if item is not None:
        judged = judged.where(JUDGEMENT_HISTORY.c.standard_id == item)
    if by is not None:
        judged = judged.where(JUDGEMENT_HISTORY.c.changed_by == by)
    with repo.engine.connect() as conn:
        out = [
            Change(
                at=at,
                by=who,
                case=ref,
                item=item_id,
                old=old,
                new=new,
                via=via,
                reason=reason,
                note_changed=bool(noted),
            )
            for at, who, ref, item_id, old, new, via, reason, noted in conn.execute(answers)
        ]
        if case is None:
            out += [
                Change(at=at, by=who, case=None, item=sid, old=old, new=new, via=via)
                for at, who, sid, old, new, via in conn.execute(judged)
            ]
    out.sort(key=lambda c: c.at)  # stable: each kind keeps its own order within a moment
    return out


def events(repo: Repository, audit: OpenAudit, *, by: str | None = None) -> list[Event]:
    query = (
        select(AUDIT_EVENT.c.at, AUDIT_EVENT.c.by, AUDIT_EVENT.c.event, AUDIT_EVENT.c.detail)
        .where(AUDIT_EVENT.c.audit_id == audit.info.id)
        .order_by(AUDIT_EVENT.c.id)
    )
    if by is not None:
        query = query.where(AUDIT_EVENT.c.by == by)
    with repo.engine.connect() as conn:
        return [
            Event(at=at, by=who, event=e, detail=d or "") for at, who, e, d in conn.execute(query)
        ]
