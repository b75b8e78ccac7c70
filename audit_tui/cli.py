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
    moderation_cli,
    report_cli,
    restore_cli,
    rubric_cli,
    sampling_cli,
    summary_cli,
    team_cli,
    verify_cli,
)
from audit_tui.cli_support import catalogue as _catalogue
from audit_tui.cli_support import settings_of as _settings
from audit_tui.domain.cases import canonical_ref
from audit_tui.domain.errors import AuditError, UsageError
from audit_tui.domain.safe_text import one_line

if TYPE_CHECKING:
    from audit_tui.settings import Settings
    from audit_tui.store.repository import Repository
    from audit_tui.tui.store_link import StoreLink

COMMAND_MODULES = (follow_up_cli, verify_cli, restore_cli, audits_cli, summary_cli)
"""Commands kept in modules of their own: each gives `add_parsers(sub)` and `bound(repo_opener)`."""
TOPIC_MODULES = (rubric_cli, team_cli, moderation_cli, sampling_cli, report_cli)
"""The same, for commands that left this module: `build_parser` adds each where its commands
always stood in the help listing, before `COMMAND_MODULES`."""


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
    rubric_cli.add_parsers(sub)  # rubric new|check|show|install

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

    team_cli.add_parsers(sub)  # grant ... unlock, history

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

    moderation_cli.add_parsers(sub)
    sampling_cli.add_parsers(sub)
    report_cli.add_parsers(sub)
    for module in COMMAND_MODULES:
        module.add_parsers(sub)

    demo = sub.add_parser("demo", help='create or reset the "demo-tameside" audit, then open it')
    demo.add_argument("--no-tui", action="store_true", help="only create it, then print a summary")
    demo.add_argument(
        "--region",
        action="store_true",
        help="instead, a region of ten synthetic PDUs with four quarterly audits each (one PDU"
        " differs), then print its regional view",
    )
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
    app = command in TUI_COMMANDS or (command == "demo" and not (args.no_tui or args.region))
    with nullcontext() if app else guarded_output():
        return _run(args, command)


LISTS_RUBRICS = "rubrics"
"""The command that names every rubric, broken ones with their problems (and then exits 1)."""


def _check_rubric_files(args: argparse.Namespace, command: str) -> None:
    """A `--rubric-file` that does not load stops every command, not only those that read a
    rubric: the user asked for that file, and a command going on without it would mislead
    (`rubrics` lists the good ones beside it, and names its problems, itself)."""
    if args.rubric_file and command != LISTS_RUBRICS:
        from audit_tui.domain.errors import RubricError
        from audit_tui.domain.registry import discover

        if given := discover([], args.rubric_file).given_problems:
            raise RubricError(given)


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
            _check_rubric_files(args, command)
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


def _print_warnings(problems: Sequence[object]) -> None:
    """Problems that stop nothing (a broken rubric in the folder, not the one asked for): said,
    one line each, so a file that was meant to be used is not silently missing."""
    from audit_tui.domain.errors import problem_lines

    for line in problem_lines(problems):
        print(f"audit-tui: warning: {line} (not loaded)", file=sys.stderr)


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

    claimed, claimed_by = settings.claim(user)
    return open_repository(
        target or settings.database,
        claimed,
        create=create,
        password=settings.password,
        user_from=claimed_by,
        wait=settings.wait,
    )


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

    catalogue = _catalogue(args)
    installed = catalogue.get(args.rubric)  # a broken --rubric-file, or the one asked for: why
    _print_warnings(catalogue.folder_problems)
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


def cmd_import_judgements(args: argparse.Namespace) -> int:
    from audit_tui.domain.words import plural
    from audit_tui.io.imports import import_judgements
    from audit_tui.store import audits

    repo = _repo(args)
    n = import_judgements(repo, audits.open_audit(repo, args.audit), args.file)
    print(f'imported judgements into "{args.audit}": {plural(n, "judgement")} changed')
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from audit_tui.demo import load_demo, load_dipp
    from audit_tui.domain.words import plural
    from audit_tui.store import scores

    repo = _repo(args, create=True)
    if args.region:
        return _region_demo(repo)
    audit = load_demo(repo)
    dipp = load_dipp(repo)  # a second framework: shares of cases, no rating (`demo` only)
    if not args.no_tui:
        repo.engine.dispose()
        return _open_tui(args, audit.info.name)
    result = scores.score(repo, audit)  # the summary is printed only without the app
    shares = scores.score(repo, dipp).assignments
    repo.engine.dispose()
    print(
        f'demo audit "{one_line(audit.info.name)}": {plural(audit.info.cases, "case")}, '
        f"score {result.score}/{result.score_max}, {result.overall}"
    )
    if shares is not None:
        print(
            f'demo audit "{one_line(dipp.info.name)}": {plural(dipp.info.cases, "case")}, '
            f"{shares.yes} of {shares.relevant} assignments meeting the standard"
        )
    return 0


def _region_demo(repo: Repository) -> int:
    """The region demo, then its regional view in Markdown (`g` on the app's audit list shows it too)."""
    from audit_tui.region_demo import REGION, load_region_demo
    from audit_tui.reporting.region import gather_region, region_markdown

    names = load_region_demo(repo)
    print(f"{len(names)} audits of {REGION} created: `audit-tui region {REGION!r}` shows them")
    sys.stdout.write(region_markdown(gather_region(repo, REGION)))
    repo.engine.dispose()
    return 0


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
    app = build_app(
        target,
        open_audit=audit,
        rubric_files=tuple(args.rubric_file),
        user=args.as_user,
        link_factory=partial(_open_link, settings),
    )
    app.run()
    return app.return_code or 0  # an app that failed says so to the shell (Textual gives 1)


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
    "serve": cmd_serve,
    "demo": cmd_demo,
    APP: cmd_app,
}
for _module in (*TOPIC_MODULES, *COMMAND_MODULES):
    COMMANDS.update(_module.bound(_repo))
