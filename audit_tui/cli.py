"""The `audit-tui` command line. Exit 0 on success, 1 on a data error, 2 on a usage error.

Errors go to stderr, one line per problem; output meant for machines goes to stdout only.
Heavy imports (SQLAlchemy, Textual) happen inside the commands that need them. Stored text a
command prints goes through `domain/safe_text.py` (controls escaped, cut at its limit), and every
command but those that open the app prints through `terminal.guarded_output` as well.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from audit_tui import (
    __version__,
    audits_cli,
    follow_up_cli,
    restore_cli,
    summary_cli,
    verify_cli,
)
from audit_tui.domain.access import ROLES
from audit_tui.domain.cases import canonical_ref, canonical_refs
from audit_tui.domain.errors import AuditError, UsageError
from audit_tui.domain.safe_text import one_line
from audit_tui.reporting.formats import COMPARE_FORMATS, SHEET_FORMATS
from audit_tui.reporting.formats import FORMATS as REPORT_FORMATS

if TYPE_CHECKING:
    from audit_tui.domain.registry import RubricCatalogue
    from audit_tui.settings import Settings
    from audit_tui.store.repository import Repository
    from audit_tui.tui.store_link import StoreLink

COMMAND_MODULES = (follow_up_cli, verify_cli, restore_cli, audits_cli, summary_cli)
"""Commands kept in modules of their own: each gives `add_parsers(sub)` and `bound(repo_opener)`."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="audit-tui",
        description="Case-file audits against the HMIP probation framework.",
    )
    parser.add_argument("--version", action="version", version=f"audit-tui {__version__}")
    parser.add_argument(
        "--db",
        metavar="TARGET",
        help="SQLite file or PostgreSQL URL (default: db in the config file, else $AUDIT_TUI_DB,"
        " else the user data folder)",
    )
    parser.add_argument(
        "--as",
        dest="as_user",
        metavar="NAME",
        help="who you are, on SQLite (default: user in the config file, else $AUDIT_TUI_USER, else"
        " your login); on PostgreSQL"
        " you are the database login",
    )
    parser.add_argument(
        "--rubric-file",
        metavar="PATH",
        action="append",
        type=Path,
        default=[],
        help="an extra rubric TOML file (repeatable)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("rubrics", help="list installed rubrics: id, version, title")

    new = sub.add_parser("new", help="create an audit")
    new.add_argument("audit", metavar="AUDIT")
    new.add_argument("--rubric", required=True, metavar="ID")
    new.add_argument("--pdu", default="", metavar="NAME")
    new.add_argument("--region", default="", metavar="NAME")
    new.add_argument(
        "--kind",
        choices=("sample", "oversight"),
        default="sample",
        help="oversight: cases added one by one as a manager reviews them (not a sample)",
    )

    for name, what in (
        ("import-cases", "cases"),
        ("import-answers", "answers (wide: case_ref, then one column per item id)"),
        ("import-judgements", "domain-one judgements"),
    ):
        cmd = sub.add_parser(name, help=f"import {what} from a CSV file (all or nothing)")
        cmd.add_argument("audit", metavar="AUDIT")
        cmd.add_argument("file", metavar="FILE.csv", type=Path)
        if name == "import-answers":
            cmd.add_argument(
                "--second-marker",
                metavar="USER",
                help="the file holds USER's blind second marks (double entry), kept apart from"
                " the audit's answers; each case in it is marked complete",
            )
        if name == "import-cases":
            cmd.add_argument(
                "--update",
                action="store_true",
                help="change the attributes of cases already in the audit (and add new ones);"
                " columns left out of the file keep their values",
            )

    rename = sub.add_parser("rename", help="give an audit a new name")
    rename.add_argument("audit", metavar="AUDIT")
    rename.add_argument("new_name", metavar="NEW_NAME")

    delete = sub.add_parser(
        "delete", help="delete an audit with its cases, answers and history (its event log stays)"
    )
    delete.add_argument("audit", metavar="AUDIT")
    delete.add_argument(
        "--confirm",
        metavar="AUDIT",
        help="the audit's name typed again (without it, asked on a terminal)",
    )

    remove = sub.add_parser(
        "remove-case",
        help="withdraw a case from the audit's sample (its answers stay in the history)",
    )
    remove.add_argument("audit", metavar="AUDIT")
    remove.add_argument("case_ref", metavar="CASE_REF", type=canonical_ref)
    remove.add_argument("--reason", required=True, metavar="TEXT", help="why it is removed")

    grant = sub.add_parser(
        "grant", help="PostgreSQL, run by the database owner: let an existing login use audit-tui"
    )
    grant.add_argument("user", metavar="USER")

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

    serve = sub.add_parser(
        "serve",
        help="the app in a browser (textual-serve): opened with the printed address, which holds"
        " a token; on this machine only by default",
    )
    serve.add_argument("--host", default="127.0.0.1", help="(default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="(default: 8000)")
    serve.add_argument(
        "--public",
        action="store_true",
        help="allow a --host other machines can reach (put TLS in front: the token or the"
        " password would cross the network in clear)",
    )
    serve.add_argument(
        "--team",
        action="store_true",
        help="(PostgreSQL) each person signs in with their own login and password and the app"
        " runs as them; --db names the server and database, with no password",
    )

    moderate = sub.add_parser(
        "moderate", help="start a moderation round: a second marker marks cases blind (the lead)"
    )
    moderate.add_argument("audit", metavar="AUDIT")
    chosen = moderate.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--cases", metavar="REF,REF", help="the cases, by reference")
    chosen.add_argument(
        "--sample", metavar="N|P%", help="a random sample: N cases, or P percent (rounded up)"
    )
    moderate.add_argument(
        "--per-auditor",
        action="store_true",
        help="sample N (or P%%) of each first marker's cases, not of all cases",
    )
    moderate.add_argument(
        "--seed", type=int, metavar="S", help="the sample's seed (default: drawn and printed)"
    )
    moderate.add_argument("--marker", required=True, metavar="USER", help="the second marker")

    reconcile = sub.add_parser(
        "reconcile", help="settle disagreements between markers: export them, or import agreed"
    )
    reconcile.add_argument("audit", metavar="AUDIT")
    way = reconcile.add_mutually_exclusive_group(required=True)
    way.add_argument(
        "--export",
        type=Path,
        metavar="FILE.csv",
        help="write every disagreement, with both answers and notes, to fill in",
    )
    way.add_argument(
        "--import",
        dest="import_file",
        type=Path,
        metavar="FILE.csv",
        help="record the agreed answers and reasons filled in (all or nothing)",
    )

    caseload = sub.add_parser(
        "import-caseload", help="keep a caseload extract as the audit's population (the lead)"
    )
    caseload.add_argument("audit", metavar="AUDIT")
    caseload.add_argument("file", metavar="FILE.csv", type=Path)

    sample = sub.add_parser(
        "sample", help="draw the audit's cases from its caseload: stratified, seeded, recorded"
    )
    sample.add_argument("audit", metavar="AUDIT")
    sample.add_argument("--size", type=int, required=True, metavar="N")
    sample.add_argument(
        "--strata", metavar="A,B", help="case attributes to keep in proportion (e.g. sentence_type)"
    )
    sample.add_argument(
        "--window", metavar="FROM..TO", help="only cases that started in it (dates, inclusive)"
    )
    sample.add_argument("--seed", type=int, metavar="S", help="(default: drawn and printed)")
    sample.add_argument(
        "--min-per-stratum", type=int, default=0, metavar="K", help="at least K from each stratum"
    )

    replace = sub.add_parser(
        "replace-case",
        help="replace a drawn case that cannot be audited by the next of its stratum",
    )
    replace.add_argument("audit", metavar="AUDIT")
    replace.add_argument("case_ref", metavar="CASE_REF", type=canonical_ref)
    replace.add_argument("--reason", required=True, metavar="TEXT")

    plan = sub.add_parser(
        "plan", help="the sample size a margin needs, or the margin a size buys (with the FPC)"
    )
    plan.add_argument("--population", type=int, required=True, metavar="N")
    plan.add_argument(
        "--rubric",
        default="hmip-probation-pdu-2021",
        metavar="ID",
        help="whose rating bands the words use (default: hmip-probation-pdu-2021)",
    )
    plan.add_argument("--expected", type=float, required=True, metavar="PERCENT")
    sized = plan.add_mutually_exclusive_group(required=True)
    sized.add_argument("--margin", type=float, metavar="POINTS")
    sized.add_argument("--size", type=int, metavar="N")

    compare = sub.add_parser(
        "compare", help="a re-audit against an earlier audit: what changed, honestly"
    )
    compare.add_argument("audit_a", metavar="AUDIT_A", help="the earlier audit")
    compare.add_argument("audit_b", metavar="AUDIT_B", help="the later one")
    compare.add_argument(
        "later", metavar="AUDIT_C", nargs="*", help="later ones still: a trend, first to last"
    )
    compare.add_argument("--format", choices=COMPARE_FORMATS, default="md")

    report = sub.add_parser("report", help="write the audit's report")
    report.add_argument("audit", metavar="AUDIT")
    report.add_argument("--format", choices=REPORT_FORMATS, default="md")
    report.add_argument("--out", type=Path, metavar="PATH", help="file to write (default: stdout)")
    report.add_argument(
        "--include-notes",
        action="store_true",
        help="include auditors' free-text notes (they may hold personal data)",
    )
    report.add_argument(
        "--purpose",
        metavar="TEXT",
        help="why the data leaves (kept with who and when in the audit's log)",
    )
    report.add_argument(
        "--section",
        choices=("moderation",),
        help="only this section (moderation: agreement between markers, and reconciliation)",
    )
    report.add_argument(
        "--case",
        metavar="REF",
        type=canonical_ref,
        help="the practitioner feedback sheet for this case (md or html)",
    )
    report.add_argument(
        "--min-group",
        type=int,
        default=5,
        metavar="N",
        help="suppress breakdown groups of fewer than N cases (default 5)",
    )

    for module in COMMAND_MODULES:
        module.add_parsers(sub)

    demo = sub.add_parser("demo", help='create or reset the "demo-tameside" audit, then open it')
    demo.add_argument("--no-tui", action="store_true", help="only create it, then print a summary")
    return parser


APP = "app"
"""What no command means: open the app on its audit list."""
TUI_COMMANDS = frozenset({APP, "serve"})
"""Commands that hand the terminal to the app (so does `demo` without `--no-tui`)."""


def main(argv: Sequence[str] | None = None) -> int:
    from contextlib import nullcontext

    from audit_tui.terminal import guarded_output

    with guarded_output():  # argparse echoes what it cannot parse
        args = build_parser().parse_args(argv)
    command = args.command or APP
    app = command in TUI_COMMANDS or (command == "demo" and not args.no_tui)
    with nullcontext() if app else guarded_output():
        return _run(args, command)


def _run(args: argparse.Namespace, command: str) -> int:
    target: str | None = args.db
    wait: int | None = None
    try:
        from audit_tui.settings import installed, load
        from audit_tui.web.pipe import receive

        given = receive()  # a browser tab's app, started by `serve`: its target, user, password
        if args.as_user is not None:
            args.as_user = _as_user(args.as_user)
        settings = load(
            db=args.db or given.db,
            user=args.as_user if args.as_user is not None else given.user,
            password=given.password,
        )
        target, wait = settings.database, settings.wait
        args.settings = settings
        with installed(settings):  # built once, here, and passed down
            return COMMANDS[command](args)
    except AuditError as exc:
        _print_errors(exc.problems, target)
        return 1
    except UsageError as exc:
        _print_errors([exc], target)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        line = _fault_line(exc, target, wait)
        if line is None:
            raise
        _print_errors([line], target)
        return 1


def _as_user(typed: str) -> str:
    """`--as NAME` held to the one rule for names, before anything is opened: a usage error."""
    from audit_tui.domain.identity import login_name

    try:
        return login_name(typed, "--as")
    except AuditError as exc:
        raise UsageError(str(exc)) from None


def _print_errors(problems: Sequence[object], target: str | None) -> None:
    """One line per problem (at most 20, then a count), printable, with no password in them."""
    from audit_tui.domain.errors import problem_lines
    from audit_tui.store.urls import redact

    for line in problem_lines(problems):
        print(f"audit-tui: error: {redact(line, target)}", file=sys.stderr)


def _fault_line(exc: Exception, target: str | None, wait: int | None) -> str | None:
    """One line for a fault after the database opened (a lock held too long, a full disk, a
    damaged file, a server gone) or a failed file operation; None for a bug, which must show."""
    if "sqlalchemy" in sys.modules:
        from audit_tui.store.faults import fault_message, is_fault

        if is_fault(exc):
            from audit_tui.store.engine import WAIT_SECONDS, describe

            return f"{describe(target or '')}: {fault_message(exc, wait or WAIT_SECONDS)}"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return None


def _settings(args: argparse.Namespace) -> Settings:
    """The settings `_run` built for this command."""
    settings: Settings = args.settings
    return settings


def _repo(args: argparse.Namespace, *, create: bool = False) -> Repository:
    """Only `new` and `demo` may create a database; the others need one that exists."""
    settings = _settings(args)
    repo = _open_repository(settings, create=create)
    if settings.as_given and repo.engine.dialect.name != "sqlite":
        repo.engine.dispose()
        raise UsageError(
            "--as is for SQLite: on PostgreSQL you are the role you log in as (put it in the URL)"
        )
    return repo


def _open_repository(
    settings: Settings, *, create: bool = True, target: str | None = None, user: str | None = None
) -> Repository:
    """The store, opened as the settings say (the store itself reads none)."""
    from audit_tui.store.database import open_repository

    return open_repository(
        target or settings.database,
        user or settings.user,
        create=create,
        password=settings.password,
        user_from="--as" if user else settings.user_from,
        wait=settings.wait,
    )


def _catalogue(args: argparse.Namespace) -> RubricCatalogue:
    from audit_tui.domain.registry import discover
    from audit_tui.paths import shipped_rubric_dir

    return discover([shipped_rubric_dir(), _settings(args).rubric_dir], args.rubric_file)


def cmd_rubrics(args: argparse.Namespace) -> int:
    catalogue = _catalogue(args)
    for item in sorted(catalogue.rubrics.values(), key=lambda i: i.rubric.id):
        r = item.rubric
        print("\t".join(one_line(x) for x in (r.id, r.version, r.title)))
    if catalogue.problems:
        raise AuditError(catalogue.problems)
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from audit_tui.store import audits

    installed = _catalogue(args).get(args.rubric)
    repo = _repo(args, create=True)
    audit = audits.create_audit(
        repo,
        args.audit,
        installed.text,
        pdu=args.pdu,
        region=args.region,
        origin=str(installed.path),
        kind=args.kind,
    )
    kind = "oversight audit" if audit.info.oversight else "audit"
    rubric = f"{one_line(audit.rubric.id)} {one_line(audit.rubric.version)}"
    print(f'created {kind} "{one_line(audit.info.name)}" ({rubric})')
    return 0


def cmd_import_cases(args: argparse.Namespace) -> int:
    from audit_tui.domain.words import plural
    from audit_tui.io.imports import import_cases
    from audit_tui.store import audits

    repo = _repo(args)
    audit = audits.open_audit(repo, args.audit)
    if args.update:
        summary = import_cases(repo, audit, args.file, update=True)
        print(f'{one_line(summary)} in "{one_line(audit.info.name)}"')
        return 0
    n = import_cases(repo, audit, args.file)
    print(f'imported {plural(n, "case")} into "{one_line(audit.info.name)}"')
    return 0


def cmd_import_answers(args: argparse.Namespace) -> int:
    from audit_tui.domain.words import plural
    from audit_tui.io.imports import import_answers
    from audit_tui.store import audits

    repo = _repo(args)
    if args.second_marker is not None:
        from audit_tui.io.imports import import_second_marks
        from audit_tui.store.logins import person

        marker = person(repo.engine, args.second_marker, "--second-marker")
        summary = import_second_marks(repo, audits.open_audit(repo, args.audit), args.file, marker)
        print(
            f'imported second marks by {marker} into "{args.audit}":'
            f" {plural(summary.rows, 'case')}, {plural(summary.written, 'mark')} written,"
            f" {summary.unchanged:,} unchanged"
        )
        return 0
    summary = import_answers(repo, audits.open_audit(repo, args.audit), args.file)
    print(
        f'imported answers for {plural(summary.rows, "case")} into "{args.audit}": '
        f"{summary.written:,} written, {summary.unchanged:,} unchanged"
    )
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    from audit_tui.store import audits

    repo = _repo(args)
    audit = audits.open_audit(repo, args.audit)
    renamed = audits.rename_audit(repo, audit, args.new_name)
    if renamed.info.name == audit.info.name:
        print(f'audit "{one_line(audit.info.name)}" already has that name: nothing changed')
    else:
        print(f'renamed audit "{one_line(audit.info.name)}" to "{one_line(renamed.info.name)}"')
    return 0


DELETE_PROMPT = "Type the audit's name to delete it: "


def cmd_delete(args: argparse.Namespace) -> int:
    """Deleting cannot be undone, so the name is typed again: with --confirm (scripts), or at a
    prompt on a terminal. With neither, or a name that does not match, nothing is deleted."""
    from audit_tui.domain.words import plural
    from audit_tui.store import audits

    asking = args.confirm is None
    if asking and (sys.stdin is None or not sys.stdin.isatty()):
        raise UsageError(
            "delete: give --confirm AUDIT (the audit's name typed again);"
            " there is no terminal to ask on"
        )
    repo = _repo(args)
    audit = audits.open_audit(repo, args.audit)
    name, cases = audit.info.name, plural(audit.info.cases, "case")
    shown = one_line(name)
    if asking:
        sys.stderr.write(
            f'This deletes audit "{shown}": {cases}, their answers, judgements and history.\n'
            + DELETE_PROMPT
        )
        sys.stderr.flush()
        typed = sys.stdin.readline()
        if not typed:  # end of input: asked, never answered
            sys.stderr.write("\n")
        given = "the name typed"
    else:
        typed, given = args.confirm, "--confirm"
    if typed.strip() != name:
        raise UsageError(f'{given} does not match the audit\'s name "{shown}": nothing deleted')
    if not audits.delete_audit(repo, name):
        raise AuditError.at("audit", f'no audit named "{shown}" (another user deleted it)')
    print(f'deleted audit "{shown}" ({cases})')
    return 0


def cmd_remove_case(args: argparse.Namespace) -> int:
    from audit_tui.store import audits, cases

    if not args.reason.strip():
        raise UsageError("--reason cannot be empty: say why the case is removed")
    repo = _repo(args)
    audit = audits.open_audit(repo, args.audit)
    case = cases.remove_case(repo, audit, args.case_ref, args.reason)
    print(
        f'removed case {one_line(case.case_ref)} from "{one_line(audit.info.name)}"'
        " (out of every count and report; its answers stay in the history)"
    )
    return 0


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _refs(text: str) -> list[str]:
    """`--cases REF,REF`: each reference canonical (`cl-1` is `CL-1`)."""
    return canonical_refs(text.split(","))


def cmd_grant(args: argparse.Namespace) -> int:
    from audit_tui.store.logins import person
    from audit_tui.store.roles import grant

    repo = _repo(args)
    user = person(repo.engine, args.user, "grant")
    grant(repo.engine, user)
    print(f"{user} may now use audit-tui on this database (as a lead only of what they create)")
    return 0


def cmd_member(args: argparse.Namespace) -> int:
    from audit_tui.store import audits, team

    if args.action != "list" and not args.user:
        raise UsageError(f"member {args.action}: name the USER")
    repo = _repo(args)
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


def cmd_allocate(args: argparse.Namespace) -> int:
    from audit_tui.store import audits, team

    repo = _repo(args)
    audit = audits.open_audit(repo, args.audit)
    cases = _refs(args.cases) if args.cases is not None else None
    done = team.allocate(repo, audit, _names(args.auditors), balance=args.balance, cases=cases)
    print(f'{one_line(done)} in "{one_line(audit.info.name)}"')
    return 0


def cmd_complete(args: argparse.Namespace) -> int:
    from audit_tui.store import audits, team

    repo = _repo(args)
    audit = audits.open_audit(repo, args.audit)
    case = team.complete_case(repo, audit, args.case_ref)
    print(f"case {one_line(case.case_ref)} marked complete by {one_line(case.completed_by)}")
    return 0


def cmd_sign_off(args: argparse.Namespace) -> int:
    from audit_tui.store import audits, team

    repo = _repo(args)
    audit = audits.open_audit(repo, args.audit)
    case = team.sign_off(repo, audit, args.case_ref)
    who = one_line(case.signed_off_by)
    print(f"case {one_line(case.case_ref)} signed off by {who}: its answers are final")
    return 0


def cmd_lock(args: argparse.Namespace) -> int:
    from audit_tui.store import audits, team

    repo = _repo(args)
    audit = audits.open_audit(repo, args.audit)
    team.lock_audit(repo, audit)
    print(
        f'locked audit "{one_line(audit.info.name)}": nothing in it can change until it is unlocked'
    )
    return 0


def cmd_unlock(args: argparse.Namespace) -> int:
    from audit_tui.store import audits, team

    if not args.reason.strip():
        raise UsageError("--reason cannot be empty: say why the audit is unlocked")
    repo = _repo(args)
    audit = audits.open_audit(repo, args.audit)
    team.unlock_audit(repo, audit, args.reason)
    print(f'unlocked audit "{one_line(audit.info.name)}"')
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from audit_tui.domain.words import plural
    from audit_tui.reporting.trail import render_history
    from audit_tui.store import audits, trail
    from audit_tui.store.logins import person
    from audit_tui.store.moderation import blind_cases

    repo = _repo(args)
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


def cmd_moderate(args: argparse.Namespace) -> int:
    from audit_tui.domain.words import plural
    from audit_tui.store import audits
    from audit_tui.store.moderation import Share, start_round

    repo = _repo(args)
    audit = audits.open_audit(repo, args.audit)
    sample = Share.parse(args.sample) if args.sample is not None else None
    if args.per_auditor and sample is None:
        raise UsageError("--per-auditor goes with --sample")
    if args.seed is not None and sample is None:
        raise UsageError("--seed goes with --sample")
    started = start_round(
        repo,
        audit,
        args.marker,
        cases=_refs(args.cases) if args.cases is not None else None,
        sample=sample,
        per_auditor=args.per_auditor,
        seed=args.seed,
    )
    info = started.info
    seeded = f", seed {info.seed}" if info.seed is not None else ""
    print(
        f"round {info.number}: {one_line(info.marker)} second-marks"
        f" {plural(len(started.case_refs), 'case')} blind ({one_line(info.rule)}{seeded}):"
        f" {', '.join(one_line(ref) for ref in started.case_refs)}"
    )
    return 0


def cmd_reconcile(args: argparse.Namespace) -> int:
    from audit_tui.domain.words import plural
    from audit_tui.io.reconcile import export_disagreements, import_settlements
    from audit_tui.store import audits

    repo = _repo(args)
    audit = audits.open_audit(repo, args.audit)
    if args.export is not None:
        from audit_tui.reporting.render import database_files, refusal

        if why := refusal(args.export, database_files(repo)):
            raise AuditError.at(str(args.export), why)
        n, settled = export_disagreements(repo, audit, args.export)
        print(
            f"wrote {args.export}: {plural(n, 'disagreement')}, {settled:,} settled",
            file=sys.stderr,
        )
        return 0
    changed, settled, total = import_settlements(repo, audit, args.import_file)
    print(
        f'settled in "{one_line(audit.info.name)}": {settled:,} of {plural(total, "disagreement")}'
        f" now settled; {plural(changed, 'answer')} changed"
    )
    return 0


def cmd_import_caseload(args: argparse.Namespace) -> int:
    from audit_tui.domain.words import plural
    from audit_tui.io.caseload import import_caseload
    from audit_tui.store import audits

    repo = _repo(args)
    n = import_caseload(repo, audits.open_audit(repo, args.audit), args.file)
    print(f'caseload of "{args.audit}": {plural(n, "eligible case")}')
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    import secrets

    from audit_tui.domain.words import plural
    from audit_tui.io.caseload import parse_window
    from audit_tui.store import audits
    from audit_tui.store.sampling import draw_sample

    if args.size < 1:
        raise UsageError("--size must be at least 1")
    if args.min_per_stratum < 0:
        raise UsageError("--min-per-stratum cannot be negative")
    repo = _repo(args)
    audit = audits.open_audit(repo, args.audit)
    seed = args.seed if args.seed is not None else secrets.randbelow(10**6)
    drawn = draw_sample(
        repo,
        audit,
        args.size,
        strata=_names(args.strata) if args.strata else (),
        window=parse_window(args.window) if args.window else (None, None),
        seed=seed,
        min_per_stratum=args.min_per_stratum,
    )
    print(
        f'drew {plural(drawn.size, "case")} into "{args.audit}" from {drawn.in_window:,}'
        f" (seed {seed})"
    )
    for plan in drawn.plan:
        name = ", ".join(one_line(v) for v in plan.values.values()) or "all cases"
        print(f"  {name}: {plan.sample:,} of {plan.caseload:,}")
    return 0


def cmd_replace_case(args: argparse.Namespace) -> int:
    from audit_tui.store import audits
    from audit_tui.store.sampling import replace_case

    repo = _repo(args)
    done = replace_case(repo, audits.open_audit(repo, args.audit), args.case_ref, args.reason)
    if done.replacement is None:
        print(f"{one_line(done.replaced)} removed; its stratum has no case left to replace it")
    else:
        print(f"{one_line(done.replaced)} replaced by {one_line(done.replacement)}")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from audit_tui.scoring.sampling import SamplingError, plan_sentences, sample_size

    rubric = _catalogue(args).get(args.rubric).rubric
    edges = sorted(rubric.scoring.edges)
    try:
        if args.margin is not None:
            n = sample_size(args.population, args.expected, args.margin)
        elif not 1 <= args.size <= args.population:
            raise UsageError("--size must be between 1 and --population")
        else:
            n = args.size
        names = rubric.scoring.names_lowest_first
        for line in plan_sentences(
            args.population, n, args.expected, edges, names=names, margin_asked=args.margin
        ):
            print(line)
    except SamplingError as exc:
        raise UsageError(str(exc)) from None
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from audit_tui.reporting.compare_report import render_compare
    from audit_tui.store import audits as audit_ops
    from audit_tui.store import events
    from audit_tui.store.comparison import compare_audits, matchings
    from audit_tui.store.moderation import refuse_if_blind

    names = [args.audit_a, args.audit_b, *args.later]
    if len(set(names)) != len(names):
        raise UsageError("compare: name each audit once")
    repo = _repo(args)
    audits = [audit_ops.open_audit(repo, name) for name in names]
    matchings(audits)  # audits that cannot be matched are refused before anything is read
    for audit in audits:
        refuse_if_blind(repo, audit, "compare")
    text = render_compare(compare_audits(repo, audits), args.format)
    for audit in audits:  # figures leave: logged on each, before they do
        others = ", ".join(o.info.name for o in audits if o is not audit)
        events.record_access(repo, audit, "export", f"{args.format} comparison with {others}")
    sys.stdout.write(text)
    return 0


def cmd_import_judgements(args: argparse.Namespace) -> int:
    from audit_tui.domain.words import plural
    from audit_tui.io.imports import import_judgements
    from audit_tui.store import audits

    repo = _repo(args)
    n = import_judgements(repo, audits.open_audit(repo, args.audit), args.file)
    print(f'imported judgements into "{args.audit}": {plural(n, "judgement")} changed')
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from audit_tui.reporting.formats import BINARY
    from audit_tui.store import audits, events

    if args.format in BINARY and args.out is None and sys.stdout.isatty():
        raise UsageError(f"--format {args.format} is a binary file: give --out PATH")
    if args.min_group < 1:
        raise UsageError("--min-group must be at least 1")
    if args.case is not None and (args.format not in SHEET_FORMATS or args.section):
        sheet = " or ".join(SHEET_FORMATS)
        raise UsageError(f"--case makes the feedback sheet: {sheet}, and no --section")
    from audit_tui.reporting.render import (
        database_files,
        export_detail,
        refusal,
        render_report,
        write_atomically,
    )

    repo = _repo(args)
    audit = audits.open_audit(repo, args.audit)
    if args.case is not None:
        from audit_tui.reporting.feedback_sheet import render_sheet

        content: str | bytes = render_sheet(
            repo, audit, args.case, args.format, include_notes=args.include_notes
        )
    else:
        content = render_report(
            repo, audit, args.format, args.include_notes, args.min_group, section=args.section
        )
    if args.out is not None and (why := refusal(args.out, database_files(repo))):
        raise AuditError.at(str(args.out), why)
    where = "standard output" if args.out is None else str(Path(args.out).resolve())
    detail = export_detail(args.format, args.include_notes, where, args.purpose)
    if args.case is not None:
        detail = f"feedback sheet for case {args.case}: {detail}"
    events.record_access(
        repo, audit, "export", detail
    )  # logged before the data leaves, or it does not
    if args.out is None:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content)
        return 0
    write_atomically(args.out, content, protect=database_files(repo))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from audit_tui.demo import load_demo
    from audit_tui.domain.words import plural
    from audit_tui.store import scores

    repo = _repo(args, create=True)
    audit = load_demo(repo)
    result = scores.score(repo, audit)
    repo.engine.dispose()
    if args.no_tui:
        print(
            f'demo audit "{one_line(audit.info.name)}": {plural(audit.info.cases, "case")}, '
            f"score {result.score}/{result.score_max}, {result.overall}"
        )
        return 0
    return _open_tui(args, audit.info.name)


def cmd_serve(args: argparse.Namespace) -> int:
    from audit_tui.serve import check_host, serve

    check_host(args.host, args.public, args.team)
    settings = _settings(args)
    target = settings.database
    _refuse_as_on_postgres(settings, target)
    if args.team:
        from audit_tui.serve import team_server

        team_server(target)  # refused before anything starts: SQLite, or a password in --db
    serve(target, args.as_user, args.host, args.port, args.public, args.team)
    return 0


def _refuse_as_on_postgres(settings: Settings, target: str) -> None:
    if settings.as_given and target.startswith(("postgresql", "postgres:")):
        raise UsageError(
            "--as is for SQLite: on PostgreSQL you are the role you log in as (put it in the URL)"
        )


def cmd_app(args: argparse.Namespace) -> int:
    return _open_tui(args, None)


def _open_tui(args: argparse.Namespace, audit: str | None) -> int:
    from audit_tui.tui.app import build_app

    settings = _settings(args)
    target = settings.database
    _refuse_as_on_postgres(settings, target)
    build_app(
        target,
        open_audit=audit,
        rubric_files=tuple(args.rubric_file),
        user=args.as_user,
        link_factory=partial(_open_link, settings),
    ).run()
    return 0


def _open_link(settings: Settings, target: str, user: str | None) -> StoreLink:
    """The app's store, opened as the settings say (a password apart from the URL, if
    `serve`'s pipe gave one)."""
    from audit_tui.tui.store_link import StoreLink

    return StoreLink(_open_repository(settings, target=target, user=user))


COMMANDS = {
    "rubrics": cmd_rubrics,
    "new": cmd_new,
    "import-cases": cmd_import_cases,
    "import-answers": cmd_import_answers,
    "import-judgements": cmd_import_judgements,
    "rename": cmd_rename,
    "delete": cmd_delete,
    "remove-case": cmd_remove_case,
    "grant": cmd_grant,
    "member": cmd_member,
    "allocate": cmd_allocate,
    "complete": cmd_complete,
    "sign-off": cmd_sign_off,
    "lock": cmd_lock,
    "unlock": cmd_unlock,
    "history": cmd_history,
    "serve": cmd_serve,
    "report": cmd_report,
    "moderate": cmd_moderate,
    "import-caseload": cmd_import_caseload,
    "sample": cmd_sample,
    "replace-case": cmd_replace_case,
    "plan": cmd_plan,
    "compare": cmd_compare,
    "reconcile": cmd_reconcile,
    "demo": cmd_demo,
    APP: cmd_app,
}
for _module in COMMAND_MODULES:
    COMMANDS.update(_module.bound(_repo))
