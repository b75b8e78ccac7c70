"""Bringing a removed case back into its audit's sample (`restore-case`): removal is undone.

A removed case keeps its row, answers and history (see `cases.remove_case`), so a restore
only clears the removal: the case's answers count again in the audit's kept tallies (its own
count of answered items never left), and the event log gains a `restore-case` event with the
reason beside the `remove-case` it undoes. The lead's, in an unlocked audit. On PostgreSQL the
server's triggers put the tallies back and clear who removed it and why (store/pg).
"""

from __future__ import annotations

from sqlalchemy import select, update

from audit_tui.domain.cases import canonical_ref
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import CaseInfo, OpenAudit
from audit_tui.store import counts, events
from audit_tui.store.cases import case_record, clean_reason
from audit_tui.store.models import SampleReplacementRow, table_of
from audit_tui.store.repository import ANSWER, CASE, Repository, updated

REPLACEMENT = table_of(SampleReplacementRow)


def restore_case(repo: Repository, audit: OpenAudit, case_ref: str, reason: str) -> CaseInfo:
    """Bring a removed case back with its answers and history, saying why (kept in the log).

    Refused, with nothing changed: an unknown reference, a case still in the sample, one a
    drawn sample replaced (its replacement took its place), anyone but the lead, a locked
    audit. Returns the case as it is back."""
    case_ref = canonical_ref(case_ref)
    reason = clean_reason(reason, f"case {case_ref} is restored")
    with repo.locked(audit.info.id) as lock:
        lock.access.lead("case")
        conn = lock.conn
        found = conn.execute(
            select(CASE.c.id, CASE.c.removed_at).where(
                CASE.c.audit_id == audit.info.id, CASE.c.case_ref == case_ref
            )
        ).first()
        if found is None:
            raise AuditError.at("case", f"no case {case_ref!r} in audit {audit.info.name!r}")
        if found.removed_at is None:
            raise AuditError.at(
                "case",
                f"{case_ref!r} is in audit {audit.info.name!r} (not removed): nothing to restore",
            )
        swap = conn.execute(
            select(REPLACEMENT.c.replacement, REPLACEMENT.c.at).where(
                REPLACEMENT.c.audit_id == audit.info.id, REPLACEMENT.c.replaced == case_ref
            )
        ).first()
        if swap is not None:
            by = f"by {swap.replacement}" if swap.replacement else "(its stratum had no case left)"
            raise AuditError.at(
                "case",
                f"{case_ref!r} was replaced in the drawn sample {by} on {swap.at:%Y-%m-%d}:"
                " a replaced case stays out, so the sample keeps the size and order it was"
                " drawn with",
            )
        updated(
            conn,
            update(CASE)
            .where(CASE.c.id == found.id)
            .values(removed_at=None, removed_by=None, removed_reason=None),
            "case",
        )
        back = conn.execute(
            select(ANSWER.c.item_id, ANSWER.c.value).where(
                ANSWER.c.case_id == found.id, ANSWER.c.value.is_not(None)
            )
        )
        counts.moved(
            conn,
            audit.info.id,
            [(found.id, item, None, value) for item, value in back],
            cases=False,  # its own count of answered items stayed while it was out
        )
        events.record_event(repo, lock, "restore-case", f"{case_ref}: {reason}")
        case = case_record(conn, audit, found.id)
        lock.keep()
    assert case is not None
    return case
