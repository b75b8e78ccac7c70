"""`audit-tui verify AUDIT [--repair]`: check that an audit's record holds together, one line
per problem (exit 1 when there is any), and put its kept counts right (the lead's, logged)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from audit_tui.cli_support import RepoOf
from audit_tui.domain.errors import AuditError

if TYPE_CHECKING:
    pass


def add_parsers(sub: Any) -> None:
    verify = sub.add_parser(
        "verify",
        help="check the audit's record: kept counts, every history chain, the event log",
    )
    verify.add_argument("audit", metavar="AUDIT")
    verify.add_argument(
        "--repair",
        action="store_true",
        help="count the kept counts again from the answers (the lead or the database's owner;"
        " logged), then check again",
    )


def cmd_verify(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.domain.words import plural
    from audit_tui.store import audits
    from audit_tui.store.verify import repair, verify

    repo = repo_of(args)
    audit = audits.open_audit(repo, args.audit)
    if args.repair:
        fixed = repair(repo, audit).fixed
        print(f"{plural(fixed, 'kept count')} put right (logged as a repair)", file=sys.stderr)
    problems = verify(repo, audit)
    if problems:
        raise AuditError(problems)
    print(f'audit "{audit.info.name}" holds together: counts, history and log agree')
    return 0


def bound(repo_of: RepoOf) -> dict[str, Callable[[argparse.Namespace], int]]:
    return {"verify": lambda args: cmd_verify(args, repo_of)}
