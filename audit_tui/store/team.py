"""A team on one audit: members and roles, allocation, completion, sign-off, lock and unlock.

Each operation is one write transaction under the audit's lock (`Repository.locked`), checks the
writer's standing there (`domain/access.py`), and leaves an event in the audit's log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import delete, func, insert, select, update

from audit_tui.domain.access import Access, CaseGate, Role, role_of
from audit_tui.domain.cases import canonical_ref, canonical_refs
from audit_tui.domain.errors import AuditError, Problem
from audit_tui.domain.records import CaseInfo, OpenAudit
from audit_tui.domain.words import plural
from audit_tui.store import events, server
from audit_tui.store.cases import case_record, clean_reason
from audit_tui.store.logins import person
from audit_tui.store.models import utcnow
from audit_tui.store.repository import (
    AUDIT,
    CASE,
    LIVE,
    MEMBER,
    MEMBERSHIP,
    AuditLock,
    Repository,
    deleted,
    updated,
)

LISTED = 10


@dataclass(frozen=True)
class Member:
    user: str
    role: Role
    added_at: datetime | None
    added_by: str


@dataclass(frozen=True)
class Allocation:
    """What `allocate` did: cases per auditor, and who was added as an auditor on the way."""

    counts: dict[str, int]
    added: tuple[str, ...] = ()

    def __str__(self) -> str:
        given = ", ".join(f"{user} {n}" for user, n in self.counts.items())
        total = sum(self.counts.values())
        text = f"allocated {plural(total, 'case')}: {given}" if total else "no case to allocate"
        if self.added:
            text += f" (added as auditors: {', '.join(self.added)})"
        return text


def standing(repo: Repository, audit: OpenAudit) -> Access:
    """The current user's standing in the audit (read without taking its write lock): their
    role from the statement each write uses, the lock as the audit was opened."""
    params = {"b_audit_id": audit.info.id, "b_user": repo.user}
    with repo.engine.connect() as conn:
        role, any_member = conn.execute(MEMBERSHIP, params).one()
    return Access(
        user=repo.user,
        audit=audit.info.name,
        role=Role(role) if role else None,
        open=not any_member,
        locked_by=audit.info.locked_by,
        locked_at=audit.info.locked_at,
    )


def members(repo: Repository, audit: OpenAudit) -> list[Member]:
    """Leads first, then auditors, then viewers; by name within each."""
    order = {r: i for i, r in enumerate(Role)}
    with repo.engine.connect() as conn:
        rows = conn.execute(
            select(MEMBER.c.user_name, MEMBER.c.role, MEMBER.c.added_at, MEMBER.c.added_by).where(
                MEMBER.c.audit_id == audit.info.id
            )
        ).all()
    found = [Member(user=u, role=Role(r), added_at=at, added_by=by) for u, r, at, by in rows]
    return sorted(found, key=lambda m: (order[m.role], m.user))


def set_member(repo: Repository, audit: OpenAudit, user: str, role: str) -> str:
    """Add a member, or change their role. Returns what happened, in words."""
    user, wanted = person(repo.engine, user, must_log_in=True), role_of(role)
    with repo.locked(audit.info.id) as lock:
        lock.access.lead("members", while_locked=True)
        conn = lock.conn
        before = _role(lock, user)
        if before == wanted:
            return f'{user} is already {wanted} of audit "{lock.access.audit}"'
        if before is Role.LEAD:
            _keep_a_lead(lock, user)
        if before is None:
            conn.execute(
                insert(MEMBER).values(
                    audit_id=audit.info.id,
                    user_name=user,
                    role=wanted.value,
                    added_at=utcnow(),
                    added_by=repo.user,
                )
            )
            said = f"{user} added as {wanted}"
        else:
            conn.execute(
                update(MEMBER)
                .where(MEMBER.c.audit_id == audit.info.id, MEMBER.c.user_name == user)
                .values(role=wanted.value)
            )
            said = f"{user} now {wanted} (was {before})"
        events.record_event(repo, lock, "member", said)
        lock.keep()
    return said


def remove_member(repo: Repository, audit: OpenAudit, user: str) -> str:
    """Remove a member; their unfinished cases go back to the lead to allocate again (but in a
    locked audit, where nothing changes until it is unlocked)."""
    user = person(repo.engine, user)
    with repo.locked(audit.info.id) as lock:
        lock.access.lead("members", while_locked=True)
        conn = lock.conn
        before = _role(lock, user)
        if before is None:
            raise AuditError.at("member", f'{user} is not a member of audit "{lock.access.audit}"')
        if before is Role.LEAD:
            _keep_a_lead(lock, user)
        if server.keeps_trail(conn):
            deleted(conn, "remove_member", "member", audit.info.id, user)
        else:
            conn.execute(
                delete(MEMBER).where(MEMBER.c.audit_id == audit.info.id, MEMBER.c.user_name == user)
            )
        freed = 0
        if lock.access.locked_at is None:  # a locked audit's cases stay as they are
            freed = conn.execute(
                update(CASE)
                .where(
                    CASE.c.audit_id == audit.info.id,
                    CASE.c.allocated_to == user,
                    CASE.c.signed_off_at.is_(None),
                )
                .values(allocated_to=None)
            ).rowcount
        said = f"{user} removed (was {before})"
        if freed:
            said += f"; {plural(freed, 'case')} no longer allocated"
        events.record_event(repo, lock, "member", said)
        lock.keep()
    return said


def allocate(
    repo: Repository,
    audit: OpenAudit,
    auditors: Sequence[str],
    *,
    balance: str | None = None,
    cases: Sequence[str] | None = None,
) -> Allocation:
    """Deal cases to auditors in turn: the unallocated cases (or `cases`, by reference, which
    may move from one auditor to another), in sample order, or grouped by the `balance`
    attribute so each auditor gets a like share of each value. Someone not yet a member is
    added as an auditor; a viewer is refused. Signed-off cases are never moved."""
    names = list(
        dict.fromkeys(person(repo.engine, a, "auditors", must_log_in=True) for a in auditors)
    )
    cases = canonical_refs(cases) if cases is not None else None
    if not names:
        raise AuditError.at("auditors", "name at least one auditor")
    if balance is not None and balance not in {a.id for a in audit.rubric.attributes}:
        known = ", ".join(a.id for a in audit.rubric.attributes)
        raise AuditError.at("balance", f"{balance!r} is not a case attribute (use: {known})")
    with repo.locked(audit.info.id) as lock:
        lock.access.lead("allocate")
        conn = lock.conn
        roles = {name: _role(lock, name) for name in names}
        viewers = [n for n, r in roles.items() if r is Role.VIEWER]
        if viewers:
            raise AuditError.at(
                "auditors", f"viewers cannot be allocated cases: {', '.join(viewers)}"
            )
        query = select(CASE.c.id, CASE.c.case_ref, CASE.c.attributes, CASE.c.signed_off_at).where(
            CASE.c.audit_id == audit.info.id, LIVE
        )
        if cases is None:
            query = query.where(CASE.c.allocated_to.is_(None))
        rows = conn.execute(query.order_by(CASE.c.position, CASE.c.id)).all()
        if cases is not None:
            by_ref = {row.case_ref: row for row in rows}
            problems = [
                Problem(f"case {ref}", "not in the audit") for ref in cases if ref not in by_ref
            ]
            problems += [
                Problem(f"case {ref}", "signed off: it stays with its auditor")
                for ref in cases
                if ref in by_ref and by_ref[ref].signed_off_at is not None
            ]
            if problems:
                raise AuditError(problems)
            rows = [by_ref[ref] for ref in dict.fromkeys(cases)]
        else:
            rows = [row for row in rows if row.signed_off_at is None]
        if balance is not None:
            rows = sorted(rows, key=lambda row: str(row.attributes.get(balance) or ""))
        dealt: dict[str, list[int]] = {name: [] for name in names}
        turn = 0
        for _value, group in groupby(
            rows, key=lambda row: str(row.attributes.get(balance) or "") if balance else ""
        ):
            for row in group:  # the turn carries on across groups: totals stay within one
                dealt[names[turn % len(names)]].append(row.id)
                turn += 1
        added = tuple(n for n, r in roles.items() if r is None)
        now = utcnow()
        for name in added:
            conn.execute(
                insert(MEMBER).values(
                    audit_id=audit.info.id,
                    user_name=name,
                    role=Role.AUDITOR.value,
                    added_at=now,
                    added_by=repo.user,
                )
            )
        for name, ids in dealt.items():
            for start in range(0, len(ids), 900):
                conn.execute(
                    update(CASE)
                    .where(CASE.c.id.in_(ids[start : start + 900]))
                    .values(allocated_to=name)
                )
        result = Allocation(counts={n: len(ids) for n, ids in dealt.items()}, added=added)
        if rows or added:
            how = f" balanced by {balance}" if balance else ""
            events.record_event(repo, lock, "allocate", f"{result}{how}")
            lock.keep()
    return result


def complete_case(repo: Repository, audit: OpenAudit, case_ref: str) -> CaseInfo:
    """The case's auditor says it is done: every item that applies has an answer."""
    return _finish(repo, audit, case_ref, sign=False)


