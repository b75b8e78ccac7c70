"""The repository: the engine, who is acting, and the write transaction on an audit.

Every operation is a function in the module named for its topic, taking the repository first
(`audits.open_audit(repo, name)`, `answers.save_answer(repo, audit, case, ...)`, `team.allocate`,
...): one idiom. A step that must share a transaction with others is an `_in` function taking
the `AuditLock` from `repo.locked(audit_id)`. Shared here: the tables, the errors the topic
modules raise, and the few helpers they all use.

Hot paths (saving an answer, importing, tallying) use SQLAlchemy Core on one connection per unit
of work; counts come from GROUP BY queries, never from loading every answer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from copy import copy
from datetime import datetime
from enum import Enum, auto
from time import monotonic, sleep
from typing import Any, Final

from sqlalchemy import Connection, Engine, Executable, bindparam, exists, select, text, update

from audit_tui.domain.access import Access, Role
from audit_tui.domain.errors import AuditError, Problem
from audit_tui.domain.identity import local_name
from audit_tui.domain.records import AnswerInfo, CaseChange
from audit_tui.settings import LOGIN
from audit_tui.store import import_runs, server, staging
from audit_tui.store.bulk import Prepared
from audit_tui.store.engine import WAIT_SECONDS, WRITE, writer
from audit_tui.store.models import (
    AnswerHistoryRow,
    AnswerRow,
    AuditEventRow,
    AuditMemberRow,
    AuditRow,
    CaseRow,
    JudgementHistoryRow,
    JudgementRow,
    table_of,
    utcnow,
)
from audit_tui.store.staging import Staged

AUDIT = table_of(AuditRow)
CASE = table_of(CaseRow)
ANSWER = table_of(AnswerRow)
ANSWER_HISTORY = table_of(AnswerHistoryRow)
JUDGEMENT = table_of(JudgementRow)
JUDGEMENT_HISTORY = table_of(JudgementHistoryRow)
AUDIT_EVENT = table_of(AuditEventRow)
MEMBER = table_of(AuditMemberRow)

LIVE = CASE.c.removed_at.is_(None)
"""A case still in the sample: a removed (withdrawn) case keeps its row, answers and history as
the audit trail, and is left out of every list, count, tally, report and export."""
REFUSED = "the database refused the change (its rules do not allow it); nothing was written"
"""A write the app thought allowed that the database's row policies left undone (PostgreSQL)."""


def updated(
    conn: Connection,
    statement: Executable,
    what: str,
    params: Mapping[str, Any] | None = None,
    rows: int = 1,
) -> None:
    """Run an UPDATE the app allowed; if the database's row policies left any of its `rows`
    untouched (PostgreSQL skips a row a policy hides, it does not fail), refuse the change
    rather than report it done."""
    if conn.execute(statement, params).rowcount < rows:
        raise AuditError.at(what, REFUSED)


def deleted(conn: Connection, function: str, what: str, *args: int | str, at_least: int = 1) -> int:
    """A delete the lead makes on PostgreSQL through the server's function for it
    (`remove_audit`, `remove_member`, `clear_caseload`): logins hold DELETE on no table, which
    would let them `LOCK TABLE` it. Fewer than `at_least` rows gone is the server's refusal."""
    names = ", ".join(f":a{i}" for i in range(len(args)))
    statement = text(f"SELECT audit_tui.{function}({names})")
    gone = int(conn.execute(statement, {f"a{i}": a for i, a in enumerate(args)}).scalar_one())
    if gone < at_least:
        raise AuditError.at(what, REFUSED)
    return gone


LISTED = 10
"""How many cases (or items) an event detail or an error line names before counting the rest."""


