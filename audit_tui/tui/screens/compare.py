"""Compare the open audit with others: tick one (a re-audit against it) or more (a trend), and
see each key question's percentages, the change with its 95% interval and whether it is a real
change (in words), then each standard's rating in each audit. The same figures as `compare`.

Only audits whose key questions can be matched are offered: the same rubric, or one that maps
from or to it. The audits are set oldest first, whichever is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, SelectionList, Static
from textual.worker import Worker, WorkerState

from audit_tui.domain.safe_text import one_line
from audit_tui.tui.text import Plain, literal, rating_text
from audit_tui.tui.widgets.header import SafeHeader
from audit_tui.tui.widgets.tables import fill_measured
from audit_tui.tui.workers import ReportsFailures, audit_app

if TYPE_CHECKING:
    from audit_tui.domain.records import AuditInfo, OpenAudit
    from audit_tui.domain.rubric import Scale
    from audit_tui.scoring.compare import Comparison, Difference, KeyQuestionChange, Side

BARS = "▁▂▃▄▅▆▇█"


def verdict(d: Difference) -> str:
    """The "changed" mark in words: `▲ changed: up`, `▼ changed: down`, or why not."""
    if d.points is None:
        return "not comparable"
    if not d.changed:
        return "no clear change"
    return "▲ changed: up" if d.points > 0 else "▼ changed: down"


def side_text(side: Side) -> str:
    pct = side.percent
    return "–" if pct is None else f"{pct:.0f}% ({side.yes}/{side.relevant})"


def change_text(d: Difference) -> str:
    """`+29 (+3 to +50)`: points, then the 95% interval."""
    if d.points is None or d.ci95 is None:
        return "–"
    return f"{d.points:+.0f} ({d.ci95[0]:+.0f} to {d.ci95[1]:+.0f})"


def bars(percents: list[float | None]) -> str:
    """A text sparkline on the 0-100 scale (the same scale for every row): `▃▆▆`; `·` where an
    audit has no figure."""
    return "".join(
        "·" if p is None else BARS[min(len(BARS) - 1, int(p / 100 * len(BARS)))] for p in percents
    )


def tick(info: AuditInfo, ticked: bool) -> str:
    """An audit to choose, saying whether it is ticked (`✓ ticked`) in words, not colour."""
    mark = "✓ ticked · " if ticked else ""
    name, pdu = one_line(info.name), one_line(info.pdu) or "no PDU"
    return f"{mark}{name} · {pdu} · {info.created_at:%Y-%m-%d} · {one_line(info.rubric_id)}"


def moved(before: str | None, after: str | None, scale: Scale) -> str:
    """`up`, `down` or `same` by the ratings' places on the rubric's scale; empty without both."""
    was, now = scale.rank(before), scale.rank(after)
    if was is None or now is None:
        return ""
    return "up" if now > was else ("down" if now < was else "same")


@dataclass
class CandidatesRead(Message, bubble=False):
    """The audits the open one can be compared with."""

    found: list[AuditInfo]


@dataclass
class Compared(Message, bubble=False):
    """The comparison of the ticked audits (`names`), or why it may not be made (`refusal`)."""

    comparison: Comparison | None
    names: list[str]
    refusal: str = ""


class CompareScreen(ReportsFailures, Screen[None]):
    HELP_TITLE = "Compare audits"
    AUTO_FOCUS = "#compare-with"
    BINDINGS = [
        Binding("escape", "back", "Back", id="back", tooltip="Back to the dashboard"),
    ]

    def __init__(self, audit: OpenAudit, candidates: list[AuditInfo] | None = None) -> None:
        super().__init__()
        self.audit = audit
        self.candidates = candidates
        self.comparison: Comparison | None = None

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Plain(
            f"Compare {one_line(self.audit.info.name)} with… (space ticks an audit; two or more:"
            " a trend)",
            classes="screen-title",
        )
        yield SelectionList[str](*self._options(), id="compare-with")
        kqs: DataTable[Text] = DataTable(id="compare-kqs", cursor_type="row", zebra_stripes=True)
        yield kqs
        yield Plain("", id="compare-words", classes="status")
        ratings: DataTable[Text] = DataTable(id="compare-ratings", cursor_type="row")
        yield ratings
        yield Plain("", id="compare-status", classes="status")
        yield Footer(compact=True)

    def _options(self) -> list[tuple[Content, str]]:
        return [(literal(tick(i, False)), i.name) for i in self.candidates or ()]

    def _mark_ticked(self, chosen: set[str]) -> None:
        """The box's look says ticked only by colour: each line says it in a word too."""
        chooser = self.query_one("#compare-with", SelectionList)
        for index, info in enumerate(self.candidates or ()):
            chooser.replace_option_prompt_at_index(index, literal(tick(info, info.name in chosen)))

    def on_mount(self) -> None:
        if self.candidates is None:
            self._read_candidates()
        else:
            self._say_choices()

    @work(thread=True, exclusive=True, group="compare-candidates", exit_on_error=False)
    def _read_candidates(self) -> None:
        from audit_tui.store.comparison import comparable_with

        found = comparable_with(audit_app(self).store.repo, self.audit)
        self.post_message(CandidatesRead(found))

    @on(CandidatesRead)
    def _candidates_read(self, message: CandidatesRead) -> None:
        found = message.found
        self.candidates = found
        chooser = self.query_one("#compare-with", SelectionList)
        chooser.add_options(self._options())
        self._say_choices()

    @on(Worker.StateChanged)
    def _count_failed(self, event: Worker.StateChanged) -> None:
        """A failed count is said by the app (the one error path, `ReportsFailures`), and here
        where it was asked for, in place of "Counting…"."""
        error = event.worker.error
        if event.state is WorkerState.ERROR and event.worker.group == "compare" and error:
            from audit_tui.tui.store_link import describe_error

            self._status(describe_error(error))

    def _say_choices(self) -> None:
        if not self.candidates:
            self._status(
                "No other audit uses this rubric or one mapped to it: nothing to compare with."
            )
        elif self.comparison is None:
            self._status("Tick an audit to compare with (space). Esc goes back.")

    def _status(self, text: str) -> None:
        self.query_one("#compare-status", Static).update(text)

    @on(SelectionList.SelectedChanged, "#compare-with")
    def _chosen(self) -> None:
        names = list(self.query_one("#compare-with", SelectionList).selected)
        self._mark_ticked(set(names))
        if not names:
            self.comparison = None
            self.query_one("#compare-kqs", DataTable).clear(columns=True)
            self.query_one("#compare-ratings", DataTable).clear(columns=True)
            self.query_one("#compare-words", Static).update("")
            self._say_choices()
            return
        self._status("Counting…")
        self._compare(names)

    @work(thread=True, exclusive=True, group="compare", exit_on_error=False)
    def _compare(self, names: list[str]) -> None:
        from audit_tui.domain.errors import AuditError
        from audit_tui.store import audits as audit_ops
        from audit_tui.store.comparison import compare_audits
        from audit_tui.store.moderation import refuse_if_blind

        repo = audit_app(self).store.repo
        audits = [audit_ops.open_audit(repo, n) for n in names] + [self.audit]
        audits.sort(key=lambda a: (a.info.created_at, a.info.name))
        try:
            for audit in audits:
                refuse_if_blind(repo, audit, "compare")
        except AuditError as exc:
            self.post_message(Compared(None, names, exc.problems[0].message))
            return
        self.post_message(Compared(compare_audits(repo, audits), names))

    @on(Compared)
    def _show(self, message: Compared) -> None:
        c, names = message.comparison, message.names
        if c is None:
            self._status(message.refusal)
            return
        ticked = self.query_one("#compare-with", SelectionList).selected
        if names is not None and sorted(names) != sorted(ticked):
            return  # a slower count for ticks since changed: the later one shows
        self.comparison = c
        trend, scale = c.trend, self.audit.rubric.scale
        lines = {t.id: t for t in trend.key_questions} if trend is not None else {}
        head = ["Key question", "A", "B", "Changed?", "Change, points (95%)"]
        rows: list[tuple[str, list[str]]] = []
        for k in c.key_questions:
            d = k.difference
            label = f"{k.id} (was {k.a_id})" if k.a_id != k.id else k.id
            cells = [label, side_text(d.a), side_text(d.b), verdict(d), change_text(d)]
            if k.id in lines:
                cells.append(bars([p.percent for p in lines[k.id].points]))
            rows.append((k.id, cells))
        fill_measured(
            self.query_one("#compare-kqs", DataTable), head + ["Trend"] * bool(lines), rows
        )
        if trend is not None:
            head = ["Standard", *(str(i + 1) for i in range(len(trend.audits))), "Moved"]
            rows = []
            for s in trend.standards:
                shown = [
                    rating_text(r, scale) if ok else "not comparable"
                    for r, ok in zip(s.ratings, s.comparable, strict=True)
                ]
                rows.append((s.id, [s.id, *shown, moved(s.ratings[0], s.ratings[-1], scale)]))
        else:
            head = ["Standard", "A", "B", "Moved"]
            rows = [
                (
                    st.id,
                    [
                        st.id,
                        rating_text(st.a, scale),
                        rating_text(st.b, scale),
                        moved(st.a, st.b, scale),
                    ],
                )
                for st in c.standards
            ]
        fill_measured(self.query_one("#compare-ratings", DataTable), head, rows)
        self._say_words()
        gaps = "; ".join(f"{one_line(n.audit)} {n.id}" for n in c.not_comparable)
        mapped = " Matched through a rubric mapping." if c.mapped else ""
        legend = (
            " Ratings: "
            + ", ".join(f"{i + 1} {one_line(a)}" for i, a in enumerate(trend.audits))
            + "."
            if trend is not None
            else ""
        )
        self._status(
            f"A = {one_line(c.a)}, B = {one_line(c.b)} (oldest first).{legend}"
            + mapped
            + (f" Not comparable (no counterpart): {gaps}." if gaps else "")
            + " Changed only where the 95% interval leaves out zero."
        )

    @on(DataTable.RowHighlighted, "#compare-kqs")
    def _highlighted(self) -> None:
        self._say_words()

    def highlighted(self) -> KeyQuestionChange | None:
        c = self.comparison
        table = self.query_one("#compare-kqs", DataTable)
        if c is None or not c.key_questions or table.row_count == 0:
            return None
        return c.key_questions[min(table.cursor_row, len(c.key_questions) - 1)]

    def _say_words(self) -> None:
        """The highlighted key question's change as a sentence (the report's words)."""
        from audit_tui.scoring.compare import in_words

        k = self.highlighted()
        self.query_one("#compare-words", Static).update(
            "" if k is None else f"{k.id}: {in_words(k.difference)}"
        )

    def action_back(self) -> None:
        self.app.pop_screen()
