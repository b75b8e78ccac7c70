"""`audit-tui verify AUDIT`: does the audit's record hold together?

A report counts the answers; the app's live ratings read the kept counts; the history says how
every answer came to be. `verify` checks each against the others, on either engine, from one
snapshot: every kept count against the answers, every history chain link by link (each change's
old value is the previous change's new one, in time order, ending at the value stored now), the
event log against what it records (a lock, a sign-off, a removal and its restore, a name), and
each settlement against the marks it settled. One problem per line. Nothing is changed, but by
`repair`, which counts the kept counts again from the answers (the lead's, or the database
owner's) and logs it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    cast,
    func,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError

from audit_tui.domain.errors import AuditError, Problem
from audit_tui.domain.records import OpenAudit
from audit_tui.domain.trail import EVENTS
from audit_tui.domain.words import plural
from audit_tui.store import aggregates, counts, events
from audit_tui.store.faults import refusal
from audit_tui.store.follow_up import ACTION, ACTION_HISTORY
from audit_tui.store.moderation import (
    FIRST_MARK,
    MOD_CASE,
    ROUND,
    SECOND,
    SECOND_HISTORY,
    SETTLEMENT,
    refuse_if_blind,
)
from audit_tui.store.repository import (
    ANSWER,
    ANSWER_HISTORY,
    AUDIT,
    AUDIT_EVENT,
    CASE,
    JUDGEMENT,
    JUDGEMENT_HISTORY,
    Repository,
    moment,
)

SKEW = timedelta(seconds=2)
"""How far back in time an event may be stamped after the one before it (two people logging at
the same instant); an event stamped further back was back-dated or put in afterwards."""
SHOWN = 50
"""Problems listed per check before counting the rest: one broken import can break thousands."""


@dataclass(frozen=True)
class Repair:
    fixed: int
    """How many kept counts were wrong (and are now right)."""


def verify(repo: Repository, audit: OpenAudit) -> list[Problem]:
    """Every problem found in the audit's record, one per line (none: it holds together)."""
    refuse_if_blind(repo, audit, "verify")  # it reads first marks and counts
    with repo.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            return [
                *_bounded("counts", _counts(conn, audit.info.id)),
                *_bounded("answers", _chains(conn, _answer_chains(audit.info.id))),
                *_bounded("second marks", _chains(conn, _second_chains(audit.info.id))),
                *_bounded("judgements", _chains(conn, _judgement_chains(audit.info.id))),
                *_bounded("actions", _chains(conn, _action_chains(audit.info.id))),
                *_bounded("events", _events(conn, audit.info.id)),
                *_bounded("moderation", _settlements(conn, audit.info.id)),
            ]


def repair(repo: Repository, audit: OpenAudit) -> Repair:
    """Count every kept count of the audit again from its answers, logged as a `repair` event:
    the lead's; on PostgreSQL the server does it (taking the audit's lock itself), for the lead
    or the database's owner, and refuses anyone else."""
    detail = "kept counts counted again from the answers"
    if repo.engine.dialect.name == "postgresql":
        try:
            with repo.writer.begin() as conn:
                fixed = conn.scalar(
                    text("SELECT audit_tui.recount(:a, :d)"), {"a": audit.info.id, "d": detail}
                )
        except DBAPIError as exc:
            refused = refusal(exc)
            if refused is None:
                raise
            raise AuditError.at("repair", refused) from None
        return Repair(fixed=int(fixed or 0))
    with repo.locked(audit.info.id) as lock:
        lock.access.lead("repair")
        found = sum(1 for _ in _counts(lock.conn, audit.info.id))
        counts.recount(lock.conn, audit.info.id)
        events.record_event(repo, lock, "repair", detail)
        lock.keep()
    return Repair(fixed=found)


def _bounded(check: str, found: Iterator[Problem]) -> list[Problem]:
    out = []
    for n, problem in enumerate(found, start=1):
        if n > SHOWN:
            rest = 1 + sum(1 for _ in found)
            out.append(Problem(check, f"… and {plural(rest, 'more problem')} of this kind"))
            break
        out.append(problem)
    return out


