"""The moderation section in HTML: the Markdown section's tables, and a small inline SVG chart of
agreement per key question. Every piece of data is escaped; nothing is fetched from outside."""

from __future__ import annotations

from collections.abc import Sequence

from audit_tui.domain.safe_text import TEXT_LIMIT, html_text
from audit_tui.domain.words import plural
from audit_tui.reporting.moderation_words import (
    ABOUT,
    CALIBRATION,
    COUNTS_HEAD,
    MARKER_HEAD,
    NONE,
    STATS,
    TOO_FEW,
    agreed,
    answer,
    cases_sentence,
    clean,
    coefficient,
    counts_rows,
    disagreements_sentence,
    flag,
    free_text,
    overall_rows,
    rating,
    role,
    round_sentence,
    too_few_note,
)
from audit_tui.scoring.agreement import Agreement
from audit_tui.scoring.moderation import Level, Moderation, reading, which

CSS = """
.moderation .flag-differs { font-weight: 700; white-space: nowrap; }
.moderation .flag-differs::before { content: "⚠ "; }
svg.agreement { width: 100%; height: auto; max-width: 640px; }
"""
# the chart: a row per key question, AC1 from 0 to 1 as a bar, its 95% interval as a line
LABEL, PLOT, ROW, TOP, AXIS = 56, 520, 18, 6, 18
BAR, WHISKER, MUTED = "#1d4f91", "#111", "#555"


def e(value: object) -> str:
    """User text, cleaned (one line, control characters as escapes) and escaped."""
    return html_text(clean(value))


def _cells(a: Agreement) -> str:
    values = (
        str(a.n),
        agreed(a),
        coefficient(a.kappa, a.kappa_ci95, a),
        coefficient(a.ac1, a.ac1_ci95, a),
        which(a),
    )
    return "".join(f'<td class="num">{html_text(v)}</td>' for v in values)


def _head(cells: Sequence[str]) -> str:
    return "<thead><tr>" + "".join(f"<th>{html_text(c)}</th>" for c in cells) + "</tr></thead>"


def _note(ids: list[str]) -> str:
    return f'<p class="note">{html_text(too_few_note(ids), TEXT_LIMIT)}</p>' if ids else ""


def _levels(levels: Sequence[Level], cls: str, name: str) -> str:
    rows = "".join(
        f'<tr data-item="{e(lv.id)}"><td class="qid">{e(lv.id)}</td>{_cells(lv.agreement)}</tr>'
        for lv in levels
    )
    table = f'<table class="{cls}">{_head((name, *STATS))}<tbody>{rows}</tbody></table>'
    return table + _note([clean(lv.id) for lv in levels if lv.agreement.too_few])


def agreement_svg(levels: Sequence[Level]) -> str:
    """AC1 per key question as bars from 0 to 1 with the 95% interval as a line; below the
    minimum no bar, a label saying why. Titled for screen readers; well-formed XML."""
    width, height = LABEL + PLOT + 24, TOP + ROW * len(levels) + AXIS

    def x(value: float) -> float:
        return round(LABEL + max(0.0, min(1.0, value)) * PLOT, 1)

    spoken = "; ".join(
        f"{lv.id}: {NONE if lv.agreement.ac1 is None else f'{lv.agreement.ac1:.2f}'}"
        for lv in levels
    )
    title = "Agreement between markers per key question (Gwet's AC1, 0 to 1, with 95% interval)"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="agreement" viewBox="0 0 {width} {height}"'
        f' role="img" aria-label="{html_text(clean(f"{title}: {spoken}", TEXT_LIMIT), TEXT_LIMIT)}">',
        f"<title>{html_text(title)}</title>",
    ]
    for tick in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        out.append(
            f'<line x1="{x(tick)}" y1="{TOP}" x2="{x(tick)}" y2="{height - AXIS + 2}"'
            ' stroke="#ccc" stroke-dasharray="2,2"/>'
            f'<text x="{x(tick)}" y="{height - 4}" font-size="9" fill="{MUTED}"'
            f' text-anchor="middle">{tick:.1f}</text>'
        )
    for i, lv in enumerate(levels):
        a, y = lv.agreement, TOP + i * ROW
        mid = y + ROW / 2
        out.append(
            f'<text x="{LABEL - 6}" y="{mid + 3}" font-size="10" text-anchor="end">{e(lv.id)}</text>'
        )
        if a.ac1 is None or a.ac1_ci95 is None:
            out.append(
                f'<text x="{LABEL + 4}" y="{mid + 3}" font-size="9" fill="{MUTED}">'
                f"no bar: {html_text(TOO_FEW)} ({plural(a.n, 'answer')} compared)</text>"
            )
            continue
        low, high = a.ac1_ci95
        words = f"{lv.id}: AC1 {a.ac1:.2f}, 95% interval {low:.2f} to {high:.2f}, {a.n} answers compared"
        out.append(
            f'<rect class="bar" data-item="{e(lv.id)}" x="{LABEL}" y="{y + 4}"'
            f' width="{round(x(a.ac1) - LABEL, 1)}" height="{ROW - 8}" fill="{BAR}">'
            f"<title>{e(words)}</title></rect>"
            f'<line x1="{x(low)}" y1="{mid}" x2="{x(high)}" y2="{mid}" stroke="{WHISKER}"'
            ' stroke-width="1.5"/>'
        )
        for edge in (low, high):
            out.append(
                f'<line x1="{x(edge)}" y1="{mid - 4}" x2="{x(edge)}" y2="{mid + 4}"'
                f' stroke="{WHISKER}" stroke-width="1.5"/>'
            )
    out.append("</svg>")
    return "".join(out)


