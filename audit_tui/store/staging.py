"""SQLite: an import's answers bound before the write lock, moved under it by INSERT … SELECT.

SQLite has one writer, so every auditor's save waits while an import holds the lock. Binding
5,000 cases' answers (325,000 rows, and as many history rows) one by one through the driver held
it 4.2 s (`make bench`). The rows are now bound first into a TEMP table, which is the
connection's own and locks nothing in the database, and the locked transaction moves them in a
few set statements, holding the lock a fraction as long (1.7 s). A large import moves them a
range of cases at a time, each its own transaction (`import_runs`), and the same statements put
back what such an import wrote if a later part fails. PostgreSQL takes the other road
(`answers.write_answers`): its row locks let saves to other cases go on throughout.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, TextClause, bindparam, text

from audit_tui.store import counts
from audit_tui.store.models import AnswerHistoryRow, table_of

Staged = tuple[int, str, str]
"""(case id, item id, value): one answer an import gives."""

_AT = table_of(AnswerHistoryRow).c.changed_at.type
"""How the tables store a moment (SQLite's DATETIME writes its own string form)."""

_DROP = ("DROP TABLE IF EXISTS temp.import_stage", "DROP TABLE IF EXISTS temp.import_moves")
_CREATE = "CREATE TEMP TABLE import_stage (case_id INTEGER, item_id TEXT, value TEXT)"
_FILL = "INSERT INTO temp.import_stage (case_id, item_id, value) VALUES (?, ?, ?)"

# What the import changes, against the answers as they stand under the lock: a given answer
# with no row yet (`present` 0), or a row whose value differs. Equal values are left alone.
_MOVES = """CREATE TEMP TABLE import_moves AS
SELECT s.case_id, s.item_id, a.value AS old_value, s.value AS new_value,
       a.id IS NOT NULL AS present
FROM temp.import_stage AS s
LEFT JOIN main.answer AS a ON a.case_id = s.case_id AND a.item_id = s.item_id
WHERE (a.id IS NULL OR a.value IS NOT s.value) AND s.case_id BETWEEN ? AND ?"""


def _stamped(sql: str) -> TextClause:
    """A statement writing the import's moment, bound as the tables store one."""
    return text(sql).bindparams(bindparam("at", type_=_AT))


_INDEX = "CREATE INDEX temp.import_stage_case ON import_stage (case_id)"
_EVERY = (-(2**63), 2**63 - 1)
"""The range of case ids a whole import covers (`apply`'s `cases`)."""
_UNDO = _stamped(
    "INSERT INTO temp.import_stage (case_id, item_id, value)"
    " SELECT h.case_id, h.item_id, h.old_value FROM main.answer_history AS h"
    " JOIN main.import_claim AS c ON c.case_id = h.case_id AND c.run_id = :run"
    " WHERE h.changed_at = :at AND h.changed_by = :by AND h.via = :via"
)
_HISTORY = _stamped(
    "INSERT INTO main.answer_history"
    " (case_id, item_id, old_value, new_value, changed_at, changed_by, via)"
    " SELECT case_id, item_id, old_value, new_value, :at, :by, :via FROM temp.import_moves"
)
_UPDATE = _stamped(
    "UPDATE main.answer SET value = m.new_value, updated_at = :at, updated_by = :by"
    " FROM temp.import_moves AS m"
    " WHERE m.present AND answer.case_id = m.case_id AND answer.item_id = m.item_id"
)
_INSERT = _stamped(
    "INSERT INTO main.answer (audit_id, case_id, item_id, value, note, updated_at, updated_by)"
    " SELECT :audit, case_id, item_id, new_value, '', :at, :by FROM temp.import_moves"
    " WHERE NOT present"
)

# The kept counts' moves, summed by the database rather than row by row in Python.
_STEPS = text(
    "SELECT case_id, SUM((new_value IS NOT NULL) - (old_value IS NOT NULL))"
    " FROM temp.import_moves GROUP BY case_id"
)
_TALLIES = text(
    "SELECT item_id, value, SUM(step) FROM ("
    " SELECT item_id, old_value AS value, -1 AS step FROM temp.import_moves"
    " WHERE old_value IS NOT NULL"
    " UNION ALL SELECT item_id, new_value, 1 FROM temp.import_moves WHERE new_value IS NOT NULL"
    ") GROUP BY item_id, value"
)


def stage(conn: Connection, rows: Sequence[Staged], *, in_pieces: bool = False) -> None:
    """Bind the import's rows into the connection's TEMP table, before its write lock: a
    deferred transaction that writes TEMP tables alone takes no lock on the database. An import
    `in_pieces` (store/import_runs.py) has them indexed by case, each piece a range of cases."""
    with conn.begin():
        for statement in _DROP:
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql(_CREATE)
        if rows:
            conn.exec_driver_sql(_FILL, list(rows))
        if in_pieces:
            conn.exec_driver_sql(_INDEX)


def stage_undo(conn: Connection, run_id: int, at: datetime, by: str, via: str) -> None:
    """Under the lock: stage what an import run's history says each answer was before it, for
    `apply` to put back (store/import_runs.py)."""
    for statement in _DROP:
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql(_CREATE)
    conn.execute(_UNDO, {"run": run_id, "at": at, "by": by, "via": via})


def unstage(conn: Connection) -> None:
    """Drop the TEMP tables once the import is done either way (the connection goes back to
    the pool with them otherwise)."""
    with conn.begin():
        for statement in _DROP:
            conn.exec_driver_sql(statement)


def apply(
    conn: Connection,
    audit_id: int,
    now: datetime,
    user: str,
    via: str,
    cases: tuple[int, int] = _EVERY,
) -> int:
    """Under the lock: write the staged answers that change something (of the cases with ids
    in the range `cases`, both ends included), their history and the kept counts. Returns how
    many answers changed."""
    conn.exec_driver_sql("DROP TABLE IF EXISTS temp.import_moves")
    conn.exec_driver_sql(_MOVES, cases)
    moved = conn.exec_driver_sql("SELECT COUNT(*) FROM temp.import_moves").scalar_one()
    if not moved:
        return 0
    given = {"at": now, "by": user}
    conn.execute(_HISTORY, {**given, "via": via})
    conn.execute(_UPDATE, given)
    conn.execute(_INSERT, {**given, "audit": audit_id})
    steps = {case_id: step for case_id, step in conn.execute(_STEPS) if step}
    tallies = Counter({(item, value): step for item, value, step in conn.execute(_TALLIES)})
    counts.stepped(conn, audit_id, steps, tallies)
    return int(moved)