# ---- kept counts ------------------------------------------------------------------------------


def _counts(conn: Connection, audit_id: int) -> Iterator[Problem]:
    kept = counts.answered_by_value(conn, audit_id)
    truth = aggregates.counted_answers(conn, audit_id)
    for item in sorted({*kept, *truth}):
        for value in sorted({*kept.get(item, {}), *truth.get(item, {})}):
            k, t = kept.get(item, {}).get(value, 0), truth.get(item, {}).get(value, 0)
            if k != t:
                yield Problem(
                    f"item {item}",
                    f"the kept count of {value!r} answers is {k}; the answers say {t}",
                )
    astray = conn.execute(
        select(CASE.c.case_ref, ANSWER.c.item_id)
        .join(CASE, CASE.c.id == ANSWER.c.case_id)
        .where(
            (ANSWER.c.audit_id == audit_id) | (CASE.c.audit_id == audit_id),
            ANSWER.c.audit_id != CASE.c.audit_id,
        )
    )
    for ref, item in astray:
        yield Problem(f"answer {ref} {item}", "names another audit than its case's")
    answered = (
        select(func.count())
        .where(ANSWER.c.case_id == CASE.c.id, ANSWER.c.value.is_not(None))
        .scalar_subquery()
    )
    for ref, kept_n, true_n in conn.execute(
        select(CASE.c.case_ref, CASE.c.answered, answered)
        .where(CASE.c.audit_id == audit_id, CASE.c.answered != answered)
        .order_by(CASE.c.position, CASE.c.id)
    ):
        yield Problem(
            f"case {ref}", f"the kept count of answered items is {kept_n}; the answers say {true_n}"
        )


# ---- history chains ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Chain:
    """One kind of history, as two queries over this audit: its rows (`k1`, `k2`: what a chain
    is about; `name`: how a problem names it; `id`, `old`, `new`, `at`) and the rows it must end
    at (`k1`, `k2`, `name`, `value`). `start` is the old value of a chain's first link."""

    kind: str
    history: Select[Any]
    current: Select[Any]
    start: str | None = None


