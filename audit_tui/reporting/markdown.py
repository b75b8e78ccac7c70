"""A Markdown report laid out like an HMIP inspection report: ratings first, then each standard."""

from __future__ import annotations

import html
import re

from audit_tui.domain.safe_text import LINE_LIMIT, TEXT_LIMIT, one_line
from audit_tui.domain.words import capitalised, plural, value_label, whole_percent
from audit_tui.reporting.model import OPTION, OVERSIGHT_NOTE, ReportData, lock_text, long_date
from audit_tui.scoring.results import ItemResult, StandardResult

whole = whole_percent  # short, for the many table cells below and in html_report
LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+")


def md(value: object, *, cell: bool = False, limit: int = LINE_LIMIT) -> str:
    """Data (names, notes, evidence, rubric texts a user may edit) as Markdown that renders as
    itself: no raw HTML (`<script>`), no links made from `[...]`, one line with every other
    control character escaped, cut at `limit` (`TEXT_LIMIT` for free text), and inside a table
    (`cell`) no `|` that would add a column."""
    text = one_line(LINE_BREAKS.sub(" ", str(value)), limit).replace("\\", "\\\\")
    text = html.escape(text, quote=False).replace("[", "\\[").replace("]", "\\]")
    return text.replace("|", "\\|") if cell else text


def interval(item: ItemResult) -> str:
    return f"{item.ci95[0]:.0f}–{item.ci95[1]:.0f}%" if item.ci95 else "–"


def rating_or_pending(value: str | None) -> str:
    return value or "Not yet rated"


def score_line(data: ReportData) -> str:
    r = data.result
    return (
        f"{r.score}/{r.score_max}" if r.score is not None else f"not yet scored (of {r.score_max})"
    )


def render_markdown(data: ReportData) -> str:
    from audit_tui.reporting.opening import draft_markdown, summary_markdown

    rubric, info, result = data.rubric, data.audit.info, data.result
    lines = [f"# {md(data.title)}", "", *draft_markdown(data.draft)]
    where = ", ".join(md(x) for x in (info.pdu, info.region) if x)
    if where:
        lines += [f"**{where}**", ""]
    lines += [f"- Audit: {md(info.name)}", f"- Framework: {md(data.framework)} ({md(rubric.id)})"]
    if data.period is not None:
        lines += [f"- Audit period: {md(data.period.text)}"]
    lines += [f"- Produced on {long_date(data.produced)}", f"- {md(lock_text(info))}", ""]
    if info.oversight:
        lines += [f"> **Not a sample.** {md(OVERSIGHT_NOTE)}", ""]
    if not result.complete and not data.draft:  # every item answered, a judgement missing
        lines += [
            "> **Provisional:** the audit is not complete; figures cover the answers given so far.",
            "",
        ]
    lines += summary_markdown(data)

    if rubric.has_ratings:
        lines += _ratings(data)
    if result.assignments is not None:
        lines += _shares(data)

    lines += ["## The sample", "", f"- Cases inspected: {len(data.cases)}"]
    lines += [f"- {md(label)}: {plural(n, 'case')}" for label, n in data.question_sets()]
    for label, values in data.sample():
        if values:
            counts = ", ".join(f"{md(value_label(v))} {n}" for v, n in values)
            lines.append(f"- {md(label)}: {counts}")
    lines.append("")
    if data.drawn is not None:
        from audit_tui.reporting.sample_section import sample_markdown

        lines += sample_markdown(data.drawn, data.cases, result, md)

    domain = None
    for st, spec in zip(result.standards, rubric.standards, strict=True):
        if spec.domain != domain:
            domain = spec.domain
            lines += [f"## {md(spec.domain)}. {md(spec.domain_title)}".rstrip(". "), ""]
        lines += _standard(data, st, spec.headline)

    if result.indicators:
        lines += ["## Other case-level findings (not rated)", ""]
        lines += ["| Indicator | Percentage 'Yes' | Yes of relevant |", "|---|---|---|"]
        lines += [
            f"| {_indicator(data, i)} | {whole(i.percent)} | {i.yes} of {i.relevant} |"
            for i in result.indicators
        ]
        lines.append("")

    if data.breakdowns:
        lines += _breakdowns(data)
    if data.moderation is not None:
        from audit_tui.reporting.moderation_markdown import moderation_markdown

        lines += moderation_markdown(data.moderation, data.include_notes)
    lines += ["## About these figures", "", " ".join(about_figures(data)), ""]
    return "\n".join(lines).rstrip() + "\n"


