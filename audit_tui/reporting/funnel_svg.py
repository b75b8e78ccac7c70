"""A funnel plot as inline SVG: each PDU's percentage against its number of relevant cases, the
regional percentage as a line, and the 95% and 99.8% limits as curves that narrow with cases.

Readable without colour (the 99.8% curve is solid, the 95% one dashed, a PDU outside a limit is
a filled square with its name beside it) and without sight (a <title> and a <desc> that say every
figure); the html puts the same figures in a table. Prints within an A4 page's width.
"""

from __future__ import annotations

from audit_tui.domain.safe_text import TEXT_LIMIT, html_text
from audit_tui.domain.words import whole_percent
from audit_tui.scoring.funnel import Funnel, Unit

WIDTH, HEIGHT = 560, 260
LEFT, RIGHT, TOP, BOTTOM = 36, 110, 12, 34
INK, MUTED, FAINT, ALARM = "#1d4f91", "#555", "#bbb", "#a4262c"


def _x(n: float, top: int) -> float:
    return round(LEFT + n / top * (WIDTH - LEFT - RIGHT), 1)


def _y(proportion: float) -> float:
    return round(TOP + (1 - proportion) * (HEIGHT - TOP - BOTTOM), 1)


def spoken(unit: Unit, found: Funnel) -> str:
    """`Dunmore 18% (5 of 28): below the 99.8% limit`, for the description."""
    flag = found.flag_of(unit)
    where = f": {flag.side} the {flag.level * 100:g}% limit" if flag else ": within the limits"
    return (
        f"{unit.name} {whole_percent(unit.proportion * 100)} ({unit.yes} of {unit.relevant}){where}"
    )


def funnel_svg(found: Funnel, question: str, ident: str) -> str:
    """The plot for one key question; `ident` keeps its title and description ids unique."""
    curve = found.curve()
    top = curve[-1][0] if curve else 1
    title = (
        f"{question}: funnel plot of each PDU's percentage answered yes against its relevant"
        f" cases, around the regional {found.target * 100:.1f}%"
    )
    desc = "; ".join(spoken(u, found) for u in found.units)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="funnel" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' role="img" aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{html_text(title)}</title>',
        f'<desc id="{ident}-desc">{html_text(desc, TEXT_LIMIT)}</desc>',
    ]
    for tick in (0, 25, 50, 75, 100):
        y = _y(tick / 100)
        out.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="{FAINT}"'
            ' stroke-width="0.5"/>'
            f'<text x="{LEFT - 4}" y="{y + 3}" font-size="9" text-anchor="end">{tick}%</text>'
        )
    for n in _ticks(top):
        x = _x(n, top)
        out.append(
            f'<text x="{x}" y="{HEIGHT - BOTTOM + 12}" font-size="9" text-anchor="middle">{n}</text>'
        )
    out.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 6}" font-size="10"'
        ' text-anchor="middle">relevant cases</text>'
    )
    target_y = _y(found.target)
    out.append(
        f'<line x1="{LEFT}" y1="{target_y}" x2="{WIDTH - RIGHT}" y2="{target_y}" stroke="{INK}"'
        ' stroke-width="1"/>'
        f'<text x="{WIDTH - RIGHT + 4}" y="{target_y + 3}" font-size="9">region'
        f" {whole_percent(found.target * 100)}</text>"
    )
    for level, dash, label in ((0.95, ' stroke-dasharray="4 3"', "95%"), (0.998, "", "99.8%")):
        for side in (0, 1):
            points = " ".join(f"{_x(n, top)},{_y(limits[level][side])}" for n, limits in curve)
            out.append(
                f'<polyline points="{points}" fill="none" stroke="{MUTED}" stroke-width="1"{dash}/>'
            )
        if curve:
            n, limits = curve[-1]
            out.append(
                f'<text x="{WIDTH - RIGHT + 4}" y="{_y(limits[level][0]) + 3}" font-size="9"'
                f' fill="{MUTED}">{label}</text>'
            )
    flagged = {f.unit.name for f in found.flags}
    for unit in found.units:
        x, y = _x(unit.relevant, top), _y(unit.proportion)
        if unit.name in flagged:
            out.append(
                f'<rect x="{x - 4}" y="{y - 4}" width="8" height="8" fill="{ALARM}"/>'
                f'<text x="{x + 7}" y="{y + 3}" font-size="9" fill="{ALARM}">'
                f"{html_text(unit.name)}</text>"
            )
        else:
            out.append(
                f'<circle cx="{x}" cy="{y}" r="3.2" fill="none" stroke="{INK}" stroke-width="1.2"/>'
            )
    out.append("</svg>")
    return "".join(out)


def _ticks(top: int) -> list[int]:
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if top / s <= 8)
    return list(range(0, top + 1, step))
