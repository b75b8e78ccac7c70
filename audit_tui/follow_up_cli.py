"""The command line of management oversight and follow-up: adding a reviewed case, giving
feedback, agreeing actions and following them up (`actions`), and the feedback sheet
(`report AUDIT --case REF`, in cli.py with the other reports)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from audit_tui.cli_support import RepoOf
from audit_tui.domain.cases import canonical_ref
from audit_tui.domain.errors import UsageError
from audit_tui.domain.safe_text import json_text, one_line
from audit_tui.domain.words import plural

if TYPE_CHECKING:
    from audit_tui.store.follow_up import Action


def add_parsers(sub: Any) -> None:
    add = sub.add_parser(
        "add-case", help="add one reviewed case (management oversight), allocated to you"
    )
    add.add_argument("audit", metavar="AUDIT")
    add.add_argument("case_ref", metavar="CASE_REF", type=canonical_ref)
    add.add_argument("--practitioner", default="", metavar="CODE", help="pseudonymous code")
    add.add_argument("--team", default="", metavar="CODE", help="pseudonymous code")
    add.add_argument(
        "--attr",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a case attribute the rubric declares (repeatable)",
    )

    said = sub.add_parser("feedback", help="write the feedback for a case's practitioner")
    said.add_argument("audit", metavar="AUDIT")
    said.add_argument("case_ref", metavar="CASE_REF", type=canonical_ref)
    said.add_argument("--strengths", metavar="TEXT", help="what was done well (lines or '; ')")
    said.add_argument("--improvements", metavar="TEXT", help="what must change")

    agree = sub.add_parser("add-action", help="agree an action for a case's practitioner")
    agree.add_argument("audit", metavar="AUDIT")
    agree.add_argument("case_ref", metavar="CASE_REF", type=canonical_ref)
    agree.add_argument("--what", required=True, metavar="TEXT")
    agree.add_argument("--due", required=True, metavar="DATE", help="2026-12-01 or 01/12/2026")

    move = sub.add_parser(
        "update-action", help="mark an action done, dropped or open again, or move its date"
    )
    move.add_argument("action_id", metavar="ID", type=int)
    move.add_argument("--status", choices=("open", "done", "dropped"))
    move.add_argument("--due", metavar="DATE")
    move.add_argument("--note", default="", metavar="TEXT", help="why (required but for done)")

    listed = sub.add_parser("actions", help="actions agreed with practitioners, across audits")
    listed.add_argument("--open", action="store_true", help="only open ones")
    listed.add_argument("--overdue", action="store_true", help="only open ones past their date")
    listed.add_argument("--practitioner", metavar="CODE", type=canonical_ref)
    listed.add_argument("--team", metavar="CODE", type=canonical_ref)
    listed.add_argument("--audit", metavar="AUDIT")
    listed.add_argument("--format", choices=("table", "json"), default="table")


def _day(text: str, what: str) -> date:
    from audit_tui.io.caseload import parse_date

    try:
        return parse_date(text)
    except ValueError as exc:
        raise UsageError(f"{what}: {exc}") from None


def cmd_add_case(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store import audits
    from audit_tui.store.oversight import add_reviewed_case

    attributes: dict[str, str] = {}
    for pair in args.attr:
        name, sep, value = pair.partition("=")
        if not sep:
            raise UsageError(f"--attr {pair!r} is not NAME=VALUE")
        attributes[name.strip()] = value
    repo = repo_of(args)
    audit = audits.open_audit(repo, args.audit)
    case = add_reviewed_case(
        repo, audit, args.case_ref, attributes, practitioner=args.practitioner, team=args.team
    )
    where = f'"{one_line(audit.info.name)}", allocated to {one_line(case.allocated_to)}'
    print(f"added case {one_line(case.case_ref)} to {where}")
    return 0


def cmd_feedback(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store import audits
    from audit_tui.store.follow_up import feedback, save_feedback

    repo = repo_of(args)
    audit = audits.open_audit(repo, args.audit)
    before = feedback(repo, audit, args.case_ref)
    save_feedback(
        repo,
        audit,
        args.case_ref,
        strengths=before.strengths if args.strengths is None else args.strengths,
        improvements=before.improvements if args.improvements is None else args.improvements,
    )
    print(f"feedback on case {args.case_ref} saved")
    return 0


def cmd_add_action(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store import audits
    from audit_tui.store.follow_up import add_action

    due = _day(args.due, "--due")
    repo = repo_of(args)
    action = add_action(repo, audits.open_audit(repo, args.audit), args.case_ref, args.what, due)
    print(f"action {action.id} on case {one_line(action.case_ref)}, due {action.due.isoformat()}")
    return 0


def cmd_update_action(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store.follow_up import update_action

    if args.status is None and args.due is None:
        raise UsageError("give --status or --due (or both)")
    due = _day(args.due, "--due") if args.due else None
    action = update_action(
        repo_of(args), args.action_id, status=args.status, due=due, note=args.note
    )
    print(f"action {action.id}: {one_line(action.status)}, due {action.due.isoformat()}")
    return 0


def cmd_actions(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store import audits
    from audit_tui.store.follow_up import actions

    repo = repo_of(args)
    today = date.today()
    found = actions(
        repo,
        audit=audits.open_audit(repo, args.audit) if args.audit else None,
        open_only=args.open,
        overdue_on=today if args.overdue else None,
        practitioner=args.practitioner,
        team=args.team,
    )
    if args.format == "json":
        print(json_text([_as_dict(a, today) for a in found]))
        return 0
    sys.stdout.write(render_table(found, today))
    return 0


def _as_dict(a: Action, today: date) -> dict[str, Any]:
    return {
        "id": a.id,
        "audit": a.audit,
        "case": a.case_ref,
        "practitioner": a.practitioner or None,
        "team": a.team or None,
        "what": a.what,
        "due": a.due.isoformat(),
        "status": a.status,
        "overdue": a.overdue(today),
        "updated_at": a.updated_at.isoformat() if a.updated_at else None,
        "updated_by": a.updated_by,
    }


def render_table(found: list[Action], today: date) -> str:
    """A plain table, grouped by practitioner (then due date), as a manager reads it: whose
    actions are late. An empty list says so rather than printing nothing. Every cell is one
    line, controls escaped and cut (`one_line`): the text may have been written by any tool."""
    if not found:
        return "no actions match\n"
    rows = sorted(found, key=lambda a: (a.practitioner or "~", a.due, a.id))
    head = ("id", "due", "status", "practitioner", "team", "audit", "case", "action")
    table = [
        tuple(
            one_line(cell)
            for cell in (
                str(a.id),
                a.due.isoformat(),
                a.status + (" OVERDUE" if a.overdue(today) else ""),
                a.practitioner or "-",
                a.team or "-",
                a.audit,
                a.case_ref,
                " ".join(a.what.split()),
            )
        )
        for a in rows
    ]
    widths = [max(len(r[i]) for r in (head, *table)) for i in range(len(head) - 1)]
    lines = []
    for row in (head, *table):
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]))
    late = sum(a.overdue(today) for a in found)
    open_ = sum(a.status == "open" for a in found)
    lines.append(f"{plural(len(found), 'action')}: {open_:,} open, {late:,} overdue")
    return "\n".join(lines) + "\n"


COMMANDS: dict[str, Callable[[argparse.Namespace, RepoOf], int]] = {
    "add-case": cmd_add_case,
    "feedback": cmd_feedback,
    "add-action": cmd_add_action,
    "update-action": cmd_update_action,
    "actions": cmd_actions,
}


def bound(repo_of: RepoOf) -> dict[str, Callable[[argparse.Namespace], int]]:
    """The commands, each given the command line's way of opening the database."""

    def bind(
        run: Callable[[argparse.Namespace, RepoOf], int],
    ) -> Callable[[argparse.Namespace], int]:
        return lambda args: run(args, repo_of)

    return {name: bind(run) for name, run in COMMANDS.items()}
