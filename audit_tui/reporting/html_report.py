"""One self-contained HTML file: inline CSS, inline SVG bar charts, no network; prints cleanly."""

from __future__ import annotations

import html
from string import Template

from audit_tui.domain.rubric import Scale
from audit_tui.domain.safe_text import TEXT_LIMIT, html_text
from audit_tui.domain.words import capitalised, plural, value_label
from audit_tui.reporting.markdown import (
    about_figures,
    interval,
    rating_or_pending,
    score_line,
    whole,
)
from audit_tui.reporting.model import OPTION, OVERSIGHT_NOTE, ReportData, lock_text, long_date
from audit_tui.reporting.moderation_html import CSS as MODERATION_CSS
from audit_tui.reporting.moderation_html import moderation_html
from audit_tui.reporting.opening import draft_html, summary_html
from audit_tui.reporting.rating_style import rating_style
from audit_tui.scoring.results import ItemResult, StandardResult

CSS = """
@page { size: A4; margin: 16mm 15mm 18mm; }
:root { --ink:#1b1b1b; --muted:#555; --rule:#ccc; --accent:#1d4f91;
  $rating_colours }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: var(--ink);
  max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.8rem; margin: 0 0 .2rem; } h2 { border-bottom: 2px solid var(--accent);
  padding-bottom: .2rem; margin-top: 2rem; } h3 { margin-bottom: .3rem; }
.title-block { border-bottom: 3px solid var(--accent); padding-bottom: .6rem; margin-bottom: 1rem; }
.title-block .where { font-size: 1.15rem; font-weight: 600; margin: .1rem 0 .6rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
.small { font-size: .8em; color: var(--muted); } .qid { font-weight: 700; white-space: nowrap; }
code { white-space: nowrap; }
.meta, .headline, .note { color: var(--muted); } .headline { font-style: italic; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; }
th, td { border: 1px solid var(--rule); padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f3f5f9; } td.num { text-align: right; white-space: nowrap; }
.rating { font-weight: 700; } $rating_rules
.scorebox { display: inline-block; border: 2px solid var(--accent); padding: .5rem 1rem; margin: .5rem 0; }
.scorebox b { font-size: 1.6rem; } .draft { background: #fff4d6; border-left: 4px solid var($caution);
  padding: .5rem .8rem; margin: .4rem 0 .6rem; } .provisional { background: #fff4d6; border-left: 4px solid var($caution);
  padding: .5rem .8rem; } .lowest { font-weight: 700; } svg { display: block; }
table.key-questions { table-layout: fixed; } .key-questions col.q { width: 31%; }
.key-questions col.n { width: 13%; } .key-questions col.bar { width: 30%; }
.bars .note { display: block; font-size: .85em; }
svg.bar { width: 100%; height: auto; max-width: 320px; }
/* Printing: a heading never ends a page. Each heading sits in a .keep block with what follows
   it (the first table or list), and that block is not split; rows and bars are not split. */
h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
.keep, tr, svg { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { margin-top: 1.2rem; } th, td { padding: .2rem .4rem; } table.breakdown { font-size: 9pt; }
  .domain, .new-page { break-before: page; page-break-before: always; }
  a { color: inherit; text-decoration: none; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  svg * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""
"""The report's stylesheet, its rating colours left as `$` fields for `stylesheet` to fill."""


def stylesheet(scale: Scale) -> str:
    """The stylesheet with each of the scale's ratings coloured by its rank."""
    style = rating_style(scale)
    return Template(CSS).substitute(
        rating_colours=style.variables_css(),
        rating_rules=style.rules_css(),
        caution=style.caution(),
    )


