"""Counts kept as answers change, in the same transaction as the change (so under the same lock).

Each case keeps how many of its items are answered; each audit keeps, per item and value, how
many of its live cases gave that answer. Opening a 10,000-case audit then reads a few hundred
counts instead of counting 130,000 answers, and stays as fast as opening 28 cases.

Every write that moves an answer reports its moves here: `(case id, item id, old value, new
value)`, None meaning unanswered. `recount` works everything out again from the answers, for
the migration that introduces the counts and for the tests that check they never drift.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Connection, Select, bindparam, delete, func, select, text, update

from audit_tui.store.bulk import Prepared
from audit_tui.store.models import AnswerRow, CaseRow, ItemTallyRow, table_of

CASE = table_of(CaseRow)
ANSWER = table_of(AnswerRow)
TALLY = table_of(ItemTallyRow)

Move = tuple[int, str, str | None, str | None]
"""(case id, item id, old value, new value): one answer changed."""

_CASE_ANSWERED = Prepared(
    update(CASE)
    .where(CASE.c.id == bindparam("b_case"))
    .values(answered=CASE.c.answered + bindparam("b_step"))
)
# The same SQL on SQLite and PostgreSQL: add to the count, creating it at the first answer.
_TALLY_ADD = Prepared(
    text(
        "INSERT INTO item_tally (audit_id, item_id, value, n) VALUES (:audit, :item, :value, :step)"
        " ON CONFLICT (audit_id, item_id, value) DO UPDATE SET n = item_tally.n + excluded.n"
    )
)


def moved(conn: Connection, audit_id: int, moves: Iterable[Move], *, cases: bool = True) -> None:
    """Bring the counts up to date with `moves` (`cases=False` when the cases themselves leave the
    audit: only the audit's tallies change). On PostgreSQL the server's triggers keep them, in
    the same transaction, and no login may write them: nothing to do here."""
    if conn.dialect.name == "postgresql":
        return
    steps: Counter[int] = Counter()
    tallies: Counter[tuple[str, str]] = Counter()
    for case_id, item_id, old, new in moves:
        if old == new:
            continue
        steps[case_id] += (new is not None) - (old is not None)
        if old is not None:
            tallies[item_id, old] -= 1
        if new is not None:
            tallies[item_id, new] += 1
    stepped(conn, audit_id, steps if cases else {}, tallies)


def stepped(
    conn: Connection,
    audit_id: int,
    steps: Mapping[int, int],
    tallies: Mapping[tuple[str, str], int],
) -> None:
    """Add moves already summed (case id -> answered step; (item, value) -> tally step): what
    `moved` sums, or a staged import's set statements (`staging.apply`). SQLite only."""
    _CASE_ANSWERED.run_many(
        conn, [{"b_case": case_id, "b_step": step} for case_id, step in steps.items() if step]
    )
    for (item_id, value), step in tallies.items():
        if step:
            _TALLY_ADD.run(conn, {"audit": audit_id, "item": item_id, "value": value, "step": step})


def answered_by_value(conn: Connection, audit_id: int) -> dict[str, dict[str, int]]:
    """item -> value -> how many live cases gave it, from the kept tallies."""
    out: dict[str, dict[str, int]] = {}
    query = select(TALLY.c.item_id, TALLY.c.value, TALLY.c.n).where(
        TALLY.c.audit_id == audit_id, TALLY.c.n != 0
    )
    for item_id, value, n in conn.execute(query):
        out.setdefault(item_id, {})[value] = n
    return out


def kept_of(audit_ids: Sequence[int]) -> Select[tuple[int, str, str, int]]:
    """(audit, item, value, live cases giving it) from the kept tallies of several audits."""
    return select(TALLY.c.audit_id, TALLY.c.item_id, TALLY.c.value, TALLY.c.n).where(
        TALLY.c.audit_id.in_(list(audit_ids)), TALLY.c.n != 0
    )


def recount(conn: Connection, audit_id: int) -> None:
    """Work every count out again from the answers (the migration, and a repair)."""
    answered = (
        select(func.count())
        .where(ANSWER.c.case_id == CASE.c.id, ANSWER.c.value.is_not(None))
        .scalar_subquery()
    )
    conn.execute(update(CASE).where(CASE.c.audit_id == audit_id).values(answered=answered))
    conn.execute(delete(TALLY).where(TALLY.c.audit_id == audit_id))
    live = select(CASE.c.id).where(CASE.c.audit_id == audit_id, CASE.c.removed_at.is_(None))
    rows = conn.execute(
        select(ANSWER.c.item_id, ANSWER.c.value, func.count())
        .where(ANSWER.c.case_id.in_(live), ANSWER.c.value.is_not(None))
        .group_by(ANSWER.c.item_id, ANSWER.c.value)
    ).all()
    if rows:
        conn.execute(
            TALLY.insert(),
            [{"audit_id": audit_id, "item_id": i, "value": v, "n": n} for i, v, n in rows],
        )
