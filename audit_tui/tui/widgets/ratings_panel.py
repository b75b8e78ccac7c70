"""The live ratings panel: each standard's rating, its lowest key question and a bar against the bands.

Each standard is its own row so its band can be styled; the rating is also spelled out with a
star mark, so nothing depends on colour alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import Static

from audit_tui.domain.safe_text import one_line
from audit_tui.tui.text import (
    RATING_CLASSES,
    Plain,
    band_bar,
    percent_text,
    rating_class,
    rating_text,
    score_text,
)

if TYPE_CHECKING:
    from audit_tui.domain.rubric import Rubric, Scale
    from audit_tui.scoring.results import AuditResult, StandardResult


class RatingsPanel(VerticalScroll):
    """Two lines a standard where there is room; one line each (`compact`) on narrow screens."""

    can_focus = False
    compact = reactive(False, toggle_class="-compact")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[Rubric, AuditResult] | None = None

    def watch_compact(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)

    def compose(self) -> ComposeResult:
        yield Plain("Ratings", classes="panel-title")
        yield Plain("Loading…", id="ratings-score", classes="score-line")

    def hide(self, why: str) -> None:
        """Say why there are no ratings to see (a blind second marker), in place of them."""
        self._shown = None
        self.query(".rating-row").remove()
        score = self.query_one("#ratings-score", Static)
        score.update(f"Hidden. {why}.")
        score.remove_class(*RATING_CLASSES)

    def show(self, rubric: Rubric, result: AuditResult) -> None:
        self._shown = (rubric, result)
        edges, scale = rubric.scoring.edges, rubric.scale
        score = self.query_one("#ratings-score", Static)
        if not rubric.has_ratings:
            self._show_shares(result, score)
            return
        for st in result.standards:
            row = self._row(st.id)
            row.update(_line(st, scale) if self.compact else _row_text(st, edges, scale))
            row.remove_class(*RATING_CLASSES)
            row.add_class(rating_class(st.rating, scale) if st.rated else "-unrated")
        suffix = "" if result.complete else " (provisional: audit in progress)"
        overall = rating_text(result.overall, scale)
        score.update(f"Score {score_text(result)}   Overall: {overall}{suffix}")
        score.remove_class(*RATING_CLASSES)
        score.add_class(rating_class(result.overall, scale))

    def _row(self, standard_id: str) -> Static:
        """A standard's row, mounted the first time it is shown."""
        row_id = "rating-" + standard_id.replace(".", "-")
        rows = self.query(f"#{row_id}")
        if rows:
            return rows.first(Static)
        row = Plain(id=row_id, classes="rating-row -unrated")
        self.mount(row)
        return row

    def _show_shares(self, result: AuditResult, score: Static) -> None:
        """A framework without ratings (DIPP): each stage's share of cases meeting the required
        standard, and the share of assignments, in place of ratings and a score."""
        self.query_one(".panel-title", Static).update("Meeting the standard")
        for st in result.standards:
            self._row(st.id).update(_share_text(st, compact=self.compact))
        a = result.assignments
        suffix = "" if result.complete else " (provisional: audit in progress)"
        if a is None:  # neither ratings nor shares: the key questions speak for themselves
            score.update(f"Percentages only: this framework gives no ratings{suffix}")
            return
        figure = f"{percent_text(a.percent)} ({a.yes} of {a.relevant})" if a.relevant else "–"
        score.update(f"Assignments meeting it: {figure}{suffix}")


def _share_text(st: StandardResult, *, compact: bool) -> str:
    """`1 Assessment: 59% of cases (33 of 56)`, with a bar on a second line where there is room."""
    head = f"{st.id} {one_line(st.title)}"
    m = st.meeting
    if m is None and st.method == "cases":  # no shares asked for: its lowest key question
        lowest = st.lowest_so_far
        if lowest is None:
            return f"{head}: no answers yet"
        pct = lowest.percent
        if compact:
            return f"{head}: lowest {percent_text(pct)}"
        return f"{head}\n  {band_bar(pct, ())} {percent_text(pct):>4} lowest {lowest.id}"
    if m is None or not m.relevant:
        return f"{head}: no answers yet"
    figure = f"{percent_text(m.percent)} ({m.yes} of {m.relevant})"
    if compact:
        return f"{head}: {figure} of cases"
    return f"{head}\n  {band_bar(m.percent, ())} {figure}"


def _line(st: StandardResult, scale: Scale) -> str:
    """One line: `2.2 Assessment: ☆☆☆ (the lowest rating's name), lowest 27%` (or `, cases
    meeting all 27%` for a standard rated by its cases)."""
    rating = rating_text(st.rating, scale) if st.rated else "not rated"
    pct, what = _figure(st)
    figure = f", {what} {percent_text(pct)}" if pct is not None and st.method == "cases" else ""
    return f"{st.id} {one_line(st.title)}: {rating}{figure}"


def _figure(st: StandardResult) -> tuple[float | None, str]:
    """The percentage shown beside a standard's rating and what it is: its lowest key question
    so far, or for a standard rated by its cases, the share meeting every key question."""
    figure = st.figure_so_far
    if figure is None:
        return None, ""
    return figure.percent, ("cases meeting all" if st.by_cases else "lowest")


def _row_text(st: StandardResult, edges: tuple[float, ...], scale: Scale) -> str:
    rating = rating_text(st.rating, scale) if st.rated else "not rated"
    head = f"{st.id} {one_line(st.title)}"
    if st.method != "cases":
        detail = "by judgement" if st.judgement else "judgement to record (j)"
        return f"{head}: {rating}\n  {detail}"
    figure = st.figure_so_far
    pct = figure.percent if figure else None
    if figure is None:
        which = " no answers yet"
    else:
        which = " meet all" if st.by_cases else f" lowest {figure.id}"
    progress = ", in progress" if not st.complete else ""
    return f"{head}: {rating}\n  {band_bar(pct, edges)} {percent_text(pct):>4}{which}{progress}"