def bar_svg(data: ReportData, item: ItemResult, width: int = 320, height: int = 26) -> str:
    """The percentage as a bar over the rubric's bands, with its 95% interval as a whisker."""
    bands = sorted(data.rubric.scoring.bands, key=lambda b: b.min_percent)
    style = rating_style(data.rubric.scale)

    def x(pct: float) -> float:
        return round(pct / 100 * width, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html_text(item.id)}: {whole(item.percent)}">'
    ]
    for i, band in enumerate(bands):
        end = bands[i + 1].min_percent if i + 1 < len(bands) else 100
        parts.append(
            f'<rect x="{x(band.min_percent)}" y="0" width="{x(end) - x(band.min_percent)}" height="{height - 8}" '
            f'fill="{style.fill(band.rating)}"><title>{html_text(band.rating)}: {band.min_percent:g}%+</title></rect>'
        )
        if band.min_percent > 0:
            parts.append(
                f'<line x1="{x(band.min_percent)}" y1="0" x2="{x(band.min_percent)}" y2="{height - 8}" stroke="#888" stroke-dasharray="2,2"/>'
            )
    if item.percent is not None:
        parts.append(
            f'<rect x="0" y="5" width="{x(item.percent)}" height="{height - 18}" fill="#1d4f91"/>'
        )
    if item.ci95:
        lo, hi = item.ci95
        mid = (height - 8) / 2
        parts.append(
            f'<line x1="{x(lo)}" y1="{mid}" x2="{x(hi)}" y2="{mid}" stroke="#111" stroke-width="1.5"/>'
        )
        for edge in (lo, hi):
            parts.append(
                f'<line x1="{x(edge)}" y1="{mid - 4}" x2="{x(edge)}" y2="{mid + 4}" stroke="#111" stroke-width="1.5"/>'
            )
    for pct in (0, 50, 100):
        anchor = "start" if pct == 0 else "end" if pct == 100 else "middle"
        parts.append(
            f'<text x="{x(pct)}" y="{height - 0.5}" font-size="8" fill="#555" text-anchor="{anchor}">{pct}%</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_html(data: ReportData) -> str:
    result, rubric = data.result, data.rubric
    e, style = html_text, rating_style(data.rubric.scale)
    _cls = style.css_class
    out = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(data.title)}</title><style>{stylesheet(rubric.scale)}{MODERATION_CSS}</style>",
        "</head><body>",
    ]
    out.append(_title_block(data))
    if not result.complete and not data.draft:  # every item answered, a judgement missing
        out.append(
            '<p class="provisional"><b>Provisional:</b> the audit is not complete; figures cover the answers given so far.</p>'
        )
    out.append(summary_html(data))

    if rubric.has_ratings:
        out.append(_ratings(data))
    if result.assignments is not None:
        out.append(_shares(data))
    out.append('<section class="sample keep"><h2>The sample</h2><table id="sample"><tbody>')
    out.append(f"<tr><th>Cases inspected</th><td>{len(data.cases)}</td></tr>")
    for label, n in data.question_sets():
        out.append(f"<tr><th>{e(label)}</th><td>{plural(n, 'case')}</td></tr>")
    for label, values in data.sample():
        if values:
            out.append(
                f"<tr><th>{e(label)}</th><td>{e(', '.join(f'{value_label(v)} {n}' for v, n in values))}</td></tr>"
            )
    out.append("</tbody></table></section>")
    if data.drawn is not None:
        from audit_tui.reporting.sample_section import sample_html

        out.append(sample_html(data.drawn, data.cases, result))

    domain = None
    for st, spec in zip(result.standards, rubric.standards, strict=True):
        lead = ""
        if spec.domain != domain:
            if domain is not None:
                out.append("</section>")
            domain = spec.domain
            title = f"{spec.domain}. {spec.domain_title}".rstrip(". ")
            out.append(f'<section class="domain" id="domain-{spec.domain}">')
            lead = f"<h2>{e(title)}</h2>"
        out.append(_standard(data, st, spec.headline, lead))
    if domain is not None:
        out.append("</section>")

    if result.indicators:
        out.append(
            '<section class="indicators keep"><h2>Other case-level findings (not rated)</h2>'
        )
        out.append(
            "<table id=\"indicators\"><thead><tr><th>Indicator</th><th>Percentage 'Yes'</th><th>Yes of relevant</th></tr></thead><tbody>"
        )
        for i in result.indicators:
            label = data.indicator_label(i)
            name = f"<b>{e(label)}</b>: {e(i.text)}" if label else e(i.text)
            out.append(
                f'<tr data-item="{e(i.id)}"><td>{name}</td><td class="num">{whole(i.percent)}</td><td class="num">{i.yes} of {i.relevant}</td></tr>'
            )
        out.append("</tbody></table></section>")

    if data.breakdowns:
        out.append(_breakdowns(data))
    if data.moderation is not None:
        out.append(moderation_html(data.moderation, data.include_notes))
    out.append(
        f'<section class="about keep"><h2>About these figures</h2><p class="note">{html.escape(_about(data), quote=False)}</p></section>'
    )
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _about(data: ReportData) -> str:
    if data.rubric.scoring.bands:
        bars = (
            "The bar shows the percentage over the rating bands; the whisker is its 95% interval"
            " (Wilson): where it crosses a band edge the rating could be a band higher or lower."
        )
    else:
        bars = "The bar shows the percentage; the whisker is its 95% interval (Wilson)."
    return " ".join(about_figures(data, interval_words=bars))


