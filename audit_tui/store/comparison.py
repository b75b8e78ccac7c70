"""Audits set side by side, read from the store: which audits can be compared with which, the
comparison itself, and the series of an audit's predecessors for the app's sparklines."""

from __future__ import annotations

from collections.abc import Sequence

from audit_tui.domain.records import AuditInfo, OpenAudit
from audit_tui.scoring.compare import Comparison, compare_series
from audit_tui.scoring.matching import Matching, match, unmatched_refusal
from audit_tui.scoring.trend import Trend, trend
from audit_tui.store import audits as audit_ops
from audit_tui.store import scores
from audit_tui.store.moderation import blind_cases
from audit_tui.store.repository import Repository

SERIES_MIN = 3
"""A trend needs three audits: two are a comparison."""


def matchings(audits: Sequence[OpenAudit]) -> list[Matching]:
    """Each audit but the last matched with the last; one line refusing the first that cannot be."""
    last = audits[-1]
    out = []
    for audit in audits[:-1]:
        found = match(audit.rubric, last.rubric)
        if found is None:
            raise unmatched_refusal(
                (audit.info.name, audit.rubric.id), (last.info.name, last.rubric.id)
            )
        out.append(found)
    return out


def compare_audits(repo: Repository, audits: Sequence[OpenAudit]) -> Comparison:
    """The first audit against the last, with a trend over all of them when there are three or
    more; counted from the answers, as a report is."""
    matched = matchings(audits)
    with repo.snapshot() as snap:  # every audit's figures from one moment
        results = [scores.score(snap, a) for a in audits]
    return compare_series(results, matched, audits[-1].rubric.scoring.rated_edges)


def comparable_with(repo: Repository, audit: OpenAudit) -> list[AuditInfo]:
    """The other audits whose key questions can be matched with `audit`'s: the same rubric, or
    one that maps from or to it, and of its kind (a sample is set against samples, an oversight
    review against reviews). Oldest first."""
    out = []
    for info in audit_ops.list_audits(repo):
        if info.id == audit.info.id or info.kind != audit.info.kind:
            continue
        if info.rubric_id == audit.rubric.id or audit.rubric.mapping_from(info.rubric_id):
            out.append(info)
            continue
        other = audit_ops.open_audit(repo, info.name).rubric
        if other.mapping_from(audit.rubric.id) is not None:
            out.append(info)
    return sorted(out, key=lambda i: (i.created_at, i.name))


def series(repo: Repository, audit: OpenAudit) -> list[AuditInfo]:
    """The audits on the same rubric and PDU created up to `audit` (itself last), oldest first:
    what its sparklines are drawn from. Of its kind only: a manager's oversight reviews are not
    a sample, so they never make a point in a sample's trend (nor the reverse)."""
    same = [
        info
        for info in audit_ops.list_audits(repo)
        if info.rubric_id == audit.info.rubric_id
        and info.pdu == audit.info.pdu
        and info.kind == audit.info.kind
        and (info.created_at, info.id) <= (audit.info.created_at, audit.info.id)
    ]
    return sorted(same, key=lambda i: (i.created_at, i.id))


def series_trend(repo: Repository, audit: OpenAudit) -> Trend | None:
    """Each key question over the audit's series, from the kept counts (cheap: the dashboard
    draws it); None when the series holds fewer than three audits."""
    infos = series(repo, audit)
    if len(infos) < SERIES_MIN:
        return None
    audits = [audit_ops.open_audit(repo, i.name) for i in infos[:-1]] + [audit]
    if any(blind_cases(repo, a) for a in audits):  # a blind second marker sees no first marks
        return None
    results = [scores.score(repo, a, exact=False) for a in audits]
    return trend(results, matchings(audits), audit.rubric.scoring.rated_edges)
