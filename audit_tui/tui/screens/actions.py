"""Every action agreed with practitioners, across audits, soonest due first: filtered to the open
or the overdue ones and by practitioner or team code, overdue said in words. `d` marks the
highlighted one done, `x` drops it, `r` opens it again; Enter opens its case's feedback. The list
is read again after each change, and when another writer changes an audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Checkbox, DataTable, Footer, Input, Label, Static

from audit_tui.domain.safe_text import TEXT_LIMIT, one_line
from audit_tui.domain.words import plural
from audit_tui.tui.screens.follow_up import already, day_text, status_text, step_dialog
from audit_tui.tui.text import Plain
from audit_tui.tui.widgets.choices import Tick
from audit_tui.tui.widgets.header import SafeHeader
from audit_tui.tui.widgets.tables import fill_table
from audit_tui.tui.workers import ReportsFailures, audit_app

if TYPE_CHECKING:
    from audit_tui.domain.records import CaseInfo, OpenAudit
    from audit_tui.store.follow_up import Action, ActionChange

LETTER_ACTIONS = frozenset({"step", "flip", "filter"})
COLUMNS = [
    ("Due", "due"),
    ("Status", "status"),
    ("Practitioner", "practitioner"),
    ("Team", "team"),
    ("Audit", "audit"),
    ("Case", "case"),
    ("What", "what"),
]


def history_lines(action: Action, changes: list[ActionChange]) -> list[str]:
    """`26 Nov 2026 10:01 lee: agreed, due 11 Dec 2026` / `… open → done: checked`."""
    lines = [one_line(action.what), ""]  # stored text, shown and never obeyed
    for ch in changes:
        when = f"{day_text(ch.at.date())} {ch.at:%H:%M}" if ch.at else "–"
        if ch.old_status is None:
            step = f"agreed, due {day_text(ch.new_due)}"
        else:
            moved = [f"{ch.old_status} → {ch.new_status}"] if ch.old_status != ch.new_status else []
            if ch.old_due != ch.new_due:
                old = day_text(ch.old_due) if ch.old_due else "–"
                moved.append(f"due {old} → {day_text(ch.new_due)}")
            step = ", ".join(moved)
        note = f": {one_line(ch.note, TEXT_LIMIT)}" if ch.note else ""
        lines.append(f"{when} {one_line(ch.by)}: {one_line(step)}{note}")
    return lines


@dataclass
class ActionsRead(Message, bubble=False):
    """The actions the two boxes ask for, every audit."""

    found: list[Action]


@dataclass
class ActionHistoryRead(Message, bubble=False):
    """Every change to one action."""

    action: Action
    changes: list[ActionChange]


@dataclass
class ActionCaseFound(Message, bubble=False):
    """The audit and case an action was agreed in, for its feedback screen."""

    audit: OpenAudit
    case: CaseInfo


class ActionsScreen(ReportsFailures, Screen[None]):
    HELP_TITLE = "Actions"
    AUTO_FOCUS = "#actions"
    # the letters are priority bindings: what is typed straight after `d` reaches its dialog
    # (check_action makes them text while a code filter has the focus)
    BINDINGS = [
        Binding("enter", "open_feedback", "Feedback", id="open_feedback",
                tooltip="The highlighted action's case: feedback and actions"),
        Binding("d", "step('done')", "Done", id="action_done", priority=True,
                tooltip="Mark the highlighted action done (a note if you wish)"),
        Binding("x", "step('dropped')", "Drop", id="action_drop", priority=True,
                tooltip="Drop the highlighted action (say why)"),
        Binding("r", "step('open')", "Reopen", id="action_reopen", show=False, priority=True,
                tooltip="Open the highlighted action again (say why)"),
        Binding("m", "step('due')", "Move date", id="action_move", show=False, priority=True,
                tooltip="Move the highlighted action's due date (say why)"),
        Binding("o", "flip('open-only')", "Open only", id="filter_open", show=False,
                priority=True, tooltip="Show only open actions, or every action"),
        Binding("v", "flip('overdue-only')", "Overdue only", id="filter_overdue", show=False,
                priority=True, tooltip="Show only open actions past their due date, or every one"),
        Binding("slash", "filter", "Practitioner", id="filter_practitioner", priority=True,
                tooltip="Type a practitioner code (or part of one) to show only theirs"),
        Binding("f5", "reload", "Reload", id="reload", show=False, tooltip="Read the list again"),
        Binding("escape", "back", "Back", id="back"),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.all: list[Action] = []
        self.shown: dict[str, Action] = {}
        self.loaded = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The letter keys are priority bindings (what is typed after `d` reaches its dialog);
        in a code filter they are text."""
        return not (action in LETTER_ACTIONS and isinstance(self.focused, Input))

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Plain("Actions agreed with practitioners, every audit", classes="screen-title")
        with Horizontal(id="actions-filters"):
            yield Tick("Open only", id="open-only", compact=True)
            yield Tick("Overdue only", id="overdue-only", compact=True)
            yield Label("Practitioner /")
            yield Input(id="practitioner", placeholder="code", compact=True)
            yield Label("Team")
            yield Input(id="team", placeholder="code", compact=True)
        yield DataTable(id="actions", cursor_type="row", zebra_stripes=True)
        yield Plain("", id="action-detail")
        yield Plain("Reading the actions…", id="actions-status", classes="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        fill_table(self.query_one("#actions", DataTable), COLUMNS, [])
        self.watch(self.app, "versions", self._audits_moved, init=False)
        self.load()

    def _audits_moved(self) -> None:
        """An audit changed (its actions may have): read the list again."""
        if self.loaded:
            self.load()

    def on_screen_resume(self) -> None:
        if self.loaded:  # back from a case's feedback: its actions may have moved
            self.load()

    def action_reload(self) -> None:
        self.load()

    # ---- reading ------------------------------------------------------------------------------

    def load(self) -> None:
        """Read the actions again, as the two boxes say."""
        self._read(
            self.query_one("#open-only", Checkbox).value,
            self.query_one("#overdue-only", Checkbox).value,
        )

    @work(thread=True, exclusive=True, group="actions", exit_on_error=False)
    def _read(self, open_only: bool, overdue: bool) -> None:
        from audit_tui.store.follow_up import actions

        repo = audit_app(self).store.repo
        found = actions(repo, open_only=open_only, overdue_on=date.today() if overdue else None)
        self.post_message(ActionsRead(found))

    @on(ActionsRead)
    def _loaded(self, message: ActionsRead) -> None:
        found = message.found
        self.loaded = True
        self.all = found
        self._show()

    def _codes(self) -> tuple[str, str]:
        return (
            self.query_one("#practitioner", Input).value.strip().casefold(),
            self.query_one("#team", Input).value.strip().casefold(),
        )

    def _show(self) -> None:
        """The actions read, narrowed by the codes typed (part of a code is enough)."""
        today = date.today()
        who, team = self._codes()
        kept = [
            a for a in self.all if who in a.practitioner.casefold() and team in a.team.casefold()
        ]
        self.shown = {str(a.id): a for a in kept}
        table = self.query_one("#actions", DataTable)
        at = table.cursor_row
        fill_table(
            table,
            COLUMNS,
            [
                (
                    str(a.id),
                    (
                        day_text(a.due),
                        status_text(a, today),
                        a.practitioner or "–",
                        a.team or "–",
                        a.audit,
                        a.case_ref,
                        a.what,
                    ),
                )
                for a in kept
            ],
        )
        if kept:
            table.move_cursor(row=min(max(at, 0), len(kept) - 1))
        overdue = sum(a.overdue(today) for a in kept)
        open_ = sum(a.status == "open" for a in kept)
        narrowed = f" (of {len(self.all)} read)" if len(kept) != len(self.all) else ""
        self.query_one("#actions-status", Static).update(
            f"{plural(len(kept), 'action')}{narrowed}: {open_} open, {overdue} overdue"
            " · d done · x drop · r reopen · Enter its feedback"
            if kept
            else "No actions to show. Actions are agreed on a case's feedback screen (f)."
        )
        self._detail()

    @on(Checkbox.Changed)
    def _filter_changed(self) -> None:
        if self.loaded:
            self.load()

    @on(Input.Changed)
    def _codes_changed(self) -> None:
        if self.loaded:
            self._show()

    @on(Input.Submitted)
    def _codes_done(self) -> None:
        self.set_focus(self.query_one("#actions", DataTable))

    def action_filter(self) -> None:
        self.set_focus(self.query_one("#practitioner", Input))

    def action_flip(self, which: str) -> None:
        box = self.query_one(f"#{which}", Checkbox)
        box.value = not box.value

    # ---- the highlighted action ---------------------------------------------------------------

    def current(self) -> Action | None:
        table = self.query_one("#actions", DataTable)
        if not self.shown or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.shown.get(key or "")

    @on(DataTable.RowHighlighted, "#actions")
    def _highlighted(self) -> None:
        self._detail()

    def _detail(self) -> None:
        action = self.current()
        if action is None:
            self.query_one("#action-detail", Static).update("")
            return
        self._load_history(action)

    @work(thread=True, exclusive=True, group="action-history", exit_on_error=False)
    def _load_history(self, action: Action) -> None:
        from audit_tui.store.follow_up import action_history

        changes = action_history(audit_app(self).store.repo, action.id)
        self.post_message(ActionHistoryRead(action, changes))

    @on(ActionHistoryRead)
    def _show_history(self, message: ActionHistoryRead) -> None:
        action, changes = message.action, message.changes
        if self.current() == action:
            self.query_one("#action-detail", Static).update(
                "\n".join(history_lines(action, changes))
            )

    def action_step(self, status: str) -> None:
        action = self.current()
        if action is None:
            self.notify("No action highlighted.", markup=False)
            return
        if said := already(action, status):
            self.notify(said, severity="warning", markup=False)
            return

        def stepped(changed: Action | None) -> None:
            if changed is not None:
                self.notify(f"Action {changed.id} on case {one_line(changed.case_ref)}: {one_line(changed.status)}",
                            markup=False)  # fmt: skip
                audit_app(self).audit_changed(changed.audit)
                self.load()

        self.app.push_screen(step_dialog(action, status), stepped)

    def action_open_feedback(self) -> None:
        action = self.current()
        if action is not None:
            self._open_feedback(action)

    @on(DataTable.RowSelected, "#actions")
    def _selected(self) -> None:
        self.action_open_feedback()

    @work(thread=True, exclusive=True, group="action-case", exit_on_error=False)
    def _open_feedback(self, action: Action) -> None:
        from audit_tui.store import audits, cases

        repo = audit_app(self).store.repo
        audit = audits.open_audit(repo, action.audit)
        case = next(
            (
                c
                for c in cases.list_cases(repo, audit, progress=False)
                if c.case_ref == action.case_ref
            ),
            None,
        )
        if case is not None:
            self.post_message(ActionCaseFound(audit, case))

    @on(ActionCaseFound)
    def _push_feedback(self, message: ActionCaseFound) -> None:
        audit, case = message.audit, message.case
        from audit_tui.tui.screens.feedback import FeedbackScreen

        if self.is_current:
            self.app.push_screen(FeedbackScreen(audit, case))

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.set_focus(self.query_one("#actions", DataTable))
            return
        self.app.pop_screen()
