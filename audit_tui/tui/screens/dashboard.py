"""The audit dashboard: the cases table (with a filter) beside the live ratings panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from audit_tui.domain.safe_text import one_line
from audit_tui.domain.words import plural
from audit_tui.tui.messages import StoreReady
from audit_tui.tui.screens.dashboard_lead import LeadActions
from audit_tui.tui.screens.dashboard_rows import (
    AuditRead,
    case_columns,
    case_row,
    has_codes,
    is_team,
    own_first,
    standing,
    table_widths,
    team_progress,
)
from audit_tui.tui.text import Plain
from audit_tui.tui.widgets.filter_box import FilterBox
from audit_tui.tui.widgets.header import SafeHeader
from audit_tui.tui.widgets.ratings_panel import RatingsPanel
from audit_tui.tui.widgets.virtual_table import VirtualTable
from audit_tui.tui.workers import ReportsFailures, audit_app

if TYPE_CHECKING:
    from collections.abc import Sequence

    from audit_tui.domain.access import Access
    from audit_tui.domain.records import CaseInfo, OpenAudit
    from audit_tui.scoring.results import AuditResult
    from audit_tui.tui.live import LiveAudit
    from audit_tui.tui.widgets.trend_lines import TrendLines


DIALOG_ACTIONS = frozenset(
    {"add_case", "add_reviewed_case", "edit_case", "import_cases", "export_report", "remove_case",
     "rename_audit", "delete_audit", "allocate_case", "sign_off", "lock_audit", "moderate",
     "removed_cases"}
)  # fmt: skip
INDEX_AFTER = 0.3
"""Seconds after the cases are shown before the filter's index is built (on a thread)."""
NARROW = 110
"""Below this width the ratings go beneath the cases (app.tcss: Screen.-narrow)."""


