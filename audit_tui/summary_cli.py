"""`audit-tui summary AUDIT --text TEXT`: the lead's own summary, shown in the report above the
one generated from the figures. Each wording is kept in the audit's log; `--text ""` clears it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from audit_tui.cli_support import RepoOf

if TYPE_CHECKING:
    pass


def add_parsers(sub: Any) -> None:
    from audit_tui.store.lead_summary import SUMMARY_LENGTH

    said = sub.add_parser(
        "summary",
        help="the lead's own summary of the audit, shown above the generated one in reports",
    )
    said.add_argument("audit", metavar="AUDIT")
    said.add_argument(
        "--text",
        required=True,
        metavar="TEXT",
        help=f'a paragraph a line, at most {SUMMARY_LENGTH:,} characters; "" clears it',
    )


def cmd_summary(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store import audits
    from audit_tui.store.lead_summary import save_lead_summary

    repo = repo_of(args)
    audit = audits.open_audit(repo, args.audit)
    said = save_lead_summary(repo, audit, args.text)
    done = "saved" if said is not None else "cleared"
    print(f'summary of audit "{audit.info.name}" {done} (kept in its log)', file=sys.stderr)
    return 0


def bound(repo_of: RepoOf) -> dict[str, Callable[[argparse.Namespace], int]]:
    return {"summary": lambda args: cmd_summary(args, repo_of)}
