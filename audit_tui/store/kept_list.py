"""SQLite: the audit list as its figures were last kept, read with the standard library alone, so
the app shows a populated list before SQLAlchemy is imported.

Start-up to a populated list was 4x a bare Textual app (1.0 s against 0.25 s), nearly all of it
importing SQLAlchemy, SQLModel and the tables. Each audit's figures are kept in `audit_summary`
at the revision they were counted at, with what the list shows of its rubric (summaries.py):
while every audit is still at its summary's revision, they are exactly what the full read
(`listing.audit_summaries`) shows. This reads them read-only, in one snapshot, and gives up
(None) at anything else: a URL, a path that is not a current audit-tui database, an audit not
counted or moved since, a person who second-marks blind (the full read hides those figures).
It reports nothing: whatever stopped it, the store's own opening says in its one line. The app
shows the full read once the store is open either way.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from audit_tui.domain.ratings import Ratings
from audit_tui.store.revisions import HEAD
from audit_tui.store.urls import is_url


@dataclass(frozen=True)
class KeptAudit:
    """An audit's row of the list as kept: the fields of `listing.AuditSummary` the list shows."""

    audit_id: int
    revision: int
    name: str
    pdu: str
    region: str
    rubric_title: str
    cases: int
    answered: int
    applicable: int
    score: int | None
    score_max: int
    rating: str | None
    scale: Ratings

    @property
    def hidden(self) -> bool:
        """Never: a blind second marker's list is not read here."""
        return False


_BLIND = (
    "SELECT 1 FROM moderation_round AS r JOIN moderation_case AS m ON m.round_id = r.id"
    " WHERE r.marker = ? AND m.completed_at IS NULL LIMIT 1"
)
"""As `moderation.blind_audits`: any audit in which the person second-marks a case blind."""
_AUDITS = (
    "SELECT a.id, a.revision, a.name, a.pdu, a.region, s.revision, s.rubric_title, s.cases,"
    " s.answered, s.applicable, s.score, s.score_max, s.rating, s.ratings"
    " FROM audit AS a LEFT JOIN audit_summary AS s ON s.audit_id = a.id ORDER BY a.name"
)


def kept_audits(target: str, user: str) -> list[KeptAudit] | None:
    """Every audit's row as kept, by name, if all of them are current (see the module), else
    None. Writes no data (beside a WAL database SQLite may make its -wal and -shm files, with
    the database file's own mode, as any reader does), never waits for a writer, and never
    raises for what the path names or the file holds."""
    if target == "sqlite://" or is_url(target):
        return None
    try:  # a loop of links, an unknown ~user, a NUL: the store's opening says it in its line
        path = Path(target).expanduser().resolve()
        if not path.is_file():
            return None
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=0)
    except (OSError, RuntimeError, ValueError, sqlite3.Error):
        return None
    try:
        conn.execute("BEGIN")  # one snapshot for the three reads
        if conn.execute("SELECT version_num FROM alembic_version").fetchall() != [(HEAD,)]:
            return None
        if conn.execute(_BLIND, (user,)).fetchone() is not None:
            return None
        rows = conn.execute(_AUDITS).fetchall()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    kept = []
    for audit_id, revision, name, pdu, region, kept_at, title, *figures, ratings in rows:
        if kept_at != revision:  # never counted, or moved since
            return None
        cases, answered, applicable, score, score_max, rating = figures
        scale = ratings_of(ratings)
        if (
            scale is None
            or not sound(
                revision=kept_at,
                cases=cases,
                answered=answered,
                applicable=applicable,
                score=score,
                score_max=score_max,
                rating=rating,
                rubric_title=title,
            )
            or not all(isinstance(text, str) for text in (name, pdu, region))
        ):
            return None  # a cell SQLite kept as something else: counted again in full
        kept.append(
            KeptAudit(
                audit_id=audit_id,
                revision=revision,
                name=name,
                pdu=pdu,
                region=region,
                rubric_title=title,
                cases=cases,
                answered=answered,
                applicable=applicable,
                score=score,
                score_max=score_max,
                rating=rating,
                scale=Ratings(scale),
            )
        )
    return kept


def ratings_of(cell: object) -> tuple[str, ...] | None:
    """A summary's ratings (a JSON list of names), or None where the cell holds anything else."""
    if not isinstance(cell, str):
        return None
    try:
        found = json.loads(cell)
    except ValueError:
        return None
    if isinstance(found, list) and all(isinstance(rating, str) for rating in found):
        return tuple(found)
    return None


def sound(
    *,
    revision: object,
    cases: object,
    answered: object,
    applicable: object,
    score: object,
    score_max: object,
    rating: object,
    rubric_title: object,
) -> bool:
    """A summary's figures are of the types they were kept as (SQLite keeps whatever another
    tool writes into a column, text in an INTEGER one too)."""
    counts = (revision, cases, answered, applicable, score_max)
    return (
        all(type(n) is int for n in counts)
        and (score is None or type(score) is int)
        and (rating is None or isinstance(rating, str))
        and isinstance(rubric_title, str)
    )