def about_figures(data: ReportData, interval_words: str = "") -> list[str]:
    """How the figures were worked out, in the rubric's terms (every format says the same);
    `interval_words` replaces the sentence on intervals (HTML speaks of its bars)."""
    rubric = data.rubric
    out = [
        "A key question's percentage is the share of relevant cases (Yes or No; not applicable"
        " left out) judged Yes."
    ]
    by_cases = rubric.rates_by_cases
    if by_cases:
        out.append(
            "A standard is rated from the share of its cases meeting it: a case meets it when"
            " every key question asked of it is answered Yes (one No, and it does not, whatever"
            " is still open; not applicable throughout leaves it out, and so does a question"
            " still open until it is answered)."
        )
    elif rubric.has_ratings:
        out.append("A standard is rated from its lowest key question.")
    if rubric.scoring.shares:
        sets = " (the one its question set asks)" if rubric.question_sets else ""
        noun = rubric.scoring.standard_noun
        meets = (
            f"every key question asked of it at that {noun} is"
            if by_cases
            else f"its key question for that {noun}{sets} is"
        )
        out.append(
            f"A case meets the required standard at a {noun} when {meets} answered Yes;"
            f" an assignment is one case at one {noun}."
        )
    if not rubric.has_ratings:
        out.append("No rating and no score are given.")
    elif not rubric.has_score:
        out.append("No score or overall rating is given.")
    out.append(
        interval_words
        or "The 95% interval (Wilson) shows how far the percentage of a sample this size could be"
        " from that of all cases"
        + (
            "; 'could be higher/lower' marks an interval that crosses a band edge: the rating"
            " could differ."
            if rubric.scoring.bands
            else "."
        )
    )
    if any(ref.item.reconstructed_from for ref in rubric.items.values()):
        out.append(
            "Questions marked [R] are reconstructed: their published wording could not be read,"
            " so they are rebuilt from an earlier framework's questions and are not the"
            " framework's own words."
        )
    return out


def _ratings(data: ReportData) -> list[str]:
    result = data.result
    lines = ["## Ratings", ""]
    if result.scored:
        lines += [
            f"Score **{score_line(data)}**",
            "",
            f"Overall rating: **{md(rating_or_pending(result.overall))}**",
            "",
        ]
    lines += ["| Standard | Rating |", "|---|---|"]
    lines += [
        f"| {md(st.id, cell=True)} {md(st.title, cell=True)} | {md(rating_or_pending(st.rating), cell=True)} |"
        for st in result.standards
        if st.rated
    ]
    lines.append("")
    return lines


def _shares(data: ReportData) -> list[str]:
    """Cases meeting the required standard at each standard (the rubric's word: DIPP's stage),
    then assignments, as DIPP reports give."""
    result, scoring = data.result, data.rubric.scoring
    lines = [
        "## Meeting the required standard",
        "",
        f"| {md(capitalised(scoring.standard_noun), cell=True)} | Cases meeting the standard"
        " | Of relevant cases | 95% interval |",
        "|---|---|---|---|",
    ]
    for st in result.standards:
        if st.meeting is not None:
            m = st.meeting
            lines.append(
                f"| {md(st.id, cell=True)} {md(st.title, cell=True)} | {whole(m.percent)} |"
                f" {m.yes} of {m.relevant} | {interval(m)} |"
            )
    if result.assignments is not None:
        a = result.assignments
        lines.append(
            f"| **All {md(scoring.standard_nouns, cell=True)} (assignments)**"
            f" | **{whole(a.percent)}** | {a.yes} of {a.relevant} |"
            f" {interval(a)} |"
        )
    lines.append("")
    return lines


