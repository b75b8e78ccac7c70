"""The regional view: each PDU's latest audit of a period side by side, and for each key question
a funnel plot that says which PDUs differ from the rest (`scoring/funnel.py`), not a league
table. Read in one snapshot into a typed record; rendered by pure functions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import AuditInfo, OpenAudit
from audit_tui.domain.rubric import Rubric
from audit_tui.domain.safe_text import TEXT_LIMIT, json_text
from audit_tui.domain.words import percent_range, whole_percent
from audit_tui.reporting.json_report import share_dict
from audit_tui.reporting.markdown import md
from audit_tui.scoring.compare import Difference, Side, in_words, newcombe
from audit_tui.scoring.funnel import Funnel, Unit, flag_sentence, funnel, spread_sentence
from audit_tui.scoring.results import AuditResult, KeyQuestionResult
from audit_tui.store import audits, listing, scores
from audit_tui.store.moderation import blind_audits
from audit_tui.store.repository import Repository


@dataclass(frozen=True)
class PduAudit:
    """A PDU's latest audit of the period, scored from its answers."""

    pdu: str
    audit: str
    created: date
    result: AuditResult

    def key_question(self, kq_id: str) -> KeyQuestionResult | None:
        return self._key_questions.get(kq_id)

    @property
    def standing(self) -> tuple[str, str]:
        """The PDU's score and overall rating as its row says them; for a framework without a
        score (DIPP), no score and its share of assignments meeting the standard instead."""
        r = self.result
        if r.scored:
            score = "–" if r.score is None else str(r.score)
            return f"{score}/{r.score_max}", r.overall or "not yet rated"
        a = r.assignments
        if a is None or not a.relevant:
            return "–", "not rated"
        return "–", f"{whole_percent(a.percent)} of assignments ({a.yes} of {a.relevant})"

    @cached_property
    def _key_questions(self) -> dict[str, KeyQuestionResult]:
        """Each key question's result by id, looked up once per PDU, not once per funnel."""
        return {k.id: k for s in self.result.standards for k in s.key_questions}


@dataclass(frozen=True)
class RegionRecord:
    region: str
    period: tuple[date | None, date | None]
    rubric: Rubric
    pdus: tuple[PduAudit, ...]
    trends: dict[str, tuple[PduAudit, ...]]
    """Each PDU's audits of the period, oldest first, the latest (in `pdus`) last."""
    funnels: dict[str, Funnel]
    """Per key question id, over the PDUs with a relevant case."""
    left_out: tuple[str, ...]
    """Audits of the region not compared, each with why (another framework, hidden to you)."""
    national: bool = False
    """Every region's PDUs (`region` then says so): a PDU whose name two regions share is
    named with its region."""
    shown: tuple[OpenAudit, ...] = ()
    """Every audit whose figures the view shows (each PDU's latest and its trend's earlier
    ones), as opened to count them: what an export logs, without opening them again."""


def parse_period(text: str | None) -> tuple[date | None, date | None]:
    """`FROM..TO` (ISO dates, either end open): the audits created in it."""
    if not text:
        return (None, None)
    start, sep, end = text.partition("..")
    if not sep:
        raise AuditError.at(
            "--period", f"give FROM..TO (e.g. 2026-01-01..2026-03-31), not {text!r}"
        )
    try:
        return (
            date.fromisoformat(start) if start else None,
            date.fromisoformat(end) if end else None,
        )
    except ValueError as exc:
        raise AuditError.at("--period", f"not a date: {exc}") from None


NATIONAL = "All regions"


