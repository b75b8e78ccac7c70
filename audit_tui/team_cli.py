"""The people of an audit and what they did: `grant`, `scope`, `member`, `allocate`, `complete`,
`sign-off`, `lock`, `unlock`, and `history` (who changed what, when, and why)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from audit_tui.cli_support import RepoOf, names, refs
from audit_tui.domain.access import ROLES
from audit_tui.domain.cases import canonical_ref
from audit_tui.domain.errors import UsageError
from audit_tui.domain.safe_text import one_line

if TYPE_CHECKING:
    pass


def add_parsers(sub: Any) -> None:
    grant = sub.add_parser(
        "grant", help="PostgreSQL, run by the database owner: let an existing login use audit-tui"
    )
    grant.add_argument("user", metavar="USER")

    scope = sub.add_parser(
        "scope",
        help="PostgreSQL, run by the database owner: let a login read every audit of a region"
        " (region lead) or a PDU (PDU viewer)",
    )
    scope.add_argument("action", choices=("grant", "revoke", "list"))
    scope.add_argument("user", metavar="USER", nargs="?")
    where = scope.add_mutually_exclusive_group()
    where.add_argument("--region", metavar="REGION", help="every audit of this region")
    where.add_argument("--pdu", metavar="PDU", help="every audit of this PDU")

    member = sub.add_parser("member", help="list, add or remove the people of an audit")
    member.add_argument("audit", metavar="AUDIT")
    member.add_argument("action", choices=("add", "remove", "list"))
    member.add_argument("user", metavar="USER", nargs="?")
    member.add_argument("--role", choices=ROLES, default="auditor", help="(default: auditor)")

    allocate = sub.add_parser("allocate", help="deal the audit's cases to auditors in turn")
    allocate.add_argument("audit", metavar="AUDIT")
    allocate.add_argument("--auditors", required=True, metavar="A,B,C")
    allocate.add_argument(
        "--balance", metavar="ATTRIBUTE", help="give each auditor a like share of each value"
    )
    allocate.add_argument(
        "--cases",
        metavar="REF,REF",
        help="(re)allocate these cases only (default: every case not yet allocated)",
    )

    for name, what in (
        ("complete", "say a case is done: every item that applies is answered"),
        ("sign-off", "sign a finished case off (the lead): its answers no longer change"),
    ):
        cmd = sub.add_parser(name, help=what)
        cmd.add_argument("audit", metavar="AUDIT")
        cmd.add_argument("case_ref", metavar="CASE_REF", type=canonical_ref)
    lock = sub.add_parser("lock", help="freeze the audit's figures (the lead)")
    lock.add_argument("audit", metavar="AUDIT")
    unlock = sub.add_parser("unlock", help="open a locked audit to changes again (the lead)")
    unlock.add_argument("audit", metavar="AUDIT")
    unlock.add_argument("--reason", required=True, metavar="TEXT", help="why (kept in the log)")

    history = sub.add_parser("history", help="the audit trail: who changed what, when, and why")
    history.add_argument("audit", metavar="AUDIT")
    history.add_argument("--case", metavar="REF", type=canonical_ref)
    history.add_argument("--item", metavar="ID")
    history.add_argument("--by", metavar="USER")
    history.add_argument("--format", choices=("table", "csv", "json"), default="table")


def cmd_grant(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store.logins import person
    from audit_tui.store.roles import grant

    repo = repo_of(args)
    user = person(repo.engine, args.user, "grant")
    grant(repo.engine, user)
    print(f"{user} may now use audit-tui on this database (as a lead only of what they create)")
    return 0


def cmd_scope(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store import scopes

    repo = repo_of(args)
    if args.action == "list":
        if args.user or args.region or args.pdu:
            raise UsageError("scope list takes no user, --region or --pdu")
        found = scopes.scopes(repo.engine)
        for scope in found:
            print(one_line(scope.describe()))
        if not found:
            print("no scopes granted")
        return 0
    if not args.user or not (args.region or args.pdu):
        raise UsageError(f"scope {args.action} needs USER and --region REGION or --pdu PDU")
    kind, name = ("region", args.region) if args.region else ("pdu", args.pdu)
    if args.action == "grant":
        held = scopes.grant_scope(repo.engine, args.user, kind, name)
        print(
            one_line(
                f"{held.user} now reads every audit of {kind.upper() if kind == 'pdu' else kind}"
                f" {held.name} as {scopes.TITLES[kind]}, changing none unless also a member"
            )
        )
        return 0
    if scopes.revoke_scope(repo.engine, args.user, kind, name):
        print(one_line(f"{args.user} is no longer {scopes.TITLES[kind]} of {name}"))
        return 0
    print(one_line(f"{args.user} held no such scope: nothing changed"), file=sys.stderr)
    return 1


def cmd_member(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store import audits, team

    if args.action != "list" and not args.user:
        raise UsageError(f"member {args.action}: name the USER")
    repo = repo_of(args)
    audit = audits.open_audit(repo, args.audit)
    if args.action == "add":
        print(one_line(team.set_member(repo, audit, args.user, args.role)))
    elif args.action == "remove":
        print(one_line(team.remove_member(repo, audit, args.user)))
    else:
        found = team.members(repo, audit)
        if not found:
            print(f'audit "{one_line(audit.info.name)}" has no members: everyone may change it')
        for m in found:
            print(f"{one_line(m.user)}\t{one_line(m.role)}")
    return 0


def cmd_allocate(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store import audits, team

    repo = repo_of(args)
    audit = audits.open_audit(repo, args.audit)
    cases = refs(args.cases) if args.cases is not None else None
    done = team.allocate(repo, audit, names(args.auditors), balance=args.balance, cases=cases)
    print(f'{one_line(done)} in "{one_line(audit.info.name)}"')
    return 0


def cmd_complete(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store import audits, team

    repo = repo_of(args)
    audit = audits.open_audit(repo, args.audit)
    case = team.complete_case(repo, audit, args.case_ref)
    print(f"case {one_line(case.case_ref)} marked complete by {one_line(case.completed_by)}")
    return 0


def cmd_sign_off(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store import audits, team

    repo = repo_of(args)
    audit = audits.open_audit(repo, args.audit)
    case = team.sign_off(repo, audit, args.case_ref)
    who = one_line(case.signed_off_by)
    print(f"case {one_line(case.case_ref)} signed off by {who}: its answers are final")
    return 0


def cmd_lock(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store import audits, team

    repo = repo_of(args)
    audit = audits.open_audit(repo, args.audit)
    team.lock_audit(repo, audit)
    print(
        f'locked audit "{one_line(audit.info.name)}": nothing in it can change until it is unlocked'
    )
    return 0


def cmd_unlock(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store import audits, team

    if not args.reason.strip():
        raise UsageError("--reason cannot be empty: say why the audit is unlocked")
    repo = repo_of(args)
    audit = audits.open_audit(repo, args.audit)
    team.unlock_audit(repo, audit, args.reason)
    print(f'unlocked audit "{one_line(audit.info.name)}"')
    return 0


def cmd_history(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.domain.words import plural
    from audit_tui.reporting.trail import render_history
    from audit_tui.store import audits, trail
    from audit_tui.store.logins import person
    from audit_tui.store.moderation import blind_cases

    repo = repo_of(args)
    audit = audits.open_audit(repo, args.audit)
    by = person(repo.engine, args.by, "--by") if args.by is not None else None
    changes = trail.changes(repo, audit, case=args.case, item=args.item, by=by)
    blind = set(blind_cases(repo, audit).values())
    if blind:  # a second marker still marking blind sees no first marks, here either
        hidden = sum(1 for c in changes if c.case in blind)
        changes = [c for c in changes if c.case not in blind]
        print(
            f"{plural(hidden, 'change')} to the {plural(len(blind), 'case')} {repo.user}"
            " second-marks blind hidden until they mark them complete",
            file=sys.stderr,
        )
    narrowed = args.case is not None or args.item is not None
    events = [] if narrowed else trail.events(repo, audit, by=by)
    sys.stdout.write(render_history(changes, events, args.format))
    return 0


def bound(repo_of: RepoOf) -> dict[str, Callable[[argparse.Namespace], int]]:
    return {
        "grant": lambda args: cmd_grant(args, repo_of),
        "scope": lambda args: cmd_scope(args, repo_of),
        "member": lambda args: cmd_member(args, repo_of),
        "allocate": lambda args: cmd_allocate(args, repo_of),
        "complete": lambda args: cmd_complete(args, repo_of),
        "sign-off": lambda args: cmd_sign_off(args, repo_of),
        "lock": lambda args: cmd_lock(args, repo_of),
        "unlock": lambda args: cmd_unlock(args, repo_of),
        "history": lambda args: cmd_history(args, repo_of),
    }
