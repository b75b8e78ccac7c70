"""The audits a person may see, with the figures the app's audit list shows, as the command
line's `audits` lists them too (the database decides what a PostgreSQL login may see)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from audit_tui.domain.loader import parse_rubric, rubric_hash
from audit_tui.domain.records import AuditInfo, OpenAudit
from audit_tui.domain.rubric import Rubric, Scale
from audit_tui.store import summaries
from audit_tui.store.aggregates import CASE, LIVE
from audit_tui.store.audits import audit_columns
from audit_tui.store.moderation import blind_audits
from audit_tui.store.repository import AUDIT, Repository


@dataclass(frozen=True)
class AuditSummary:
    audit_id: int
    revision: int
    """The audit's revision its figures are of."""
    name: str
    rubric_id: str
    rubric_version: str
    rubric_title: str
    pdu: str
    region: str
    kind: str
    cases: int
    answered: int
    applicable: int
    score: int | None
    score_max: int
    rating: str | None
    scale: Scale
    """The rubric's ratings, for showing `rating` by its place on them."""
    locked_by: str | None
    locked_at: datetime | None
    hidden: bool
    """The person second-marks a case of it blind: its progress, score and rating are not
    theirs to see yet (the figures above are then zero and None)."""

    @property
    def percent(self) -> float | None:
        """Items answered of those that apply, unrounded to two decimals as reports give it."""
        return round(100 * self.answered / self.applicable, 2) if self.applicable else None


def audit_summaries(repo: Repository, only: Collection[int] | None = None) -> list[AuditSummary]:
    """Every audit the current user may read (or `only` those of these ids), by name, with the
    figures the app's list shows: one query, then figures counted only for the audits that
    moved since they were last counted (store/summaries.py); each distinct rubric is read and
    parsed once."""
    found = []
    with repo.snapshot() as view, view.reading() as conn:
        query = _LISTED if only is None else _LISTED.where(AUDIT.c.id.in_(list(only)))
        infos = [AuditInfo(**row._mapping) for row in conn.execute(query)]
        blind = blind_audits(view)
        stored = summaries.stored(conn, only)
        opened = {info.id: _rubric(conn, info) for info in infos}
        known = {
            info.id: summaries.current(view, info, stored) for info in infos if info.id not in blind
        }
        moved = [
            OpenAudit(info=info, rubric=rubric, rubric_text=text)
            for info in infos
            if info.id in known and known[info.id] is None
            for rubric, text in (opened[info.id],)
        ]
        counted = summaries.count_many(view, moved)
        for info in infos:
            rubric, _text = opened[info.id]
            hidden = info.id in blind
            figures = known.get(info.id) or counted.get(info.id)
            cases = figures.cases if figures else _cases(conn, info.id)
            found.append(
                AuditSummary(
                    audit_id=info.id,
                    revision=info.revision,
                    name=info.name,
                    rubric_id=rubric.id,
                    rubric_version=rubric.version,
                    rubric_title=rubric.title,
                    pdu=info.pdu,
                    region=info.region,
                    kind=info.kind,
                    cases=cases,
                    answered=figures.answered if figures else 0,
                    applicable=figures.applicable if figures else 0,
                    score=figures.score if figures else None,
                    score_max=rubric.score_max,
                    rating=figures.rating if figures else None,
                    scale=rubric.scale,
                    locked_by=info.locked_by,
                    locked_at=info.locked_at,
                    hidden=hidden,
                )
            )
    summaries.store(repo, counted)
    return found


_LISTED = select(*audit_columns()).order_by(AUDIT.c.name)
_REVISIONS = select(AUDIT.c.id, AUDIT.c.revision)


def revisions(repo: Repository) -> dict[int, int]:
    """Each audit's revision, by id, of the audits the user may read: what tells a list which
    of its rows moved, for the price of one small query."""
    with repo.reading() as conn:
        return {audit_id: revision for audit_id, revision in conn.execute(_REVISIONS)}


def open_audits(repo: Repository, infos: Sequence[AuditInfo]) -> list[OpenAudit]:
    """Audits already listed (`audits.list_audits`), opened together: each rubric snapshot read
    and parsed once per distinct content, not once per audit (the regional view opens forty
    audits of one framework)."""
    with repo.reading() as conn:
        return [
            OpenAudit(info=info, rubric=rubric, rubric_text=text)
            for info in infos
            for rubric, text in (_rubric(conn, info),)
        ]


_rubrics: dict[str, tuple[Rubric, str]] = {}
"""Rubric snapshots by their hash, each checked against its text once read."""


def _rubric(conn: Connection, info: AuditInfo) -> tuple[Rubric, str]:
    """The audit's rubric: read and parsed once per distinct snapshot, however many audits hold
    it (a hash that does not match its text is parsed for that audit alone)."""
    known = _rubrics.get(info.rubric_hash)
    if known is not None:
        return known
    text = conn.scalar(select(AUDIT.c.rubric_snapshot).where(AUDIT.c.id == info.id)) or ""
    read = parse_rubric(text, f'audit "{info.name}" rubric snapshot'), text
    if rubric_hash(text) == info.rubric_hash:
        _rubrics[info.rubric_hash] = read
    return read


def _cases(conn: Connection, audit_id: int) -> int:
    """Live cases of an audit whose figures are hidden (the count is no figure of its marks)."""
    return conn.scalar(select(func.count()).where(CASE.c.audit_id == audit_id, LIVE)) or 0