def sign_off(repo: Repository, audit: OpenAudit, case_ref: str) -> CaseInfo:
    """The lead accepts a finished case: its answers can no longer change."""
    return _finish(repo, audit, case_ref, sign=True)


def _finish(repo: Repository, audit: OpenAudit, case_ref: str, *, sign: bool) -> CaseInfo:
    case_ref = canonical_ref(case_ref)
    what = "sign-off" if sign else "complete"
    with repo.locked(audit.info.id) as lock:
        conn = lock.conn
        row = conn.execute(
            select(
                CASE.c.id,
                CASE.c.attributes,
                CASE.c.answered,
                CASE.c.allocated_to,
                CASE.c.completed_at,
                CASE.c.signed_off_by,
                CASE.c.signed_off_at,
            ).where(CASE.c.audit_id == audit.info.id, CASE.c.case_ref == case_ref, LIVE)
        ).first()
        if row is None:
            raise AuditError.at("case", f'no case {case_ref!r} in audit "{lock.access.audit}"')
        gate = CaseGate(case_ref, row.allocated_to, row.signed_off_by, row.signed_off_at)
        if sign:
            lock.access.lead(what)
        lock.access.answer(gate, what)
        missing = audit.rubric.applicable_count(row.attributes) - row.answered
        if missing > 0:
            raise AuditError.at(
                what, f"case {case_ref} has {plural(missing, 'item')} still to answer"
            )
        now = utcnow()
        values: dict[str, object] = {}
        if row.completed_at is None:
            values.update(completed_at=now, completed_by=repo.user)
        if sign:
            values.update(signed_off_at=now, signed_off_by=repo.user)
        if values:
            updated(conn, update(CASE).where(CASE.c.id == row.id).values(**values), what)
            events.record_event(repo, lock, what, case_ref)
            lock.keep()
        case = case_record(conn, audit, row.id)
    assert case is not None
    return case


