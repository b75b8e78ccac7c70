"""The JSON report: a stable contract scripts rely on (see architecture.md). Keep keys as they are."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from audit_tui.domain.records import AuditInfo, CaseInfo
from audit_tui.domain.safe_text import json_text
from audit_tui.scoring.moderation import Moderation
from audit_tui.scoring.results import AuditResult, ItemResult, StandardResult

if TYPE_CHECKING:
    from audit_tui.store.sampling import Sample


def item_dict(item: ItemResult, *, ci: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": item.id,
        "text": item.text,
        "yes": item.yes,
        "no": item.no,
        "not_applicable": item.not_applicable,
        "unanswered": item.unanswered,
        "relevant": item.relevant,
        "percent": item.percent,
    }
    if ci:
        out["ci95"] = list(item.ci95) if item.ci95 else None
    return out


def standard_dict(st: StandardResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": st.id,
        "title": st.title,
        "method": st.method,
        "rated": st.rated,
        "rating": st.rating,
        "points": st.points,
        "complete": st.complete,
    }
    if st.method == "cases":
        out["key_questions"] = [
            {
                **item_dict(kq),
                "prompts": [item_dict(p, ci=False) for p in kq.prompts],
                **({"set": kq.question_set} if kq.question_set else {}),
                **({"reconstructed_from": kq.reconstructed_from} if kq.reconstructed_from else {}),
            }
            for kq in st.key_questions
        ]
        out["lowest"] = st.lowest.id if st.lowest else None
    if st.meeting is not None:  # a rubric that asks for shares
        out["cases_meeting"] = share_dict(st.meeting)
    return out


def share_dict(share: ItemResult) -> dict[str, Any]:
    """`{"yes", "relevant", "percent", "ci95"}`: cases (or assignments) meeting the standard."""
    return {
        "yes": share.yes,
        "relevant": share.relevant,
        "percent": share.percent,
        "ci95": list(share.ci95) if share.ci95 else None,
    }


def locked_dict(info: AuditInfo | None) -> dict[str, str | None] | None:
    """`{"by", "at"}` (UTC, ISO 8601) while the lead has the audit locked; else None."""
    if info is None or info.locked_at is None:
        return None
    from audit_tui.reporting.trail import utc

    return {"by": info.locked_by, "at": utc(info.locked_at)}


Drawn = tuple["Sample | None", list[CaseInfo]]
"""How the sample was drawn (None when its cases were added), and the audit's cases now."""


def report_dict(
    result: AuditResult,
    info: AuditInfo | None = None,
    moderation: Moderation | None = None,
    drawn: Drawn | None = None,
    include_notes: bool = False,
) -> dict[str, Any]:
    out = {
        "audit": result.audit,
        "rubric": {"id": result.rubric_id, "version": result.rubric_version},
        "cases": result.cases,
        "complete": result.complete,
        "standards": [standard_dict(s) for s in result.standards],
        "indicators": [item_dict(i) for i in result.indicators],
        "score": result.score,
        "score_max": result.score_max if result.scored else None,
        "overall": result.overall,
        "locked": locked_dict(info),
        "kind": info.kind if info else "sample",
    }
    if result.assignments is not None:  # a rubric that asks for shares
        out["assignments_meeting"] = share_dict(result.assignments)
    if moderation is not None:  # present once the audit has a moderation round
        from audit_tui.reporting.moderation_json import moderation_dict

        out["moderation"] = moderation_dict(moderation, include_notes=include_notes)
    if drawn is not None and drawn[0] is not None:  # present once drawn from a caseload
        from audit_tui.reporting.sample_section import sample_dict

        out["sample"] = sample_dict(drawn[0], drawn[1], result, include_notes)
    return out


def render_json(
    result: AuditResult,
    info: AuditInfo | None = None,
    moderation: Moderation | None = None,
    drawn: Drawn | None = None,
    include_notes: bool = False,
) -> str:
    body = report_dict(result, info, moderation, drawn, include_notes)
    return json_text(body) + "\n"
