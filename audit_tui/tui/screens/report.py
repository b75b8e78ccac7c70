"""The report in the TUI: ratings, every key question with its interval and a bar against the
bands, and breakdowns by case attribute; `x` exports it to any format."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Select, Static

from audit_tui.tui.text import band_bar, percent_text, rating_text, score_text
from audit_tui.tui.widgets.tables import fill_table

if TYPE_CHECKING:
    from audit_tui.domain.records import OpenAudit
    from audit_tui.reporting.model import ReportData

KQ_COLUMNS = [
    ("Key question", "kq"),
    ("Yes", "pct"),
    ("Of", "of"),
    ("95% interval", "ci"),
    ("Against the bands", "bar"),
    ("Uncertainty", "note"),
]


class ReportScreen(Screen[None]):
    BINDINGS = [
        Binding("x", "export", "Export", id="export_report"),
        Binding("escape", "back", "Dashboard", id="back"),
    ]

    def __init__(self, audit: OpenAudit) -> None:
        super().__init__()
        self.audit = audit
        self.data: ReportData | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Report · {self.audit.info.name}", classes="screen-title", markup=False)
        with VerticalScroll(id="report"):
            yield Static("Loading…", id="report-summary", classes="score-line", markup=False)
            yield DataTable(id="report-ratings", cursor_type="row", show_cursor=False)
            yield Static(
                "Key questions (the lowest of each standard is marked ▶)", classes="section-title"
            )
            yield DataTable(id="report-kqs", cursor_type="row")
            yield Static("Breakdown", classes="section-title")
            yield Select([], id="breakdown-by", prompt="by case attribute…")
            yield DataTable(id="report-breakdown", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="report")
    def load(self) -> None:
        from audit_tui.reporting.model import build_report

        data = build_report(self.app.link.repo, self.audit)  # type: ignore[attr-defined]
        self.app.call_from_thread(self._show, data)

    def _show(self, data: ReportData) -> None:
        self.data = data
        result = data.result
        edges = tuple(b.min_percent for b in data.rubric.scoring.bands if b.min_percent > 0)
        provisional = "" if result.complete else " · provisional: audit in progress"
        self.query_one("#report-summary", Static).update(
            f"{len(data.cases)} cases · score {score_text(result)} · overall {rating_text(result.overall)}{provisional}"
        )
        fill_table(
            self.query_one("#report-ratings", DataTable),
            [("Standard", "id"), ("Rating", "rating"), ("Lowest key question", "lowest")],
            [
                (
                    st.id,
                    (
                        f"{st.id} {st.title}",
                        rating_text(st.rating) if st.rated else "not rated",
                        f"{st.lowest.id} {percent_text(st.lowest.percent)}" if st.lowest else "–",
                    ),
                )
                for st in result.standards
            ],
        )
        rows = []
        for st in result.standards:
            for kq in st.key_questions:
                mark = "▶ " if st.lowest is kq else "  "
                ci = f"{kq.ci95[0]:.0f}–{kq.ci95[1]:.0f}%" if kq.ci95 else "–"
                note = data.uncertainty(kq).short if st.rated else "not rated"
                rows.append(
                    (
                        kq.id,
                        (
                            f"{mark}{kq.id} {kq.label or kq.text}",
                            percent_text(kq.percent),
                            f"{kq.yes}/{kq.relevant}",
                            ci,
                            band_bar(kq.percent, edges),
                            note,
                        ),
                    )
                )
        fill_table(self.query_one("#report-kqs", DataTable), KQ_COLUMNS, rows)
        select = self.query_one("#breakdown-by", Select)
        select.set_options([(bd.label, bd.attribute) for bd in data.breakdowns])
        if data.breakdowns:
            select.value = data.breakdowns[0].attribute

    @on(Select.Changed, "#breakdown-by")
    def _breakdown(self, event: Select.Changed) -> None:
        if self.data is None or event.value is Select.NULL:
            return
        bd = next(b for b in self.data.breakdowns if b.attribute == event.value)
        kqs = [k for s in self.data.result.standards for k in s.key_questions]
        columns = [
            ("Key question", "kq"),
            *((f"{g.value} (n={g.cases})", g.value) for g in bd.groups),
        ]
        rows = [
            (
                kq.id,
                (
                    f"{kq.id} {kq.label or kq.text}",
                    *(
                        "suppressed"
                        if g.hides(kq.id)
                        else f"{percent_text(g.items[kq.id].percent)} ({g.items[kq.id].yes}/{g.items[kq.id].relevant})"
                        for g in bd.groups
                    ),
                ),
            )
            for kq in kqs
        ]
        fill_table(self.query_one("#report-breakdown", DataTable), columns, rows)

    def action_export(self) -> None:
        from audit_tui.reporting.formats import FORMATS
        from audit_tui.tui.screens.export_dialog import ExportDialog

        self.app.push_screen(ExportDialog(self.audit, FORMATS))

    def action_back(self) -> None:
        self.app.pop_screen()
