"""`compare AUDIT_A AUDIT_B`: a re-audit against the first, in json (the contract in
architecture.md), Markdown and HTML. Differences are B minus A, in percentage points."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from audit_tui.reporting.markdown import md
from audit_tui.scoring.compare import Comparison, Side, in_words

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
    }


def _pct(side: Side) -> str:
    pct = side.percent
    return "—" if pct is None else f"{pct:.0f}% ({side.yes} of {side.relevant})"


def compare_markdown(c: Comparison) -> str:
    lines = [f"# {md(c.b)} compared with {md(c.a)}", "", ABOUT, ""]
    lines += [f"| Key question | {md(c.a)} | {md(c.b)} | Change | |", "|---|---|---|---|---|"]
    for k in c.key_questions:
        d = k.difference
        mark = "**changed**" if d.changed else ""
        lines.append(
            f"| {md(k.id)} {md(k.text, cell=True)} | {_pct(d.a)} | {_pct(d.b)} |"
            f" {md(in_words(d), cell=True)} | {mark} |"
        )
    lines += ["", "## Ratings", "", f"| Standard | {md(c.a)} | {md(c.b)} |", "|---|---|---|"]
    for s in c.standards:
        lines.append(
            f"| {md(s.id)} {md(s.title, cell=True)} | {s.a or 'not rated yet'} |"
            f" {s.b or 'not rated yet'} |"
        )
    return "\n".join(lines) + "\n"


def compare_html(c: Comparison) -> str:
    rows = "".join(
        f"<tr><td>{escape(k.id)} {escape(k.text)}</td><td>{escape(_pct(k.difference.a))}</td>"
        f"<td>{escape(_pct(k.difference.b))}</td><td>{escape(in_words(k.difference))}</td>"
        f"<td>{'changed' if k.difference.changed else ''}</td></tr>"
        for k in c.key_questions
    )
    ratings = "".join(
        f"<tr><td>{escape(s.id)} {escape(s.title)}</td><td>{escape(s.a or 'not rated yet')}</td>"
        f"<td>{escape(s.b or 'not rated yet')}</td></tr>"
        for s in c.standards
    )
    title = f"{escape(c.b)} compared with {escape(c.a)}"
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:.3em .5em;text-align:left}"
        "@page{size:A4}</style></head>"
        f"<body><h1>{title}</h1><p>{escape(ABOUT)}</p><table><thead><tr><th>Key question</th>"
        f"<th>{escape(c.a)}</th><th>{escape(c.b)}</th><th>Change</th><th></th></tr></thead>"
        f"<tbody>{rows}</tbody></table><h2>Ratings</h2><table><thead><tr><th>Standard</th>"
        f"<th>{escape(c.a)}</th><th>{escape(c.b)}</th></tr></thead><tbody>{ratings}</tbody>"
        "</table></body></html>\n"
    )


def render_compare(c: Comparison, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(compare_dict(c), indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        return compare_html(c)
    return compare_markdown(c)