def _ratings(data: ReportData) -> str:
    result, e = data.result, html_text
    _cls = rating_style(data.rubric.scale).css_class
    out = ['<section class="ratings"><div class="keep"><h2>Ratings</h2>']
    if result.scored:
        out.append(
            f'<div class="scorebox">Score <b>{e(score_line(data))}</b><br>Overall rating: '
            f'<span class="rating {_cls(result.overall)}">{e(rating_or_pending(result.overall))}</span></div>'
        )
    out.append(
        '<table id="ratings"><thead><tr><th>Standard</th><th>Rating</th></tr></thead><tbody>'
    )
    for st in result.standards:
        if st.rated:
            out.append(
                f'<tr><td>{e(st.id)} {e(st.title)}</td><td class="rating {_cls(st.rating)}">{e(rating_or_pending(st.rating))}</td></tr>'
            )
    out.append("</tbody></table></div></section>")
    return "\n".join(out)


def _shares(data: ReportData) -> str:
    """Cases meeting the required standard at each standard (the rubric's word: DIPP's stage),
    then assignments (DIPP's figures)."""
    result, e, scoring = data.result, html_text, data.rubric.scoring
    out = [
        '<section class="shares keep"><h2>Meeting the required standard</h2>'
        f'<table id="shares"><thead><tr><th>{e(capitalised(scoring.standard_noun))}</th>'
        "<th>Cases meeting the standard</th>"
        "<th>Of relevant cases</th><th>95% interval</th></tr></thead><tbody>"
    ]
    rows = [(f"{st.id} {st.title}", st.meeting, st.id) for st in result.standards if st.meeting]
    if result.assignments is not None:
        rows.append(
            (f"All {scoring.standard_nouns} (assignments)", result.assignments, "assignments")
        )
    for label, share, key in rows:
        if share is None:
            continue
        out.append(
            f'<tr data-share="{e(key)}"><td>{e(label)}</td><td class="num">{whole(share.percent)}</td>'
            f'<td class="num">{share.yes} of {share.relevant}</td><td class="num">{interval(share)}</td></tr>'
        )
    out.append("</tbody></table></section>")
    return "\n".join(out)


def _title_block(data: ReportData) -> str:
    """What a printed copy must say on its first page: whose audit, against which framework,
    over what period, and when it was produced."""
    e, info = html_text, data.audit.info
    out = ['<header class="title-block">', f"<h1>{e(data.title)}</h1>", draft_html(data.draft)]
    where = ", ".join(x for x in (info.pdu, info.region) if x)
    if where:
        out.append(f'<p class="where">{e(where)}</p>')
    out.append('<dl class="facts">')
    out.append(f'<dt>Audit</dt><dd id="audit">{e(info.name)}</dd>')
    out.append(
        f'<dt>Framework</dt><dd id="framework">{e(data.framework)} '
        f'<span class="small">({e(data.rubric.id)})</span></dd>'
    )
    if data.period is not None:
        out.append(f'<dt>Audit period</dt><dd id="period">{e(data.period.text)}</dd>')
    out.append(f'<dt>Produced on</dt><dd id="produced">{e(long_date(data.produced))}</dd>')
    out.append(f'<dt>Locked</dt><dd id="locked">{e(lock_text(data.audit.info))}</dd>')
    out.append("</dl>")
    if info.oversight:
        out.append(f'<p class="oversight"><strong>Not a sample.</strong> {e(OVERSIGHT_NOTE)}</p>')
    out.append("</header>")
    return "\n".join(x for x in out if x)


