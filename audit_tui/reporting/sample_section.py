"""How the sample was drawn and how well it represents the caseload: seed, window, strata and
rule; each stratum's share of the caseload beside its share of the sample (as the audit's cases
stand now, after any replacement); and the margin each key question's percentage carries at
the audit's own figures. In the JSON report (`"sample"`), Markdown and HTML."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from audit_tui.domain.records import CaseInfo
from audit_tui.domain.safe_text import TEXT_LIMIT, html_text
from audit_tui.domain.words import plural, value_label
from audit_tui.scoring.results import AuditResult
from audit_tui.scoring.sampling import margin_for
from audit_tui.store.sampling import Sample, stratum_of


@dataclass(frozen=True)
class StratumShare:
    values: dict[str, str]
    caseload: int
    caseload_share: float
    drawn: int
    sample: int
    """Live cases of the stratum in the audit now."""
    sample_share: float

    @property
    def label(self) -> str:
        return ", ".join(value_label(v) for v in self.values.values()) or "all cases"


@dataclass(frozen=True)
class Margin:
    id: str
    percent: float | None
    relevant: int
    margin: float | None
    """Percentage points either side (95%), with the finite-population correction."""


def shares(sample: Sample, cases: list[CaseInfo]) -> list[StratumShare]:
    now = Counter(stratum_of(c.attributes, sample.strata) for c in cases)
    total = sum(now.values()) or 1
    window = sample.in_window or 1
    return [
        StratumShare(
            values=p.values,
            caseload=p.caseload,
            caseload_share=p.caseload / window,
            drawn=p.sample,
            sample=now.get(tuple(p.values[s] for s in sample.strata), 0),
            sample_share=now.get(tuple(p.values[s] for s in sample.strata), 0) / total,
        )
        for p in sample.plan
    ]


def margins(sample: Sample, result: AuditResult) -> list[Margin]:
    """Each key question's margin at its own percentage over its relevant cases, drawn from the
    cases in the window (none where every answer was alike: no variance to speak of)."""
    found = []
    for st in result.standards:
        for kq in st.key_questions:
            n, pct = kq.relevant, kq.percent
            margin = None
            if n and pct is not None and 0 < pct < 100:
                margin = margin_for(max(sample.in_window, n), n, pct)
            found.append(Margin(id=kq.id, percent=pct, relevant=n, margin=margin))
    return found


def sample_dict(
    sample: Sample, cases: list[CaseInfo], result: AuditResult, include_notes: bool = False
) -> dict[str, Any]:
    from audit_tui.reporting.trail import utc

    start, end = sample.window
    return {
        "seed": sample.seed,
        "size": sample.size,
        "strata": sample.strata,
        "window": {
            "from": start.isoformat() if start else None,
            "to": end.isoformat() if end else None,
        },
        "min_per_stratum": sample.min_per_stratum,
        "rule": sample.rule,
        "population": {
            "caseload": sample.population_total,
            "caseload_sha256": sample.caseload_sha256,
            "in_window": sample.in_window,
            "strata": [
                {
                    "values": s.values,
                    "caseload": s.caseload,
                    "caseload_share": round(s.caseload_share, 4),
                    "drawn": s.drawn,
                    "sample": s.sample,
                    "sample_share": round(s.sample_share, 4),
                }
                for s in shares(sample, cases)
            ],
        },
        "replacements": [
            {
                "replaced": r.replaced,
                "replacement": r.replacement,
                "at": utc(r.at) if r.at else None,
                "by": r.by,
                **({"reason": r.reason} if include_notes else {}),
            }
            for r in sample.replacements
        ],
        "margins": [
            {
                "id": m.id,
                "percent": m.percent,
                "relevant": m.relevant,
                "margin": None if m.margin is None else round(m.margin, 2),
            }
            for m in margins(sample, result)
        ],
    }


def _window(sample: Sample) -> str:
    start, end = sample.window
    if start is None and end is None:
        return "the whole caseload"
    return f"cases that started from {start or 'the first'} to {end or 'the last'}"


def _sentences(sample: Sample) -> list[str]:
    lines = [
        f"{plural(sample.size, 'case')} drawn from {sample.in_window:,} eligible"
        f" ({_window(sample)}; {sample.population_total:,} in the caseload extract), seed"
        f" {sample.seed}: {sample.rule}. The same extract, window, strata and seed draw the"
        " same cases again.",
    ]
    if sample.replacements:
        swaps = "; ".join(
            f"{r.replaced} by {r.replacement or 'none (its stratum ran out)'}"
            for r in sample.replacements
        )
        lines.append(f"Replaced, as the next case of the same stratum: {swaps}.")
    return lines


def sample_markdown(
    sample: Sample, cases: list[CaseInfo], result: AuditResult, md: Any
) -> list[str]:
    """`md`: the Markdown renderer's escaping (user text never becomes markup)."""
    lines = ["## How the sample was drawn", ""]
    lines += [md(s, limit=TEXT_LIMIT) for s in _sentences(sample)] + [""]
    lines += ["| Stratum | Caseload | Share | Sample | Share |", "|---|---|---|---|---|"]
    for s in shares(sample, cases):
        lines.append(
            f"| {md(s.label)} | {s.caseload:,} | {s.caseload_share:.0%} | {s.sample} |"
            f" {s.sample_share:.0%} |"
        )
    lines += [
        "",
        "Each key question's percentage carries a margin (95%, for the cases in the window):",
        "",
        "| Key question | Yes | Of | Margin |",
        "|---|---|---|---|",
    ]
    for m in margins(sample, result):
        pct = "—" if m.percent is None else f"{m.percent:.0f}%"
        margin = "—" if m.margin is None else f"±{m.margin:.0f} points"
        lines.append(f"| {md(m.id)} | {pct} | {m.relevant} | {margin} |")
    return [*lines, ""]


def sample_html(sample: Sample, cases: list[CaseInfo], result: AuditResult) -> str:
    rows = "".join(
        f"<tr><td>{html_text(s.label)}</td><td class='num'>{s.caseload:,}</td>"
        f"<td class='num'>{s.caseload_share:.0%}</td><td class='num'>{s.sample}</td>"
        f"<td class='num'>{s.sample_share:.0%}</td></tr>"
        for s in shares(sample, cases)
    )
    margin_rows = "".join(
        f"<tr><td>{html_text(m.id)}</td>"
        f"<td class='num'>{'—' if m.percent is None else f'{m.percent:.0f}%'}</td>"
        f"<td class='num'>{m.relevant}</td>"
        f"<td class='num'>{'—' if m.margin is None else f'±{m.margin:.0f} points'}</td></tr>"
        for m in margins(sample, result)
    )
    text = "".join(f"<p>{html_text(s, TEXT_LIMIT)}</p>" for s in _sentences(sample))
    return (
        '<section class="drawn keep" id="drawn"><h2>How the sample was drawn</h2>'
        f"{text}<table class='strata'><thead><tr><th>Stratum</th><th>Caseload</th>"
        "<th>Share</th><th>Sample</th><th>Share</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        "<p>Each key question's percentage carries a margin (95%, for the cases in the"
        " window):</p><table class='margins'><thead><tr><th>Key question</th><th>Yes</th>"
        f"<th>Of</th><th>Margin</th></tr></thead><tbody>{margin_rows}</tbody></table></section>"
    )
