"""`compare AUDIT_A AUDIT_B [AUDIT_C ...]`: a re-audit against the first, in json (the contract in
architecture.md), Markdown and HTML. Differences are B minus A, in percentage points; with three
audits or more, A is the first and B the last, and a trend follows (a row of figures per key
question in Markdown, a small chart and a table in HTML, `"trend"` in json). Key questions
without a counterpart (rubrics mapped onto each other) are listed as not comparable in each."""

from __future__ import annotations

from typing import Any

from audit_tui.domain.safe_text import TEXT_LIMIT, html_text, json_text
from audit_tui.reporting.markdown import md
from audit_tui.reporting.trend_svg import trend_svg
from audit_tui.scoring.compare import Comparison, KeyQuestionChange, Side, in_words
from audit_tui.scoring.trend import Point, Trend

ABOUT = (
    "Each change is B minus A in percentage points, with Newcombe's 95% interval for two"
    " independent samples; it is marked changed only where that interval leaves out zero."
)


def _side(side: Side) -> dict[str, Any]:
    pct = side.percent
    return {
        "yes": side.yes,
        "relevant": side.relevant,
        "percent": None if pct is None else round(pct, 2),
    }


def compare_dict(c: Comparison) -> dict[str, Any]:
    return {
        "a": c.a,
        "b": c.b,
        "key_questions": [
            {
                "id": k.id,
                "a": _side(k.difference.a),
                "b": _side(k.difference.b),
                "difference": None
                if k.difference.points is None
                else round(k.difference.points, 2),
                "ci95": None
                if k.difference.ci95 is None
                else [round(k.difference.ci95[0], 2), round(k.difference.ci95[1], 2)],
                "changed": k.difference.changed,
            }
            for k in c.key_questions
        ],
        "standards": [{"id": s.id, "a": s.a, "b": s.b} for s in c.standards],
        **_extras(c),
    }


def _extras(c: Comparison) -> dict[str, Any]:
    """Keys beyond the contract's, present only when they say something: how two rubrics were
    matched, what could not be, and the trend over three audits or more."""
    out: dict[str, Any] = {}
    if c.mapped:
        out["mapping"] = {
            "a_rubric": c.a_rubric,
            "b_rubric": c.b_rubric,
            "declared_by": c.declared_by,
            "renumbered": {k.id: k.a_id for k in c.key_questions if k.a_id != k.id},
        }
    if c.not_comparable:
        out["not_comparable"] = [
            {"audit": n.audit, "id": n.id, "text": n.text, "no_counterpart_in": n.other}
            for n in c.not_comparable
        ]
    if c.trend is not None:
        out["trend"] = [
            {"id": k.id, "points": [_point(p) for p in k.points]} for k in c.trend.key_questions
        ]
    return out


def _point(p: Point) -> dict[str, Any]:
    return {
        "audit": p.audit,
        "yes": p.yes,
        "relevant": p.relevant,
        "percent": None if p.percent is None else round(p.percent, 2),
        "ci95": None if p.ci95 is None else list(p.ci95),
    }


def _pct(side: Side) -> str:
    pct = side.percent
    return "—" if pct is None else f"{pct:.0f}% ({side.yes} of {side.relevant})"


def mapping_note(c: Comparison) -> str:
    """Said before the figures whenever two rubrics were matched through a mapping."""
    if not c.mapped:
        return ""
    other = c.a_rubric if c.declared_by == c.b_rubric else c.b_rubric
    note = (
        f"{c.a} uses {c.a_rubric} and {c.b} uses {c.b_rubric}: their key questions are matched"
        f" as {c.declared_by} declares from {other}; a renumbered one shows its id in {c.a}."
    )
    if any(k.text.startswith("[R] ") for k in c.key_questions):
        note += (
            " A question marked [R] is reconstructed, not its framework's own words: a"
            " difference there may come from the wording as well as the work."
        )
    return note


def kq_label(k: KeyQuestionChange) -> str:
    return f"{k.id} (was {k.a_id})" if k.a_id != k.id else k.id


