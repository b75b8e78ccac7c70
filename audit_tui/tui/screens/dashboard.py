"""The audit dashboard: the cases table (with a filter) beside the live ratings panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from audit_tui.tui.messages import AuditChanged, StoreReady
from audit_tui.tui.text import cell
from audit_tui.tui.widgets.ratings_panel import RatingsPanel
from audit_tui.tui.widgets.tables import fill_table
from audit_tui.tui.workers import audit_app, guarded

if TYPE_CHECKING:
    from audit_tui.domain.records import CaseInfo, OpenAudit
    from audit_tui.scoring.results import AuditResult
    from audit_tui.tui.live import LiveAudit


CASE_COLUMNS = [
    ("Case", "ref"),
    ("Sentence", "sentence"),
    ("PSR", "psr"),
    ("RoSH", "rosh"),
    ("Answered", "answered"),
    ("Status", "status"),
]


def _row(case: CaseInfo) -> tuple[str, ...]:
    a = case.attributes
    return (
        case.case_ref,
        a.get("sentence_type", "–"),
        a.get("has_psr", "–"),
        a.get("rosh", "–"),
        f"{case.answered}/{case.applicable}",
        case_status(case),
    )


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
        # priority: run before the keys typed after it are handed out, so they reach the filter
        Binding("slash", "filter", "Filter", id="filter", priority=True),
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
        yield Static(self.audit_name, id="audit-title", classes="screen-title", markup=False)
        with Horizontal(id="dashboard"):
            with Vertical(id="cases-pane"):
                yield Input(
                    placeholder="Filter cases (ref, sentence, risk, status…)  /", id="filter"
                )
                yield DataTable(id="cases", cursor_type="row", zebra_stripes=True)
                yield Static("", id="cases-status", classes="status", markup=False)
            yield RatingsPanel(id="ratings")
        yield Footer()

    def on_mount(self) -> None:
        fill_table(self.query_one("#cases", DataTable), CASE_COLUMNS, [])
        if audit_app(self).link is not None:
            self.load()

    def on_store_ready(self, _: StoreReady) -> None:
        self.load()

    def on_audit_changed(self, message: AuditChanged) -> None:
        if message.audit != self.audit_name:
            return
        if self.is_current:
            self.load()
        else:  # beneath a case: catch up the moment it shows again, not on every change
            self._stale = True

    def on_screen_resume(self) -> None:
        live = audit_app(self).live
        if self._stale or (live is not None and live.name == self.audit_name and live.stale):
            self._stale = False
            self.load()
        elif live is not None and live.name == self.audit_name:
            self._show_live(live)

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    @guarded
    def load(self) -> None:
        """Open the audit and count it in full: what every screen above then keeps current."""
        from audit_tui.tui.live import LiveAudit

        repo = audit_app(self).store.repo
        audit = repo.open_audit(self.audit_name)
        live = LiveAudit(audit, repo.list_cases(audit), repo.live_score(audit))
        self.app.call_from_thread(self._loaded, live)

    def _loaded(self, live: LiveAudit) -> None:
        audit_app(self).watch_live(live)
        self._show_live(live, whole=True)
        self.call_after_refresh(audit_app(self).settle_heap)

    def _show_live(self, live: LiveAudit, whole: bool = False) -> None:
        """Draw from the shared live audit: the whole table after a load, else only the cases
        whose progress moved (answering in a case never rebuilds the table)."""
        self.audit, self.cases, self.result = live.audit, live.cases, live.result
        info = live.audit.info
        where = " · ".join(x for x in (info.pdu, info.region) if x)
        self.query_one("#audit-title", Static).update(
            f"{info.name}{' · ' + where if where else ''} · {live.audit.rubric.title}"
        )
        self.query_one(RatingsPanel).show(live.audit.rubric, live.result)
        if whole or self._filtering():
            live.changed_cases.clear()
            self._fill_table()
            return
        table = self.query_one("#cases", DataTable)
        for case_id in sorted(live.changed_cases):
            case = live.case(case_id)
            if case is not None and str(case_id) in table.rows:
                for key, value in zip(("answered", "status"), _row(case)[4:], strict=True):
                    table.update_cell(str(case_id), key, cell(value))
        live.changed_cases.clear()
        self._show_status()

    def _filtering(self) -> bool:
        return bool(self.query_one("#filter", Input).value.strip())

    def _fill_table(self) -> None:
        table = self.query_one("#cases", DataTable)
        current = self.current_case()
        needle = self.query_one("#filter", Input).value.strip().casefold()
        rows = []
        for case in self.cases:
            cells = _row(case)
            if not needle or any(needle in c.casefold() for c in cells):
                rows.append((str(case.id), cells))
        fill_table(table, CASE_COLUMNS, rows)
        keys = [k for k, _ in rows]
        if current is not None and str(current.id) in keys:
            table.move_cursor(row=keys.index(str(current.id)))
        self._show_status()
        if not self.query_one("#filter", Input).has_focus:
            table.focus()

    def _show_status(self) -> None:
        done = sum(c.complete for c in self.cases)
        shown = self.query_one("#cases", DataTable).row_count
        filtered = f" · {shown} shown" if self._filtering() else ""
        self.query_one("#cases-status", Static).update(
            f"{len(self.cases)} cases · {done} complete{filtered} · Enter opens a case · c add · i import · j judgements"
        )

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
        self.set_focus(self.query_one("#cases", DataTable))

    def action_filter(self) -> None:
        """Focus the filter at once, so "/" then a burst of text all goes into it; in the filter,
        "/" is text (case references may hold one)."""
        box = self.query_one("#filter", Input)
        if self.focused is box:  # behind any keys already on their way to it
            box.post_message(events.Key("slash", "/"))
        else:
            self.set_focus(box)

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
            self.set_focus(self.query_one("#cases", DataTable))
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
