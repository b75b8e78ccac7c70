"""After a case is reviewed: the reviewer's feedback for the practitioner, and the actions they
agree, each with a due date and a status kept with its history.

Feedback and actions belong to the case's reviewers (the lead, or the auditor the case is
allocated to). Unlike answers they stay open after sign-off and lock: the follow-up happens once
the figures are settled, and changes none of them. Each change is one transaction under the
audit's lock (so a history chain is never interleaved) and moves the audit's revision, so an
open app sees it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, insert, select, true, update

from audit_tui.domain.access import Role
from audit_tui.domain.cases import canonical_ref
from audit_tui.domain.errors import AuditError
from audit_tui.domain.labels import clean_text
from audit_tui.domain.records import OpenAudit
from audit_tui.store import events, server
from audit_tui.store.models import (
    CaseActionHistoryRow,
    CaseActionRow,
    CaseFeedbackRow,
    table_of,
    utcnow,
)
from audit_tui.store.repository import AUDIT, CASE, AuditLock, Repository, moment, updated

FEEDBACK = table_of(CaseFeedbackRow)
ACTION = table_of(CaseActionRow)
ACTION_HISTORY = table_of(CaseActionHistoryRow)

OPEN, DONE, DROPPED = "open", "done", "dropped"
STATUSES = (OPEN, DONE, DROPPED)
WHAT_LENGTH = 500
"""An action is a sentence or two: what, not the whole conversation."""


@dataclass(frozen=True)
class Feedback:
    """The reviewer's own words for the practitioner ("" until written)."""

    strengths: str = ""
    improvements: str = ""
    updated_at: datetime | None = None
    updated_by: str = ""


@dataclass(frozen=True)
class Action:
    id: int
    audit: str
    case_ref: str
    practitioner: str
    team: str
    what: str
    due: date
    status: str
    created_at: datetime | None
    created_by: str
    updated_at: datetime | None
    updated_by: str

    def overdue(self, today: date) -> bool:
        return self.status == OPEN and self.due < today


@dataclass(frozen=True)
class ActionChange:
    """One step of an action's life; the first has no old status (the action was agreed)."""

    at: datetime | None
    by: str
    old_status: str | None
    new_status: str
    old_due: date | None
    new_due: date
    note: str


def _reviewer_case(lock: AuditLock, audit: OpenAudit, case_ref: str, what: str) -> int:
    """The live case's id, once the writer is shown to be one of its reviewers."""
    case_ref = canonical_ref(case_ref)
    row = lock.conn.execute(
        select(CASE.c.id, CASE.c.allocated_to, CASE.c.removed_at).where(
            CASE.c.audit_id == audit.info.id, CASE.c.case_ref == case_ref
        )
    ).first()
    if row is None:
        raise AuditError.at(what, f'no case {case_ref!r} in audit "{audit.info.name}"')
    if row.removed_at is not None:
        raise AuditError.at(what, f"case {case_ref} was removed from the audit")
    _check_reviewer(lock, case_ref, row.allocated_to, what)
    return int(row.id)


def _check_reviewer(lock: AuditLock, case_ref: str, allocated_to: str | None, what: str) -> None:
    access = lock.access
    access.member(what)
    if access.acts_as_lead or (access.role is Role.AUDITOR and allocated_to == access.user):
        return
    raise AuditError.at(
        what,
        f"only the lead or the auditor case {case_ref} is allocated to may change its feedback"
        f" and actions ({access.user} is {access.role})",
    )


def feedback(repo: Repository, audit: OpenAudit, case_ref: str) -> Feedback:
    query = (
        select(
            FEEDBACK.c.strengths,
            FEEDBACK.c.improvements,
            FEEDBACK.c.updated_at,
            FEEDBACK.c.updated_by,
        )
        .join(CASE, CASE.c.id == FEEDBACK.c.case_id)
        .where(CASE.c.audit_id == audit.info.id, CASE.c.case_ref == canonical_ref(case_ref))
    )
    with repo.reading() as conn:
        row = conn.execute(query).first()
    return Feedback(**row._mapping) if row else Feedback()