def point_text(p: Point) -> str:
    """`39% (11 of 28; 24 to 57)` in a row of figures."""
    if not p.comparable:
        return "not comparable"
    if p.percent is None or p.ci95 is None:
        return "no relevant case"
    return f"{p.percent:.0f}% ({p.yes} of {p.relevant}; {p.ci95[0]:.0f} to {p.ci95[1]:.0f})"


TREND_ABOUT = (
    "Each key question in each audit, oldest first: the percentage answered yes, yes of relevant,"
    " and its Wilson 95% interval."
)


def compare_markdown(c: Comparison) -> str:
    lines = [f"# {md(c.b)} compared with {md(c.a)}", "", ABOUT, ""]
    if c.mapped:
        lines += [md(mapping_note(c), limit=TEXT_LIMIT), ""]
    lines += [f"| Key question | {md(c.a)} | {md(c.b)} | Change | |", "|---|---|---|---|---|"]
    for k in c.key_questions:
        d = k.difference
        mark = "**changed**" if d.changed else ""
        lines.append(
            f"| {md(kq_label(k))} {md(k.text, cell=True)} | {_pct(d.a)} | {_pct(d.b)} |"
            f" {md(in_words(d), cell=True)} | {mark} |"
        )
    if c.not_comparable:
        lines += ["", "## Not comparable", "", "| Audit | Key question | No counterpart in |"]
        lines.append("|---|---|---|")
        for n in c.not_comparable:
            lines.append(
                f"| {md(n.audit, cell=True)} | {md(n.id)} {md(n.text, cell=True)} |"
                f" {md(n.other, cell=True)} |"
            )
    if c.trend is not None:
        lines += ["", f"## Over {len(c.trend.audits)} audits", "", TREND_ABOUT, ""]
        lines += _trend_table(c.trend)
    lines += ["", "## Ratings", ""]
    if c.trend is not None:
        lines += _ratings_over(c.trend)
        return "\n".join(lines) + "\n"
    if not c.standards:
        return "\n".join([*lines, NO_COMMON_RATINGS]) + "\n"
    lines += [f"| Standard | {md(c.a)} | {md(c.b)} |", "|---|---|---|"]
    for s in c.standards:
        lines.append(
            f"| {md(s.id)} {md(s.title, cell=True)} | {s.a or 'not rated yet'} |"
            f" {s.b or 'not rated yet'} |"
        )
    return "\n".join(lines) + "\n"


def _trend_table(t: Trend) -> list[str]:
    head = " | ".join(md(a, cell=True) for a in t.audits)
    lines = [f"| Key question | {head} |", "|---" * (len(t.audits) + 1) + "|"]
    for k in t.key_questions:
        cells = " | ".join(point_text(p) for p in k.points)
        lines.append(f"| {md(k.id)} | {cells} |")
    return lines


def _rating(rating: str | None, comparable: bool) -> str:
    return (rating or "not rated yet") if comparable else "not comparable"


def _ratings_over(t: Trend) -> list[str]:
    head = " | ".join(md(a, cell=True) for a in t.audits)
    lines = [f"| Standard | {head} |", "|---" * (len(t.audits) + 1) + "|"]
    for s in t.standards:
        cells = " | ".join(_rating(r, ok) for r, ok in zip(s.ratings, s.comparable, strict=True))
        lines.append(f"| {md(s.id)} {md(s.title, cell=True)} | {cells} |")
    return lines


