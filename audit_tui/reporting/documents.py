"""Each document in each format as a pure function of its gathered record (`gather`): nothing
here reads the store. The format table (`formats.REGISTRY`) names them."""

from __future__ import annotations

from audit_tui.reporting.case_csv import render_case_csv
from audit_tui.reporting.gather import ReportRecord
from audit_tui.reporting.html_report import render_html
from audit_tui.reporting.json_report import render_json
from audit_tui.reporting.markdown import render_markdown


def report_json(r: ReportRecord) -> str:
    return render_json(r.score, r.audit.info, r.moderation, (r.drawn, r.cases), r.include_notes)


def report_markdown(r: ReportRecord) -> str:
    return render_markdown(r.report)


def report_html(r: ReportRecord) -> str:
    return render_html(r.report)


def report_csv(r: ReportRecord) -> str:
    return render_case_csv(r.audit, r.cases, r.values, r.answers)


def report_xlsx(r: ReportRecord) -> bytes:
    from audit_tui.reporting.xlsx_report import render_xlsx  # openpyxl: only when asked

    return render_xlsx(r.report, r.values, r.answers)
