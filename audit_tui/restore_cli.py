"""`audit-tui restore-case AUDIT CASE_REF --reason TEXT`: undo a removal (the lead's), bringing
the case back into every count and report with its answers and history; the reason is logged."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from audit_tui.cli_support import RepoOf
from audit_tui.domain.cases import canonical_ref
from audit_tui.domain.safe_text import one_line
from audit_tui.domain.words import plural

if TYPE_CHECKING:
    pass


def add_parsers(sub: Any) -> None:
    restore = sub.add_parser(
        "restore-case",
        help="bring a removed case back into the audit's sample, with its answers and history",
    )
    restore.add_argument("audit", metavar="AUDIT")
    restore.add_argument("case_ref", metavar="CASE_REF", type=canonical_ref)
    restore.add_argument("--reason", required=True, metavar="TEXT", help="why it comes back")


def cmd_restore_case(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store import audits
    from audit_tui.store.restore import restore_case

    repo = repo_of(args)
    audit = audits.open_audit(repo, args.audit)
    case = restore_case(repo, audit, args.case_ref, args.reason)
    print(
        f'restored case {one_line(case.case_ref)} to "{one_line(audit.info.name)}"'
        f" (back in every count and report, with {plural(case.answered, 'answer')})"
    )
    return 0


def bound(repo_of: RepoOf) -> dict[str, Callable[[argparse.Namespace], int]]:
    return {"restore-case": lambda args: cmd_restore_case(args, repo_of)}
