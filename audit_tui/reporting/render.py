"""One entry point for every report format, used by the CLI and the TUI's export."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import OpenAudit
from audit_tui.reporting.formats import FORMATS  # noqa: F401  (re-exported)
from audit_tui.scoring.breakdowns import DEFAULT_MIN_GROUP
from audit_tui.store.repository import Repository


def render_report(
    repo: Repository,
    audit: OpenAudit,
    fmt: str,
    include_notes: bool = False,
    min_group: int = DEFAULT_MIN_GROUP,
) -> str | bytes:
    """The report as text, or bytes for xlsx."""
    if fmt == "json":
        from audit_tui.reporting.json_report import render_json

        return render_json(repo.score(audit))
    if fmt == "csv":
        from audit_tui.reporting.case_csv import render_case_csv

        return render_case_csv(
            audit,
            repo.list_cases(audit, progress=False),
            repo.answer_values(audit),
            repo.all_answers(audit) if include_notes else None,
        )
    from audit_tui.reporting.model import build_report

    data = build_report(repo, audit, include_notes=include_notes, min_group=min_group)
    if fmt == "md":
        from audit_tui.reporting.markdown import render_markdown

        return render_markdown(data)
    if fmt == "html":
        from audit_tui.reporting.html_report import render_html

        return render_html(data)
    if fmt == "xlsx":
        from audit_tui.reporting.xlsx_report import render_xlsx

        return render_xlsx(
            data, repo.answer_values(audit), repo.all_answers(audit) if include_notes else None
        )
    raise ValueError(f"unknown report format {fmt!r}")


def write_atomically(path: Path, content: str | bytes) -> None:
    """Write beside the target and rename, so a failed export never leaves half a file."""
    tmp = None
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
        raise AuditError.at(str(path), f"cannot write ({exc.strerror or exc})") from None
