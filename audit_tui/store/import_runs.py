"""SQLite: a large import committed in pieces, so that auditors' saves need not wait for all of it,
and still all or nothing to the person importing.

SQLite has one writer at a time. A 5,000-case import is 325,000 answers and as many history rows:
1.4 s under the write lock at best, and every save in the database waited for it (`make bench`).
An import bigger than `PIECE_ROWS` now writes a range of its cases at a time, each piece its own
transaction, and rests between them long enough for a waiting save to take its turn.

What keeps it one import:
- **A run and its claims.** The first piece records the run (`import_run`) and claims its cases
  (`import_claim`). Saves to a claimed case, and audit-wide writes (lock, sign-off, removal,
  membership), wait for the run to end, as PostgreSQL's row locks make them wait for an import
  there; saves to other cases go on between the pieces. The last piece removes the run.
- **Undone as one.** A piece that fails has the pieces before it undone: each answer goes back to
  what the run's history says it was, with history rows of its own (`via` "undo"), so the
  trail still chains. A run whose program died (or that has been silent longer than `STALE`) is
  undone by the next program that opens the database or would wait for it.

Others see the answers arrive over the import's few seconds, as they would see a colleague's
saves; a run that fails takes them back. PostgreSQL takes the other road: one transaction that
locks only its cases (`answers.write_answers`).
"""

from __future__ import annotations

import os
import socket
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from audit_tui.domain.errors import AuditError
from audit_tui.domain.words import plural
from audit_tui.store import staging
from audit_tui.store.bulk import Prepared
from audit_tui.store.models import ImportClaimRow, ImportRunRow, table_of, utcnow

if TYPE_CHECKING:
    from audit_tui.store.repository import AuditLock, Repository

RUN = table_of(ImportRunRow)
CLAIM = table_of(ImportClaimRow)

PIECE_ROWS = 50_000
"""Answers an import writes in one transaction before it lets others in: about 0.25 s under the
lock. An import no bigger is one transaction, as it always was."""
REST = 0.12
"""Seconds between pieces: longer than the 100 ms a waiting SQLite writer sleeps between tries
once it has waited a while, so every writer waiting when a piece ends gets its turn."""
STALE = timedelta(minutes=2)
"""A run whose last piece is older than this is abandoned, even if its program still runs
(stopped with ctrl+z, say): every piece takes well under a second."""
POLL = 0.05
"""Seconds a write waits before it looks again at a run in its way."""
HOST = socket.gethostname()

_abandoned: set[tuple[int, datetime]] = set()
"""Runs (id, start) this program failed to undo (the disk full, say): undone by its next write
in their way. The start tells apart runs of the same id in two databases."""


@dataclass(frozen=True)
class Run:
    id: int
    audit_id: int
    started_at: datetime
    started_by: str
    via: str
    host: str
    pid: int
    beat_at: datetime

    def dead(self, now: datetime) -> bool:
        """Its program has gone, or it has been silent too long to be running."""
        if (self.id, _aware(self.started_at)) in _abandoned:
            return True
        if self.host == HOST and not _alive(self.pid):
            return True
        return now - _aware(self.beat_at) > STALE

    def busy(self) -> AuditError:
        since = _aware(self.started_at).astimezone().strftime("%H:%M:%S")
        return AuditError.at(
            "audit",
            f"an import into this audit by {self.started_by} (since {since}) is still under"
            " way: try again when it ends",
        )


def _aware(moment: datetime) -> datetime:
    """SQLite's driver gives back the stored moment without its zone; it was written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def _alive(pid: int) -> bool:
    if os.name == "nt":  # signal 0 would end the process there: `STALE` alone tells
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """Ended, but not yet waited for by its parent (Linux: /proc says so; elsewhere, no)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] in (["Z"], ["X"])


_RUNS = select(*RUN.c).where(RUN.c.audit_id == bindparam("audit"), RUN.c.id != bindparam("mine"))
_ANY = Prepared(_RUNS.with_only_columns(RUN.c.id).limit(1))
_CLAIMED = select(CLAIM.c.run_id).where(CLAIM.c.case_id.in_(bindparam("cases", expanding=True)))


def in_the_way(
    conn: Connection, audit_id: int, case_ids: Sequence[int] | None, mine: int | None = None
) -> Run | None:
    """Under the write lock: the run (not `mine`) a write must wait for: any on the audit for an
    audit-wide write (`case_ids` None), else one that claims one of `case_ids`."""
    given = {"audit": audit_id, "mine": mine or 0}
    if not _ANY.run(conn, given):  # nearly always: one indexed look, on the save's hot path
        return None
    runs = [Run(**row._mapping) for row in conn.execute(_RUNS, given)]
    if not runs or case_ids is None:
        return runs[0] if runs else None
    if not case_ids:
        return None
    claimed = set(conn.scalars(_CLAIMED, {"cases": list(case_ids)}))
    return next((run for run in runs if run.id in claimed), None)


def claim(
    conn: Connection, audit_id: int, case_ids: Sequence[int], at: datetime, by: str, via: str
) -> int:
    """Under the write lock: record a run and claim its cases. Returns the run's id."""
    values = {"audit_id": audit_id, "started_at": at, "started_by": by, "via": via}
    run_id = conn.scalar(
        insert(RUN)
        .values(**values, host=HOST, pid=os.getpid(), beat_at=utcnow())
        .returning(RUN.c.id)
    )
    conn.execute(insert(CLAIM), [{"case_id": case_id, "run_id": run_id} for case_id in case_ids])
    return int(run_id)


