"""A Markdown report laid out like an HMIP inspection report: ratings first, then each standard."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from audit_tui.domain.records import CaseInfo, OpenAudit, TaggedNote
from audit_tui.domain.rubric import Rubric
from audit_tui.scoring.results import AuditResult, ItemResult, StandardResult


def whole(percent: float | None) -> str:
    """Reports print whole percentages, as the inspectorate does (half rounds up)."""
    return "n/a" if percent is None else f"{int(percent + 0.5)}%"


def _ci(item: ItemResult) -> str:
    return f"{item.ci95[0]:.0f}–{item.ci95[1]:.0f}%" if item.ci95 else "–"


def _rating(value: str | None) -> str:
    return value or "Not yet rated"


def render_markdown(
    audit: OpenAudit,
    result: AuditResult,
    cases: Sequence[CaseInfo],
    notes: Sequence[TaggedNote] = (),
) -> str:
    rubric = audit.rubric
    info = audit.info
    lines: list[str] = [f"# Case-file audit: {info.name}", ""]
    where = ", ".join(x for x in (info.pdu, info.region) if x)
    if where:
        lines += [f"**{where}**", ""]
    lines += [f"Framework: {rubric.title} ({rubric.id} {rubric.version})", ""]
    if not result.complete:
        lines += [
            "> **Provisional:** the audit is not complete; figures cover the answers given so far.",
            "",
        ]

    lines += ["## Ratings", ""]
    score = (
        f"{result.score}/{result.score_max}"
        if result.score is not None
        else f"not yet scored (of {result.score_max})"
    )
    lines += [f"Score **{score}**", "", f"Overall rating: **{_rating(result.overall)}**", ""]
    lines += ["| Standard | Rating |", "|---|---|"]
    for st in result.standards:
        if st.rated:
            lines.append(f"| {st.id} {st.title} | {_rating(st.rating)} |")
    lines.append("")

    lines += ["## The sample", "", *_sample(rubric, cases), ""]

    domain = None
    for st, spec in zip(result.standards, rubric.standards, strict=True):
        if spec.domain != domain:
            domain = spec.domain
            lines += [f"## {spec.domain}. {spec.domain_title}".rstrip(". "), ""]
        lines += _standard(st, spec.headline, [n for n in notes if _in_standard(n, st)])

    if result.indicators:
        lines += ["## Other case-level findings (not rated)", ""]
        lines += ["| Indicator | Percentage 'Yes' | Yes of relevant |", "|---|---|---|"]
        for ind in result.indicators:
            lines.append(f"| {ind.text} | {whole(ind.percent)} | {ind.yes} of {ind.relevant} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _in_standard(note: TaggedNote, st: StandardResult) -> bool:
    return note.item_id.startswith(st.id + ".")


def _standard(st: StandardResult, headline: str, notes: Sequence[TaggedNote]) -> list[str]:
    lines = [f"### {st.id} {st.title}", ""]
    if headline:
        lines += [f"_{headline}_", ""]
    if st.rated:
        lines += [f"**{_rating(st.rating)}**", ""]
    else:
        lines += ["Not rated: reported for information and benchmarking only.", ""]
    if st.method == "cases":
        lines += [
            "| Key question | Percentage 'Yes' | Yes of relevant | 95% interval |",
            "|---|---|---|---|",
        ]
        for kq in st.key_questions:
            mark = "**" if st.lowest is kq else ""
            lines.append(
                f"| {kq.text} | {mark}{whole(kq.percent)}{mark} | {kq.yes} of {kq.relevant} | {_ci(kq)} |"
            )
        lines.append("")
        if st.lowest is not None and st.rated:
            lines += [
                f"Rated '{st.rating}' as the lowest score of the key questions was "
                f"{whole(st.lowest.percent)} ({st.lowest.id}).",
                "",
            ]
        unanswered = sum(kq.unanswered for kq in st.key_questions)
        if unanswered:
            lines += [f"{unanswered} key-question answers are still to be given.", ""]
        prompts = [p for kq in st.key_questions for p in kq.prompts if p.relevant]
        if prompts:
            lines += ["| Prompt | Percentage 'Yes' | Yes of relevant |", "|---|---|---|"]
            lines += [
                f"| {p.id} {p.text} | {whole(p.percent)} | {p.yes} of {p.relevant} |"
                for p in prompts
            ]
            lines.append("")
    strengths = [n.note for n in notes if n.tag == "strength"]
    improvements = [n.note for n in notes if n.tag == "improvement"]
    if st.judgement:
        strengths = [*_points(st.judgement.strengths), *strengths]
        improvements = [*_points(st.judgement.improvements), *improvements]
    for title, points in (("Strengths", strengths), ("Areas for improvement", improvements)):
        if points:
            lines += [f"{title}:", ""] + [f"- {p}" for p in points] + [""]
    return lines


def _points(text: str) -> list[str]:
    """Evidence is kept as lines (or '; '-separated points in a spreadsheet cell)."""
    parts = [p.strip(" -•") for line in text.splitlines() for p in line.split(";")]
    return [p for p in parts if p]


def _sample(rubric: Rubric, cases: Sequence[CaseInfo]) -> list[str]:
    lines = [f"- Cases inspected: {len(cases)}"]
    for attr in rubric.attributes:
        counts = Counter(c.attributes.get(attr.id, "not recorded") for c in cases)
        if not counts:
            continue
        parts = [f"{v}: {counts[v]}" for v in (*attr.values, "not recorded") if counts.get(v)]
        lines.append(f"- {attr.label}: " + ", ".join(parts))
    return lines
