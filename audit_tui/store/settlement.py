"""What moderation found, and settling it: the completed moderated cases with both marks read in
one snapshot, and agreed answers that become the audit's answers (history via `moderation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from audit_tui.domain.answers import Answer
from audit_tui.domain.cases import canonical_ref
from audit_tui.domain.errors import AuditError, Problem
from audit_tui.domain.records import OpenAudit
from audit_tui.domain.words import plural
from audit_tui.scoring.moderation import (
    Mark,
    ModeratedCase,
    Moderation,
    Settled,
    moderate,
)
from audit_tui.store import counts, events, server
from audit_tui.store.bulk import driver_rows
from audit_tui.store.cases import clean_reason
from audit_tui.store.models import (
    utcnow,
)
from audit_tui.store.moderation import (
    FIRST_MARK,
    MOD_CASE,
    ROUND,
    SECOND,
    SETTLEMENT,
    rounds_on,
)
from audit_tui.store.repository import (
    ANSWER,
    ANSWER_HISTORY,
    CASE,
    LIVE,
    AuditLock,
    Repository,
    moment,
)


def moderated_cases(conn: Connection, audit: OpenAudit) -> list[ModeratedCase]:
    """Every case a second marker completed, with both marks and the settlements."""
    rows = conn.execute(
        select(
            MOD_CASE.c.id,
            MOD_CASE.c.case_id,
            MOD_CASE.c.first_marker,
            ROUND.c.number,
            ROUND.c.marker,
            CASE.c.case_ref,
            CASE.c.attributes,
        )
        .join(ROUND, ROUND.c.id == MOD_CASE.c.round_id)
        .join(CASE, CASE.c.id == MOD_CASE.c.case_id)
        .where(ROUND.c.audit_id == audit.info.id, MOD_CASE.c.completed_at.is_not(None), LIVE)
        .order_by(ROUND.c.number, CASE.c.position, CASE.c.id)
    ).all()
    if not rows:
        return []
    done = (ROUND.c.audit_id == audit.info.id) & MOD_CASE.c.completed_at.is_not(None)
    first: dict[int, dict[str, Mark]] = {}  # as they stood when the second marking was completed
    for mid, item, value, note in driver_rows(  # many rows: plain tuples, joined, not IN lists
        conn,
        select(FIRST_MARK.c.moderation_case_id, FIRST_MARK.c.item_id, FIRST_MARK.c.value,
               FIRST_MARK.c.note)
        .join(MOD_CASE, MOD_CASE.c.id == FIRST_MARK.c.moderation_case_id)
        .join(ROUND, ROUND.c.id == MOD_CASE.c.round_id)
        .where(done),
    ):  # fmt: skip
        first.setdefault(mid, {})[item] = Mark(value, note)
    second: dict[int, dict[str, Mark]] = {}
    for mid, item, value, note in driver_rows(
        conn,
        select(SECOND.c.moderation_case_id, SECOND.c.item_id, SECOND.c.value, SECOND.c.note)
        .join(MOD_CASE, MOD_CASE.c.id == SECOND.c.moderation_case_id)
        .join(ROUND, ROUND.c.id == MOD_CASE.c.round_id)
        .where(done),
    ):
        second.setdefault(mid, {})[item] = Mark(value, note)
    settled: dict[int, dict[str, Settled]] = {}
    for s in conn.execute(
        select(SETTLEMENT)
        .join(MOD_CASE, MOD_CASE.c.id == SETTLEMENT.c.moderation_case_id)
        .join(ROUND, ROUND.c.id == MOD_CASE.c.round_id)
        .where(ROUND.c.audit_id == audit.info.id)
    ):
        settled.setdefault(s.moderation_case_id, {})[s.item_id] = Settled(
            first=s.first_value,
            second=s.second_value,
            agreed=s.agreed_value,
            reason=s.reason,
            by=s.settled_by,
            at=moment(conn, s.settled_at),
        )
    return [
        ModeratedCase(
            round=r.number,
            case_ref=r.case_ref,
            first_marker=r.first_marker,
            second_marker=r.marker,
            attributes=r.attributes,
            first=first.get(r.id, {}),
            second=second.get(r.id, {}),
            settled=settled.get(r.id, {}),
        )
        for r in rows
    ]


def summary(repo: Repository, audit: OpenAudit) -> Moderation | None:
    """What moderation found (None when the audit has no round), read in one snapshot."""
    with repo.reading() as conn:
        found = rounds_on(conn, audit.info.id)
        if not found:
            return None
        return moderate(audit.rubric, [r.info for r in found], moderated_cases(conn, audit))


@dataclass(frozen=True)
class Agreed:
    """One settlement to record: the round, the case, the item, the agreed answer and why."""

    round: int
    case_ref: str
    item_id: str
    agreed: Answer
    reason: str
    where: str = ""
    """Where it came from (a file and row), for error lines."""


def settle(repo: Repository, audit: OpenAudit, agreed: Sequence[Agreed]) -> int:
    """Record agreed answers for disagreements, each becoming the audit's answer (history via
    `moderation`, with the reason). All or nothing. The lead settles, or either marker of the
    case. Returns how many answers changed."""
    agreed = [replace(a, case_ref=canonical_ref(a.case_ref)) for a in agreed]
    reasons = {}
    for a in agreed:
        reasons[a] = clean_reason(a.reason, f"{a.item_id} of case {a.case_ref} was settled so")
    changed = 0
    with repo.locked(audit.info.id) as lock:
        now = utcnow()  # under the lock: each answer's trail in the order it was written
        conn, access = lock.conn, lock.access
        access.member("settle")
        access.unlocked("settle")
        cases = {(c.round, c.case_ref): c for c in moderated_cases(conn, audit)}
        ids = {
            (r.number, r.case_ref): (
                r.id,
                r.case_id,
                r.allocated_to,
                r.signed_off_by,
                r.signed_off_at,
            )
            for r in conn.execute(
                select(
                    MOD_CASE.c.id,
                    MOD_CASE.c.case_id,
                    ROUND.c.number,
                    CASE.c.case_ref,
                    CASE.c.allocated_to,
                    CASE.c.signed_off_by,
                    CASE.c.signed_off_at,
                )
                .join(ROUND, ROUND.c.id == MOD_CASE.c.round_id)
                .join(CASE, CASE.c.id == MOD_CASE.c.case_id)
                .where(ROUND.c.audit_id == lock.audit_id, LIVE)
            )
        }
        problems: list[Problem] = []
        moves = []
        for a in agreed:
            where = a.where or f"case {a.case_ref} item {a.item_id}"
            case = cases.get((a.round, a.case_ref))
            pair = case.pair(a.item_id) if case is not None else None
            if case is None or pair is None or pair[0] == pair[1]:
                problems.append(
                    Problem(
                        where,
                        f"no disagreement on {a.item_id} in case {a.case_ref}"
                        f" (round {a.round}) to settle",
                    )
                )
                continue
            if not (access.acts_as_lead or access.user in (case.first_marker, case.second_marker)):
                problems.append(
                    Problem(
                        where,
                        f"only the lead or the case's markers settle ({access.user} is neither)",
                    )
                )
                continue
            mid, case_id, *gate = ids[a.round, a.case_ref]
            if gate[2] is not None:
                problems.append(Problem(where, f"case {a.case_ref} was signed off: too late"))
                continue
            if not audit.rubric.applies(a.item_id, case.attributes):
                problems.append(Problem(where, f"{a.item_id} does not apply to case {a.case_ref}"))
                continue
            moves.append((a, mid, case_id, pair))
        if problems:
            raise AuditError(problems)
        for a, mid, case_id, (first, second) in moves:
            values = dict(
                first_value=first,
                second_value=second,
                agreed_value=a.agreed.value,
                reason=reasons[a],
                settled_at=now,
                settled_by=repo.user,
            )
            if not server.keeps_trail(conn):
                _record_settlement(conn, mid, a.item_id, values)
                changed += _set_answer(
                    lock, repo.user, case_id, a.item_id, a.agreed.value, reasons[a], now
                )
                continue
            # PostgreSQL: the server reads both marks again, refuses anything but a
            # disagreement, stamps who and when, and makes the agreed answer the audit's
            before = conn.scalar(
                select(ANSWER.c.value).where(
                    ANSWER.c.case_id == case_id, ANSWER.c.item_id == a.item_id
                )
            )
            _record_settlement(conn, mid, a.item_id, values)
            changed += before != a.agreed.value
        if moves:
            events.record_event(
                repo,
                lock,
                "settle",
                f"{plural(len(moves), 'disagreement')} settled"
                f" ({plural(changed, 'answer')} changed)",
            )
            lock.keep()
    return changed


def _record_settlement(conn: Connection, mid: int, item_id: str, values: dict[str, Any]) -> None:
    """The settlement of one item of a moderated case, made or made again."""
    done = conn.execute(
        update(SETTLEMENT)
        .where(SETTLEMENT.c.moderation_case_id == mid, SETTLEMENT.c.item_id == item_id)
        .values(**values)
    ).rowcount
    if not done:
        conn.execute(insert(SETTLEMENT).values(moderation_case_id=mid, item_id=item_id, **values))


def _set_answer(
    lock: AuditLock, user: str, case_id: int, item_id: str, value: str, reason: str, now: datetime
) -> int:
    """Make the agreed answer the audit's answer (kept counts and history too); the note stays."""
    conn = lock.conn
    row = conn.execute(
        select(ANSWER.c.value).where(ANSWER.c.case_id == case_id, ANSWER.c.item_id == item_id)
    ).first()
    old = row.value if row is not None else None
    if row is not None and old == value:
        return 0
    if row is None:
        conn.execute(
            insert(ANSWER).values(
                audit_id=lock.audit_id,
                case_id=case_id,
                item_id=item_id,
                value=value,
                note="",
                updated_at=now,
                updated_by=user,
            )
        )
    else:
        conn.execute(
            update(ANSWER)
            .where(ANSWER.c.case_id == case_id, ANSWER.c.item_id == item_id)
            .values(value=value, updated_at=now, updated_by=user)
        )
    conn.execute(
        insert(ANSWER_HISTORY).values(
            case_id=case_id,
            item_id=item_id,
            old_value=old,
            new_value=value,
            changed_at=now,
            changed_by=user,
            via="moderation",
            reason=reason,
        )
    )
    counts.moved(conn, lock.audit_id, [(case_id, item_id, old, value)])
    return 1