class DashboardScreen(ReportsFailures, LeadActions, Screen[None]):
    AUTO_FOCUS = "#cases"
    HELP_TITLE = "Dashboard"
    BINDINGS = [
        Binding("enter", "open_case", "Open", id="open_case", tooltip="Walk the highlighted case"),
        Binding("c", "add_case", "Add", priority=True, id="add_case", tooltip="Add a case to the audit"),
        Binding("plus", "add_reviewed_case", "Review a case", priority=True, id="add_reviewed_case",
                show=False, tooltip="Management oversight: add a case you are reviewing and walk it"),
        Binding("f", "feedback", "Feedback", id="feedback", show=False,
                tooltip="Feedback and actions for the highlighted case's practitioner"),
        Binding("A", "app.open_actions", "Actions", id="open_actions", show=False,
                tooltip="Every action agreed with practitioners, across audits"),
        Binding("e", "edit_case", "Edit", priority=True, id="edit_case", show=False,
                tooltip="Change the highlighted case's attributes"),
        Binding("i", "import_cases", "Import", priority=True, id="import_cases", show=False,
                tooltip="Add cases from a CSV file"),
        Binding("j", "judgements", "Judgements", id="judgements", show=False,
                tooltip="Rate the organisational standards (domain one)"),
        Binding("r", "report", "Report", id="report", tooltip="Ratings, key questions, breakdowns"),
        Binding("x", "export_report", "Export", priority=True, id="export_report",
                tooltip="Write the report to a file"),
        # priority: run before the keys typed after it are handed out, so they reach the filter
        Binding("slash", "filter", "Filter", id="filter", priority=True,
                tooltip="Show only cases holding some text"),
        Binding("delete", "remove_case", "Remove", priority=True, id="remove_case", show=False,
                tooltip="Take the highlighted case out of the audit, with a reason"),
        Binding("ctrl+z", "undo_removal", "Undo removal", priority=True, id="undo_removal",
                show=False, tooltip="Bring back the case just removed, with a reason (the lead)"),
        Binding("R", "removed_cases", "Removed", priority=True, id="removed_cases", show=False,
                tooltip="The cases removed from the audit; Enter restores one (the lead)"),
        Binding("f2", "rename_audit", "Rename", priority=True, id="rename_audit", show=False,
                tooltip="Give the audit another name"),
        Binding("ctrl+d", "delete_audit", "Delete audit", priority=True, id="delete_audit", show=False,
                tooltip="Delete the whole audit (you type its name to confirm)"),
        Binding("t", "allocate_case", "Allocate", priority=True, id="allocate_case", show=False,
                tooltip="Give the highlighted case to an auditor (the lead)"),
        Binding("s", "sign_off", "Sign off", priority=True, id="sign_off", show=False,
                tooltip="Sign the highlighted, finished case off: its answers become final (the lead)"),
        Binding("ctrl+l", "lock_audit", "Lock", priority=True, id="lock_audit", show=False,
                tooltip="Lock the audit's figures, or unlock them with a reason (the lead)"),
        Binding("m", "moderate", "Moderate", priority=True, id="moderate", show=False,
                tooltip="Start a moderation round: a second marker marks cases blind (the lead)"),
        Binding("S", "sample", "Sample", id="sample", show=False,
                tooltip="Draw the audit's cases from a caseload extract; once drawn, the draw and replacing a case (the lead)"),
        Binding("d", "reconcile", "Disagreements", id="reconcile", show=False,
                tooltip="Moderation: agreement, and settling the disagreements between markers"),
        Binding("h", "timeline", "History", id="timeline", show=False,
                tooltip="The audit's timeline: every change and event, filtered as you type"),
        Binding("v", "compare", "Compare", id="compare", show=False,
                tooltip="Compare this audit with others on its rubric: what changed, and the trend"),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the audits"),
    ]  # fmt: skip
    PRIORITY_ACTIONS = frozenset(
        b.action for b in BINDINGS if isinstance(b, Binding) and b.priority
    )
    """Its keys taken as they arrive, ahead of the keys typed before them (see check_action)."""

    def __init__(self, audit_name: str, typed_ahead: Sequence[tuple[str, str | None]] = ()) -> None:
        super().__init__()
        self.audit_name = audit_name
        self._typed_ahead = typed_ahead
        """Keys typed after the Enter that opened it: its cases' once they are in."""
        self.audit: OpenAudit | None = None
        self.cases: list[CaseInfo] = []
        self.result: AuditResult | None = None
        self._by_id: dict[str, CaseInfo] = {}
        self._read_at = (audit_name, 0)
        """The audit's name and version (`AuditApp.versions`) when this dashboard last read it."""
        self._drawn: LiveAudit | None = None
        """The open audit as this dashboard drew it: our own saves move its counts."""
        self._team = False
        self._codes = False
        self.access: Access | None = None
        self._blind_count = 0
        self.just_removed: CaseInfo | None = None
        """The case this dashboard last removed, as removed: what ctrl+z offers back."""
        self._loading = True
        """Rows are on their way (the first read, or again after a change)."""
        self._resumed = False
        self._waiting: str | None = None
        """The filter's text when Enter chose a case before the rows arrived."""
        self.blind = ""
        """Why the audit's answers are hidden from the user (a blind second marker), or ""."""

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Plain(one_line(self.audit_name), id="audit-title", classes="screen-title")
        with Horizontal(id="dashboard"):
            with Vertical(id="cases-pane"):
                yield FilterBox(
                    "cases",
                    placeholder="Filter cases (reference, attributes, status…)  /",
                    id="filter",
                )
                yield VirtualTable(id="cases", rowless=frozenset({"back"}))
                yield Plain("", id="cases-status", classes="status")
            yield RatingsPanel(id="ratings")
        yield Footer(compact=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The keys that open a dialog are priority bindings, so the text typed straight after
        them reaches the dialog; while the filter has the focus they are text, not commands.
        Typed behind keys the table has still to read, they wait their turn there
        (`waits_turn`); typed after Enter on a case, every priority key is the case's (`s` its
        standards, not a sign-off): the table keeps it for the case's screen."""
        if action in self.PRIORITY_ACTIONS and self.query_one("#cases", VirtualTable).waits_turn():
            return False
        return not (action in DIALOG_ACTIONS and isinstance(self.focused, Input))

    def on_resize(self) -> None:
        narrow = self.size.width < NARROW
        self.query_one(RatingsPanel).compact = narrow
        self.query_one("#filter", Input).compact = narrow

    def on_mount(self) -> None:
        app = audit_app(self)
        # keys typed as it opens act once its rows are in, after those handed on to it
        self.query_one("#cases", VirtualTable).hold(self._typed_ahead)
        self.watch(app, "versions", self._audit_moved, init=False)
        self.watch(app, "revision", self._counted, init=False)
        if app.link is not None:
            self.load()

    def on_store_ready(self, _: StoreReady) -> None:
        self.load()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # beside ReportsFailures' handler, which Textual runs too (it reports the failure)
        if event.state is WorkerState.ERROR and event.worker.group == "dashboard":
            # no rows coming: the keys act, and an Enter that waited for them chooses nothing
            self._loading = False
            self.query_one("#cases", VirtualTable).release()
            self._open_waiting()

    def _behind(self) -> bool:
        """The audit changed since this dashboard read it."""
        return self._version() != self._read_at

    def _version(self) -> tuple[str, int]:
        return self.audit_name, audit_app(self).versions.of(self.audit_name)

    def _audit_moved(self) -> None:
        """Read the audit again when it changed: now if on screen; beneath a case, the moment
        it shows again (`on_screen_resume`), not on every change."""
        if self.is_current and self._behind():
            self.load()

    def _counted(self) -> None:
        """Our own saves moved the live counts: draw the rows that moved now if this is the top
        screen (a save that ends after its case was left); beneath a case, once, when it shows
        again (`on_screen_resume`), not on every answer (10,000 rows redrawn per key held the
        event loop 60 ms in `make bench`, against 40 without)."""
        live = audit_app(self).live
        if self.is_active and live is not None and live is self._drawn:
            self._show_live(live)

    def case_left(self, case_id: int) -> None:
        """The case walk over this screen is leaving that case: the cursor comes back on it."""
        self.query_one("#cases", VirtualTable).move_to(str(case_id))

    def on_screen_resume(self) -> None:
        if self._resumed:  # back from a dialog, a case or help: the next keys are the cases'
            self.set_focus(self.query_one("#cases", VirtualTable))
        self._resumed = True
        live = audit_app(self).live
        if self._behind() or (live is not None and live.name == self.audit_name and live.stale):
            self.load()
        elif live is not None and live is self._drawn:
            self._show_live(live)  # back from a case: only what moved (not before the load)

    def load(self) -> None:
        """Read the audit (again): a case chosen before its rows arrive opens once they do, and
        keys typed meanwhile act on the rows as read (Down, Enter typed with the Enter that
        removed a case opened the case removed, still listed)."""
        for table in self.query("#cases").results(VirtualTable):
            table.hold()
        self._loading = True
        self._read_at = self._version()
        self._read()

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False)
    def _read(self) -> None:
        """Open the audit and count it (from the kept counts): what every screen above then
        keeps current. The table's widths are worked out here, off the event loop; its rows
        are made only as they are drawn."""
        from audit_tui.tui.live import LiveAudit

        repo = audit_app(self).store.repo
        live = LiveAudit.read(repo, self.audit_name)
        self.post_message(AuditRead(live, table_widths(live)))

    @on(AuditRead)
    def _loaded(self, message: AuditRead) -> None:
        if self not in self.app.screen_stack:  # left before its read came (Back at once): its
            return  # table held no key then, and passes on those it reads since (_passed_on)
        live, widths = message.live, message.widths
        audit_app(self).live = live  # shared with the screens above
        self._drawn = live
        self._show_live(live, widths=widths)
        self._loading = False
        self.query_one("#cases", VirtualTable).release()
        self._open_waiting()
        self._trend_lines().load(live.audit, hidden=bool(live.blind))
        self.call_after_refresh(audit_app(self).settle_heap)
        # once the dashboard is on screen: a thread building it meanwhile would slow the drawing
        self.set_timer(INDEX_AFTER, self._index_cases)

    def _trend_lines(self) -> TrendLines:
        """The sparklines beneath the ratings (mounted at the first load)."""
        from audit_tui.tui.widgets.trend_lines import TrendLines

        found = self.query(TrendLines)
        if found:
            return found.first(TrendLines)
        lines = TrendLines(id="trend-lines")
        self.query_one(RatingsPanel).mount(lines)
        return lines

    @work(thread=True, exclusive=True, group="case-index", exit_on_error=False)
    def _index_cases(self) -> None:
        """The filter's index, built while the user reads the dashboard."""
        self.query_one("#cases", VirtualTable).index_rows()()

    def _show_live(self, live: LiveAudit, widths: list[int] | None = None) -> None:
        """Draw from the shared live audit: every row after a load (`widths` given), else only
        the cases whose progress moved (answering in a case never rebuilds the table)."""
        self.audit, self.cases, self.result = live.audit, live.cases, live.result
        self.access = live.access
        info = live.audit.info
        where = " · ".join(one_line(x) for x in (info.pdu, info.region) if x)
        kind = " · management oversight" if info.oversight else ""
        self.query_one("#audit-title", Static).update(
            f"{one_line(info.name)}{kind}{' · ' + where if where else ''}"
            f" · {one_line(live.audit.rubric.title)}"
        )
        self.blind = live.blind_refusal()
        self._blind_count = len(live.blind)
        if self.blind:
            self.query_one(RatingsPanel).hide(self.blind)
        else:
            self.query_one(RatingsPanel).show(live.audit.rubric, live.result)
        if info.oversight:
            self._oversight_note(len(live.cases))
        table = self.query_one("#cases", VirtualTable)
        shown = live.audit.rubric.attributes_shown_in("case_list")
        if widths is not None:
            cases = own_first(live.cases, live.access, live.blind)
            team = self._team = is_team(cases)
            codes = self._codes = has_codes(cases)
            blind = live.blind
            table.show_rows(
                case_columns(live.audit.rubric, team, codes),
                [str(case.id) for case in cases],
                lambda i: case_row(cases[i], shown, team, blind, codes),
                widths,
            )
            self._by_id = {str(c.id): c for c in cases}
        else:
            for case_id in sorted(live.changed_cases):
                case = live.case(case_id)
                if case is not None:
                    table.update_row(
                        str(case_id), case_row(case, shown, self._team, live.blind, self._codes)
                    )
                    self._by_id[str(case_id)] = case
        live.changed_cases.clear()
        self._show_status()

    def _oversight_note(self, cases: int) -> None:
        """Beside the ratings, in words: a manager's reviews are not a sample of the unit."""
        found = self.query("#oversight-note")
        note = (
            found.first(Static) if found else Plain(id="oversight-note", classes="oversight-note")
        )
        if not found:
            self.query_one(RatingsPanel).mount(note, after="#ratings-score")
        note.update(
            f"Management oversight, not a sample: these ratings describe the"
            f" {plural(cases, 'case')} reviewed, not the unit's work."
        )

    def _filtering(self) -> bool:
        return bool(self.query_one("#filter", Input).value.strip())

    def _show_status(self) -> None:
        done = sum(c.complete for c in self.cases)
        shown = self.query_one("#cases", VirtualTable).row_count
        filtered = f" · {shown:,} shown" if self._filtering() else ""
        line = f"{plural(len(self.cases), 'case')} · {done:,} complete{filtered}"
        if self.blind:
            line += f" · {self._blind_count} to second-mark blind"
        if self.audit is not None and self.audit.info.oversight:
            line += " · + review a case · f feedback · A actions"
        progress = team_progress(self.cases) if self._team else ""
        self.query_one("#cases-status", Static).update(
            f"{line}{standing(self.access)}{chr(10) + progress if progress else ''}"
        )

    def current_case(self) -> CaseInfo | None:
        key = self.query_one("#cases", VirtualTable).cursor_key
        return self._by_id.get(key) if key is not None else None

    def visible_cases(self) -> list[CaseInfo]:
        keys = self.query_one("#cases", VirtualTable).keys_shown
        return [self._by_id[k] for k in keys if k in self._by_id]

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        # the box's text now, not the event's: Down or Enter may have applied later text already
        self.query_one("#cases", VirtualTable).filter(self.query_one("#filter", Input).value)
        self._show_status()

    def action_filter(self) -> None:
        """Focus the filter at once, so "/" then a burst of text all goes into it; in the filter,
        "/" is text (case references may hold one)."""
        box = self.query_one("#filter", Input)
        if self.focused is box:  # behind any keys already on their way to it
            box.post_message(events.Key("slash", "/"))
        else:
            self.set_focus(box)

    @on(VirtualTable.Selected, "#cases")
    def _row_selected(self, event: VirtualTable.Selected) -> None:
        """Enter on a case (in the table or the filter) opens it, whatever came before."""
        key = event.key
        if key is None:  # nothing shown then: the rows may have arrived since
            table = self.query_one("#cases", VirtualTable)
            table.filter(self.query_one("#filter", Input).value)
            key = table.cursor_key
        case = self._by_id.get(key) if key is not None else None
        table = self.query_one("#cases", VirtualTable)
        if case is not None:  # with the keys typed after Enter: the walk acts on them
            self.action_open_case(case=case, typed_ahead=table.take_typed_ahead())
        elif self._loading or self._behind():  # chosen before the rows arrived (after a dialog)
            self._waiting = self.query_one("#filter", Input).value
        else:
            if key is None and self.cases:
                self.notify("No case matches the filter.", severity="warning")
            self._type_again(table.take_typed_ahead())

    def _type_again(self, keys: list[tuple[str, str | None]]) -> None:
        """Keys kept for a case that did not open: acted on here after all, in order."""
        for key, character in keys:
            self.app.post_message(events.Key(key, character))

    def _open_waiting(self) -> None:
        """Open the case Enter chose while the rows were on their way, if the filter still
        shows one."""
        waiting, self._waiting = self._waiting, None
        table = self.query_one("#cases", VirtualTable)
        if waiting is not None and waiting == self.query_one("#filter", Input).value:
            table.choose()
        elif waiting is not None:
            self._type_again(table.take_typed_ahead())

    def action_open_case(
        self,
        case_ref: str | None = None,
        case: CaseInfo | None = None,
        typed_ahead: Sequence[tuple[str, str | None]] = (),
    ) -> None:
        if self.audit is None:
            return
        from audit_tui.tui.screens.case_walk import CaseWalkScreen

        cases = self.visible_cases() or self.cases
        case = case or (
            next((c for c in self.cases if c.case_ref == case_ref), None)
            if case_ref
            else self.current_case()
        )
        if case is None:
            return
        if case not in cases:
            cases = self.cases
        self.app.push_screen(
            CaseWalkScreen(self.audit, cases, cases.index(case), typed_ahead=typed_ahead)
        )

    def action_back(self) -> None:
        if self.focused is self.query_one("#filter", Input):  # now, not as of the last event
            self.set_focus(self.query_one("#cases", VirtualTable))
            return
        self.app.pop_screen()

    def _load_again(self, _result: object) -> None:
        """A dialog's callback: read the audit again, whatever the dialog returned."""
        self.load()

    def action_add_case(self) -> None:
        if self.audit is not None and self.audit.info.oversight:
            self.action_add_reviewed_case()  # a review: codes, and straight into the walk
            return
        self._case_dialog(None)

    def action_add_reviewed_case(self) -> None:
        access = self.access
        if self.audit is None or (access is not None and self._refused(
                lambda: access.lead("cases"))):  # fmt: skip
            return
        if not self.audit.info.oversight:
            self.notify("+ reviews a case of a management oversight audit: c adds one to this"
                        " sample", severity="warning", markup=False)  # fmt: skip
            return
        self.add_reviewed_case(self.audit)

    def add_reviewed_case(self, audit: OpenAudit) -> None:
        """The quick dialog of a management review; once the case is added, its walk opens."""
        from audit_tui.tui.screens.oversight import ReviewedCaseDialog

        def added(case: CaseInfo | None) -> None:
            if case is None:
                return
            from audit_tui.tui.screens.case_walk import CaseWalkScreen

            self.notify(f"Case {case.case_ref} added", markup=False)
            self.load()
            cases = [*self.cases, case]
            self.app.push_screen(CaseWalkScreen(audit, cases, len(cases) - 1))

        taken = {c.case_ref for c in self.cases}
        self.app.push_screen(ReviewedCaseDialog(audit, taken), callback=added)

    def action_feedback(self) -> None:
        case = self.current_case()
        if self.audit is None or case is None or self._hidden():
            return
        from audit_tui.tui.screens.feedback import FeedbackScreen

        self.app.push_screen(FeedbackScreen(self.audit, case))

    def action_edit_case(self) -> None:
        case = self.current_case()
        if case is not None:
            self._case_dialog(case)

    def _case_dialog(self, case: CaseInfo | None) -> None:
        if self.audit is None:
            return
        from audit_tui.tui.screens.case_dialog import CaseDialog

        taken = {c.case_ref for c in self.cases if case is None or c.id != case.id}
        self.app.push_screen(CaseDialog(self.audit, case, taken), callback=self._load_again)

    def action_remove_case(self) -> None:
        case = self.current_case()
        if self.audit is None or case is None:
            return
        from audit_tui.tui.screens.operations import RemoveCaseDialog

        dialog = RemoveCaseDialog(self.audit, case)

        def removed(ref: str | None) -> None:
            if ref:
                self.just_removed = dialog.removed
                self.notify(f"Case {ref} removed from the audit (ctrl+z brings it back)",
                            markup=False)  # fmt: skip
                audit_app(self).audit_changed(self.audit_name)
            self._focus_cases()

        self.app.push_screen(dialog, callback=removed)

    def action_undo_removal(self) -> None:
        """Offer back the case just removed (the reason offered: by mistake); with none removed
        here, list the removed cases."""
        access, audit, case = self.access, self.audit, self.just_removed
        if audit is None or (access is not None and self._refused(lambda: access.lead("restore"))):
            return
        if case is None:
            self.action_removed_cases()
            return
        from audit_tui.tui.screens.removed_cases import UNDO_REASON, RestoreCaseDialog

        self.app.push_screen(RestoreCaseDialog(audit, case, UNDO_REASON), callback=self._restored)

    def action_removed_cases(self) -> None:
        if self.audit is None or self._hidden():
            return
        from audit_tui.tui.screens.removed_cases import RemovedCasesScreen

        self.app.push_screen(RemovedCasesScreen(self.audit, self.access), callback=self._restored)

    def _restored(self, ref: str | None) -> None:
        if ref:
            if self.just_removed is not None and self.just_removed.case_ref == ref:
                self.just_removed = None
            self.notify(f"Case {ref} is back in the audit, with its answers", markup=False)
            audit_app(self).audit_changed(self.audit_name)
        self._focus_cases()

    def _focus_cases(self) -> None:
        self.set_focus(self.query_one("#cases", VirtualTable))

    def action_rename_audit(self) -> None:
        if self.audit is None:
            return
        from audit_tui.tui.screens.operations import RenameAuditDialog

        def renamed(name: str | None) -> None:
            if name:
                old, self.audit_name = self.audit_name, name
                self.notify(f"{old} is now called {name}", markup=False)
                audit_app(self).audit_changed(name)

        taken = set(audit_app(self).audit_names)
        self.app.push_screen(RenameAuditDialog(self.audit, taken), callback=renamed)

    def action_delete_audit(self) -> None:
        if self.audit is None:
            return
        from audit_tui.tui.screens.operations import DeleteAuditDialog

        def deleted(name: str | None) -> None:
            if name:
                app = audit_app(self)
                app.live = None
                app.pop_screen()
                app.notify(f"Audit {name} deleted", markup=False)
                app.audit_changed(name)

        self.app.push_screen(DeleteAuditDialog(self.audit), callback=deleted)

    def _hidden(self) -> bool:
        """Said instead of showing the audit's answers to a blind second marker."""
        if self.blind:
            self.notify(self.blind, severity="warning", markup=False)
        return bool(self.blind)

    def action_timeline(self) -> None:
        if self.audit is None or self._hidden():
            return
        from audit_tui.tui.screens.timeline import TimelineScreen

        self.app.push_screen(TimelineScreen(self.audit))

    def action_compare(self) -> None:
        if self.audit is None or self._hidden():
            return
        from audit_tui.tui.screens.compare import CompareScreen
        from audit_tui.tui.widgets.trend_lines import TrendLines

        found = self.query(TrendLines)
        known = found.first(TrendLines).candidates if found else None
        self.app.push_screen(CompareScreen(self.audit, known))

    def action_reconcile(self) -> None:
        if self.audit is None or self._hidden():
            return
        from audit_tui.tui.screens.moderation import ReconcileScreen

        self.app.push_screen(ReconcileScreen(self.audit))

    def action_import_cases(self) -> None:
        if self.audit is None:
            return
        from audit_tui.tui.screens.import_dialog import ImportCasesDialog

        self.app.push_screen(ImportCasesDialog(self.audit), callback=self._load_again)

    def action_judgements(self) -> None:
        if self.audit is None:
            return
        from audit_tui.tui.screens.judgements import JudgementsScreen

        self.app.push_screen(JudgementsScreen(self.audit))

    def action_report(self) -> None:
        if self.audit is None or self._hidden():
            return
        from audit_tui.tui.screens.report import ReportScreen

        self.app.push_screen(ReportScreen(self.audit))

    def action_export_report(self) -> None:
        if self.audit is None or self._hidden():
            return
        from audit_tui.reporting.render import FORMATS
        from audit_tui.tui.screens.export_dialog import ExportDialog

        self.app.push_screen(ExportDialog(self.audit, FORMATS))