def _standard(data: ReportData, st: StandardResult, headline: str) -> list[str]:
    lines = [f"### {md(st.id)} {md(st.title)}", ""]
    if headline:
        lines += [f"_{md(headline)}_", ""]
    if st.rated:
        lines += [f"**{md(rating_or_pending(st.rating))}**", ""]
    elif data.rubric.has_ratings:
        lines += ["Not rated: reported for information and benchmarking only.", ""]
    if st.meeting is not None and st.meeting.relevant:
        m = st.meeting
        lines += [
            f"Cases meeting the required standard: {whole(m.percent)} ({m.yes} of {m.relevant};"
            f" 95% interval {interval(m)}).",
            "",
        ]
    if st.method == "cases":
        banded = bool(data.rubric.scoring.bands)  # else no band edge for an interval to cross
        lines += [
            "| Key question | Percentage 'Yes' | Yes of relevant | 95% interval |"
            + (" Uncertainty |" if banded else ""),
            "|---|---|---|---|" + ("---|" if banded else ""),
        ]
        for kq in st.key_questions:
            mark = "**" if st.lowest is kq else ""
            note = md(data.uncertainty(kq).note, cell=True) if st.rated_by_key_questions else ""
            lines.append(
                f"| {md(kq.id, cell=True)} {md(kq.text, cell=True)} | {mark}{whole(kq.percent)}{mark} | {kq.yes} of {kq.relevant} | {interval(kq)} |"
                + (f" {note} |" if banded else "")
            )
        lines.append("")
        if st.rated and st.lowest is not None:
            lines += [
                f"Rated '{md(st.rating)}': the lowest score of the key questions was "
                f"{whole(st.lowest.percent)} ({md(st.lowest.id)}).",
                "",
            ]
        elif st.rated and st.by_cases and st.rating is not None and st.meeting is not None:
            lines += [
                f"Rated '{md(st.rating)}': {whole(st.meeting.percent)} of cases met every key"
                f" question asked of them ({st.meeting.yes} of {st.meeting.relevant}).",
                "",
            ]
        unanswered = sum(kq.unanswered for kq in st.key_questions)
        if unanswered:
            lines += [f"{plural(unanswered, 'key-question answer')} still to be given.", ""]
        prompts = [p for kq in st.key_questions for p in kq.prompts if p.relevant]
        if prompts:
            lines += ["| Prompt | Percentage 'Yes' | Yes of relevant |", "|---|---|---|"]
            lines += [
                f"| {md(p.id, cell=True)} {md(p.text, cell=True)} | {whole(p.percent)} | {p.yes} of {p.relevant} |"
                for p in prompts
            ]
            lines.append("")
    strengths, improvements = data.evidence(st)
    for title, points in (("Strengths", strengths), ("Areas for improvement", improvements)):
        if points:
            lines += [f"{title}:", "", *(f"- {md(p, limit=TEXT_LIMIT)}" for p in points), ""]
    return lines


def _indicator(data: ReportData, item: ItemResult) -> str:
    """An indicator by its short name, then its question: "Management oversight: Was ...?"."""
    label = data.indicator_label(item)
    text = md(item.text, cell=True)
    return f"{md(label, cell=True)}: {text}" if label else text


def _breakdowns(data: ReportData) -> list[str]:
    plan = data.breakdown_plan()
    lines = ["## Breakdowns", ""]
    if plan.shown:
        lines += [data.suppression_words, ""]
    if plan.note:
        lines += [md(plan.note).replace(OPTION, f"`{OPTION}`"), ""]
    kqs = [k for s in data.result.standards for k in s.key_questions]
    for bd in plan.shown:
        lines += [f"### By {md(bd.label.lower())}", ""]
        if bd.caution:
            lines += [md(bd.caution), ""]
        lines += [
            "| Key question | "
            + " | ".join(f"{md(value_label(g.value), cell=True)} (n={g.cases})" for g in bd.groups)
            + " |"
        ]
        lines += ["|---|" + "---|" * len(bd.groups)]
        for kq in kqs:
            cells = []
            for g in bd.groups:
                item = g.items[kq.id]
                cells.append(
                    "suppressed"
                    if g.hides(kq.id)
                    else f"{whole(item.percent)} ({item.yes} of {item.relevant})"
                )
            label = md(kq.id, cell=True) + " " + md(kq.label or kq.text, cell=True)
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines
