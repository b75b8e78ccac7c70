"""Each audit's figures for the audit list (cases, progress, score, overall rating), counted once
per revision of the audit rather than on every look.

Rolling an audit's kept counts up into ratings costs a few milliseconds; a list of 1,000 audits
paid that 1,000 times on every look. Every change to an audit counts one more revision in the
transaction that makes it, so figures counted at revision R are right exactly while the audit is
at R: a look reuses them and counts again only the audits that moved. They are kept

- in this process, on any engine (the app's return to its list);
- on SQLite also in `audit_summary`, for the next process (the first list of a session, and
  `audit-tui audits`). Whoever counts them stores them, in a short transaction of its own that
  gives way at once to a writer (figures are never worth a wait).

Not kept by the writing transaction itself, as the kept counts are: rolling up ratings would
add those milliseconds to every save, several times what a save costs. PostgreSQL stores none:
the server could not check figures a login sent it, and no list may show a forged score. So a
session's first list there counts every audit, together (`count_many`: four statements for
all of them, the key questions' counts alone): 0.23 s at 1,000 audits, where one audit at a
time took 12 s.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import OperationalError

from audit_tui.domain.records import AuditInfo, OpenAudit
from audit_tui.domain.rubric import Rubric
from audit_tui.scoring import AuditResult, score_audit
from audit_tui.store import aggregates
from audit_tui.store.judgements import read_judgements_of
from audit_tui.store.kept_list import ratings_of, sound
from audit_tui.store.models import AuditSummaryRow, table_of
from audit_tui.store.repository import AUDIT, Repository

SUMMARY = table_of(AuditSummaryRow)


@dataclass(frozen=True)
class Figures:
    """What the audit list shows of an audit, as counted at `revision`."""

    revision: int
    cases: int
    answered: int
    applicable: int
    score: int | None
    rating: str | None
    rubric_title: str
    score_max: int
    ratings: tuple[str, ...]
    """The rubric's ratings, best first: with its title and the score's maximum, what the list
    shows of the rubric, kept so that its first read parses none (`kept_list`)."""


_seen: WeakKeyDictionary[Engine, dict[tuple[int, datetime], Figures]] = WeakKeyDictionary()
"""This process's figures by engine, then by audit id and creation time (an id a deleted audit
had may be given to a new one)."""


def _figures(revision: int, result: AuditResult, rubric: Rubric) -> Figures:
    answered, applicable = result.progress
    return Figures(
        revision=revision,
        cases=result.cases,
        answered=answered,
        applicable=applicable,
        score=result.score,
        rating=result.overall,
        rubric_title=rubric.title,
        score_max=rubric.score_max,
        ratings=rubric.scale.ratings,
    )


def count_many(repo: Repository, audits: Sequence[OpenAudit]) -> dict[int, Figures]:
    """The figures of these audits by id, from their kept counts, with the revision they were
    read at, all in one snapshot (a change made meanwhile shows as a newer revision, never
    half): four statements whatever their number (revisions, cases, kept counts, judgements),
    where one audit at a time cost four each (a first list of 1,000 audits on PostgreSQL: 4,000
    round trips, 12 s)."""
    if not audits:
        return {}
    ids = [a.info.id for a in audits]
    with repo.reading() as conn:
        if conn.dialect.name == "postgresql" and not conn.in_transaction():
            conn.execution_options(isolation_level="REPEATABLE READ")
        revisions = dict(
            conn.execute(select(AUDIT.c.id, AUDIT.c.revision).where(AUDIT.c.id.in_(ids))).all()
        )
        counted = aggregates.tallies_of(conn, audits, from_answers=False, key_questions_only=True)
        judged = read_judgements_of(conn, ids)
        verdicts = {a.info.id: aggregates.verdict_tallies(conn, a) for a in audits}
    found: dict[int, Figures] = {}
    seen = _seen.setdefault(repo.engine, {})
    for audit in audits:
        audit_id = audit.info.id
        if audit_id not in revisions:  # deleted meanwhile: nothing to show
            continue
        result = score_audit(
            audit.rubric,
            audit.info.name,
            *counted[audit_id],
            judged[audit_id],
            verdicts[audit_id],
            key_questions_only=True,
        )
        found[audit_id] = seen[audit_id, audit.info.created_at] = _figures(
            revisions[audit_id], result, audit.rubric
        )
    return found


def stored(conn: Connection, only: Collection[int] | None = None) -> dict[int, Figures]:
    """The figures the database holds (SQLite; none on PostgreSQL), by audit id, of every audit
    or `only` these: a deleted audit's go with it."""
    found: dict[int, Figures] = {}
    if conn.dialect.name == "sqlite":
        query = select(SUMMARY)
        if only is not None:
            query = query.where(SUMMARY.c.audit_id.in_(list(only)))
        for row in conn.execute(query):
            fields = dict(row._mapping)
            audit_id = fields.pop("audit_id")
            ratings = ratings_of(fields.pop("ratings"))
            if ratings is None or not sound(**fields):
                continue  # a broken cache row (another tool's): counted again, kept anew
            found[audit_id] = Figures(**fields, ratings=ratings)
    return found


def current(repo: Repository, audit: AuditInfo, stored: Mapping[int, Figures]) -> Figures | None:
    """The audit's figures if this process or the database counted them at its revision."""
    for figures in (_seen.get(repo.engine, {}).get((audit.id, audit.created_at)),
                    stored.get(audit.id)):  # fmt: skip
        if figures is not None and figures.revision == audit.revision:
            return figures
    return None


_KEPT = ("revision", "cases", "answered", "applicable", "score", "rating", "rubric_title",
         "score_max", "ratings")  # fmt: skip
_KEEP = text(
    f"INSERT INTO audit_summary (audit_id, {', '.join(_KEPT)})"
    f" SELECT :audit_id, {', '.join(f':{name}' for name in _KEPT)}"
    " FROM audit WHERE audit.id = :audit_id AND audit.revision = :revision"
    " ON CONFLICT (audit_id) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in _KEPT)
)
"""Replaces an older summary; writes nothing for an audit deleted or changed since counting."""


def store(repo: Repository, counted: Mapping[int, Figures]) -> bool:
    """Keep figures just counted for the next process (SQLite), each only while its audit is
    still at the revision it was counted at; at once or not at all (False): a writer holding
    the database, a read-only file or a full disk leave the list as it was, only slower."""
    if not counted or repo.engine.dialect.name != "sqlite":
        return False
    rows = [
        {
            "audit_id": audit_id,
            "revision": f.revision,
            "cases": f.cases,
            "answered": f.answered,
            "applicable": f.applicable,
            "score": f.score,
            "rating": f.rating,
            "rubric_title": f.rubric_title,
            "score_max": f.score_max,
            "ratings": json.dumps(f.ratings),
        }
        for audit_id, f in counted.items()
    ]
    try:
        with repo.writer.connect() as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            driver.execute("PRAGMA busy_timeout = 0")  # outside SQLAlchemy's transaction
            try:
                with conn.begin():
                    conn.execute(_KEEP, rows)
            finally:
                driver.execute(f"PRAGMA busy_timeout = {repo.wait * 1000}")
    except OperationalError:
        return False
    return True