def compare_html(c: Comparison) -> str:
    e = html_text
    rows = "".join(
        f"<tr><td>{e(kq_label(k))} {e(k.text)}</td><td>{e(_pct(k.difference.a))}</td>"
        f"<td>{e(_pct(k.difference.b))}</td><td>{e(in_words(k.difference))}</td>"
        f"<td>{'changed' if k.difference.changed else ''}</td></tr>"
        for k in c.key_questions
    )
    title = f"{e(c.b)} compared with {e(c.a)}"
    body = [
        f"<h1>{title}</h1><p>{e(ABOUT)}</p>",
        f'<p class="mapping">{e(mapping_note(c), TEXT_LIMIT)}</p>' if c.mapped else "",
        f"<table><thead><tr><th>Key question</th><th>{e(c.a)}</th><th>{e(c.b)}</th>"
        f"<th>Change</th><th>Changed?</th></tr></thead><tbody>{rows}</tbody></table>",
        _not_comparable_html(c),
        _trend_html(c.trend) if c.trend is not None else "",
        "<h2>Ratings</h2>",
        _ratings_html(c),
    ]
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:.3em .5em;text-align:left}"
        "figure{display:inline-block;vertical-align:top;width:400px;margin:.5em 1em .5em 0;"
        "break-inside:avoid}svg.trend{width:400px;height:auto}"
        "@page{size:A4}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def _not_comparable_html(c: Comparison) -> str:
    if not c.not_comparable:
        return ""
    rows = "".join(
        f"<tr><td>{html_text(n.audit)}</td><td>{html_text(n.id)} {html_text(n.text)}</td>"
        f"<td>{html_text(n.other)}</td></tr>"
        for n in c.not_comparable
    )
    return (
        "<h2>Not comparable</h2><table><thead><tr><th>Audit</th><th>Key question</th>"
        f"<th>No counterpart in</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _trend_html(t: Trend) -> str:
    """A chart per key question, then every figure in one table (the charts' words)."""
    legend = ", ".join(f"{i + 1} {a}" for i, a in enumerate(t.audits))
    figures = "".join(
        f"<figure>{trend_svg(k, t.edges, f'trend-{i}')}"
        f"<figcaption>{html_text(k.id)} {html_text(k.text)}</figcaption></figure>"
        for i, k in enumerate(t.key_questions)
    )
    head = "".join(f"<th>{html_text(a)}</th>" for a in t.audits)
    rows = "".join(
        f"<tr><td>{html_text(k.id)}</td>"
        + "".join(f"<td>{html_text(point_text(p))}</td>" for p in k.points)
        + "</tr>"
        for k in t.key_questions
    )
    return (
        f"<h2>Over {len(t.audits)} audits</h2><p>{html_text(TREND_ABOUT)} Audits along the charts:"
        f' {html_text(legend, TEXT_LIMIT)}. Dashed lines: the band edges.</p><div class="trends">{figures}</div>'
        f"<table><thead><tr><th>Key question</th>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


NO_COMMON_RATINGS = (
    "No standard is rated in both audits: their frameworks share no rated standard, or one"
    " gives no ratings (percentages only)."
)


def _ratings_html(c: Comparison) -> str:
    t = c.trend
    if t is None and not c.standards:
        return f"<p>{html_text(NO_COMMON_RATINGS)}</p>"
    rows: list[tuple[str, tuple[str, ...]]]
    if t is None:
        audits: tuple[str, ...] = (c.a, c.b)
        rows = [
            (f"{s.id} {s.title}", (s.a or "not rated yet", s.b or "not rated yet"))
            for s in c.standards
        ]
    else:
        audits = t.audits
        rows = [
            (
                f"{s.id} {s.title}",
                tuple(_rating(r, ok) for r, ok in zip(s.ratings, s.comparable, strict=True)),
            )
            for s in t.standards
        ]
    head = "".join(f"<th>{html_text(a)}</th>" for a in audits)
    body = "".join(
        f"<tr><td>{html_text(name)}</td>{''.join(f'<td>{html_text(x)}</td>' for x in cells)}</tr>"
        for name, cells in rows
    )
    return f"<table><thead><tr><th>Standard</th>{head}</tr></thead><tbody>{body}</tbody></table>"


def compare_json(c: Comparison) -> str:
    return json_text(compare_dict(c)) + "\n"


def render_compare(c: Comparison, fmt: str) -> str:
    """The comparison in `fmt`, by the format table's renderer (Markdown for one it lacks)."""
    from audit_tui.reporting.formats import BY_NAME

    found = BY_NAME.get(fmt)
    render = found.compare if found is not None else None
    return (render or compare_markdown)(c)
