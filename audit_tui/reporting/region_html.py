"""The regional view as one self-contained HTML file: the PDUs that differ said first, then each
key question's funnel plot (inline SVG) and its figures. No network; prints on A4."""

from __future__ import annotations

from audit_tui.domain.safe_text import LINE_LIMIT, TEXT_LIMIT, html_text
from audit_tui.domain.words import percent_range, whole_percent
from audit_tui.reporting.funnel_svg import funnel_svg
from audit_tui.reporting.region import (
    NO_FINDINGS,
    TRENDS_ABOUT,
    RegionRecord,
    findings,
    period_words,
    standing_heading,
    trend_words,
)
from audit_tui.scoring.funnel import spread_sentence

CSS = """
@page { size: A4; margin: 16mm 15mm 18mm; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Arial, sans-serif; color: #1b1b1b;
  max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.8rem; margin: 0 0 .2rem; }
h2 { border-bottom: 2px solid #1d4f91; padding-bottom: .2rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; }
th { background: #f3f5f9; } td.num { text-align: right; white-space: nowrap; }
.meta { color: #555; } .outside { font-weight: 700; }
svg.funnel { width: 100%; height: auto; max-width: 560px; display: block; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
.keep, tr, svg { break-inside: avoid; page-break-inside: avoid; }
@media print { body { margin: 0; max-width: none; font-size: 10pt; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  svg * { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""


def _cell(text: object, number: bool = False, limit: int = LINE_LIMIT) -> str:
    return f'<td class="num">{text}</td>' if number else f"<td>{html_text(str(text), limit)}</td>"


def region_html(record: RegionRecord) -> str:
    title = f"{record.region}: the {'national' if record.national else 'regional'} view"
    said = findings(record)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html_text(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html_text(title)}</h1>",
        f'<p class="meta">{len(record.pdus)} PDUs, each by its latest audit'
        f" ({html_text(period_words(record.period))}), against"
        f" {html_text(record.rubric.title)}.</p>",
        '<div class="keep"><h2>Which PDUs differ</h2>',
    ]
    if said:
        out.append("<ul>" + "".join(f"<li>{html_text(line)}.</li>" for line in said) + "</ul>")
    else:
        out.append(f"<p>{NO_FINDINGS}</p>")
    out += [
        "</div>",
        '<div class="keep"><h2>The PDUs</h2><table><thead><tr><th>PDU</th><th>Audit</th>'
        f"<th>Cases</th><th>Score</th><th>{standing_heading(record.rubric)}</th></tr></thead><tbody>",
    ]
    for p in record.pdus:
        score, rating = p.standing
        out.append(
            "<tr>"
            + _cell(p.pdu)
            + _cell(p.audit)
            + _cell(p.result.cases, number=True)
            + _cell(score, number=True)
            + _cell(rating)
            + "</tr>"
        )
    out.append("</tbody></table></div>")
    out += _trends(record)
    for index, kq in enumerate(
        kq for standard in record.rubric.standards for kq in standard.key_questions
    ):
        found = record.funnels[kq.id]
        out.append(f'<div class="keep"><h2>{html_text(kq.id)} {html_text(kq.text)}</h2>')
        if not found.units:
            out.append("<p>No PDU has a relevant case.</p></div>")
            continue
        out.append(
            f"<p>Regional percentage {found.target * 100:.1f}%."
            f" {html_text(spread_sentence(found.spread))}</p>"
        )
        out.append(funnel_svg(found, kq.id, f"funnel-{index}"))
        out.append("</div>")
        out.append(
            "<table><thead><tr><th>PDU</th><th>Yes</th><th>Relevant</th><th>%</th>"
            "<th>95% limits</th><th>99.8% limits</th><th>Outside</th></tr></thead><tbody>"
        )
        for unit in found.units:
            limits = found.limits(unit.relevant)
            flag = found.flag_of(unit)
            mark = f"{flag.side} the {flag.level * 100:g}% limit" if flag else ""
            out.append(
                f"<tr{' class=outside' if flag else ''}>"
                + _cell(unit.name)
                + _cell(unit.yes, number=True)
                + _cell(unit.relevant, number=True)
                + _cell(whole_percent(unit.proportion * 100), number=True)
                + "".join(
                    _cell(percent_range(low, high), number=True)
                    for low, high in (limits[0.95], limits[0.998])
                )
                + _cell(mark)
                + "</tr>"
            )
        out.append("</tbody></table>")
    if record.left_out:
        out.append(
            "<h2>Not compared</h2><ul>"
            + "".join(f"<li>{html_text(why)}</li>" for why in record.left_out)
            + "</ul>"
        )
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _trends(record: RegionRecord) -> list[str]:
    if not any(len(h) > 1 for h in record.trends.values()):
        return []
    out = [
        f'<div class="keep"><h2>Trends</h2><p class="meta">{html_text(TRENDS_ABOUT)}</p>',
        "<table><thead><tr><th>PDU</th><th>Overall ratings</th><th>Scores</th>"
        "<th>Moved beyond chance</th></tr></thead><tbody>",
    ]
    for pdu, found in record.trends.items():
        ratings, marks, moved = trend_words(found)
        out.append(
            "<tr>"
            + _cell(pdu)
            + _cell(ratings)
            + _cell(marks)
            + _cell(moved, limit=TEXT_LIMIT)
            + "</tr>"
        )
    out.append("</tbody></table></div>")
    return out
