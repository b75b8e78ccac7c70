"""Choosing the cases: `import-caseload` keeps the population, `sample` draws from it,
`replace-case` swaps a drawn case that cannot be audited, `plan` sizes a sample."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit_tui.cli_support import RepoOf, catalogue, names
from audit_tui.domain.cases import canonical_ref
from audit_tui.domain.errors import UsageError
from audit_tui.domain.safe_text import one_line

if TYPE_CHECKING:
    pass


def add_parsers(sub: Any) -> None:
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


def cmd_import_caseload(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.domain.words import plural
    from audit_tui.io.caseload import import_caseload
    from audit_tui.store import audits

    repo = repo_of(args)
    n = import_caseload(repo, audits.open_audit(repo, args.audit), args.file)
    print(f'caseload of "{args.audit}": {plural(n, "eligible case")}')
    return 0


def cmd_sample(args: argparse.Namespace, repo_of: RepoOf) -> int:
    import secrets

    from audit_tui.domain.words import plural
    from audit_tui.io.caseload import parse_window
    from audit_tui.store import audits
    from audit_tui.store.sampling import draw_sample

    if args.size < 1:
        raise UsageError("--size must be at least 1")
    if args.min_per_stratum < 0:
        raise UsageError("--min-per-stratum cannot be negative")
    repo = repo_of(args)
    audit = audits.open_audit(repo, args.audit)
    seed = args.seed if args.seed is not None else secrets.randbelow(10**6)
    drawn = draw_sample(
        repo,
        audit,
        args.size,
        strata=names(args.strata) if args.strata else (),
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


def cmd_replace_case(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.store import audits
    from audit_tui.store.sampling import replace_case

    repo = repo_of(args)
    done = replace_case(repo, audits.open_audit(repo, args.audit), args.case_ref, args.reason)
    if done.replacement is None:
        print(f"{one_line(done.replaced)} removed; its stratum has no case left to replace it")
    else:
        print(f"{one_line(done.replaced)} replaced by {one_line(done.replacement)}")
    return 0


def cmd_plan(args: argparse.Namespace, repo_of: RepoOf) -> int:
    from audit_tui.scoring.sampling import SamplingError, plan_sentences, sample_size

    rubric = catalogue(args).get(args.rubric).rubric
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


def bound(repo_of: RepoOf) -> dict[str, Callable[[argparse.Namespace], int]]:
    return {
        "import-caseload": lambda args: cmd_import_caseload(args, repo_of),
        "sample": lambda args: cmd_sample(args, repo_of),
        "replace-case": lambda args: cmd_replace_case(args, repo_of),
        "plan": lambda args: cmd_plan(args, repo_of),
    }
