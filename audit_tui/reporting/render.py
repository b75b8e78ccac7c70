"""One entry point for every report format, used by the CLI (and later the TUI's export)."""

from __future__ import annotations

from audit_tui.domain.records import OpenAudit
from audit_tui.reporting.json_report import render_json
from audit_tui.reporting.markdown import render_markdown
from audit_tui.store.repository import Repository


def render_report(repo: Repository, audit: OpenAudit, fmt: str, include_notes: bool = False) -> str:
    result = repo.score(audit)
    if fmt == "json":
        return render_json(result)
    if fmt == "md":
        notes = repo.tagged_notes(audit) if include_notes else []
        return render_markdown(audit, result, repo.list_cases(audit), notes)
    raise ValueError(f"unknown report format {fmt!r}")
