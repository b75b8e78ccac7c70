"""The audit dashboard: the cases table (with a filter) beside the live ratings panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from audit_tui.tui.messages import AuditChanged, StoreReady
from audit_tui.tui.widgets.ratings_panel import RatingsPanel
from audit_tui.tui.widgets.tables import fill_table

if TYPE_CHECKING:
    from audit_tui.domain.records import CaseInfo, OpenAudit
    from audit_tui.scoring.results import AuditResult


CASE_COLUMNS = [
    ("Case", "ref"),
    ("Sentence", "sentence"),
    ("PSR", "psr"),
    ("RoSH", "rosh"),
    ("Answered", "answered"),
    ("Status", "status"),
]


def case_status(case: CaseInfo) -> str:
    if case.complete:
        return "✓ complete"
    return "◐ in progress" if case.answered else "○ not started"


class DashboardScreen(Screen[None]):
    AUTO_FOCUS = "#cases"
    BINDINGS = [
        Binding("enter", "open_case", "Open case", id="open_case"),
        Binding("c", "add_case", "Add case", id="add_case"),
        Binding("e", "edit_case", "Edit case", id="edit_case"),
        Binding("i", "import_cases", "Import cases", id="import_cases"),
        Binding("j", "judgements", "Judgements", id="judgements"),
        Binding("r", "report", "Report", id="report"),
        Binding("x", "export_report", "Export", id="export_report"),
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("escape", "back", "Audits", id="back"),
    ]

    def __init__(self, audit_name: str) -> None:
        super().__init__()
        self.audit_name = audit_name
        self.audit: OpenAudit | None = None
        self.cases: list[CaseInfo] = []
        self.result: AuditResult | None = None
        self._stale = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self.audit_name, id="audit-title", classes="screen-title")
        with Horizontal(id="dashboard"):
            with Vertical(id="cases-pane"):
                yield Input(
                    placeholder="Filter cases (ref, sentence, risk, status…)  /", id="filter"
                )
                yield DataTable(id="cases", cursor_type="row", zebra_stripes=True)
                yield Static("", id="cases-status", classes="status")
            yield RatingsPanel(id="ratings")
        yield Footer()

    def on_mount(self) -> None:
        fill_table(self.query_one("#cases", DataTable), CASE_COLUMNS, [])
        if self.app.link is not None:  # type: ignore[attr-defined]
            self.load()

    def on_store_ready(self, _: StoreReady) -> None:
        self.load()

    def on_audit_changed(self, message: AuditChanged) -> None:
        if message.audit != self.audit_name:
            return
        if self.is_current:
            self.load()
        else:  # beneath a case: catch up the moment it shows again, not on every answer
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale:
            self._stale = False
            self.load()

    @work(thread=True, exclusive=True, group="dashboard")
    def load(self) -> None:
        from audit_tui.domain.errors import AuditError

        repo = self.app.link.repo  # type: ignore[attr-defined]
        try:
            audit = repo.open_audit(self.audit_name)
        except AuditError as exc:
            self.app.call_from_thread(self.app.notify, str(exc), severity="error")
            return
        cases = repo.list_cases(audit)
        result = repo.score(audit)
        self.app.call_from_thread(self._show, audit, cases, result)

    def _show(self, audit: OpenAudit, cases: list[CaseInfo], result: AuditResult) -> None:
        self.audit, self.cases, self.result = audit, cases, result
        info = audit.info
        where = " · ".join(x for x in (info.pdu, info.region) if x)
        self.query_one("#audit-title", Static).update(
            f"{info.name}{' · ' + where if where else ''} · {audit.rubric.title}"
        )
        self.query_one(RatingsPanel).show(audit.rubric, result)
        self._fill_table()

    def _fill_table(self) -> None:
        table = self.query_one("#cases", DataTable)
        current = self.current_case()
        needle = self.query_one("#filter", Input).value.strip().casefold()
        rows = []
        for case in self.cases:
            a = case.attributes
            cells = (
                case.case_ref,
                a.get("sentence_type", "–"),
                a.get("has_psr", "–"),
                a.get("rosh", "–"),
                f"{case.answered}/{case.applicable}",
                case_status(case),
            )
            if not needle or any(needle in str(c).casefold() for c in cells):
                rows.append((str(case.id), cells))
        fill_table(table, CASE_COLUMNS, rows)
        shown = len(rows)
        keys = [k for k, _ in rows]
        if current is not None and str(current.id) in keys:
            table.move_cursor(row=keys.index(str(current.id)))
        done = sum(c.complete for c in self.cases)
        filtered = f" · {shown} shown" if needle else ""
        self.query_one("#cases-status", Static).update(
            f"{len(self.cases)} cases · {done} complete{filtered} · Enter opens a case · c add · i import · j judgements"
        )
        if not self.query_one("#filter", Input).has_focus:
            table.focus()

    def current_case(self) -> CaseInfo | None:
        table = self.query_one("#cases", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((c for c in self.cases if str(c.id) == key), None)

    def visible_cases(self) -> list[CaseInfo]:
        table = self.query_one("#cases", DataTable)
        ids = [str(k.value) for k in table.rows]
        by_id = {str(c.id): c for c in self.cases}
        return [by_id[i] for i in ids if i in by_id]

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._fill_table()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one("#cases", DataTable).focus()

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    @on(DataTable.RowSelected, "#cases")
    def _row_selected(self) -> None:
        self.action_open_case()

    def action_open_case(self, case_ref: str | None = None) -> None:
        if self.audit is None:
            return
        from audit_tui.tui.screens.case_walk import CaseWalkScreen

        cases = self.visible_cases() or self.cases
        case = (
            next((c for c in self.cases if c.case_ref == case_ref), None)
            if case_ref
            else self.current_case()
        )
        if case is None:
            return
        if case not in cases:
            cases = self.cases
        self.app.push_screen(CaseWalkScreen(self.audit, cases, cases.index(case)))

    def action_back(self) -> None:
        if self.query_one("#filter", Input).has_focus:
            self.query_one("#cases", DataTable).focus()
            return
        self.app.pop_screen()

    def action_add_case(self) -> None:
        self._case_dialog(None)

    def action_edit_case(self) -> None:
        case = self.current_case()
        if case is not None:
            self._case_dialog(case)

    def _case_dialog(self, case: CaseInfo | None) -> None:
        if self.audit is None:
            return
        from audit_tui.tui.screens.case_dialog import CaseDialog

        taken = {c.case_ref for c in self.cases if case is None or c.id != case.id}
        self.app.push_screen(CaseDialog(self.audit, case, taken), callback=lambda _: self.load())

    def action_import_cases(self) -> None:
        if self.audit is None:
            return
        from audit_tui.tui.screens.import_dialog import ImportCasesDialog

        self.app.push_screen(ImportCasesDialog(self.audit), callback=lambda _: self.load())

    def action_judgements(self) -> None:
        if self.audit is None:
            return
        from audit_tui.tui.screens.judgements import JudgementsScreen

        self.app.push_screen(JudgementsScreen(self.audit))

    def action_report(self) -> None:
        if self.audit is None:
            return
        from audit_tui.tui.screens.report import ReportScreen

        self.app.push_screen(ReportScreen(self.audit))

    def action_export_report(self) -> None:
        if self.audit is None:
            return
        from audit_tui.reporting.render import FORMATS
        from audit_tui.tui.screens.export_dialog import ExportDialog

        self.app.push_screen(ExportDialog(self.audit, FORMATS))