def gather_region(
    repo: Repository, region: str | None, period: tuple[date | None, date | None] = (None, None)
) -> RegionRecord:
    """Every PDU of `region` (None: of every region, the national view) by its latest sample
    audit created in `period`, of the framework most of them use, read in one snapshot."""
    start, end = period
    national = region is None
    where = NATIONAL.lower() if region is None else f"region {region!r}"
    with repo.snapshot():
        blind = blind_audits(repo)
        found = [
            info
            for info in audits.list_audits(repo)
            if (info.region == region or (national and info.region and info.pdu))
            and not info.oversight
            and (start is None or info.created_at.date() >= start)
            and (end is None or info.created_at.date() <= end)
        ]
        if not found:
            raise AuditError.at("region", f"no audit of {where} in that period")
        ordered = sorted(found, key=lambda i: (i.created_at, i.name))
        regions_of: dict[str, set[str]] = {}
        for info in ordered:
            regions_of.setdefault(info.pdu, set()).add(info.region)

        def unit(info: AuditInfo) -> str:
            shared = national and len(regions_of[info.pdu]) > 1
            return f"{info.pdu} ({info.region})" if shared else info.pdu

        unit_of = {info.id: unit(info) for info in ordered}
        latest = {unit_of[info.id]: info for info in ordered}
        frameworks = Counter(info.rubric_id for info in latest.values())
        rubric_id = frameworks.most_common(1)[0][0]
        left_out: list[str] = []
        history: dict[str, list[PduAudit]] = {}
        rubric: Rubric | None = None
        compared = []
        for info in ordered:
            if info.rubric_id != rubric_id:
                left_out.append(f"{info.name}: another framework ({info.rubric_id})")
            elif info.id in blind:
                left_out.append(f"{info.name}: you second-mark it blind")
            else:
                compared.append(info)
        opened = listing.open_audits(repo, compared)
        rubric = opened[0].rubric if opened else None
        results = scores.scores_of(repo, opened)  # from the answers, as each audit's report
        for info in compared:
            named = unit_of[info.id]
            history.setdefault(named, []).append(
                PduAudit(named, info.name, info.created_at.date(), results[info.id])
            )
        pdus = [history[pdu][-1] for pdu in sorted(history)]
    if rubric is None:
        raise AuditError.at("region", f"no audit of {where} that you may read")
    funnels = {
        kq.id: funnel(
            [
                Unit(p.pdu, found_kq.yes, found_kq.relevant)
                for p in pdus
                if (found_kq := p.key_question(kq.id)) is not None
            ]
        )
        for st in rubric.standards
        for kq in st.key_questions
    }
    return RegionRecord(
        region=NATIONAL if region is None else region,
        national=national,
        period=period,
        rubric=rubric,
        pdus=tuple(pdus),
        trends={pdu: tuple(history[pdu]) for pdu in sorted(history)},
        funnels=funnels,
        left_out=tuple(sorted(left_out)),
        shown=tuple(opened),
    )


def real_changes(audits_of_pdu: tuple[PduAudit, ...]) -> list[tuple[str, Difference]]:
    """The key questions whose percentage moved beyond chance from the PDU's first audit of the
    period to its latest (Newcombe's interval leaves out zero), as `compare` says it."""
    if len(audits_of_pdu) < 2:
        return []
    first, last = audits_of_pdu[0], audits_of_pdu[-1]
    moved = []
    for standard in last.result.standards:
        for kq in standard.key_questions:
            before = first.key_question(kq.id)
            if before is None:
                continue
            change = newcombe(Side(before.yes, before.relevant), Side(kq.yes, kq.relevant))
            if change.changed:
                moved.append((kq.id, change))
    return moved


NO_FINDINGS = (
    "No PDU lies outside the 95% limits of any key question: the differences between them are"
    " within what sampling explains."
)
TRENDS_ABOUT = (
    "Each PDU's audits of the period, oldest first; a key question is named when it moved"
    " beyond chance from the first to the latest (Newcombe's 95% interval leaves out zero)."
)


def standing_heading(rubric: Rubric) -> str:
    """The PDUs table's last column: the overall rating, or what a framework without one gives."""
    if rubric.has_score:
        return "Overall rating"
    return "Meeting the required standard" if rubric.scoring.shares else "Rating"


def trend_words(found: tuple[PduAudit, ...]) -> tuple[str, str, str]:
    """A PDU's trend as its report rows say it: ratings, scores, and what moved (or "none")."""
    ratings = " → ".join(p.standing[1] for p in found)
    marks = ", ".join("–" if p.result.score is None else str(p.result.score) for p in found)
    moved = "; ".join(f"{kq_id} {in_words(d)}" for kq_id, d in real_changes(found))
    return ratings, marks, moved or "none"


def findings(record: RegionRecord) -> list[str]:
    """Every PDU outside a funnel, in the rubric's order: the sentences the report leads with."""
    return [
        flag_sentence(flag, kq_id)
        for kq_id, found in record.funnels.items()
        for flag in found.flags
    ]


def period_words(period: tuple[date | None, date | None]) -> str:
    start, end = period
    if start is None and end is None:
        return "all audits"
    return f"audits created {start or 'any time'} to {end or 'now'}"


