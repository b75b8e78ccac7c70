"""Second marking: `moderate` starts a blind round, `reconcile` settles where the markers
disagree (exported to fill in, imported all or nothing)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit_tui.cli_support import RepoOf, refs
from audit_tui.domain.errors import AuditError, UsageError
from audit_tui.domain.safe_text import one_line

if TYPE_CHECKING:
    pass


def add_parsers(sub: Any) -> None:
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


def cmd_moderate(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.domain.words import plural
    from audit_tui.store import audits
    from audit_tui.store.moderation import Share, start_round

    repo = repo_of(args)
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
        cases=refs(args.cases) if args.cases is not None else None,
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


def cmd_reconcile(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.domain.words import plural
    from audit_tui.io.reconcile import export_disagreements, import_settlements
    from audit_tui.store import audits

    repo = repo_of(args)
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


def bound(repo_of: RepoOf) -> dict[str, Callable[[argparse.Namespace], int]]:
    return {
        "moderate": lambda args: cmd_moderate(args, repo_of),
        "reconcile": lambda args: cmd_reconcile(args, repo_of),
    }