def moderation_html(m: Moderation, include_notes: bool) -> str:
    """The section, from its `<h2>`: each heading kept on a page with what follows it."""
    overall = m.overall.agreement
    out = ['<section class="moderation new-page" id="moderation">']
    rounds = "".join(f"<li>{e(round_sentence(r))}</li>" for r in m.rounds)
    out.append(
        f'<div class="keep"><h2>Moderation</h2><ul class="rounds">{rounds}</ul>'
        f"<p>{html_text(cases_sentence(m))}</p></div>"
    )
    rows = "".join(
        f'<tr><th>{html_text(a)}</th><td class="num">{html_text(b)}</td>'
        f'<td class="num">{html_text(c)}</td></tr>'
        for a, b, c in overall_rows(overall)
    )
    counts = "".join(
        f"<tr><th>{html_text(first)}</th>"
        + "".join(f'<td class="num">{html_text(n)}</td>' for n in cells)
        + "</tr>"
        for first, *cells in counts_rows(overall)
    )
    out.append(
        '<div class="keep"><h3>Overall agreement</h3><table class="moderation-overall">'
        f"{_head(('Measure', 'Value', '95% interval'))}<tbody>{rows}</tbody></table>"
        f'<table class="moderation-counts">{_head(COUNTS_HEAD)}<tbody>{counts}</tbody></table>'
        f'<p class="reading">{html_text(reading(overall))}</p><p class="note">{html_text(ABOUT)}</p></div>'
    )
    out.append(
        '<div class="keep"><h3>Key questions</h3>'
        + _levels(m.key_questions, "moderation-kq", "Key question")
        + "</div>"
    )
    out.append(f'<div class="keep">{agreement_svg(m.key_questions)}</div>')
    out.append(_standards(m))
    pairs = "".join(
        f'<tr data-pair="{e(p.id)}"><td>{e(p.first)}</td><td>{e(p.second)}</td>'
        f"{_cells(p.agreement)}</tr>"
        for p in m.pairs
    )
    out.append(
        '<div class="keep"><h3>Pairs of markers</h3><table class="moderation-pairs">'
        f"{_head(('First marker', 'Second marker', *STATS))}<tbody>{pairs}</tbody></table>"
        + _note([clean(p.id) for p in m.pairs if p.agreement.too_few])
        + "</div>"
    )
    out.append(_markers(m))
    out.append(_disagreements(m, include_notes))
    out.append("</section>")
    return "\n".join(out)


def _standards(m: Moderation) -> str:
    rows = "".join(
        f'<tr data-standard="{e(s.id)}"><td>{e(s.id)} {e(s.title)}</td>{_cells(s.agreement)}'
        f"<td>{html_text(rating(s, first=True))}</td><td>{html_text(rating(s, first=False))}</td>"
        f'<td class="flag-{flag(s).replace(" ", "-")}">{html_text(flag(s))}</td></tr>'
        for s in m.standards
    )
    head = ("Standard", *STATS, "Rating from first marks", "Rating from second marks", "Ratings")
    return (
        '<div class="keep"><h3>Standards</h3><table class="moderation-standards">'
        f"{_head(head)}<tbody>{rows}</tbody></table>"
        + _note([clean(s.id) for s in m.standards if s.agreement.too_few])
        + '<p class="note">Ratings here are over the moderated cases only: scored once on the'
        " first marks and once on the second.</p></div>"
    )


def _markers(m: Moderation) -> str:
    rows = "".join(
        f'<tr data-marker="{e(r.marker)}" data-round="{r.round}"><td>{e(r.marker)}</td>'
        f'<td class="num">{r.round}</td><td>{html_text(role(r))}</td>'
        f'<td class="num">{r.agreement.n}</td><td class="num">{html_text(agreed(r.agreement))}</td>'
        f'<td class="num">{html_text(coefficient(r.agreement.ac1, r.agreement.ac1_ci95, r.agreement))}</td></tr>'
        for r in m.markers
    )
    too_few = [clean(f"{r.marker} in round {r.round}") for r in m.markers if r.agreement.too_few]
    return (
        f'<div class="keep"><h3>Each marker, round by round</h3><p class="note">{html_text(CALIBRATION)}</p>'
        f'<table class="moderation-markers">{_head(MARKER_HEAD)}<tbody>{rows}</tbody></table>'
        + _note(too_few)
        + "</div>"
    )


def _disagreements(m: Moderation, include_notes: bool) -> str:
    out = [
        f'<div class="keep"><h3>Disagreements</h3><p>{html_text(disagreements_sentence(m))}</p></div>'
    ]
    if include_notes and m.disagreements:
        rows = "".join(
            f'<tr data-case="{e(d.case_ref)}"><td class="num">{d.round}</td><td>{e(d.case_ref)}</td>'
            f"<td>{e(d.item_id)} {html_text(d.item_text)}</td>"
            f"<td>{html_text(answer(d.settled.first if d.settled else d.first))}</td>"
            f"<td>{html_text(answer(d.settled.second if d.settled else d.second))}</td>"
            f"<td>{html_text(answer(d.settled.agreed) if d.settled else 'not yet settled')}</td>"
            f"<td>{html_text(free_text(d), TEXT_LIMIT)}</td></tr>"
            for d in m.disagreements
        )
        head = ("Round", "Case", "Item", "First mark", "Second mark", "Agreed", "Notes")
        out.append(
            f'<table class="moderation-disagreements">{_head(head)}<tbody>{rows}</tbody></table>'
        )
    return "\n".join(out)