def _standard(data: ReportData, st: StandardResult, headline: str, lead: str = "") -> str:
    """A standard: its heading block (with `lead`, the domain's heading before its first
    standard) kept on one page with the first table or list that follows it."""
    e, _cls = html_text, rating_style(data.rubric.scale).css_class
    head = [lead, f"<h3>{e(st.id)} {e(st.title)}</h3>"]
    if headline:
        head.append(f'<p class="headline">{e(headline)}</p>')
    if st.rated:
        head.append(f'<p class="rating {_cls(st.rating)}">{e(rating_or_pending(st.rating))}</p>')
    elif data.rubric.has_ratings:
        head.append(
            '<p class="note">Not rated: reported for information and benchmarking only.</p>'
        )
    if st.meeting is not None and st.meeting.relevant:
        m = st.meeting
        head.append(
            f'<p class="meeting">Cases meeting the required standard: <b>{whole(m.percent)}</b>'
            f" ({m.yes} of {m.relevant}; 95% interval {interval(m)})</p>"
        )
        if st.by_cases and st.rating is not None:
            head.append(
                f'<p class="note">Rated {e(st.rating)}: {whole(m.percent)} of cases met every'
                f" key question asked of them; each key question's own percentage is below.</p>"
            )
    blocks: list[str] = []
    if st.method == "cases":
        rows = [
            f'<table class="key-questions" data-standard="{e(st.id)}">'
            '<colgroup><col class="q"><col class="n"><col class="n"><col class="n"><col class="bar"></colgroup>'
            "<thead><tr><th>Key question</th>"
            "<th>Percentage 'Yes'</th><th>Yes of relevant</th><th>95% interval</th>"
            f"<th>{'Against the bands' if data.rubric.scoring.bands else 'Percentage'}</th></tr></thead><tbody>"
        ]
        for kq in st.key_questions:
            low = ' class="lowest"' if st.lowest is kq else ""
            note = data.uncertainty(kq).note if st.rated_by_key_questions else ""
            note_html = f'<span class="note">{e(note)}</span>' if note else ""
            rows.append(
                f'<tr data-item="{e(kq.id)}"{low}><td><span class="qid">{e(kq.id)}</span> {e(kq.text)}</td>'
                f'<td class="num">{whole(kq.percent)}</td>'
                f'<td class="num">{kq.yes} of {kq.relevant}</td><td class="num">{interval(kq)}</td>'
                f'<td class="bars">{bar_svg(data, kq)}{note_html}</td></tr>'
            )
        rows.append("</tbody></table>")
        blocks.append("".join(rows))
        prompts = [p for kq in st.key_questions for p in kq.prompts if p.relevant]
        if prompts:
            rows = [
                "<table class=\"prompts\"><thead><tr><th>Prompt</th><th>Percentage 'Yes'</th><th>Yes of relevant</th></tr></thead><tbody>"
            ]
            rows += [
                f'<tr data-item="{e(p.id)}"><td>{e(p.id)} {e(p.text)}</td><td class="num">{whole(p.percent)}</td>'
                f'<td class="num">{p.yes} of {p.relevant}</td></tr>'
                for p in prompts
            ]
            rows.append("</tbody></table>")
            blocks.append("\n".join(rows))
    strengths, improvements = data.evidence(st)
    for title, points in (("Strengths", strengths), ("Areas for improvement", improvements)):
        if points:
            items = "".join(f"<li>{e(p, TEXT_LIMIT)}</li>" for p in points)
            blocks.append(f'<div class="keep"><h4>{title}:</h4><ul>{items}</ul></div>')
    first = blocks.pop(0) if blocks else ""
    out = [f'<section class="standard" id="standard-{e(st.id)}">']
    out.append('<div class="keep">' + "\n".join(x for x in (*head, first) if x) + "</div>")
    out += blocks
    out.append("</section>")
    return "\n".join(out)


def _breakdowns(data: ReportData) -> str:
    """Tables only for breakdowns with something to show; one sentence names what is left out."""
    e = html_text
    plan = data.breakdown_plan()
    kqs = [k for s in data.result.standards for k in s.key_questions]
    page = " new-page" if plan.shown else ""  # a page for tables, not for one sentence
    intro = [f'<section class="breakdowns{page}"><div class="keep"><h2>Breakdowns</h2>']
    if plan.shown:
        intro.append(f'<p class="note">{e(data.suppression_words)}</p>')
    if plan.note:
        note = e(plan.note).replace(OPTION, f"<code>{OPTION}</code>")
        intro.append(f'<p class="no-breakdowns">{note}</p>')
    tables = []
    for bd in plan.shown:
        caution = f'<p class="caution">{e(bd.caution)}</p>' if bd.caution else ""
        rows = [
            f'<h3>By {e(bd.label.lower())}</h3>{caution}<table class="breakdown" data-attribute="{e(bd.attribute)}"><thead><tr><th>Key question</th>'
        ]
        rows += [f"<th>{e(value_label(g.value))} (n={g.cases})</th>" for g in bd.groups]
        rows.append("</tr></thead><tbody>")
        for kq in kqs:
            cells = "".join(
                "<td>suppressed</td>"
                if g.hides(kq.id)
                else f'<td class="num">{whole(g.items[kq.id].percent)} ({g.items[kq.id].yes} of {g.items[kq.id].relevant})</td>'
                for g in bd.groups
            )
            rows.append(
                f'<tr data-item="{e(kq.id)}"><td>{e(kq.id)} {e(kq.label or kq.text)}</td>{cells}</tr>'
            )
        rows.append("</tbody></table>")
        tables.append("\n".join(rows))
    first = tables.pop(0) if tables else ""
    out = ["\n".join([*intro, first]) + "</div>"]
    out += [f'<div class="keep">{t}</div>' for t in tables]
    out.append("</section>")
    return "\n".join(out)