# Takes the audit's write lock (the row lock on PostgreSQL) and counts the change, in one
# statement, returning what decides who may change what.
_BUMP_REVISION = (
    update(AUDIT)
    .where(AUDIT.c.id == bindparam("b_audit_id"))
    .values(revision=AUDIT.c.revision + 1)
    .returning(AUDIT.c.revision, AUDIT.c.name, AUDIT.c.locked_by, AUDIT.c.locked_at)
)
# The writer's role in the audit, and whether the audit has members at all (one with none is open).
MEMBERSHIP = select(
    select(MEMBER.c.role)
    .where(MEMBER.c.audit_id == bindparam("b_audit_id"), MEMBER.c.user_name == bindparam("b_user"))
    .scalar_subquery(),
    exists().where(MEMBER.c.audit_id == bindparam("b_audit_id")),
)
_BUMP = Prepared(_BUMP_REVISION)
_MEMBERSHIP = Prepared(MEMBERSHIP)


_BEGIN_WRITE = Prepared(
    text(
        "SELECT revision, name, locked_by, locked_at, role, any_member"
        " FROM audit_tui.begin_write(:b_audit_id)"
    )
)
"""PostgreSQL: the lock, the revision and who is writing, from the server (store/pg)."""
_BEGIN_ANSWER = Prepared(
    text(
        "SELECT revision, name, locked_by, locked_at, role, any_member"
        " FROM audit_tui.begin_answer(:b_audit_id, :b_case_ids)"
    )
)
"""PostgreSQL: a write to some cases' answers alone: their locks, a share of the audit's, who is
writing, and the revision as it stands (the server counts the write's own when it writes)."""
_REVISION = Prepared(select(AUDIT.c.revision).where(AUDIT.c.id == bindparam("b_audit_id")))


class Unchanged(Enum):
    """The type of `UNCHANGED`: a one-member enum, so `x is UNCHANGED` narrows `x` for a checker."""

    UNCHANGED = auto()

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = Unchanged.UNCHANGED
"""Leave this field of a saved answer as it is."""


class StrandedAnswers(AuditError):
    """A change of case attributes refused because answers would stop applying (a PSR changed
    from yes to no leaves the court-work answers with nothing to apply to).

    `changes` holds each refused case's change, its `cleared` being the item ids (a key question,
    then its prompts) that would stop applying: an import names them by row, the app offers to
    clear them."""

    def __init__(self, changes: Sequence[CaseChange]) -> None:
        self.changes = tuple(changes)
        super().__init__(
            [
                Problem(
                    f"case {c.case_ref}",
                    "these answers would no longer apply; clear them first: "
                    f"{listed(c.cleared)} ({moves(c)})",
                )
                for c in self.changes
            ]
        )


class AnswerConflict(AuditError):
    """A save refused because the answer on disk is not the one its auditor saw: someone else
    changed it in between. Nothing was written; `stored` is theirs, to show beside yours."""

    def __init__(self, case_ref: str, item_id: str, stored: AnswerInfo, mine: str | None) -> None:
        self.stored, self.mine = stored, mine
        theirs = stored.value or "unanswered"
        super().__init__(
            [
                Problem(
                    "answer",
                    f"{stored.updated_by or 'someone'} changed {item_id} of case {case_ref} to"
                    f" {theirs} since you looked: nothing was written",
                )
            ]
        )


class AuditLock:
    """A write transaction holding an audit's write lock (an immediate transaction on SQLite, the
    audit's row locked on PostgreSQL), begun by counting one more revision of the audit.

    `keep()` says the transaction changed something; one that did not is rolled back, so the
    revision moves only with the data and a no-op costs no write to disk."""

    def __init__(self, conn: Connection, audit_id: int, revision: int, access: Access) -> None:
        self.conn, self.audit_id = conn, audit_id
        self.access = access
        """Who is writing and what they may do, read in this transaction."""
        self.revision = revision
        """The audit's revision once this transaction commits."""
        self.before = revision - 1
        self.kept = False

    def keep(self) -> int:
        self.kept = True
        return self.revision


class CaseLock(AuditLock):
    """PostgreSQL: a write transaction on some cases' answers (`Repository.locked_cases`). The
    server counts the revision when the answers are written, so `keep()` reads it back."""

    def __init__(self, conn: Connection, audit_id: int, revision: int, access: Access) -> None:
        super().__init__(conn, audit_id, revision + 1, access)  # `before`: as it stands

    def keep(self) -> int:
        self.kept = True
        self.revision = _REVISION.run(self.conn, {"b_audit_id": self.audit_id})[0][0]
        return self.revision


