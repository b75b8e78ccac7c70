"""The audit list: what `audit-tui` opens. Name, progress, score and overall rating always in
sight; cases, the rubric's title and the PDU as the width allows (`columns_for`)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from audit_tui.tui.messages import StoreReady
from audit_tui.tui.text import Plain, percent_text, rating_text
from audit_tui.tui.widgets.tables import fill_table
from audit_tui.tui.workers import ReportsFailures, audit_app

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
ALWAYS = ("name", "progress", "score", "overall")
OPTIONAL = ("cases", "rubric", "pdu")
"""Shown as the width allows, in this order."""
TITLE = 24
BAR = 6
LEGEND = "Progress: █ answered, ░ still to answer (of the items that apply to each case)"


def progress_text(answered: int, applicable: int) -> str:
    """`████░░  67%`: a bar of the items answered, then the share in words."""
    if not applicable:
        return "–"
    share = answered / applicable
    filled = round(share * BAR)
    return f"{'█' * filled}{'░' * (BAR - filled)} {percent_text(100 * share):>4}"


def columns_for(width: int, rows: list[tuple[str, ...]]) -> list[tuple[str, str]]:
    """The columns that fit `width` cells: those always shown, then each optional one that fits
    whole beside them; the rubric's title may take two lines (at least `TITLE` cells)."""
    keys = [key for _, key in COLUMNS]

    def need(key: str) -> int:
        i = keys.index(key)
        return 2 + max(len(text) for text in (COLUMNS[i][0], *(row[i] for row in rows)))

    used = 2 + sum(need(key) for key in ALWAYS)  # 2: a vertical scrollbar
    chosen = set(ALWAYS)
    for key in OPTIONAL:
        fits = used + need(key) <= width
        if fits or (key == "rubric" and width - used >= TITLE and 2 * (width - used) >= need(key)):
            chosen.add(key)
            used += min(need(key), width - used)
    return [column for column in COLUMNS if column[1] in chosen]


@dataclass
class AuditsRead(Message, bubble=False):
    """Each audit's row, as `audit-tui audits` lists it."""

    rows: list[tuple[str, ...]]
    regions: dict[str, str]
    """Each audit's region (empty when it has none), by audit name."""


class AuditListScreen(ReportsFailures, Screen[None]):
    AUTO_FOCUS = "#audits"
    HELP_TITLE = "Audits"
    BINDINGS = [
        Binding("enter", "open_audit", "Open", id="open_audit", tooltip="The audit's dashboard"),
        # priority: the name typed straight after "n" reaches the dialog
        Binding(
            "n", "app.new_audit", "New", id="new_audit", priority=True, tooltip="Create an audit"
        ),
        Binding("A", "app.open_actions", "Actions", id="open_actions",
                tooltip="Every action agreed with practitioners, across audits"),
        Binding("g", "region", "Region", id="open_region", show=False,
                tooltip="The highlighted audit's region: which of its PDUs differ"),
        Binding("f5", "reload", "Reload", id="reload", show=False, tooltip="Read the list again"),
    ]  # fmt: skip

    def compose(self) -> ComposeResult:
        yield Header()
        yield Plain("Audits", classes="screen-title")
        yield DataTable(id="audits", cursor_type="row", zebra_stripes=True)
        yield Plain(LEGEND, id="legend", classes="status")
        yield Plain("Opening the database…", id="status", classes="status")
        yield Footer(compact=True)

    _shown = False
    _rows: list[tuple[str, ...]] = []
    _regions: dict[str, str] = {}

    def on_mount(self) -> None:
        fill_table(self.query_one("#audits", DataTable), columns_for(self.size.width, []), [])
        self.watch(self.app, "versions", self._audits_moved, init=False)
        if audit_app(self).link is not None:
            self.load()

    def on_store_ready(self, _: StoreReady) -> None:
        self.load()

    def _audits_moved(self) -> None:
        if self.is_current:
            self.load()
        # beneath a dashboard it catches up when shown again (on_screen_resume)

    def on_screen_resume(self) -> None:
        # back from an audit: its progress and score may have moved (answers do not send
        # `versions`, they move the open audit's live counts)
        if self._shown and audit_app(self).link is not None:
            self.load()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="audit-list", exit_on_error=False)
    def load(self) -> None:
        from audit_tui.store.listing import audit_summaries

        rows: list[tuple[str, ...]] = []
        regions: dict[str, str] = {}
        for found in audit_summaries(audit_app(self).store.repo):  # as `audit-tui audits`
            regions[found.name] = found.region
            first = (found.name, found.pdu or "–", found.rubric_title, str(found.cases))
            if found.hidden:  # second-marking blind: no figure of it is theirs to see
                rows.append((*first, BLIND, BLIND, "hidden while you second-mark"))
                continue
            score = f"{found.score if found.score is not None else '–'}/{found.score_max}"
            rows.append(
                (*first, progress_text(found.answered, found.applicable), score,
                 rating_text(found.rating, found.scale))
            )  # fmt: skip
        self.post_message(AuditsRead(rows, regions))

    def on_resize(self) -> None:
        if self._shown:
            self._show(self._rows)

    @on(AuditsRead)
    def _read(self, message: AuditsRead) -> None:
        self._regions = message.regions
        self._show(message.rows)

    def _show(self, rows: list[tuple[str, ...]]) -> None:
        self._shown, self._rows = True, rows
        table = self.query_one("#audits", DataTable)
        keep = table.cursor_row
        columns = columns_for(self.size.width, rows)
        picked = [i for i, column in enumerate(COLUMNS) if column in columns]
        fill_table(table, columns, [(row[0], [row[i] for i in picked]) for row in rows])
        audit_app(self).audit_names = [r[0] for r in rows]
        status = self.query_one("#status", Static)
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
            status.update(
                f"{len(rows)} audit{'s' if len(rows) != 1 else ''} · Enter opens · n new audit · ? help"
            )
        else:
            status.update("No audits yet. Press n to create one, or run `audit-tui demo`.")
        table.focus()

    def show_status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    @on(DataTable.RowSelected, "#audits")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.open(str(event.row_key.value))

    def action_open_audit(self) -> None:
        table = self.query_one("#audits", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            self.open(str(key.value))

    def action_region(self) -> None:
        table = self.query_one("#audits", DataTable)
        if not table.row_count:
            return
        name = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        region = self._regions.get(name, "")
        if not region:
            self.notify(f"{name} belongs to no region: give it one to compare its PDU",
                        severity="warning", markup=False)  # fmt: skip
            return
        from audit_tui.tui.screens.region import RegionScreen

        self.app.push_screen(RegionScreen(region))

    def open(self, name: str) -> None:
        from audit_tui.tui.screens.dashboard import DashboardScreen

        self.app.push_screen(DashboardScreen(name))
