"""What leaves the database: `report` (the audit's report, or a case's feedback sheet), `compare`
(a re-audit against earlier ones) and `region` (a region's PDUs side by side); each export is
logged before the data leaves."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit_tui.cli_support import RepoOf
from audit_tui.domain.cases import canonical_ref
from audit_tui.domain.errors import AuditError, UsageError
from audit_tui.reporting.formats import COMPARE_FORMATS, REGION_FORMATS, SHEET_FORMATS
from audit_tui.reporting.formats import FORMATS as REPORT_FORMATS

if TYPE_CHECKING:
    pass


def add_parsers(sub: Any) -> None:
    compare = sub.add_parser(
        "compare", help="a re-audit against an earlier audit: what changed, honestly"
    )
    compare.add_argument("audit_a", metavar="AUDIT_A", help="the earlier audit")
    compare.add_argument("audit_b", metavar="AUDIT_B", help="the later one")
    compare.add_argument(
        "later", metavar="AUDIT_C", nargs="*", help="later ones still: a trend, first to last"
    )
    compare.add_argument("--format", choices=COMPARE_FORMATS, default="md")

    region = sub.add_parser(
        "region",
        help="a region's PDUs side by side: which differ, by funnel plots of each key question",
    )
    region.add_argument("region", metavar="REGION", nargs="?")
    region.add_argument(
        "--national", action="store_true", help="every region's PDUs side by side, not one region's"
    )
    region.add_argument(
        "--period",
        metavar="FROM..TO",
        help="audits created in these dates (ISO, either end open): each PDU's latest of them",
    )
    region.add_argument("--format", choices=REGION_FORMATS, default="md")
    region.add_argument("--out", type=Path, metavar="PATH", help="file to write (default: stdout)")

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


def cmd_compare(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.reporting.compare_report import render_compare
    from audit_tui.store import audits as audit_ops
    from audit_tui.store import events
    from audit_tui.store.comparison import compare_audits, matchings
    from audit_tui.store.moderation import refuse_if_blind

    names = [args.audit_a, args.audit_b, *args.later]
    if len(set(names)) != len(names):
        raise UsageError("compare: name each audit once")
    repo = repo_of(args)
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


def cmd_report(args: argparse.Namespace, repo_of: RepoOf) -> int:
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

    repo = repo_of(args)
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


def cmd_region(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.reporting.formats import BY_NAME
    from audit_tui.reporting.region import gather_region, parse_period
    from audit_tui.reporting.render import database_files, refusal, write_atomically
    from audit_tui.store import events

    fmt = BY_NAME[args.format]
    render = fmt.region
    assert render is not None  # the choices are the formats that have one
    if fmt.binary and args.out is None and sys.stdout.isatty():
        raise UsageError(f"--format {args.format} is a binary file: give --out PATH")
    period = parse_period(args.period)
    if (args.region is None) == (not args.national):
        raise UsageError("region needs REGION, or --national for every region (not both)")
    repo = repo_of(args)
    if args.out is not None and (why := refusal(args.out, database_files(repo))):
        raise AuditError.at(str(args.out), why)
    record = gather_region(repo, None if args.national else args.region, period)
    content = render(record)
    view = "national view" if record.national else f"regional view of {record.region}"
    where = "" if args.out is None else f" to {Path(args.out).resolve()}"
    # figures leave: logged on each audit shown (the trends' earlier ones too), before they do
    for audit in record.shown:
        events.record_access(repo, audit, "export", f"{args.format} {view}{where}")
    if args.out is not None:
        write_atomically(args.out, content, protect=database_files(repo))
        print(f"wrote {args.out}", file=sys.stderr)
    elif isinstance(content, bytes):
        sys.stdout.buffer.write(content)
    else:
        sys.stdout.write(content)
    return 0


def bound(repo_of: RepoOf) -> dict[str, Callable[[argparse.Namespace], int]]:
    return {
        "compare": lambda args: cmd_compare(args, repo_of),
        "region": lambda args: cmd_region(args, repo_of),
        "report": lambda args: cmd_report(args, repo_of),
    }
