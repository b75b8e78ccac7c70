"""A small inline SVG per key question: its percentage in each audit (oldest first) with the Wilson
95% interval as whiskers and the rubric's band edges as faint labelled lines.

Readable without colour (each point carries its figure, each edge its rating) and without sight
(a <title> and a <desc> that say every figure); the html puts the same figures in a table.
"""

from __future__ import annotations

from audit_tui.domain.safe_text import TEXT_LIMIT, html_text
from audit_tui.scoring.trend import KeyQuestionTrend, Point

WIDTH, HEIGHT = 400, 150
LEFT, RIGHT, TOP, BOTTOM = 30, 118, 12, 24
PAD = 16
"""Room between the axis and the first point, and the last point and the edge labels."""
INK, MUTED, FAINT = "#1d4f91", "#555", "#bbb"


def _y(percent: float) -> float:
    return round(TOP + (100 - percent) / 100 * (HEIGHT - TOP - BOTTOM), 1)


def _x(i: int, n: int) -> float:
    plot = WIDTH - LEFT - RIGHT - 2 * PAD
    return round(LEFT + PAD + (plot / 2 if n == 1 else i * plot / (n - 1)), 1)


def spoken(p: Point) -> str:
    """`demo-tameside 39% (11 of 28, 95% interval 24 to 57)`, or why there is no figure."""
    if not p.comparable:
        return f"{p.audit}: not comparable (no counterpart in its rubric)"
    if p.percent is None or p.ci95 is None:
        return f"{p.audit}: no relevant case"
    low, high = p.ci95
    return (
        f"{p.audit}: {p.percent:.0f}% ({p.yes} of {p.relevant}, 95% interval {low:.0f} to"
        f" {high:.0f})"
    )


def _figure(x: float, y: float, text: str, *, last: bool) -> str:
    """A point's figure beside it: on the left of the last point, clear of the edge labels."""
    if last:
        return f'<text x="{x - 6}" y="{y - 4}" font-size="9" text-anchor="end">{text}</text>'
    return f'<text x="{x + 6}" y="{y - 4}" font-size="9">{text}</text>'


def trend_svg(kq: KeyQuestionTrend, edges: tuple[tuple[float, str], ...], ident: str) -> str:
    """The chart for one key question; `ident` keeps its title and description ids unique."""
    n = len(kq.points)
    title = f"{kq.id} over {n} audits: percentage answered yes, with 95% intervals"
    desc = "; ".join(spoken(p) for p in kq.points)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' role="img" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{html_text(title)}</title>',
        f'<desc id="{ident}-desc">{html_text(desc, TEXT_LIMIT)}</desc>',
    ]
    for tick in (0, 50, 100):
        out.append(
            f'<text x="{LEFT - 6}" y="{_y(tick) + 3}" font-size="9" fill="{MUTED}"'
            f' text-anchor="end">{tick}%</text>'
        )
    out.append(
        f'<line x1="{LEFT}" y1="{_y(0)}" x2="{WIDTH - RIGHT}" y2="{_y(0)}" stroke="{MUTED}"/>'
    )
    for edge, rating in edges:
        out.append(
            f'<line class="edge" x1="{LEFT}" y1="{_y(edge)}" x2="{WIDTH - RIGHT}" y2="{_y(edge)}"'
            f' stroke="{FAINT}" stroke-dasharray="3,3"/>'
            f'<text x="{WIDTH - RIGHT + 4}" y="{_y(edge) + 3}" font-size="8" fill="{MUTED}">'
            f"{html_text(rating)} {edge:g}%</text>"
        )
    drawn = [(_x(i, n), p.percent) for i, p in enumerate(kq.points) if p.percent is not None]
    if len(drawn) > 1:
        path = " ".join(f"{x},{_y(pct)}" for x, pct in drawn)
        out.append(f'<polyline points="{path}" fill="none" stroke="{INK}" stroke-width="1.5"/>')
    for i, p in enumerate(kq.points):
        x = _x(i, n)
        out.append(
            f'<text x="{x}" y="{HEIGHT - 8}" font-size="9" fill="{MUTED}"'
            f' text-anchor="middle">{i + 1}</text>'
        )
        if p.percent is None or p.ci95 is None:
            out.append(
                f'<text class="gap" x="{x}" y="{_y(50)}" font-size="9" fill="{MUTED}"'
                f' text-anchor="middle">{"n/c" if not p.comparable else "none"}</text>'
            )
            continue
        low, high = p.ci95
        out.append(
            f'<line class="whisker" x1="{x}" y1="{_y(low)}" x2="{x}" y2="{_y(high)}"'
            f' stroke="{INK}"/>'
            f'<line x1="{x - 4}" y1="{_y(low)}" x2="{x + 4}" y2="{_y(low)}" stroke="{INK}"/>'
            f'<line x1="{x - 4}" y1="{_y(high)}" x2="{x + 4}" y2="{_y(high)}" stroke="{INK}"/>'
            f'<circle class="point" cx="{x}" cy="{_y(p.percent)}" r="3" fill="{INK}">'
            f"<title>{html_text(spoken(p))}</title></circle>"
            + _figure(x, _y(p.percent), f"{p.percent:.0f}%", last=i == n - 1)
        )
    out.append("</svg>")
    return "".join(out)
