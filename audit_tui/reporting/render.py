"""One entry point for every report format, used by the CLI (and later the TUI's export)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import OpenAudit
from audit_tui.reporting.formats import FORMATS  # noqa: F401  (re-exported)
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


def write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename, so a failed export never leaves half a file."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
        raise AuditError.at(str(path), f"cannot write ({exc.strerror or exc})") from None