def go_on(conn: Connection, run_id: int, last: bool) -> None:
    """Under the write lock, in a piece: the run is still this program's (another undoes one it
    thinks abandoned), and it beats, or ends with the last piece."""
    if not conn.scalar(select(RUN.c.id).where(RUN.c.id == run_id)):
        raise AuditError.at(
            "answers",
            "this import was stopped too long and has been undone by another program; nothing"
            " of it is kept: import again",
        )
    if last:
        conn.execute(delete(RUN).where(RUN.c.id == run_id))
    else:
        conn.execute(update(RUN).where(RUN.c.id == run_id).values(beat_at=utcnow()))


def undo(conn: Connection, run: Run, by: str) -> int:
    """Under the write lock: put back what the run wrote, with history, say so in the audit's
    event log (as `by`, the program's user), and end the run. Returns how many answers went
    back."""
    at, importer, via = run.started_at, run.started_by, run.via
    back = staging.put_back(conn, run.audit_id, run.id, at, importer, via, utcnow())
    conn.execute(delete(RUN).where(RUN.c.id == run.id))
    from audit_tui.store import events  # it imports the repository, which imports this

    begun = _aware(at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    detail = (
        f"the import by {importer} begun {begun} stopped part-way:"
        f" the {plural(back, 'answer')} it had written were put back"
    )
    events.append(conn, run.audit_id, by, "repair", detail)  # the kinds are fixed: a repair
    _abandoned.discard((run.id, _aware(at)))
    return back


def of(conn: Connection, run_id: int) -> Run | None:
    row = conn.execute(select(*RUN.c).where(RUN.c.id == run_id)).first()
    return Run(**row._mapping) if row else None


def abandoned(conn: Connection) -> list[Run]:
    """Runs to undo (read outside any lock: `recover` looks again under it)."""
    now = utcnow()
    return [run for row in conn.execute(select(*RUN.c)) if (run := Run(**row._mapping)).dead(now)]


def recover(repo: Repository) -> int:
    """Undo every abandoned run (a program that died part-way through an import), as the
    database is opened: others would see its part until a write found it. Returns how many
    were undone."""
    if repo.engine.dialect.name != "sqlite":
        return 0
    try:
        with repo.reading() as conn:
            runs = abandoned(conn)
        return sum(undo_if_dead(repo, run) for run in runs)
    except SQLAlchemyError:  # read only, or the disk full: a later program's write undoes it
        return 0


def undo_if_dead(repo: Repository, found: Run) -> bool:
    """Undo a run found abandoned, if it still is under the lock, on a connection of its own:
    the TEMP tables of the one that found it may hold an import of its own."""
    with repo.writer.connect() as conn, conn.begin() as transaction:
        repo.bump(conn, found.audit_id)  # takes the lock
        run = of(conn, found.id)
        if run is None or not run.dead(utcnow()):
            transaction.rollback()  # the revision moves only with the data
            return False
        undo(conn, run, repo.user)
        return True


def pieces(staged: Sequence[staging.Staged], rows: int) -> list[tuple[int, int]]:
    """Ranges of case ids (both ends included), in order, of about `rows` answers each; a case is
    never split."""
    per_case = Counter(case_id for case_id, _item, _value in staged)
    out: list[tuple[int, int]] = []
    first: int | None = None
    held = 0
    for case_id in sorted(per_case):
        first = case_id if first is None else first
        held += per_case[case_id]
        if held >= rows:
            out.append((first, case_id))
            first, held = None, 0
    if first is not None:
        out.append((first, max(per_case)))
    return out


def rest() -> None:
    """Between pieces: let the writers waiting take their turn."""
    time.sleep(REST)


def write_in_pieces(
    repo: Repository,
    audit_id: int,
    case_ids: Sequence[int],
    staged: Sequence[staging.Staged],
    check: Callable[[AuditLock], None],
    via: str,
) -> int:
    """Write an import's staged answers a range of cases at a time (see the module's note);
    `check` runs under the first piece's lock, before anything is written. Every piece is
    dated when the first took the lock: no other write comes between them on its cases.
    Returns how many answers changed; raises with nothing of the import kept."""
    ranges = pieces(staged, PIECE_ROWS)
    written = 0
    run_id: int | None = None
    at = utcnow()
    with repo.staged(staged, in_pieces=True) as conn:
        try:
            for n, cases in enumerate(ranges):
                last = n == len(ranges) - 1
                with repo.writing(conn, audit_id, case_ids, mine=run_id) as lock:
                    if run_id is None:
                        check(lock)
                        at = utcnow()
                        run_id = claim(conn, audit_id, case_ids, at, repo.user, via)
                    go_on(conn, run_id, last)
                    written += staging.apply(conn, audit_id, at, repo.user, via, cases)
                    lock.keep()
                if not last:
                    rest()
        except BaseException as exc:
            undone = run_id is None or _undo_mine(repo, conn, audit_id, run_id, at)
            if not undone and isinstance(exc, AuditError | SQLAlchemyError):
                cause = getattr(exc, "orig", None) or exc
                raise AuditError.at(
                    "answers",
                    f"the import stopped part-way ({cause}), and the part it had written could"
                    " not be put back yet: the next program to open the database puts it back;"
                    " import again then",
                ) from exc
            raise
    return written


def _undo_mine(
    repo: Repository, conn: Connection, audit_id: int, run_id: int, at: datetime
) -> bool:
    """After a piece failed: undo the pieces before it (True), or leave the run to the next
    write (False)."""
    try:
        with repo.writing(conn, audit_id, (), mine=run_id) as lock:  # no other run's cases
            run = of(conn, run_id)
            if run is not None:
                undo(conn, run, repo.user)
                lock.keep()
    except BaseException as exc:  # the piece's own error is the one to tell, but not over ctrl+c
        _abandoned.add((run_id, at))
        if not isinstance(exc, Exception):
            raise
        return False
    return True
