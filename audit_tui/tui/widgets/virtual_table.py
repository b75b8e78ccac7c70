"""A table of any number of rows that draws only those on screen: the dashboard's cases and the
audit list.

A regional audit runs to thousands of cases and a sample grows over years of re-audits; a
DataTable builds every row into itself (about 1.5 s for 10,000 cases, again at each filter
keystroke). Here rows are plain tuples of text prepared once, a filter is a scan of prepared
lower-case strings, and `render_line` draws the few rows in view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from audit_tui.domain.safe_text import LINE_LIMIT, escape, one_line
from audit_tui.tui.widgets.in_order import (
    UnreadKeys,
    act_in_order,
    action_of,
    in_order_now,
    send_on,
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str


KEPT = frozenset({"ref", "answered", "status"})
"""Columns always in view. The others give way when the table is wider than its room (80
columns with practitioner, team and the rubric's attributes): the rubric's attributes first,
rightmost first, then team, practitioner and auditor; a filter still finds their values, and
the case's screen shows them. A column is shown whole or not at all, never cut."""
GIVE_WAY_LATE = ("team", "practitioner", "auditor")
"""After the attributes, in this order."""


def columns_in_view(
    keys: Sequence[str],
    widths: Sequence[int],
    room: int,
    kept: frozenset[str] = KEPT,
    give_way_late: Sequence[str] = GIVE_WAY_LATE,
) -> list[int]:
    """The indexes of the columns to draw in `room` cells (each takes its width and two spaces):
    all but `kept` give way as they must, rightmost first, those in `give_way_late` last."""
    shown = list(range(len(keys)))
    late = {key: rank for rank, key in enumerate(give_way_late)}
    droppable = sorted(
        (i for i in shown if keys[i] not in kept),
        key=lambda i: (late.get(keys[i], -1), -i),
    )
    used = sum(widths) + 2 * len(widths)
    for i in droppable:
        if used <= room:
            break
        shown.remove(i)
        used -= widths[i] + 2
    return shown


class VirtualTable(UnreadKeys, ScrollView, can_focus=True):
    """Rows keyed by a string; a cursor row; a filter. The first line is the column headings."""

    BINDINGS = [
        Binding("up", "move(-1)", "Up", id="cases_up", show=False),
        Binding("down", "move(1)", "Down", id="cases_down", show=False),
        Binding("pageup", "page(-1)", "Page up", id="cases_page_up", show=False),
        Binding("pagedown", "page(1)", "Page down", id="cases_page_down", show=False),
        Binding("home", "edge(-1)", "First case", id="cases_first", show=False),
        Binding("end", "edge(1)", "Last case", id="cases_last", show=False),
        # priority: taken as it arrives, so the screen's priority keys typed after it wait;
        # shown, as the screen's own Enter was (a priority binding hides the screen's)
        Binding(
            "enter",
            "choose_in_order",
            "Open",
            id="cases_open",
            priority=True,
            tooltip="Open the highlighted row",
        ),
    ]
    COMPONENT_CLASSES = {"case-table--header", "case-table--cursor", "case-table--stripe"}
    DEFAULT_CSS = """
    VirtualTable { height: 1fr; }
    VirtualTable > .case-table--header { text-style: bold; background: $panel; }
    VirtualTable > .case-table--cursor { background: $block-cursor-blurred-background; }
    VirtualTable:focus > .case-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    VirtualTable > .case-table--stripe { background: $surface-lighten-1 20%; }
    """

    cursor = reactive(0, always_update=True, repaint=True)
    """Index into the rows shown (after the filter)."""

    class Selected(Message):
        """Enter (or a click on the cursor row): the row's key as it was then (a refresh may
        move the cursor before the message is read), None when no row is shown."""

        def __init__(self, table: VirtualTable, key: str | None) -> None:
            super().__init__()
            self.table, self.key = table, key

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(
        self,
        *,
        id: str | None = None,
        classes: str | None = None,
        kept: frozenset[str] = KEPT,
        give_way_late: Sequence[str] = GIVE_WAY_LATE,
        rowless: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.kept, self.give_way_late = kept, give_way_late
        """The columns always in view, and those that give way last (`columns_in_view`)."""
        self.rowless = rowless
        """Actions that need no row (Back): the first key held that runs one runs it at once,
        as it would be first when the rows came, so a read that is slow to come (or never
        does) cannot keep the user on the screen."""
        self.columns: list[Column] = []
        self._widths: list[int] = []
        self._keys: list[str] = []
        self._make: Callable[[int], Sequence[str]] = lambda _i: ()
        self._cells: list[tuple[str, ...] | None] = []
        self._search: list[str] = []
        self._at: dict[str, int] = {}
        self._shown: list[int] = []
        self._needle = ""
        self.typed_ahead: list[tuple[str, str | None]] | None = None
        """Keys read after Enter chose a row, before the screen it opens is up: kept for it
        (`take_typed_ahead`), not acted on here."""
        self.held: list[tuple[str, str | None]] | None = None
        """Keys read while the rows are on their way (`hold`), acted on in order once they are
        here (`release`): Down, Down, Enter typed as a screen opens opens its third row, where
        the Downs found no row and Enter chose the first."""
        self._handed = 0
        """How many of the keys held were handed on from the screen before (the first ones)."""
        self._choosing = 0
        """Enters taken as they arrived whose row is not chosen yet (`action_choose_in_order`)."""
        self._rows_coming = False
        """Between `hold` and `release`: keys handed on wait for the rows too."""

    class _Release(Message, bubble=False):
        """The rows are here: the keys held meanwhile are acted on (`release`)."""

    class _Choose(Message, bubble=False):
        """Enter, where the table reads it: after the keys typed before it."""

    # ---- content -----------------------------------------------------------------------------

    def set_rows(
        self, columns: Sequence[Column], rows: Sequence[tuple[str, Sequence[str]]]
    ) -> None:
        """Replace every row with ready cells: (key, cells)."""
        made = [tuple(cells) for _, cells in rows]
        by_column = zip(*made, strict=True) if made else ()
        widths = [max(map(len, column)) for column in by_column] or [0] * len(columns)
        self.show_rows(columns, [key for key, _ in rows], made.__getitem__, widths)

    def show_rows(
        self,
        columns: Sequence[Column],
        keys: list[str],
        make: Callable[[int], Sequence[str]],
        widths: Sequence[int],
    ) -> None:
        """Replace every row: `keys[i]` is row i's key, `make(i)` its cells, made only when the
        row is first drawn (or searched); `widths` the widest cell of each column, worked out by
        the caller from what it knows (a rubric's values) rather than from every row. Keeps the
        cursor on the same key when it is still shown."""
        current = self.cursor_key
        self.columns = [Column(c.key, one_line(c.label)) for c in columns]
        self._keys = keys
        self._make = make
        self._cells = [None] * len(keys)
        self._search = []
        self._at = {key: i for i, key in enumerate(keys)}
        self._widths = [max(len(c.label), w) for c, w in zip(self.columns, widths, strict=True)]
        self._apply_filter(current)

    def cells(self, index: int) -> tuple[str, ...]:
        """Row `index`'s cells, made (escaped and cut) the first time they are needed."""
        made = self._cells[index]
        if made is None:
            made = self._cells[index] = _shown(self._make(index))
        return made

    def update_row(self, key: str, cells: Sequence[str]) -> None:
        """Redraw one row (a case whose progress moved); widths grow if they must."""
        at = self._at.get(key)
        if at is None:
            return
        made = self._cells[at] = _shown(cells)
        if self._search:
            self._search[at] = "\t".join(made).casefold()
        self._widths = [max(w, len(c)) for w, c in zip(self._widths, made, strict=True)]
        self._size_to_view()
        self.refresh()

    def index_rows(self) -> Callable[[], None]:
        """Work to run on a thread: build the search index of the rows shown now, then install
        it from the event loop (unless the rows have been replaced meanwhile)."""
        keys, make = self._keys, self._make

        def build() -> None:
            index = ["\t".join(_shown(make(i))).casefold() for i in range(len(keys))]
            self.post_message(self.Indexed(keys, index))

        return build

    @dataclass
    class Indexed(Message, bubble=False):
        """The search index of `keys`, built on a thread."""

        keys: list[str]
        index: list[str]

    @on(Indexed)
    def _install_index(self, message: Indexed) -> None:
        if message.keys is self._keys and not self._search:
            self._search = message.index

    def search_index(self) -> list[str]:
        """Every row's text as the filter searches it. Built once per set of rows; the dashboard
        builds it on a thread as soon as the rows are shown, so typing a filter need not wait."""
        if not self._search:
            self._search = ["\t".join(self.cells(i)).casefold() for i in range(len(self._keys))]
        return self._search

    def filter(self, needle: str) -> None:
        """Show only rows holding `needle` in any cell (case-insensitive); nothing to do when
        they are shown already."""
        wanted = needle.strip().casefold()
        if wanted != self._needle:
            self._needle = wanted
            self._apply_filter(self.cursor_key)

    def _apply_filter(self, keep: str | None) -> None:
        needle = self._needle
        self._shown = (
            [i for i, text in enumerate(self.search_index()) if needle in text]
            if needle
            else list(range(len(self._keys)))
        )
        self._size_to_view()
        at = self._at.get(keep) if keep is not None else None
        shown_at = self._shown.index(at) if at is not None and at in self._shown_set() else 0
        self.cursor = shown_at
        self._keep_cursor_in_view()
        self.refresh()

    def _shown_set(self) -> set[int]:
        return set(self._shown)

    # ---- reading -----------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Rows shown (after the filter)."""
        return len(self._shown)

    @property
    def keys_shown(self) -> list[str]:
        return [self._keys[i] for i in self._shown]

    @property
    def cursor_key(self) -> str | None:
        if not self._shown:
            return None
        return self._keys[self._shown[min(self.cursor, len(self._shown) - 1)]]

    def get_row(self, key: str) -> list[str]:
        return list(self.cells(self._at[key]))

    def get_row_at(self, index: int) -> list[str]:
        return list(self.cells(self._shown[index]))

    def move_to(self, key: str) -> None:
        at = self._at.get(key)
        if at is not None and at in self._shown_set():
            self.cursor = self._shown.index(at)
            self._keep_cursor_in_view()

    # ---- moving ------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        if self._shown:
            self.cursor = max(0, min(len(self._shown) - 1, self.cursor + step))
            self._keep_cursor_in_view()

    def action_page(self, step: int) -> None:
        self.action_move(step * max(1, self.scrollable_content_region.height - 2))

    def action_edge(self, step: int) -> None:
        self.action_move(step * len(self._shown))

    def _keep_cursor_in_view(self) -> None:
        rows = max(1, self.scrollable_content_region.height - 1)  # the heading takes a line
        top = round(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False)

    def enter_at_first(self) -> bool:
        """From the filter: the cursor on the first row shown (False when none is)."""
        if not self._shown:
            return False
        self.cursor = 0
        self._keep_cursor_in_view()
        return True

    def hold(self, typed: Sequence[tuple[str, str | None]] = ()) -> None:
        """The rows are on their way: keep the keys read until `release`, after `typed` (keys
        handed on from the screen before, typed before any this table reads)."""
        self._rows_coming = True
        self._take(typed)

    def _take(self, typed: Sequence[tuple[str, str | None]]) -> None:
        """Keys handed on, typed before any this table reads itself: kept after those handed
        on before them."""
        held = self.held if self.held is not None else []
        held[self._handed : self._handed] = typed
        self.held, self._handed = held, self._handed + len(typed)

    def release(self) -> None:
        """The rows are here: act on the keys held, in order, and on any read before that is
        done (they are held too until then)."""
        self._rows_coming = False
        if self.held is not None:
            self.post_message(self._Release())

    def hand_on(self, typed: Sequence[tuple[str, str | None]]) -> None:
        """Keys another table read for the screen now shown (Back, then Down, Enter): acted on
        here in order, before any this table reads after them, at once or once its rows are
        here (`send_on`)."""
        self._take(typed)
        if not self._rows_coming:
            self.post_message(self._Release())

    @on(_Release)
    async def _released(self) -> None:
        keys, self.held, self._handed = self.held or [], None, 0
        for at, (key, character) in enumerate(keys):
            if self.app.focused is not self and self.typed_ahead is None:
                # an earlier key took the focus (Back, a dialog, the filter): the rest go there
                send_on(self.app, keys[at:])
                return
            event = events.Key(key, character)
            if not self.keep_typed_ahead(event):
                await self._act(event)

    def waits_turn(self) -> bool:
        """A priority key of this table's screen, as the app takes it on arrival, must wait its
        turn (its screen refuses it, True): keys typed before it are still to be read here, or
        held for the rows, or Enter is opening a screen. Refused, it reaches this table behind
        them and runs as the table reads it (`in_order_now`): Down, Down, `e` edits the third
        case, where `e` overtook the Downs and edited the first. (The footer asks too: it shows
        the key as not available only while keys are in flight.)"""
        if in_order_now():
            return False
        return self.choosing or self.keys_unread or bool(self.held)

    @property
    def choosing(self) -> bool:
        """Enter has been typed here and the screen it opens is not up yet: the keys typed
        since are for that screen. A screen refuses its priority bindings meanwhile, so they
        reach this table in order and are kept for the next screen (`typed_ahead`)."""
        return self._choosing > 0 or self.typed_ahead is not None

    def action_choose_in_order(self) -> None:
        """Enter, as the app reads it (before this table has read the keys typed before it):
        counted now (`choosing`), acted on when the table reads up to it."""
        self._choosing += 1
        self.post_message(self._Choose())

    @on(_Choose)
    def _chosen(self) -> None:
        self._choosing -= 1
        enter = events.Key("enter", "\r")
        if self.keep_typed_ahead(enter):
            return
        if self._passed_on(enter.key, enter.character):
            return
        if self.held is not None:
            self.held.append((enter.key, enter.character))
            return
        self.choose()

    def choose(self) -> None:
        """Enter: say which row is chosen, now; keep the keys typed after it."""
        if self.typed_ahead is None:
            self.typed_ahead = []
        self.post_message(self.Selected(self, self.cursor_key))

    def take_typed_ahead(self) -> list[tuple[str, str | None]]:
        """The keys kept since Enter (for the screen it opened); the table reads keys again."""
        keys, self.typed_ahead = self.typed_ahead or [], None
        return keys

    def keep_typed_ahead(self, event: events.Key) -> bool:
        """Keep `event` for the screen Enter is opening (True), if it is."""
        if self.typed_ahead is None:
            return False
        self.typed_ahead.append((event.key, event.character))
        event.stop()
        event.prevent_default()
        return True

    def _passed_on(self, key: str, character: str | None) -> bool:
        """A key read after an earlier one took the focus away (Back, `/`, a dialog): it goes
        where the focus is now (True), as `_released` sends on the keys after one that moves
        it. Acted on here, Esc, Down, Enter moved the cursor of a screen no longer shown and
        opened its row. The keys that move the focus wait their turn (`waits_turn`), so a key
        read here after one of them was typed after it."""
        focused = self.app.focused
        if focused is self or (focused is None and self.screen is self.app.screen):
            return False
        send_on(self.app, [(key, character)])
        return True

    async def _on_key(self, event: events.Key) -> None:
        """Moves and Enter in the order typed (see in_order): Down, Down, Enter opens the
        third row however fast it comes, and as the rows arrive (`hold`)."""
        self.read_key()
        if self.keep_typed_ahead(event):
            return
        if self._passed_on(event.key, event.character):
            event.stop()
            event.prevent_default()
            return
        if self.held is not None and (self.held or action_of(self, event.key) not in self.rowless):
            self.held.append((event.key, event.character))
            event.stop()
            event.prevent_default()
            return
        await self._act(event)

    async def _act(self, event: events.Key) -> None:
        """Enter chooses the row; any other key runs its binding (`act_in_order`), its priority
        bindings first: a key with one reaches this table only when the app did not run it on
        arrival (handed on from another screen, or refused to wait its turn)."""
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.choose()
            return
        await act_in_order(self, event, untried=True)

    def on_focus(self) -> None:
        """A row is always highlighted while the table has the focus."""
        if self._shown:
            self.cursor = max(0, min(self.cursor, len(self._shown) - 1))
            self._keep_cursor_in_view()

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            return
        index = round(self.scroll_offset.y) + event.y - 1
        if 0 <= index < len(self._shown):
            if index == self.cursor:
                self.post_message(self.Selected(self, self._keys[self._shown[index]]))
            self.cursor = index

    def on_resize(self) -> None:
        self._size_to_view()
        self._keep_cursor_in_view()

    def _in_view(self) -> list[int]:
        room = self.scrollable_content_region.width
        keys = [c.key for c in self.columns]
        if not room:
            return list(range(len(keys)))
        return columns_in_view(keys, self._widths, room, self.kept, self.give_way_late)

    def _size_to_view(self) -> None:
        width = sum(self._widths[i] + 2 for i in self._in_view())
        self.virtual_size = Size(width, len(self._shown) + 1)

    # ---- drawing -----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x = round(self.scroll_offset.x)
        if y == 0:
            cells = tuple(c.label for c in self.columns)
            style = self.get_component_rich_style("case-table--header")
        else:
            index = round(self.scroll_offset.y) + y - 1
            if index >= len(self._shown):
                return Strip.blank(width, self.rich_style)
            cells = self.cells(self._shown[index])
            if index == self.cursor:
                style = self.get_component_rich_style("case-table--cursor")
            elif index % 2:
                style = self.rich_style + self.get_component_rich_style("case-table--stripe")
            else:
                style = self.rich_style
        widths = self._widths
        text = "".join(f" {cells[i]:<{widths[i]}} " for i in self._in_view() if i < len(cells))
        line = text[scroll_x : scroll_x + width].ljust(width)
        return Strip([Segment(line, style if isinstance(style, Style) else Style())], width)


def _shown(cells: Sequence[str]) -> tuple[str, ...]:
    """Cells as shown: control characters (in data older than the rule refusing them, or
    written by another tool) escaped and each cell cut at LINE_LIMIT (`one_line`); one check a
    row, since almost every row has none."""
    row = tuple(cells)
    joined = " ".join(row)  # a separator escape() leaves alone
    if escape(joined) == joined and len(joined) <= LINE_LIMIT:
        return row
    return tuple(one_line(c) for c in row)