def identity(engine: Engine, claimed: str | None = None, claimed_by: str = "--as") -> str:
    """Who is acting: on PostgreSQL the role the person logged in as (`session_user`), never a
    name the client claims; on SQLite `claimed` (the settings' user: --as, the config file,
    AUDIT_TUI_USER or the login, named in an error by `claimed_by`), else the account, each held
    to the one rule for names (`login_name`)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return str(conn.scalar(text("SELECT session_user")))
    return local_name(claimed, claimed_by, LOGIN)


class Repository:
    """The engine, its writer and who is acting, and the two kinds of transaction every topic
    module's operations run in: `reading` (one moment for a whole report inside `snapshot`) and
    `locked` (read-modify-write under the audit's lock)."""

    def __init__(
        self,
        engine: Engine,
        user: str | None = None,
        *,
        user_from: str = "--as",
        wait: int = WAIT_SECONDS,
    ):
        self.engine = engine
        self.writer = writer(engine)
        self.user = identity(engine, user, user_from)
        self.wait = wait
        """Seconds a write waits for another writer (for the line that says it gave up)."""
        self._held: Connection | None = None

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """The connection a read runs on: the snapshot's, inside `snapshot()`, else its own."""
        if self._held is not None:
            yield self._held
            return
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def snapshot(self) -> Iterator[Repository]:
        """One consistent read: a repository whose reads (`reading`) all share one transaction,
        so a report's cases, score and moderation come from one moment while others commit.
        PostgreSQL: REPEATABLE READ, read only. SQLite: one deferred BEGIN (the engine's), held
        to the end; in WAL its snapshot is taken at the first read. Reads only: writes go through
        `locked` as ever."""
        if self._held is not None:  # already inside one: the same moment
            yield self
            return
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            transaction = conn.begin()
            try:
                view = copy(self)
                view._held = conn
                yield view
            finally:
                transaction.rollback()

    @contextmanager
    def locked(self, audit_id: int) -> Iterator[AuditLock]:
        """One write transaction on an audit, holding the write lock from its first statement;
        `lock.access` says what the writer may do in it (check before writing)."""
        with self.writer.connect() as conn, self.writing(conn, audit_id, None) as lock:
            yield lock

    @contextmanager
    def locked_cases(
        self, audit_id: int, case_ids: Sequence[int], staged: Sequence[Staged] | None = None
    ) -> Iterator[AuditLock]:
        """A write transaction on these cases' answers alone (a save, an import). On PostgreSQL
        it locks the cases and shares the audit (`begin_answer`): auditors saving their own
        cases of one audit, or an import into other cases, do not wait for each other, and an
        audit-wide write (`locked`) waits for them and they for it. SQLite has one writer at a
        time: the audit's lock, as `locked`, waiting only for an import that claims one of the
        cases (`import_runs`); an import's `staged` answers are bound into the connection's TEMP
        table before it, for `staging.apply` to move under it."""
        if self.engine.dialect.name == "sqlite":
            with self.staged(staged) as conn, self.writing(conn, audit_id, case_ids) as locked:
                yield locked
            return
        with self.writer.connect() as conn, conn.begin() as transaction:
            params = {"b_audit_id": audit_id, "b_case_ids": sorted(case_ids)}
            revision, *who = self._began(_BEGIN_ANSWER.run(conn, params))
            lock: AuditLock = CaseLock(conn, audit_id, revision, self._access(conn, *who))
            yield lock
            if not lock.kept:
                transaction.rollback()

    @contextmanager
    def staged(
        self, staged: Sequence[Staged] | None, *, in_pieces: bool = False
    ) -> Iterator[Connection]:
        """SQLite: a writer's connection with an import's `staged` answers bound into its TEMP
        table, before any lock (`staging`), and dropped from it after."""
        with self.writer.connect() as conn:
            if staged is None:
                yield conn
                return
            conn.execution_options(**{WRITE: False})  # TEMP tables alone: no lock taken
            staging.stage(conn, staged, in_pieces=in_pieces)
            conn.execution_options(**{WRITE: True})
            try:
                yield conn
            finally:
                if not conn.invalidated:
                    conn.execution_options(**{WRITE: False})
                    staging.unstage(conn)

    @contextmanager
    def writing(
        self,
        conn: Connection,
        audit_id: int,
        case_ids: Sequence[int] | None,
        *,
        mine: int | None = None,
    ) -> Iterator[AuditLock]:
        """One write transaction on `conn` holding the audit's write lock. On SQLite it first
        waits (up to `wait` seconds, the lock let go meanwhile) for an import under way in its
        way (`import_runs.in_the_way`: any, for an audit-wide write; else one that claims one
        of `case_ids`; never `mine`), and undoes one abandoned there."""
        deadline = monotonic() + self.wait
        while True:
            transaction = conn.begin()
            try:
                lock = self._begin(conn, audit_id)
                run = None
                if not server.keeps_trail(conn):
                    run = import_runs.in_the_way(conn, audit_id, case_ids, mine)
            except BaseException:
                transaction.rollback()
                raise
            if run is None:
                break
            transaction.rollback()
            if run.dead(utcnow()):
                import_runs.undo_if_dead(self, run)
                continue
            if monotonic() >= deadline:
                raise run.busy()
            sleep(import_runs.POLL)
        with transaction:
            yield lock
            if not lock.kept:
                transaction.rollback()

    def bump(self, conn: Connection, audit_id: int) -> None:
        """SQLite: count one more revision of the audit, taking the write lock."""
        _BUMP.run(conn, {"b_audit_id": audit_id})

    def _begin(self, conn: Connection, audit_id: int) -> AuditLock:
        """The audit's write lock, its revision counted, and who is writing."""
        if server.keeps_trail(conn):  # the server takes the lock and says who is writing
            revision, *who = self._began(_BEGIN_WRITE.run(conn, {"b_audit_id": audit_id}))
            return AuditLock(conn, audit_id, revision, self._access(conn, *who))
        bumped = _BUMP.run(conn, {"b_audit_id": audit_id})
        if not bumped:
            raise AuditError.at("audit", "this audit no longer exists (it was deleted)")
        revision, name, locked_by, locked_at = bumped[0]
        params = {"b_audit_id": audit_id, "b_user": self.user}
        role, any_member = _MEMBERSHIP.run(conn, params)[0]
        access = self._access(conn, name, locked_by, locked_at, role, any_member)
        return AuditLock(conn, audit_id, revision, access)

    def _began(self, began: Sequence[Sequence[Any]]) -> Sequence[Any]:
        """The server's row for a write begun, or the one line it allows someone outside."""
        if not began:  # the server says no more than this to someone outside it
            raise AuditError.at(
                "audit",
                f"this audit no longer exists, or {self.user} is not a member of it"
                " (its lead can add you)",
            )
        return began[0]

    def _access(
        self,
        conn: Connection,
        name: str,
        locked_by: str | None,
        locked_at: Any,
        role: str | None,
        any_member: bool,
    ) -> Access:
        return Access(
            user=self.user,
            audit=name,
            role=Role(role) if role else None,
            open=not any_member,
            locked_by=locked_by,
            locked_at=moment(conn, locked_at),
        )


def moment(conn: Connection, raw: Any) -> datetime | None:
    """A timestamp read on the driver's cursor as SQLAlchemy would give it (SQLite stores text)."""
    if raw is None or isinstance(raw, datetime):
        return raw
    when = AUDIT.c.locked_at.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)
    return when(raw) if when else raw


def listed(names: Sequence[str], sep: str = ", ", limit: int = LISTED) -> str:
    """The first `limit` names, then how many more: an error line or event stays bounded."""
    more = f"{sep}… and {len(names) - limit:,} more" if len(names) > limit else ""
    return sep.join(names[:limit]) + more


def moves(change: CaseChange) -> str:
    """`has_psr yes → no`: the attribute changes of a CaseChange, without the reference."""
    return change.describe().removeprefix(change.case_ref).strip()
