"""Sparklines under the dashboard's ratings: each key question over the audits of the same rubric
and PDU created up to the open one (three at least), with the first and last figures in words
beside each line, so the shape never stands alone.

Read on a thread once the dashboard is drawn (a few kept-count reads per audit in the series);
the same read finds the audits the open one can be compared with, for the compare screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Sparkline, Static

from audit_tui.tui.text import Plain
from audit_tui.tui.workers import ReportsFailures, audit_app

if TYPE_CHECKING:
    from audit_tui.domain.records import AuditInfo, OpenAudit
    from audit_tui.scoring.trend import KeyQuestionTrend, Trend


def figures(kq: KeyQuestionTrend) -> str:
    """`39% → 68% (3 audits)`: the first and last figure there is, and how many."""
    seen = kq.percents
    if not seen:
        return "no figures yet"
    first, last = seen[0], seen[-1]
    return f"{first:.0f}% → {last:.0f}% ({len(seen)} audits)"


@dataclass
class TrendRead(Message, bubble=False):
    """The series (None while the user marks blind) and the audits comparable with the open one."""

    trend: Trend | None
    candidates: list[AuditInfo]


class TrendLines(ReportsFailures, Vertical):
    """Hidden until a series of three audits or more is found."""

    DEFAULT_CSS = """
    TrendLines { height: auto; display: none; margin-top: 1; }
    TrendLines.-shown { display: block; }
    TrendLines .trend-row { height: 1; }
    TrendLines .trend-id { width: 7; }
    TrendLines Sparkline { width: 12; height: 1; margin-right: 1; }
    TrendLines .trend-figures { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.trend: Trend | None = None
        self.candidates: list[AuditInfo] | None = None
        """The audits the open one can be compared with (None until read)."""
        self._wanted: tuple[OpenAudit, bool] | None = None

    def compose(self) -> ComposeResult:
        yield Plain("", id="trend-title", classes="panel-title")

    def load(self, audit: OpenAudit, *, hidden: bool) -> None:
        """Read the series and the comparable audits; `hidden`: the user marks blind, so no
        figures of this audit are drawn."""
        self._wanted = (audit, hidden)
        if self.is_mounted:
            self._read(audit, hidden)

    def on_mount(self) -> None:
        if self._wanted is not None:
            self._read(*self._wanted)

    @work(thread=True, exclusive=True, group="trend-lines", exit_on_error=False)
    def _read(self, audit: OpenAudit, hidden: bool) -> None:
        from audit_tui.store.comparison import comparable_with, series_trend

        repo = audit_app(self).store.repo
        candidates = comparable_with(repo, audit)
        found = None if hidden else series_trend(repo, audit)
        self.post_message(TrendRead(found, candidates))

    @on(TrendRead)
    def _show(self, message: TrendRead) -> None:
        trend, candidates = message.trend, message.candidates
        self.candidates = candidates
        self.trend = trend
        self.query(".trend-row").remove()
        self.set_class(trend is not None, "-shown")
        if trend is None:
            return
        self.query_one("#trend-title", Static).update(
            f"Over {len(trend.audits)} audits of this PDU (oldest first; each line scaled to its"
            " own range)"
        )
        self.mount_all(
            Horizontal(
                Plain(kq.id, classes="trend-id"),
                Sparkline(kq.percents, summary_function=max),
                Plain(figures(kq), classes="trend-figures"),
                classes="trend-row",
            )
            for kq in trend.key_questions
        )
