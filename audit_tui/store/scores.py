"""An audit's counts and ratings, read in one snapshot."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import OpenAudit
from audit_tui.scoring import AuditResult, Tally, score_audit
from audit_tui.scoring.live import LiveScore
from audit_tui.store import aggregates
from audit_tui.store.judgements import read_judgements, read_judgements_of
from audit_tui.store.repository import AUDIT, Repository


def tallies(repo: Repository, audit: OpenAudit) -> tuple[int, dict[str, Tally]]:
    """(number of cases, per-item tallies) from two GROUP BY queries."""
    with repo.reading() as conn:
        return aggregates.tallies(conn, audit)


def live_score(repo: Repository, audit: OpenAudit) -> LiveScore:
    """The counts a live rating starts from, with the revision they were counted at, all read
    from one snapshot (so a change made meanwhile shows as a newer revision, never half)."""
    with repo.reading() as conn:
        if conn.dialect.name == "postgresql" and not conn.in_transaction():
            conn.execution_options(isolation_level="REPEATABLE READ")
        revision = conn.scalar(select(AUDIT.c.revision).where(AUDIT.c.id == audit.info.id))
        if revision is None:
            raise AuditError.at("audit", "this audit no longer exists (it was deleted)")
        cases, tallies = aggregates.tallies(conn, audit)
        judged = read_judgements(conn, audit.info.id)
        verdicts = aggregates.case_verdicts(conn, audit)
    return LiveScore(
        cases=cases, tallies=tallies, judgements=judged, revision=revision, verdicts=verdicts
    )


def score(repo: Repository, audit: OpenAudit, *, exact: bool = True) -> AuditResult:
    """The audit's ratings as a report states them: counted from the answers (`exact`), or
    from the kept counts (cheaper, for a list of audits; the app's live ratings)."""
    if not exact:
        return live_score(repo, audit).result(audit.rubric, audit.info.name)
    with repo.reading() as conn:
        if conn.dialect.name == "postgresql" and not conn.in_transaction():
            conn.execution_options(isolation_level="REPEATABLE READ")
        cases, tallies = aggregates.tallies(conn, audit, from_answers=True)
        judged = read_judgements(conn, audit.info.id)
        verdicts = aggregates.verdict_tallies(conn, audit)
    return score_audit(audit.rubric, audit.info.name, cases, tallies, judged, verdicts)


def scores_of(repo: Repository, audits: Sequence[OpenAudit]) -> dict[int, AuditResult]:
    """Each audit's ratings by id, as `score` states one (from the answers), read together in
    one snapshot: a region's audits in two counting queries, not two per audit. Their key
    questions alone (no prompts, no indicators): all the regional view shows."""
    with repo.reading() as conn:
        if conn.dialect.name == "postgresql" and not conn.in_transaction():
            conn.execution_options(isolation_level="REPEATABLE READ")
        counted = aggregates.tallies_of(conn, audits, key_questions_only=True)
        judged = read_judgements_of(conn, [a.info.id for a in audits])
        verdicts = {a.info.id: aggregates.verdict_tallies(conn, a) for a in audits}
    return {
        a.info.id: score_audit(
            a.rubric,
            a.info.name,
            *counted[a.info.id],
            judged[a.info.id],
            verdicts[a.info.id],
            key_questions_only=True,
        )
        for a in audits
    }


def score_with_breakdowns(
    repo: Repository, audit: OpenAudit, attributes: Sequence[str]
) -> tuple[AuditResult, aggregates.Breakdowns]:
    """The score, and per attribute and value its number of cases and per-item tallies: what
    a report needs, from one read of the answers rather than two."""
    with repo.reading() as conn:
        if conn.dialect.name == "postgresql" and not conn.in_transaction():
            conn.execution_options(isolation_level="REPEATABLE READ")
        cases, tallies, breakdowns = aggregates.report_tallies(conn, audit, attributes)
        judged = read_judgements(conn, audit.info.id)
        verdicts = aggregates.verdict_tallies(conn, audit)
    result = score_audit(audit.rubric, audit.info.name, cases, tallies, judged, verdicts)
    return result, breakdowns
