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
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy import Connection, TextClause, bindparam, text

from audit_tui.store import counts
from audit_tui.store.models import AnswerHistoryRow, table_of

Staged = tuple[int, str, str]
"""(case id, item id, value): one answer an import gives."""

_AT = table_of(AnswerHistoryRow).c.changed_at.type
"""How the tables store a moment (SQLite's DATETIME writes its own string form)."""

_EVERY = (-(2**63), 2**63 - 1)
"""The range of case ids a whole import covers (`apply`'s `cases`)."""


def _stamped(sql: str) -> TextClause:
    """A statement writing the import's moment, bound as the tables store one."""
    return text(sql).bindparams(bindparam("at", type_=_AT))


@dataclass(frozen=True)
class Tables:
    """The statements on one pair of TEMP tables: the answers given (`stage`) and, under the
    lock, those that change something (`moves`). An import stages into one pair; the undo of
    an abandoned import into another, since the connection that undoes it may be the very one
    holding an import of its own (an in-memory database has but one)."""

    stage: str
    moves: str

    @cached_property
    def drop(self) -> tuple[str, str]:
        return (
            f"DROP TABLE IF EXISTS temp.{self.stage}",
            f"DROP TABLE IF EXISTS temp.{self.moves}",
        )

    @cached_property
    def create(self) -> str:
        return f"CREATE TEMP TABLE {self.stage} (case_id INTEGER, item_id TEXT, value TEXT)"

    @cached_property
    def fill(self) -> str:
        return f"INSERT INTO temp.{self.stage} (case_id, item_id, value) VALUES (?, ?, ?)"

    @cached_property
    def index(self) -> str:
        return f"CREATE INDEX temp.{self.stage}_case ON {self.stage} (case_id)"

    @cached_property
    def find_moves(self) -> str:
        """What the import changes, against the answers as they stand under the lock: a given
        answer with no row yet (`present` 0), or a row whose value differs. Equal values are
        left alone."""
        return (
            f"CREATE TEMP TABLE {self.moves} AS"
            " SELECT s.case_id, s.item_id, a.value AS old_value, s.value AS new_value,"
            " a.id IS NOT NULL AS present"
            f" FROM temp.{self.stage} AS s"
            " LEFT JOIN main.answer AS a ON a.case_id = s.case_id AND a.item_id = s.item_id"
            " WHERE (a.id IS NULL OR a.value IS NOT s.value) AND s.case_id BETWEEN ? AND ?"
        )

    @cached_property
    def undo(self) -> TextClause:
        """An import run's answers as its history says they were before it."""
        return _stamped(
            f"INSERT INTO temp.{self.stage} (case_id, item_id, value)"
            " SELECT h.case_id, h.item_id, h.old_value FROM main.answer_history AS h"
            " JOIN main.import_claim AS c ON c.case_id = h.case_id AND c.run_id = :run"
            " WHERE h.changed_at = :at AND h.changed_by = :by AND h.via = :via"
        )

    @cached_property
    def history(self) -> TextClause:
        return _stamped(
            "INSERT INTO main.answer_history"
            " (case_id, item_id, old_value, new_value, changed_at, changed_by, via)"
            f" SELECT case_id, item_id, old_value, new_value, :at, :by, :via FROM temp.{self.moves}"
        )

    @cached_property
    def update(self) -> TextClause:
        return _stamped(
            "UPDATE main.answer SET value = m.new_value, updated_at = :at, updated_by = :by"
            f" FROM temp.{self.moves} AS m"
            " WHERE m.present AND answer.case_id = m.case_id AND answer.item_id = m.item_id"
        )

    @cached_property
    def insert(self) -> TextClause:
        return _stamped(
            "INSERT INTO main.answer"
            " (audit_id, case_id, item_id, value, note, updated_at, updated_by)"
            f" SELECT :audit, case_id, item_id, new_value, '', :at, :by FROM temp.{self.moves}"
            " WHERE NOT present"
        )

    @cached_property
    def steps(self) -> TextClause:
        """Each case's move in answers given, summed by the database, not row by row."""
        return text(
            "SELECT case_id, SUM((new_value IS NOT NULL) - (old_value IS NOT NULL))"
            f" FROM temp.{self.moves} GROUP BY case_id"
        )

    @cached_property
    def tallies(self) -> TextClause:
        """Each (item, value)'s move in the kept tallies."""
        return text(
            "SELECT item_id, value, SUM(step) FROM ("
            f" SELECT item_id, old_value AS value, -1 AS step FROM temp.{self.moves}"
            " WHERE old_value IS NOT NULL"
            f" UNION ALL SELECT item_id, new_value, 1 FROM temp.{self.moves}"
            " WHERE new_value IS NOT NULL"
            ") GROUP BY item_id, value"
        )


IMPORT = Tables("import_stage", "import_moves")
UNDO = Tables("undo_stage", "undo_moves")


def stage(conn: Connection, rows: Sequence[Staged], *, in_pieces: bool = False) -> None:
    """Bind the import's rows into the connection's TEMP table, before its write lock: a
    deferred transaction that writes TEMP tables alone takes no lock on the database. An import
    `in_pieces` (store/import_runs.py) has them indexed by case, each piece a range of cases."""
    with conn.begin():
        for statement in IMPORT.drop:
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql(IMPORT.create)
        if rows:
            conn.exec_driver_sql(IMPORT.fill, list(rows))
        if in_pieces:
            conn.exec_driver_sql(IMPORT.index)


def put_back(
    conn: Connection, audit_id: int, run_id: int, at: datetime, by: str, via: str, now: datetime
) -> int:
    """Under the lock: put back each answer an import run wrote (`at`, `by`, `via`) as its
    history says it was before, with history rows (`undo`), in the name of the run's importer:
    it is their import taken back, whoever's program found it (store/import_runs.py). Returns
    how many answers went back."""
    for statement in UNDO.drop:
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql(UNDO.create)
    conn.execute(UNDO.undo, {"run": run_id, "at": at, "by": by, "via": via})
    back = apply(conn, audit_id, now, by, "undo", tables=UNDO)
    for statement in UNDO.drop:
        conn.exec_driver_sql(statement)
    return back


def unstage(conn: Connection) -> None:
    """Drop the TEMP tables once the import is done either way (the connection goes back to
    the pool with them otherwise)."""
    with conn.begin():
        for statement in IMPORT.drop:
            conn.exec_driver_sql(statement)


def apply(
    conn: Connection,
    audit_id: int,
    now: datetime,
    user: str,
    via: str,
    cases: tuple[int, int] = _EVERY,
    tables: Tables = IMPORT,
) -> int:
    """Under the lock: write the staged answers that change something (of the cases with ids
    in the range `cases`, both ends included), their history and the kept counts. Returns how
    many answers changed."""
    conn.exec_driver_sql(tables.drop[1])
    conn.exec_driver_sql(tables.find_moves, cases)
    moved = conn.exec_driver_sql(f"SELECT COUNT(*) FROM temp.{tables.moves}").scalar_one()
    if not moved:
        return 0
    given = {"at": now, "by": user}
    conn.execute(tables.history, {**given, "via": via})
    conn.execute(tables.update, given)
    conn.execute(tables.insert, {**given, "audit": audit_id})
    steps = {case_id: step for case_id, step in conn.execute(tables.steps) if step}
    tallies = Counter({(item, value): step for item, value, step in conn.execute(tables.tallies)})
    counts.stepped(conn, audit_id, steps, tallies)
    return int(moved)