def save_feedback(
    repo: Repository, audit: OpenAudit, case_ref: str, *, strengths: str, improvements: str
) -> Feedback:
    """Keep the reviewer's feedback (replacing what was there); the event log says it changed,
    never what it says (the words are for the practitioner, not the log)."""
    case_ref = canonical_ref(case_ref)
    strengths = clean_text(strengths, "strengths")
    improvements = clean_text(improvements, "areas for improvement")
    with repo.locked(audit.info.id) as lock:
        case_id = _reviewer_case(lock, audit, case_ref, "feedback")
        conn, now = lock.conn, utcnow()
        old = conn.execute(
            select(FEEDBACK.c.strengths, FEEDBACK.c.improvements).where(
                FEEDBACK.c.case_id == case_id
            )
        ).first()
        if old is not None and tuple(old) == (strengths, improvements):
            return feedback(repo, audit, case_ref)
        values = {
            "strengths": strengths,
            "improvements": improvements,
            "updated_at": now,
            "updated_by": repo.user,
        }
        if old is None:
            conn.execute(insert(FEEDBACK).values(case_id=case_id, audit_id=audit.info.id, **values))
        else:
            updated(
                conn,
                update(FEEDBACK).where(FEEDBACK.c.case_id == case_id).values(**values),
                "feedback",
            )
        events.record_event(repo, lock, "feedback", f"feedback on case {case_ref} written")
        lock.keep()
    return feedback(repo, audit, case_ref)


def add_action(repo: Repository, audit: OpenAudit, case_ref: str, what: str, due: date) -> Action:
    """Agree an action for the case's practitioner, open until done or dropped."""
    case_ref = canonical_ref(case_ref)
    what = clean_text(what, "action", required=True, limit=WHAT_LENGTH)
    with repo.locked(audit.info.id) as lock:
        case_id = _reviewer_case(lock, audit, case_ref, "action")
        conn, now = lock.conn, utcnow()
        action_id = conn.scalar(
            insert(ACTION)
            .values(
                audit_id=audit.info.id,
                case_id=case_id,
                what=what,
                due=due,
                status=OPEN,
                created_at=now,
                created_by=repo.user,
                updated_at=now,
                updated_by=repo.user,
            )
            .returning(ACTION.c.id)
        )
        if not server.keeps_trail(conn):  # (on PostgreSQL the server writes the history)
            conn.execute(
                insert(ACTION_HISTORY).values(
                    action_id=action_id,
                    audit_id=audit.info.id,
                    old_status=None,
                    new_status=OPEN,
                    old_due=None,
                    new_due=due,
                    note="",
                    changed_at=now,
                    changed_by=repo.user,
                )
            )
        events.record_event(
            repo, lock, "action", f"action {action_id} on case {case_ref}, due {due}"
        )
        lock.keep()
    return action(repo, int(action_id))


def update_action(
    repo: Repository,
    action_id: int,
    *,
    status: str | None = None,
    due: date | None = None,
    note: str = "",
) -> Action:
    """Mark an action done, dropped or open again, or move its due date, saying why.

    A note is required to drop or reopen an action or to move its date (someone will ask why);
    marking it done may carry one. The status read and the change are one transaction under the
    audit's lock: two people marking the same action meet "already done", never two histories."""
    if status is not None and status not in STATUSES:
        raise AuditError.at("status", f"{status!r} is not a status (use: {', '.join(STATUSES)})")
    if status is None and due is None:
        raise AuditError.at("action", "nothing to change: give a status or a due date")
    note = clean_text(note, "note", limit=WHAT_LENGTH)
    if not note and (status in (OPEN, DROPPED) or due is not None):
        change = "a new due date" if status is None else f"marking it {status}"
        raise AuditError.at("note", f"say why ({change} for action {action_id})")
    with repo.locked(_audit_id(repo, action_id)) as lock:
        conn = lock.conn
        row = conn.execute(
            select(ACTION.c.status, ACTION.c.due, CASE.c.case_ref, CASE.c.allocated_to)
            .join(CASE, CASE.c.id == ACTION.c.case_id)
            .where(ACTION.c.id == action_id)
        ).one()
        _check_reviewer(lock, row.case_ref, row.allocated_to, "action")
        new_status, new_due = status or row.status, due or row.due
        if (new_status, new_due) == (row.status, row.due):
            said = f"already {row.status}" if status else f"already due {row.due}"
            raise AuditError.at("action", f"action {action_id} is {said}")
        now = utcnow()
        server.tell(conn, note=note)
        updated(
            conn,
            update(ACTION)
            .where(ACTION.c.id == action_id)
            .values(status=new_status, due=new_due, updated_at=now, updated_by=repo.user),
            "action",
        )
        if not server.keeps_trail(conn):
            conn.execute(
                insert(ACTION_HISTORY).values(
                    action_id=action_id,
                    audit_id=lock.audit_id,
                    old_status=row.status,
                    new_status=new_status,
                    old_due=row.due,
                    new_due=new_due,
                    note=note,
                    changed_at=now,
                    changed_by=repo.user,
                )
            )
        moved = f"{row.status} → {new_status}" if new_status != row.status else ""
        dated = f"due {row.due} → {new_due}" if new_due != row.due else ""
        detail = ", ".join(x for x in (moved, dated) if x)
        events.record_event(
            repo, lock, "action", f"action {action_id} on case {row.case_ref}: {detail}"
        )
        lock.keep()
    return action(repo, action_id)


