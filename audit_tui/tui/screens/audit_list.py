"""The audit list: what `audit-tui` opens. Name, progress, score and overall rating always in
sight; cases, the rubric's title and the PDU as the width allows. A region's server holds
hundreds of audits a year: the list draws only the rows in view (the dashboard's table) and
`/` filters it as you type."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from audit_tui.tui.messages import StoreReady
from audit_tui.tui.text import Plain, percent_text, rating_text
from audit_tui.tui.widgets.filter_box import FilterBox
from audit_tui.tui.widgets.header import SafeHeader
from audit_tui.tui.widgets.virtual_table import Column, VirtualTable
from audit_tui.tui.workers import ReportsFailures, audit_app

if TYPE_CHECKING:  # the database loads after the first paint
    from audit_tui.store.kept_list import KeptAudit
    from audit_tui.store.listing import AuditSummary

BLIND = "hidden"
"""What a blind second marker sees where a figure of the audit would be."""
COLUMNS = [
    ("Audit", "name"),
    ("PDU", "pdu"),
    ("Rubric", "rubric"),
    ("Cases", "cases"),
    ("Progress", "progress"),
    ("Score", "score"),
    ("Overall rating", "overall"),
]
ALWAYS = frozenset({"name", "progress", "score", "overall"})
GIVE_WAY_LATE = ("rubric", "cases")
"""Where the width is short the PDU gives way first, then the rubric's title, then the cases."""
BAR = 6
LEGEND = "Progress: █ answered, ░ still to answer (of the items that apply to each case)"


def progress_text(answered: int, applicable: int) -> str:
    """`████░░  67%`: a bar of the items answered, then the share in words."""
    if not applicable:
        return "–"
    share = answered / applicable
    filled = round(share * BAR)
    return f"{'█' * filled}{'░' * (BAR - filled)} {percent_text(100 * share):>4}"


TABLE_COLUMNS = [Column(key, label) for label, key in COLUMNS]


@dataclass
class AuditsRead(Message, bubble=False):
    """Each audit's row, as `audit-tui audits` lists it."""

    rows: list[tuple[str, ...]]
    regions: dict[str, str]
    """Each audit's region (empty when it has none), by audit name."""
    ids: dict[int, tuple[str, int]]
    """Each audit's name and the revision its row shows, by audit id."""


@dataclass
class AuditsMoved(Message, bubble=False):
    """The rows of the audits whose revision moved: (audit id, revision, region, row)."""

    rows: list[tuple[int, int, str, tuple[str, ...]]]


def _row(found: AuditSummary | KeptAudit) -> tuple[str, ...]:
    """An audit's row as `audit-tui audits` lists it."""
    first = (found.name, found.pdu or "–", found.rubric_title, str(found.cases))
    if found.hidden:  # second-marking blind: no figure of it is theirs to see
        return (*first, BLIND, BLIND, "hidden while you second-mark")
    score = (
        f"{found.score if found.score is not None else '–'}/{found.score_max}"
        if found.score_max
        else "–"  # a framework without a score (DIPP)
    )
    return (*first, progress_text(found.answered, found.applicable), score,
            rating_text(found.rating, found.scale))  # fmt: skip


