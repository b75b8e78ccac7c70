"""The sample's plan and its recorded draw in words and table rows, worked out without Textual:
each stratum's cases in the window, share and seats before the draw; every drawn case and where
it stands after it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from audit_tui.domain.safe_text import one_line
from audit_tui.domain.words import plural, value_label
from audit_tui.scoring.sampling import SamplingError, Stratum, allocate, in_window, plan_sentences

if TYPE_CHECKING:
    from audit_tui.domain.rubric import Rubric
    from audit_tui.store.sampling import CaseloadCase, Sample


PLAN_COLUMNS = [
    ("Stratum", "stratum"),
    ("In window", "in_window"),
    ("Share", "share"),
    ("Sample", "sample"),
]
DRAWN_COLUMNS = [("Case", "case"), ("Stratum", "stratum"), ("Order", "order"), ("Now", "now")]


def stratum_name(stratum: Stratum) -> str:
    """`Community / Female`, or `All cases` when nothing is stratified."""
    return " / ".join(value_label(v) for v in stratum) or "All cases"


def window_words(window: tuple[date | None, date | None]) -> str:
    start, end = window
    if start is None and end is None:
        return "the whole extract (no window)"
    return f"{start.isoformat() if start else 'the start'} to {end.isoformat() if end else 'now'}"


@dataclass(frozen=True)
class Choices:
    """The plan as typed: what the allocation is worked out from and what the draw writes."""

    strata: tuple[str, ...] = ()
    window: tuple[date | None, date | None] = (None, None)
    size: int | None = None
    seed: int | None = None
    min_per_stratum: int = 0


@dataclass(frozen=True)
class Plan:
    """The allocation before drawing, as the table and the sentences below it show it."""

    rows: list[tuple[str, tuple[str, str, str, str]]] = field(default_factory=list)
    in_window: int = 0
    words: str = ""
    problem: str = ""
    """Why no sample of this size can be drawn (the draw is refused while there is one)."""


def make_plan(extract: Sequence[CaseloadCase], choices: Choices, rubric: Rubric) -> Plan:
    """Each stratum's cases in the window, share and seats (`allocate`), and what the size buys
    (`plan_sentences` at the rubric's `plan_percent`, as `audit-tui plan` says it): the arithmetic
    the draw itself will do."""
    from audit_tui.store.sampling import population

    if not extract:
        return Plan(words="Load the caseload extract to plan the sample.")
    try:
        eligible = in_window(population(extract, choices.strata), *choices.window)
    except SamplingError as exc:
        return Plan(problem=str(exc))
    counts: dict[Stratum, int] = {}
    for case in eligible:
        counts[case.stratum] = counts.get(case.stratum, 0) + 1
    total = len(eligible)
    if not total:
        return Plan(problem=f"no case of the extract started in {window_words(choices.window)}")
    seats: dict[Stratum, int] | None = None
    words = problem = ""
    size = choices.size
    if size is None:
        words = (
            "Give the sample size to see the allocation and what that many cases can tell apart."
        )
    else:
        try:
            seats = allocate(counts, size, choices.min_per_stratum)
            edges, names = sorted(rubric.scoring.edges), rubric.scoring.names_lowest_first
            words = " ".join(
                plan_sentences(total, size, rubric.scale.plan_percent, edges, names=names)
            )
        except SamplingError as exc:
            problem = str(exc)
    rows = [
        (
            "|".join(stratum) or "all",
            (
                stratum_name(stratum),
                f"{n:,}",
                f"{n / total:.0%}",
                f"{seats[stratum]:,}" if seats else "–",
            ),
        )
        for stratum, n in sorted(counts.items())
    ]
    if len(counts) > 1:
        rows.append(("total", ("Total", f"{total:,}", "100%", f"{size:,}" if seats else "–")))
    return Plan(rows=rows, in_window=total, words=words, problem=problem)


def drawn_rows(drawn: Sample) -> list[tuple[str, tuple[str, str, str, str]]]:
    """Every case the draw put in the sample or brought in since, in each stratum's recorded
    order, with where it stands now (replaced ones stay listed, saying by which case and why)."""
    replaced = {r.replaced: r for r in drawn.replacements}
    came_in = {r.replacement: r for r in drawn.replacements if r.replacement}
    rows = []
    for plan in drawn.plan:
        name = stratum_name(tuple(plan.values[s] for s in drawn.strata))
        for at, ref in enumerate(plan.order, start=1):
            if at > plan.sample and ref not in came_in:
                continue
            out = replaced.get(ref)
            if out is not None:
                by = out.replacement or "none (the stratum had no case left)"
                now = f"✗ replaced by {by}: {out.reason}"
            elif ref in came_in:
                now = f"✓ in, for {came_in[ref].replaced}"
            else:
                now = "✓ drawn"
            rows.append((ref, (ref, name, f"{at}", now)))
    return rows


def record_lines(drawn: Sample) -> str:
    """The recorded draw in words: who, when, seed, window, strata, the rule."""
    when = drawn.drawn_at.strftime("%Y-%m-%d %H:%M UTC") if drawn.drawn_at else "–"
    strata = ", ".join(map(one_line, drawn.strata)) or "none (one stratum)"
    least = f" · at least {drawn.min_per_stratum} per stratum" if drawn.min_per_stratum else ""
    gone = len(drawn.replacements)
    return "\n".join(
        [
            f"Drawn by {one_line(drawn.drawn_by)} on {when} · seed {drawn.seed}"
            f" · {plural(drawn.size, 'case')}"
            f" of {drawn.in_window:,} in the window ({drawn.population_total:,} in the extract)",
            f"Window: {window_words(drawn.window)} · strata: {strata}{least}"
            f" · {plural(gone, 'replacement')}",
            f"Rule: {one_line(drawn.rule)}",
        ]
    )
