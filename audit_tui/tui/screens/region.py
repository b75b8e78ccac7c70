"""The regional view in the app: which PDUs of a region differ, in words first, then each PDU's
latest audit and each key question's funnel (the regional percentage, whether the PDUs spread
more than sampling explains, and who lies outside the 95% and 99.8% limits). The same record as
`audit-tui region` (reporting/region.py); `g` on the audit list opens it for the highlighted
audit's region, `G` for every region (the national view), and `n` on it turns between the two."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer

from audit_tui.domain.safe_text import one_line
from audit_tui.domain.words import whole_percent
from audit_tui.tui.text import Plain, score_text
from audit_tui.tui.widgets.header import SafeHeader
from audit_tui.tui.widgets.tables import fill_table
from audit_tui.tui.workers import ReportsFailures, audit_app

if TYPE_CHECKING:
    from audit_tui.reporting.region import RegionRecord

PDU_COLUMNS = (("PDU", "pdu"), ("Audits", "audits"), ("Score", "score"), ("Rating", "rating"),
               ("Outside a limit", "outside"))  # fmt: skip
KQ_COLUMNS = (("Key question", "kq"), ("Region", "region"), ("Spread", "spread"),
              ("Outside the limits", "outside"))  # fmt: skip


@dataclass
class RegionRead(Message, bubble=False):
    record: RegionRecord


@dataclass
class RegionEmpty(Message, bubble=False):
    why: str


class RegionScreen(ReportsFailures, Screen[None]):
    """One region's PDUs side by side, or every region's (`region` None: the national view);
    `n` turns between a region and the national view, Esc goes back."""

    HELP_TITLE = "Regional view"
    AUTO_FOCUS = "#region-kqs"
    BINDINGS = [
        Binding("n", "turn", "Region ⇄ all", id="national_view",
                tooltip="Between this region and every region's PDUs (the national view)"),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the audit list"),
    ]  # fmt: skip

    def __init__(self, region: str | None) -> None:
        super().__init__()
        self.region_name = region
        self.national = region is None
        self.record: RegionRecord | None = None

    def _title(self) -> str:
        shown = "All regions" if self.national else one_line(self.region_name or "")
        return f"{shown}: which PDUs differ"

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Plain(self._title(), id="region-title", classes="screen-title")
        with Vertical(id="region-body"):
            with VerticalScroll(id="region-findings-box"):
                yield Plain("Reading the region's audits…", id="region-findings")
            yield DataTable(id="region-kqs", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="region-pdus", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="region", exit_on_error=False)
    def load(self) -> None:
        """A region with nothing to compare (every audit blind to you, or none in it) is said
        on the screen; any other failure goes to the app's one error path."""
        from audit_tui.domain.errors import AuditError
        from audit_tui.reporting.region import gather_region

        try:
            shown = None if self.national else self.region_name
            record = gather_region(audit_app(self).store.repo, shown)
        except AuditError as exc:
            self.post_message(RegionEmpty("; ".join(p.message for p in exc.problems)))
            return
        self.post_message(RegionRead(record))

    @on(RegionEmpty)
    def _empty(self, message: RegionEmpty) -> None:
        self.query_one("#region-findings", Plain).update(f"Nothing to compare: {message.why}.")

    @on(RegionRead)
    def _read(self, message: RegionRead) -> None:
        self.record = message.record
        self._show(message.record)

    def _show(self, record: RegionRecord) -> None:
        from audit_tui.reporting.region import NO_FINDINGS, findings
        from audit_tui.scoring.funnel import level_words

        said = findings(record)
        head = (
            f"{len(record.pdus)} PDUs, each by its latest audit, against"
            f" {one_line(record.rubric.title)}."
        )
        body = "\n".join(f"• {line}." for line in said) if said else NO_FINDINGS
        self.query_one("#region-findings", Plain).update(f"{head}\n{body}")
        outside: dict[str, list[str]] = {}
        kq_rows = []
        for kq_id, found in record.funnels.items():
            names = []
            for flag in found.flags:
                words = f"{flag.unit.name} ({flag.side} {level_words(flag.level)})"
                names.append(words)
                outside.setdefault(flag.unit.name, []).append(
                    f"{kq_id} {flag.side} {level_words(flag.level)}"
                )
            spread = "wider than sampling" if found.spread.over_dispersed else "as sampling"
            region = whole_percent(found.target * 100) if found.units else "–"
            kq_rows.append((kq_id, [kq_id, region, spread, "; ".join(names) or "none"]))
        fill_table(self.query_one("#region-kqs", DataTable), KQ_COLUMNS, kq_rows)
        pdu_rows = []
        for pdu in record.pdus:
            result = pdu.result
            pdu_rows.append(
                (
                    pdu.pdu,
                    [
                        pdu.pdu,
                        str(len(record.trends.get(pdu.pdu, ()))),
                        score_text(result) if result.scored else pdu.standing[0],
                        pdu.standing[1],
                        "; ".join(outside.get(pdu.pdu, [])) or "none",
                    ],
                )
            )
        fill_table(self.query_one("#region-pdus", DataTable), PDU_COLUMNS, pdu_rows)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "turn":  # a national view opened from no region has none to turn back to
            return self.region_name is not None
        return True

    def action_turn(self) -> None:
        self.national = not self.national
        self.record = None
        self.query_one("#region-title", Plain).update(self._title())
        self.query_one("#region-findings", Plain).update("Reading the audits…")
        for table in self.query(DataTable):  # nothing of the other view stays on show
            table.clear()
        self.refresh_bindings()
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