class AuditListScreen(ReportsFailures, Screen[None]):
    AUTO_FOCUS = "#audits"
    HELP_TITLE = "Audits"
    BINDINGS = [
        Binding("enter", "open_audit", "Open", id="open_audit", tooltip="The audit's dashboard"),
        # priority: the name typed straight after "n" reaches the dialog
        Binding(
            "n", "new_audit", "New", id="new_audit", priority=True, tooltip="Create an audit"
        ),
        Binding("A", "app.open_actions", "Actions", id="open_actions",
                tooltip="Every action agreed with practitioners, across audits"),
        Binding("g", "region", "Region", id="open_region", show=False,
                tooltip="The highlighted audit's region: which of its PDUs differ"),
        Binding("G", "national", "All regions", id="open_national", show=False,
                tooltip="Every region's PDUs side by side: which differ (the national view)"),
        Binding("slash", "filter", "Filter", id="filter_audits", priority=True,
                tooltip="Show only audits holding some text"),
        Binding("escape", "leave_filter", "List", id="leave_filter", show=False,
                tooltip="From the filter into the list"),
        Binding("f5", "reload", "Reload", id="reload", show=False, tooltip="Read the list again"),
    ]  # fmt: skip

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Plain("Audits", classes="screen-title")
        yield FilterBox("audits", placeholder="Filter audits (name, PDU, rubric, rating…)  /",
                        id="filter")  # fmt: skip
        yield VirtualTable(id="audits", kept=ALWAYS, give_way_late=GIVE_WAY_LATE)
        yield Plain(LEGEND, id="legend", classes="status")
        yield Plain("Opening the database…", id="status", classes="status")
        yield Footer(compact=True)

    _shown = False
    _rows: list[tuple[str, ...]] = []
    _regions: dict[str, str] = {}
    _known: dict[int, int] = {}
    """Each audit shown, by id: the revision its row shows."""
    _names: dict[int, str] = {}
    _opening: str | None = None
    """The audit Enter chose before the store was open: opened once it is, with the keys typed
    after Enter (the table keeps them meanwhile)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`n` opens a dialog at once (a priority binding, so the name typed after it reaches
        the dialog); while the filter has the focus it is text. Typed behind keys the table
        has still to read, `n` and `/` wait their turn there (`waits_turn`); typed after Enter,
        they are keys for the audit being opened, kept by the table like any other."""
        if action in ("new_audit", "filter") and self._table().waits_turn():
            return False
        return not (action == "new_audit" and isinstance(self.focused, Input))

    def action_new_audit(self) -> None:
        audit_app(self).action_new_audit()

    def on_mount(self) -> None:
        self._table().set_rows(TABLE_COLUMNS, [])
        self.watch(self.app, "versions", self._audits_moved, init=False)
        app = audit_app(self)  # a dashboard opening at once (--open) covers the list: none kept
        kept = None if app.link or app.open_audit_name else app.kept_audits()  # milliseconds
        if kept is None:
            self._table().hold()  # keys typed as the list opens: acted on once its rows are in
            if app.link is not None:
                self.load()
        else:
            self._read(
                AuditsRead(
                    [_row(k) for k in kept],
                    {k.name: k.region for k in kept},
                    {k.audit_id: (k.name, k.revision) for k in kept},
                )
            )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # beside ReportsFailures' handler, which Textual runs too (it reports the failure)
        if event.state is WorkerState.ERROR and event.worker.group == "audit-list":
            self._table().release()  # no rows coming: the keys act (F5 reads again)

    def on_store_ready(self, _: StoreReady) -> None:
        self.load()  # the list read in full: the same rows, unless an audit moved meanwhile
        if self._opening is not None:
            name, self._opening = self._opening, None
            self._open_with_typed(name)

    def store_failed(self, text: str) -> None:
        """The store could not be opened: an audit Enter chose waits no longer, the keys typed
        after it are dropped (they were for that audit), and those held for the rows act."""
        self._opening = None
        self._table().take_typed_ahead()
        self._table().release()
        self.show_status(text)

    def _audits_moved(self) -> None:
        if self.is_current:
            self.load(moved_only=True)
        # beneath a dashboard it catches up when shown again (on_screen_resume)

    def on_screen_resume(self) -> None:
        # back from an audit: its progress and score may have moved (answers do not send
        # `versions`, they move the open audit's live counts)
        if self._shown and audit_app(self).link is not None:
            self.load(moved_only=True)

    def action_reload(self) -> None:
        if audit_app(self).link is not None:
            self.load()

    @work(thread=True, exclusive=True, group="audit-list", exit_on_error=False)
    def load(self, moved_only: bool = False) -> None:
        """Every audit's row; with `moved_only`, only those of the audits whose revision moved
        since they were shown (all of them again if an audit came, went or was renamed)."""
        from audit_tui.store.listing import audit_summaries, revisions

        repo = audit_app(self).store.repo
        known = self._known
        if moved_only and known:
            now = revisions(repo)
            if now.keys() == known.keys():
                moved = [
                    audit_id for audit_id, revision in now.items() if known[audit_id] != revision
                ]
                found = audit_summaries(repo, only=moved) if moved else []
                if all(self._names.get(s.audit_id) == s.name for s in found):
                    self.post_message(
                        AuditsMoved([(s.audit_id, s.revision, s.region, _row(s)) for s in found])
                    )
                    return
        found = audit_summaries(repo)  # as `audit-tui audits`
        rows = [_row(s) for s in found]
        self.post_message(
            AuditsRead(
                rows,
                {s.name: s.region for s in found},
                {s.audit_id: (s.name, s.revision) for s in found},
            )
        )

    @on(AuditsRead)
    def _read(self, message: AuditsRead) -> None:
        self._regions = message.regions
        self._known = {audit_id: revision for audit_id, (_, revision) in message.ids.items()}
        self._names = {audit_id: name for audit_id, (name, _) in message.ids.items()}
        self._show(message.rows)

    @on(AuditsMoved)
    def _moved(self, message: AuditsMoved) -> None:
        """The rows of the audits that moved, redrawn alone; the rest stand."""
        table = self._table()
        at = {row[0]: i for i, row in enumerate(self._rows)}
        rows = list(self._rows)
        for audit_id, revision, region, row in message.rows:
            self._known[audit_id] = revision
            self._regions[row[0]] = region  # a lead may have moved it to another region
            if row[0] in at:
                rows[at[row[0]]] = row
                table.update_row(row[0], row)
        self._rows = rows

    def _table(self) -> VirtualTable:
        return self.query_one("#audits", VirtualTable)

    def _show(self, rows: list[tuple[str, ...]]) -> None:
        moved = rows != self._rows or not self._shown
        self._shown, self._rows = True, rows
        if moved:  # the cursor stays on its audit, the filter on its text
            self._table().set_rows(TABLE_COLUMNS, [(row[0], row) for row in rows])
        self._table().release()
        audit_app(self).audit_names = [r[0] for r in rows]
        self._show_status()

    def _show_status(self) -> None:
        rows, shown = len(self._rows), self._table().row_count
        status = self.query_one("#status", Static)
        if rows:
            filtered = (
                f" · {shown:,} shown" if self.query_one("#filter", Input).value.strip() else ""
            )
            status.update(
                f"{rows:,} audit{'s' if rows != 1 else ''}{filtered} · Enter opens · / filter"
                " · n new audit · ? help"
            )
        else:
            status.update("No audits yet. Press n to create one, or run `audit-tui demo`.")

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        # the box's text now, not the event's: Down or Enter may have applied later text already
        self._table().filter(self.query_one("#filter", Input).value)
        self._show_status()

    def action_filter(self) -> None:
        """Focus the filter at once, so "/" then a burst of text all goes into it."""
        box = self.query_one("#filter", Input)
        if self.focused is box:
            box.post_message(events.Key("slash", "/"))
        else:
            self.set_focus(box)

    def action_leave_filter(self) -> None:
        """Esc: out of the filter into the list (its text, and what it shows, stay)."""
        self.set_focus(self._table())

    def show_status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    @on(VirtualTable.Selected, "#audits")
    def _selected(self, event: VirtualTable.Selected) -> None:
        """Enter on an audit (in the list or the filter) opens it, with the keys typed after
        Enter acted on there."""
        if event.key is not None and audit_app(self).link is None:
            self._opening = event.key  # the list as kept: the audit opens with the store
            self.show_status(f"Opening {event.key}…")
            return
        if event.key is None and self._rows:
            self.notify("No audit matches the filter.", severity="warning")
        self._open_with_typed(event.key)

    def _open_with_typed(self, name: str | None) -> None:
        """Open `name`, handing it the keys typed after Enter; with none chosen, act on them
        here."""
        typed = self._table().take_typed_ahead()
        if name is not None:
            self.open(name, typed)
            return
        for key, character in typed:
            self.app.post_message(events.Key(key, character))

    def action_open_audit(self) -> None:
        if self._table().row_count:
            self._table().choose()

    def action_region(self) -> None:
        name = self._table().cursor_key
        if name is None:
            return
        region = self._regions.get(name, "")
        if not region:
            self.notify(f"{name} belongs to no region: give it one to compare its PDU",
                        severity="warning", markup=False)  # fmt: skip
            return
        from audit_tui.tui.screens.region import RegionScreen

        self.app.push_screen(RegionScreen(region))

    def action_national(self) -> None:
        from audit_tui.tui.screens.region import RegionScreen

        self.app.push_screen(RegionScreen(None))

    def open(self, name: str, typed: Sequence[tuple[str, str | None]] = ()) -> None:
        from audit_tui.tui.screens.dashboard import DashboardScreen

        self.app.push_screen(DashboardScreen(name, typed))
