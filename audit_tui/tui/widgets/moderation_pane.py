"""The report's moderation pane: how alike the markers marked (overall, per key question, per
pair, per marker round by round), which coefficient to read, and the ratings each set of marks
gives over the moderated cases, side by side, flagged in words where they differ."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from audit_tui.domain.safe_text import one_line
from audit_tui.domain.words import plural
from audit_tui.tui.screens.moderation import agreement_line, figure, interval
from audit_tui.tui.text import Plain, rating_text
from audit_tui.tui.widgets.tables import fill_table

if TYPE_CHECKING:
    from audit_tui.domain.rubric import Scale
    from audit_tui.scoring.agreement import Agreement
    from audit_tui.scoring.moderation import Moderation

AGREEMENT_COLUMNS = [
    ("Key question", "id"),
    ("Answers compared", "n"),
    ("Agreed", "agreed"),
    ("Kappa [95%]", "kappa"),
    ("AC1 [95%]", "ac1"),
    ("Figure to read", "read"),
]


def agreement_cells(a: Agreement) -> tuple[str, ...]:
    """A row's figures, the last saying which to read: `kappa or AC1` or `AC1 (94% Yes)`."""
    from audit_tui.scoring.moderation import which

    if a.too_few or a.observed is None:
        return (str(a.n), "–", "too few", "too few", "–")
    return (
        str(a.n),
        f"{a.observed:.0%}",
        f"{figure(a.kappa)}{interval(a.kappa_ci95)}",
        f"{figure(a.ac1)}{interval(a.ac1_ci95)}",
        which(a),
    )


class ModerationPane(Vertical):
    def compose(self) -> ComposeResult:
        yield Plain("", id="moderation-summary")
        yield Plain("", id="moderation-reading", classes="hint")
        yield Plain("Ratings from each set of marks", classes="section-title")
        yield DataTable(id="moderation-ratings", cursor_type="row")
        yield Plain("Agreement per key question", classes="section-title")
        yield DataTable(id="moderation-kqs", cursor_type="row")
        yield Plain("Each marker, round by round", classes="section-title")
        yield DataTable(id="moderation-markers", cursor_type="row")

    def show(self, found: Moderation | None, audit_name: str, scale: Scale) -> None:
        from audit_tui.scoring.moderation import reading

        summary = self.query_one("#moderation-summary", Static)
        if found is None:
            summary.update(
                "No moderation round yet: the lead starts one with m on the dashboard"
                f" (or audit-tui moderate {one_line(audit_name)} --sample 10% --marker USER)."
            )
            return
        rounds = ", ".join(
            f"round {r.number}: {one_line(r.marker)}, {r.completed} of {r.cases} done"
            for r in found.rounds
        )
        summary.update(
            f"{plural(found.cases, 'case')} second-marked ({rounds}). Overall:"
            f" {agreement_line(found.overall.agreement)}. {found.settled} of"
            f" {plural(len(found.disagreements), 'disagreement')} settled (d on the dashboard)."
        )
        self.query_one("#moderation-reading", Static).update(reading(found.overall.agreement))
        fill_table(  # the flag before the ratings: on a narrow screen it stays in sight
            self.query_one("#moderation-ratings", DataTable),
            [
                ("Standard", "id"),
                ("Ratings", "flag"),
                ("From first marks", "first"),
                ("From second marks", "second"),
            ],
            [
                (
                    s.id,
                    (
                        f"{s.id} {s.title}",
                        "≠ differ" if s.differs else "same",
                        rating_text(s.first_rating, scale),
                        rating_text(s.second_rating, scale),
                    ),
                )
                for s in found.standards
                if s.rated
            ],
        )
        fill_table(
            self.query_one("#moderation-kqs", DataTable),
            AGREEMENT_COLUMNS,
            [(k.id, (k.id, *agreement_cells(k.agreement))) for k in found.key_questions],
        )
        fill_table(
            self.query_one("#moderation-markers", DataTable),
            [("Marker", "marker"), ("Round", "round"), ("Marked", "as"), *AGREEMENT_COLUMNS[1:]],
            [
                (
                    f"{m.marker}|{m.round}|{m.role}",
                    (m.marker, str(m.round), m.role, *agreement_cells(m.agreement)),
                )
                for m in found.markers
            ],
        )
