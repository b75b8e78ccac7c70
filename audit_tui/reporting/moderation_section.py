"""`report AUDIT --section moderation`: the moderation section alone, in any report format,
through the same renderers the full reports use."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import OpenAudit
from audit_tui.domain.rubric import Scale
from audit_tui.domain.safe_text import html_text, json_text
from audit_tui.reporting.titles import report_title
from audit_tui.scoring.moderation import Level, Moderation

if TYPE_CHECKING:
    from audit_tui.reporting.gather import ReportRecord

CSV_COLUMNS = ("level", "id", "n", "agreement", "kappa", "kappa_low", "kappa_high", "pabak",
               "pabak_low", "pabak_high", "ac1", "ac1_low", "ac1_high")  # fmt: skip


def render_moderation(
    audit: OpenAudit,
    moderation: Moderation | None,
    fmt: str,
    include_notes: bool = False,
    title: str = "",
) -> str | bytes:
    """The section alone, under `title` (the PDU and months, as the full report's title;
    `PDU: moderation of the case audit` when none is given), the audit's id below it: the
    format table's renderer (`formats.REGISTRY`) of an already gathered record."""
    from audit_tui.reporting.formats import BY_NAME
    from audit_tui.reporting.gather import ReportRecord

    record = ReportRecord(
        audit=audit, include_notes=include_notes, moderation=moderation, title=title
    )
    _section(record)  # no round: said before any format question
    found = BY_NAME.get(fmt)
    if found is None:
        raise AuditError.at("moderation", f"no {fmt} format for the moderation section")
    return found.moderation(record)


def _section(r: ReportRecord) -> tuple[Moderation, str, str]:
    """(what moderation found, the audit's name, the title), or one line: no round yet."""
    audit, moderation = r.audit, r.moderation
    if moderation is None:
        raise AuditError.at(
            "moderation",
            f'audit "{audit.info.name}" has no moderation round yet'
            f" (audit-tui moderate {audit.info.name} --sample 10% --marker USER)",
        )
    return moderation, audit.info.name, r.title or report_title(audit.info, "", "moderation")


def section_json(r: ReportRecord) -> str:
    from audit_tui.reporting.moderation_json import moderation_dict

    moderation, name, _ = _section(r)
    body = {
        "audit": name,
        "moderation": moderation_dict(moderation, include_notes=r.include_notes),
    }
    return json_text(body) + "\n"


def section_markdown(r: ReportRecord) -> str:
    from audit_tui.reporting.markdown import md
    from audit_tui.reporting.moderation_markdown import moderation_markdown

    moderation, name, title = _section(r)
    lines = [
        f"# {md(title)}",
        "",
        f"- Audit: {md(name)}",
        "",
        *moderation_markdown(moderation, r.include_notes),
    ]
    return "\n".join(lines).rstrip() + "\n"


def section_html(r: ReportRecord) -> str:
    moderation, name, title = _section(r)
    return _html(title, name, moderation, r.include_notes, r.audit.rubric.scale)


def section_xlsx(r: ReportRecord) -> bytes:
    from audit_tui.reporting.moderation_xlsx import render_moderation_xlsx

    moderation, _, _ = _section(r)
    return render_moderation_xlsx(moderation, r.include_notes)


def section_csv(r: ReportRecord) -> str:
    return _csv(_section(r)[0])


def _html(title: str, name: str, m: Moderation, include_notes: bool, scale: Scale) -> str:
    """A complete small document, in the full report's style."""
    from audit_tui.reporting.html_report import stylesheet
    from audit_tui.reporting.moderation_html import CSS as MODERATION_CSS
    from audit_tui.reporting.moderation_html import moderation_html

    return (
        "\n".join(
            [
                "<!DOCTYPE html>",
                '<html lang="en-GB"><head><meta charset="utf-8">',
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                f"<title>{html_text(title)}</title><style>{stylesheet(scale)}{MODERATION_CSS}</style>",
                "</head><body>",
                f'<header class="title-block"><h1>{html_text(title)}</h1>'
                f'<dl class="facts"><dt>Audit</dt><dd id="audit">{html_text(name)}</dd></dl>'
                "</header>",
                moderation_html(m, include_notes).replace(" new-page", "", 1),
                "</body></html>",
            ]
        )
        + "\n"
    )


def _csv(m: Moderation) -> str:
    """One row per level, figures as in the JSON block; formula-looking ids neutralised."""
    from audit_tui.reporting.case_csv import csv_cell
    from audit_tui.reporting.moderation_json import agreement_dict

    levels: list[tuple[str, Level]] = [("key_question", k) for k in m.key_questions]
    levels += [("prompt", p) for p in m.prompts]
    levels += [("standard", s) for s in m.standards]
    levels += [("overall", m.overall)]
    levels += [("pair", p) for p in m.pairs]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for kind, level in levels:
        d = agreement_dict(level.agreement)
        row = [kind, level.id, d["n"], d["agreement"]]
        for stat in ("kappa", "pabak", "ac1"):
            ci = d[f"{stat}_ci95"] or (None, None)
            row += [d[stat], *ci]
        writer.writerow([csv_cell(v) for v in row])
    return buf.getvalue()