def _differs(a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[bool]:
    """a and b differ, NULL being a value (portable: SQLite before 3.39 has no IS DISTINCT)."""
    return or_(a != b, and_(a.is_(None), b.is_not(None)), and_(a.is_not(None), b.is_(None)))


def _starts(column: ColumnElement[Any], start: str | None) -> ColumnElement[bool]:
    return column.is_(None) if start is None else (column == start)


def _chains(conn: Connection, chains: list[Chain]) -> Iterator[Problem]:
    for chain in chains:
        yield from _links(conn, chain)
        yield from _ends(conn, chain)


def _links(conn: Connection, chain: Chain) -> Iterator[Problem]:
    h = chain.history.subquery()
    keys, order = [h.c.k1, h.c.k2], h.c.id
    walked = select(
        *h.c,
        func.lag(h.c.new).over(partition_by=keys, order_by=order).label("prev"),
        func.lag(h.c.at).over(partition_by=keys, order_by=order).label("prev_at"),
        func.row_number().over(partition_by=keys, order_by=order).label("n"),
    ).subquery()
    first, later = walked.c.n == 1, walked.c.n > 1
    broken = select(*walked.c).where(
        or_(
            and_(first, ~_starts(walked.c.old, chain.start)),
            and_(later, _differs(walked.c.old, walked.c.prev)),
            and_(later, walked.c.at < walked.c.prev_at),
        )
    )
    for row in conn.execute(broken.order_by(walked.c.id)):
        where = f"{chain.kind} {row.name}"
        if row.n == 1:
            yield Problem(
                where,
                f"its history starts at {row.old!r}, not {chain.start!r}: the changes before"
                " are missing",
            )
        elif row.old != row.prev:
            yield Problem(
                where,
                f"history row {row.id} changes {row.old!r} to {row.new!r}, but the change before"
                f" it left {row.prev!r}: a change is missing or was altered",
            )
        else:
            yield Problem(where, f"history row {row.id} is dated before the change it follows")


def _ends(conn: Connection, chain: Chain) -> Iterator[Problem]:
    """Each chain ends at the value stored now, and each value stored has its chain."""
    h = chain.history.subquery()
    ranked = select(
        h.c.k1,
        h.c.k2,
        h.c.name,
        h.c.new.label("last"),
        func.row_number().over(partition_by=[h.c.k1, h.c.k2], order_by=h.c.id.desc()).label("r"),
    ).subquery()
    last = select(*ranked.c).where(ranked.c.r == 1).subquery()
    now = chain.current.subquery()
    same = and_(now.c.k1 == last.c.k1, now.c.k2 == last.c.k2)
    stored_apart = (
        select(now.c.name, now.c.value, last.c.last, last.c.k1.is_(None).label("untraced"))
        .select_from(now.outerjoin(last, same))
        .where(
            or_(
                and_(last.c.k1.is_(None), ~_starts(now.c.value, chain.start)),
                and_(last.c.k1.is_not(None), _differs(now.c.value, last.c.last)),
            )
        )
    )
    for row in conn.execute(stored_apart):
        where = f"{chain.kind} {row.name}"
        if row.untraced:
            yield Problem(where, f"holds {row.value!r} with no history of how it came to be")
        else:
            yield Problem(
                where, f"holds {row.value!r}, but its history ends at {row.last!r}: a change"
                " left no trace",
            )  # fmt: skip
    orphans = (
        select(last.c.name, last.c.last)
        .select_from(last.outerjoin(now, same))
        .where(now.c.k1.is_(None), ~_starts(last.c.last, chain.start))
    )
    for row in conn.execute(orphans):
        yield Problem(
            f"{chain.kind} {row.name}",
            f"its history ends at {row.last!r}, but nothing is stored: it was deleted",
        )


def _answer_chains(audit_id: int) -> list[Chain]:
    """The value of every answer, and its note."""
    h, a = ANSWER_HISTORY, ANSWER
    name = (CASE.c.case_ref + " " + h.c.item_id).label("name")
    mine = CASE.c.audit_id == audit_id
    rows = select(h.c.case_id.label("k1"), h.c.item_id.label("k2"), name, h.c.id).join(
        CASE, CASE.c.id == h.c.case_id
    )
    now = select(
        a.c.case_id.label("k1"),
        a.c.item_id.label("k2"),
        (CASE.c.case_ref + " " + a.c.item_id).label("name"),
    ).join(CASE, CASE.c.id == a.c.case_id)
    return [
        Chain(
            "answer",
            rows.add_columns(h.c.old_value.label("old"), h.c.new_value.label("new"), h.c.changed_at.label("at")).where(mine),
            now.add_columns(a.c.value.label("value")).where(mine),
        ),
        Chain(
            "note",
            rows.add_columns(h.c.old_note.label("old"), h.c.new_note.label("new"), h.c.changed_at.label("at")).where(mine, h.c.new_note.is_not(None)),
            now.add_columns(a.c.note.label("value")).where(mine),
            start="",
        ),
    ]  # fmt: skip


def _second_chains(audit_id: int) -> list[Chain]:
    h, s = SECOND_HISTORY, SECOND

    def of_audit(query: Select[Any], moderated: Any) -> Select[Any]:
        return (
            query.join(MOD_CASE, MOD_CASE.c.id == moderated)
            .join(ROUND, ROUND.c.id == MOD_CASE.c.round_id)
            .join(CASE, CASE.c.id == MOD_CASE.c.case_id)
            .where(ROUND.c.audit_id == audit_id)
        )

    rows = of_audit(
        select(h.c.moderation_case_id.label("k1"), h.c.item_id.label("k2"),
               (CASE.c.case_ref + " " + h.c.item_id).label("name"), h.c.id,
               h.c.old_value.label("old"), h.c.new_value.label("new"), h.c.changed_at.label("at")),
        h.c.moderation_case_id,
    )  # fmt: skip
    now = of_audit(
        select(s.c.moderation_case_id.label("k1"), s.c.item_id.label("k2"),
               (CASE.c.case_ref + " " + s.c.item_id).label("name"), s.c.value.label("value")),
        s.c.moderation_case_id,
    )  # fmt: skip
    return [Chain("second mark", rows, now)]


def _judgement_chains(audit_id: int) -> list[Chain]:
    h, j = JUDGEMENT_HISTORY, JUDGEMENT
    rows = select(
        h.c.audit_id.label("k1"), h.c.standard_id.label("k2"), h.c.standard_id.label("name"),
        h.c.id, h.c.old_rating.label("old"), h.c.new_rating.label("new"),
        h.c.changed_at.label("at"),
    ).where(h.c.audit_id == audit_id)  # fmt: skip
    now = select(
        j.c.audit_id.label("k1"), j.c.standard_id.label("k2"), j.c.standard_id.label("name"),
        j.c.rating.label("value"),
    ).where(j.c.audit_id == audit_id)  # fmt: skip
    return [Chain("judgement", rows, now)]


def _action_chains(audit_id: int) -> list[Chain]:
    """An action's status, and its due date."""
    h, a = ACTION_HISTORY, ACTION
    out = []
    for what, old, new, value in (
        ("status", h.c.old_status, h.c.new_status, a.c.status),
        ("due date", h.c.old_due, h.c.new_due, a.c.due),
    ):
        rows = select(
            h.c.action_id.label("k1"), literal(what).label("k2"),
            (cast(h.c.action_id, String) + f" ({what})").label("name"), h.c.id,
            old.label("old"), new.label("new"), h.c.changed_at.label("at"),
        ).where(h.c.audit_id == audit_id)  # fmt: skip
        now = select(
            a.c.id.label("k1"), literal(what).label("k2"),
            (cast(a.c.id, String) + f" ({what})").label("name"), value.label("value"),
        ).where(a.c.audit_id == audit_id)  # fmt: skip
        out.append(Chain("action", rows, now))
    return out


# ---- events -----------------------------------------------------------------------------------


def _events(conn: Connection, audit_id: int) -> Iterator[Problem]:
    """The log against itself (known events, one creation first, in time order) and against
    what it records: the lock as it stands, each sign-off and removal, the audit's name."""
    rows = conn.execute(
        select(
            AUDIT_EVENT.c.id,
            AUDIT_EVENT.c.at,
            AUDIT_EVENT.c.by,
            AUDIT_EVENT.c.event,
            AUDIT_EVENT.c.detail,
            AUDIT_EVENT.c.audit_name,
        )
        .where(AUDIT_EVENT.c.audit_id == audit_id)
        .order_by(AUDIT_EVENT.c.id)
    ).all()
    audit = conn.execute(
        select(AUDIT.c.name, AUDIT.c.locked_at, AUDIT.c.locked_by).where(AUDIT.c.id == audit_id)
    ).one()
    previous: datetime | None = None
    lock_event: Any = None
    signed_events: set[str] = set()
    removal: dict[str, Any] = {}
    """case -> its last remove-case or restore-case event: what the log says it is now."""
    for n, row in enumerate(rows):
        at = _utc(moment(conn, row.at))
        where = f"event {row.id} ({row.event} by {row.by or 'nobody'})"
        if row.event not in EVENTS:
            yield Problem(where, f"{row.event!r} is not an event audit-tui records")
        if (n == 0) != (row.event == "create"):
            yield Problem(where, "an audit's log begins with its creation, once")
        if not row.by:
            yield Problem(where, "names nobody as who did it")
        if previous is not None and at is not None and at < previous - SKEW:
            yield Problem(
                where, "is dated before the event logged ahead of it: it was put in later"
            )
        previous = max(previous, at) if previous and at else at or previous
        if row.event in ("lock", "unlock"):
            lock_event = row
        elif row.event == "sign-off":
            signed_events.add(row.detail)
        elif row.event in ("remove-case", "restore-case"):
            removal[row.detail.split(":", 1)[0]] = row
    locked = audit.locked_at is not None
    if locked and (lock_event is None or lock_event.event != "lock"):
        yield Problem("lock", f"the audit is locked (by {audit.locked_by}) but its log has no lock")
    if not locked and lock_event is not None and lock_event.event == "lock":
        yield Problem(
            f"event {lock_event.id} (lock by {lock_event.by})",
            "the log says the audit is locked, but it is not: it was unlocked without a reason",
        )
    if (
        locked
        and lock_event is not None
        and lock_event.event == "lock"
        and lock_event.by != audit.locked_by
    ):
        yield Problem("lock", f"locked by {audit.locked_by}, but the log says by {lock_event.by}")
    signed = set(
        conn.scalars(
            select(CASE.c.case_ref).where(
                CASE.c.audit_id == audit_id, CASE.c.signed_off_at.is_not(None)
            )
        )
    )
    for ref in sorted(signed - signed_events):
        yield Problem(f"case {ref}", "is signed off, but the log has no sign-off")
    for ref in sorted(signed_events - signed):
        yield Problem(f"case {ref}", "the log says it was signed off, but it is not")
    yield from _removals(conn, audit_id, removal)
    if rows and rows[-1].audit_name != audit.name:
        yield Problem(
            "name", f"the audit is called {audit.name!r}, its log last says {rows[-1].audit_name!r}"
        )


def _removals(conn: Connection, audit_id: int, last: dict[str, Any]) -> Iterator[Problem]:
    """Each case is in or out of the sample as its last removal or restore in the log says: a
    removed case whose log ends in a restore (or says nothing) was removed unlogged; a case in
    the sample whose log ends in a removal was put back without a restore."""
    cases = conn.execute(
        select(CASE.c.case_ref, CASE.c.removed_at.is_not(None))
        .where(CASE.c.audit_id == audit_id)
        .order_by(CASE.c.position, CASE.c.id)
    )
    for ref, removed in cases:
        event = last.get(ref)
        said_removed = event is not None and event.event == "remove-case"
        if removed and not said_removed:
            yield Problem(f"case {ref}", "was removed from the sample, but the log has no removal")
        elif event is not None and said_removed and not removed:
            yield Problem(
                f"case {ref}",
                f"is in the sample, but the log's last word on it is its removal (event"
                f" {event.id}): it was put back without a restore",
            )


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# ---- moderation -------------------------------------------------------------------------------


def _settlements(conn: Connection, audit_id: int) -> Iterator[Problem]:
    """Each settlement records the marks as they were moderated, and was of a disagreement."""
    query = (
        select(
            ROUND.c.number,
            CASE.c.case_ref,
            SETTLEMENT.c.item_id,
            SETTLEMENT.c.first_value,
            SETTLEMENT.c.second_value,
            FIRST_MARK.c.value.label("first_mark"),
            SECOND.c.value.label("second_mark"),
        )
        .join(MOD_CASE, MOD_CASE.c.id == SETTLEMENT.c.moderation_case_id)
        .join(ROUND, ROUND.c.id == MOD_CASE.c.round_id)
        .join(CASE, CASE.c.id == MOD_CASE.c.case_id)
        .outerjoin(
            FIRST_MARK,
            and_(
                FIRST_MARK.c.moderation_case_id == SETTLEMENT.c.moderation_case_id,
                FIRST_MARK.c.item_id == SETTLEMENT.c.item_id,
            ),
        )
        .outerjoin(
            SECOND,
            and_(
                SECOND.c.moderation_case_id == SETTLEMENT.c.moderation_case_id,
                SECOND.c.item_id == SETTLEMENT.c.item_id,
            ),
        )
        .where(ROUND.c.audit_id == audit_id)
        .order_by(ROUND.c.number, CASE.c.position, SETTLEMENT.c.item_id)
    )
    for row in conn.execute(query):
        where = f"round {row.number} case {row.case_ref} {row.item_id}"
        if (row.first_value, row.second_value) != (row.first_mark, row.second_mark):
            yield Problem(
                where,
                f"the settlement records {row.first_value!r} and {row.second_value!r}, but the"
                f" marks as moderated were {row.first_mark!r} and {row.second_mark!r}",
            )
        elif row.first_mark == row.second_mark:
            yield Problem(where, "was settled, but the markers agreed on it")