def lock_audit(repo: Repository, audit: OpenAudit) -> datetime:
    """Freeze the audit's figures: every change is refused until the lead unlocks it."""
    with repo.locked(audit.info.id) as lock:
        lock.access.lead("lock")
        now = utcnow()
        updated(
            lock.conn,
            update(AUDIT)
            .where(AUDIT.c.id == audit.info.id)
            .values(locked_at=now, locked_by=repo.user),
            "lock",
        )
        events.record_event(repo, lock, "lock", "")
        lock.keep()
    return now


def unlock_audit(repo: Repository, audit: OpenAudit, reason: str) -> None:
    """Open a locked audit to changes again: the lead only, with a reason kept in the log."""
    reason = clean_reason(reason, "the audit is unlocked")
    with repo.locked(audit.info.id) as lock:
        lock.access.lead("unlock", while_locked=True)
        if lock.access.locked_at is None:
            raise AuditError.at("unlock", f'audit "{lock.access.audit}" is not locked')
        server.tell(lock.conn, reason=reason)  # the server's event says why, as ours does
        updated(
            lock.conn,
            update(AUDIT).where(AUDIT.c.id == audit.info.id).values(locked_at=None, locked_by=None),
            "unlock",
        )
        events.record_event(repo, lock, "unlock", reason)
        lock.keep()


def _role(lock: AuditLock, user: str) -> Role | None:
    found = lock.conn.scalar(
        select(MEMBER.c.role).where(MEMBER.c.audit_id == lock.audit_id, MEMBER.c.user_name == user)
    )
    return Role(found) if found else None


def _keep_a_lead(lock: AuditLock, leaving: str) -> None:
    """An audit always keeps a lead: nobody else could manage it."""
    others = lock.conn.scalar(
        select(func.count()).where(
            MEMBER.c.audit_id == lock.audit_id,
            MEMBER.c.role == Role.LEAD.value,
            MEMBER.c.user_name != leaving,
        )
    )
    if not others:
        raise AuditError.at(
            "members", f"{leaving} is the audit's only lead: make someone else lead first"
        )


__all__ = [
    "Allocation",
    "Member",
    "allocate",
    "complete_case",
    "lock_audit",
    "members",
    "remove_member",
    "set_member",
    "sign_off",
    "standing",
    "unlock_audit",
]