def region_markdown(record: RegionRecord) -> str:
    rubric = record.rubric
    lines = [
        f"# {md(record.region)}: the {'national' if record.national else 'regional'} view",
        "",
        f"{len(record.pdus)} PDUs, each by its latest audit ({period_words(record.period)}),"
        f" against {md(rubric.title)}.",
        "",
        "## Which PDUs differ",
        "",
    ]
    said = findings(record)
    lines += [f"- {md(line)}." for line in said] or [NO_FINDINGS]
    lines += ["", "## The PDUs", ""]
    lines += [
        f"| PDU | Audit | Cases | Score | {standing_heading(rubric)} |",
        "|---|---|---:|---:|---|",
    ]
    for p in record.pdus:
        score, rating = p.standing
        lines.append(
            f"| {md(p.pdu, cell=True)} | {md(p.audit, cell=True)} | {p.result.cases} |"
            f" {score} | {md(rating, cell=True)} |"
        )
    lines += trend_markdown(record)
    for kq in (kq for st in rubric.standards for kq in st.key_questions):
        found = record.funnels[kq.id]
        lines += ["", f"## {md(kq.id)} {md(kq.text)}", ""]
        if not found.units:
            lines.append("No PDU has a relevant case.")
            continue
        lines += [
            f"Regional percentage {found.target * 100:.1f}%. {spread_sentence(found.spread)}",
            "",
            "| PDU | Yes | Relevant | % | 95% limits | 99.8% limits | |",
            "|---|---:|---:|---:|---|---|---|",
        ]
        for unit in found.units:
            limits = found.limits(unit.relevant)
            low95, up95 = limits[0.95]
            low998, up998 = limits[0.998]
            flag = found.flag_of(unit)
            mark = f"{flag.side} {flag.level * 100:g}%" if flag else ""
            lines.append(
                f"| {md(unit.name, cell=True)} | {unit.yes} | {unit.relevant} | {whole_percent(unit.proportion * 100)} |"
                f" {percent_range(low95, up95)} | {percent_range(low998, up998)} |"
                f" {mark} |"
            )
    if record.left_out:
        lines += ["", "## Not compared", ""] + [f"- {md(why)}" for why in record.left_out]
    return "\n".join(lines) + "\n"


def trend_markdown(record: RegionRecord) -> list[str]:
    """Each PDU over its audits of the period: ratings, scores, and what moved beyond chance."""
    if not any(len(h) > 1 for h in record.trends.values()):
        return []
    lines = [
        "",
        "## Trends",
        "",
        TRENDS_ABOUT,
        "",
        "| PDU | Overall ratings | Scores | Moved beyond chance |",
        "|---|---|---|---|",
    ]
    for pdu, found in record.trends.items():
        ratings, marks, moved = trend_words(found)
        lines.append(
            f"| {md(pdu, cell=True)} | {md(ratings, cell=True)} | {marks} |"
            f" {md(moved, cell=True, limit=TEXT_LIMIT)} |"
        )
    return lines


def region_json_text(record: RegionRecord) -> str:
    return json_text(region_json(record)) + "\n"


def _shares(result: AuditResult) -> dict[str, Any]:
    """`cases_meeting` (by standard) and `assignments_meeting`, where the rubric asks for shares."""
    if result.assignments is None:
        return {}
    return {
        "cases_meeting": {s.id: share_dict(s.meeting) for s in result.standards if s.meeting},
        "assignments_meeting": share_dict(result.assignments),
    }


def region_json(record: RegionRecord) -> dict[str, Any]:
    start, end = record.period
    return {
        "region": record.region,
        "national": record.national,
        "period": {"from": start and start.isoformat(), "to": end and end.isoformat()},
        "rubric": {"id": record.rubric.id, "version": record.rubric.version},
        "pdus": [
            {
                "pdu": p.pdu,
                "audit": p.audit,
                "created": p.created.isoformat(),
                "cases": p.result.cases,
                "score": p.result.score,
                "score_max": p.result.score_max if p.result.scored else None,
                "overall": p.result.overall,
                **_shares(p.result),
            }
            for p in record.pdus
        ],
        "key_questions": [
            {
                "id": kq_id,
                "regional_percent": round(found.target * 100, 2) if found.units else None,
                "phi": round(found.spread.phi, 4),
                "over_dispersion_p": round(found.spread.p_value, 4),
                "tau": round(found.spread.tau2**0.5 * 100, 2),
                "pdus": [
                    {
                        "pdu": unit.name,
                        "yes": unit.yes,
                        "relevant": unit.relevant,
                        "percent": round(unit.proportion * 100, 2),
                        "limits": {
                            f"{level * 100:g}": [round(b * 100, 2) for b in bounds]
                            for level, bounds in found.limits(unit.relevant).items()
                        },
                        "outside": (
                            {"side": flag.side, "level": f"{flag.level * 100:g}"}
                            if (flag := found.flag_of(unit))
                            else None
                        ),
                    }
                    for unit in found.units
                ],
            }
            for kq_id, found in record.funnels.items()
        ],
        "trends": [
            {
                "pdu": pdu,
                "audits": [
                    {
                        "audit": p.audit,
                        "created": p.created.isoformat(),
                        "score": p.result.score,
                        "overall": p.result.overall,
                    }
                    for p in found
                ],
                "moved": [
                    {
                        "id": kq_id,
                        "points": round(d.points or 0.0, 2),
                        "ci95": [round(b, 2) for b in d.ci95 or ()],
                    }
                    for kq_id, d in real_changes(found)
                ],
            }
            for pdu, found in record.trends.items()
        ],
        "findings": findings(record),
        "not_compared": list(record.left_out),
    }