def _audit_id(repo: Repository, action_id: int) -> int:
    with repo.engine.connect() as conn:
        found = conn.scalar(select(ACTION.c.audit_id).where(ACTION.c.id == action_id))
    if found is None:
        raise AuditError.at("action", f"no action {action_id}")
    return int(found)


def _columns() -> list[Any]:
    return [
        ACTION.c.id,
        AUDIT.c.name.label("audit"),
        CASE.c.case_ref,
        CASE.c.practitioner,
        CASE.c.team,
        ACTION.c.what,
        ACTION.c.due,
        ACTION.c.status,
        ACTION.c.created_at,
        ACTION.c.created_by,
        ACTION.c.updated_at,
        ACTION.c.updated_by,
    ]


def _query(where: Sequence[ColumnElement[bool]]) -> Any:
    return (
        select(*_columns())
        .join(CASE, CASE.c.id == ACTION.c.case_id)
        .join(AUDIT, AUDIT.c.id == ACTION.c.audit_id)
        .where(true(), *where)
        .order_by(ACTION.c.due, AUDIT.c.name, CASE.c.case_ref, ACTION.c.id)
    )


def _action(conn: Any, row: Any) -> Action:
    fields = dict(row._mapping)
    fields["practitioner"] = fields["practitioner"] or ""
    fields["team"] = fields["team"] or ""
    fields["created_at"] = moment(conn, fields["created_at"])
    fields["updated_at"] = moment(conn, fields["updated_at"])
    return Action(**fields)


def action(repo: Repository, action_id: int) -> Action:
    with repo.engine.connect() as conn:
        row = conn.execute(_query([ACTION.c.id == action_id])).first()
        if row is None:
            raise AuditError.at("action", f"no action {action_id}")
        return _action(conn, row)


def actions(
    repo: Repository,
    *,
    audit: OpenAudit | None = None,
    case_ref: str | None = None,
    open_only: bool = False,
    overdue_on: date | None = None,
    practitioner: str | None = None,
    team: str | None = None,
) -> list[Action]:
    """Actions across every audit (or one audit, or one case), soonest due first. `overdue_on`
    keeps the open ones due before that day. Removed cases' actions are left out."""
    where: list[ColumnElement[bool]] = [CASE.c.removed_at.is_(None)]
    if audit is not None:  # both sides, so one case is found by the (audit, reference) index
        where += [ACTION.c.audit_id == audit.info.id, CASE.c.audit_id == audit.info.id]
    if case_ref is not None:
        where.append(CASE.c.case_ref == canonical_ref(case_ref))
    if open_only or overdue_on is not None:
        where.append(ACTION.c.status == OPEN)
    if overdue_on is not None:
        where.append(ACTION.c.due < overdue_on)
    if practitioner is not None:
        where.append(CASE.c.practitioner == canonical_ref(practitioner))
    if team is not None:
        where.append(CASE.c.team == canonical_ref(team))
    with repo.reading() as conn:
        return [_action(conn, row) for row in conn.execute(_query(where))]


def action_history(repo: Repository, action_id: int) -> list[ActionChange]:
    query = (
        select(
            ACTION_HISTORY.c.changed_at.label("at"),
            ACTION_HISTORY.c.changed_by.label("by"),
            ACTION_HISTORY.c.old_status,
            ACTION_HISTORY.c.new_status,
            ACTION_HISTORY.c.old_due,
            ACTION_HISTORY.c.new_due,
            ACTION_HISTORY.c.note,
        )
        .where(ACTION_HISTORY.c.action_id == action_id)
        .order_by(ACTION_HISTORY.c.id)
    )
    with repo.engine.connect() as conn:
        return [
            ActionChange(**{**row._mapping, "at": moment(conn, row.at)})
            for row in conn.execute(query)
        ]
