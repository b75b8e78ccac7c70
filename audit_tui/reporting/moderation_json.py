"""The report's `moderation` block (architecture.md): every agreement figure, the ratings from
each set of marks side by side, and the disagreements, settled or not. A stable contract: keep
the keys. Notes are free text: they are in it only when asked for."""

from __future__ import annotations

from typing import Any

from audit_tui.scoring.agreement import CATEGORIES, Agreement, Interval
from audit_tui.scoring.moderation import Level, Mark, Moderation, StandardLevel, reading


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _interval(ci: Interval | None) -> list[float] | None:
    return None if ci is None else [round(ci[0], 4), round(ci[1], 4)]


def agreement_dict(a: Agreement) -> dict[str, Any]:
    """n, the counts table (first marker's answer -> second's), observed agreement and the three
    coefficients with their 95% intervals (None below 10 items), and which to read."""
    return {
        "n": a.n,
        "agreed": a.agreed,
        "agreement": _rounded(a.observed),
        "kappa": _rounded(a.kappa),
        "kappa_ci95": _interval(a.kappa_ci95),
        "pabak": _rounded(a.pabak),
        "pabak_ci95": _interval(a.pabak_ci95),
        "ac1": _rounded(a.ac1),
        "ac1_ci95": _interval(a.ac1_ci95),
        "table": {f: {s: a.table[f, s] for s in CATEGORIES} for f in CATEGORIES},
        "reading": reading(a),
    }


def level_dict(level: Level) -> dict[str, Any]:
    return {"id": level.id, "text": level.title, **agreement_dict(level.agreement)}


def standard_dict(level: StandardLevel) -> dict[str, Any]:
    return {
        **level_dict(level),
        "rating_first": level.first_rating,
        "rating_second": level.second_rating,
        "ratings_differ": level.differs,
    }


def _mark(mark: Mark, notes: bool) -> dict[str, Any]:
    return {"value": mark.value, **({"note": mark.note} if notes else {})}


def moderation_dict(m: Moderation, *, include_notes: bool = False) -> dict[str, Any]:
    from audit_tui.reporting.trail import utc

    return {
        "rounds": [
            {
                "round": r.number,
                "marker": r.marker,
                "rule": r.rule,
                "seed": r.seed,
                "cases": r.cases,
                "completed": r.completed,
                "created_at": utc(r.created_at) if r.created_at else None,
                "created_by": r.created_by,
            }
            for r in m.rounds
        ],
        "cases": m.cases,
        "key_questions": [level_dict(k) for k in m.key_questions],
        "prompts": [level_dict(p) for p in m.prompts],
        "standards": [standard_dict(s) for s in m.standards],
        "overall": agreement_dict(m.overall.agreement),
        "pairs": [
            {"first": p.first, "second": p.second, **agreement_dict(p.agreement)} for p in m.pairs
        ],
        "markers": [
            {
                "marker": r.marker,
                "round": r.round,
                "as": r.role,
                "n": r.agreement.n,
                "agreement": _rounded(r.agreement.observed),
                "ac1": _rounded(r.agreement.ac1),
                "ac1_ci95": _interval(r.agreement.ac1_ci95),
            }
            for r in m.markers
        ],
        "disagreements": len(m.disagreements),
        "settled": m.settled,
        "disagreement_list": [
            {
                "round": d.round,
                "case": d.case_ref,
                "item": d.item_id,
                "first_marker": d.first_marker,
                "second_marker": d.second_marker,
                "first": _mark(d.first, include_notes),
                "second": _mark(d.second, include_notes),
                "agreed": d.settled.agreed if d.settled else None,
                "settled_by": d.settled.by if d.settled else None,
                **({"reason": d.settled.reason if d.settled else None} if include_notes else {}),
            }
            for d in m.disagreements
        ],
    }
