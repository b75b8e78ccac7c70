"""The report in the TUI: the sample, ratings, every key question with its interval and a bar
against the bands, the highlighted key question's prompts and its standard's strengths and areas
for improvement, indicators, and breakdowns by case attribute; `x` exports it to any format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Select, Static, TabbedContent, TabPane

from audit_tui.domain.safe_text import one_line
from audit_tui.domain.words import capitalised, plural, value_label
from audit_tui.tui.text import Plain, band_bar, literal, percent_text, rating_text, score_text
from audit_tui.tui.widgets.header import SafeHeader
from audit_tui.tui.widgets.moderation_pane import ModerationPane
from audit_tui.tui.widgets.tables import fill_table
from audit_tui.tui.workers import ReportsFailures, audit_app

if TYPE_CHECKING:
    from audit_tui.domain.access import Access
    from audit_tui.domain.records import OpenAudit
    from audit_tui.reporting.model import ReportData
    from audit_tui.scoring.results import ItemResult, KeyQuestionResult, StandardResult

# words before pictures; long words wrap to the width (widgets.tables)
KQ_COLUMNS = [
    ("Key question", "kq"),
    ("Yes", "pct"),
    ("Yes of cases", "of"),
    ("95% interval", "ci"),
    ("Could be", "note"),
    ("Against the bands", "bar"),
]
ITEM_COLUMNS = [
    ("Yes", "pct"),
    ("Yes of cases", "of"),
    ("Against the bands", "bar"),
    ("Question", "item"),
]
BAR_LEGEND = "Bars: █ yes, ░ no, ┊ where a rating band begins"
PLAIN_BAR_LEGEND = "Bars: █ yes, ░ no"
"""For a framework without bands: no edge to mark."""


def columns_for(columns: list[tuple[str, str]], banded: bool) -> list[tuple[str, str]]:
    """A table's columns as they are, or for a framework without bands: no "could be" column
    and a bar that is only a bar (there is no band edge to show)."""
    if banded:
        return columns
    return [("Yes, as a bar" if key == "bar" else name, key)
            for name, key in columns if key != "note"]  # fmt: skip


PANES = {
    "ratings": "report-ratings",
    "key-questions": "report-kqs",
    "findings": "report-indicators",
    "breakdowns": "report-breakdown",
    "moderation": "moderation-kqs",
}


@dataclass
class ReportRead(Message, bubble=False):
    """The report as exported (with notes), and the user's standing in the audit."""

    data: ReportData
    access: Access | None


@dataclass
class SummarySaved(Message, bubble=False):
    """The lead's summary is on disk (`text` empty: cleared)."""

    text: str


class ReportScreen(ReportsFailures, Screen[None]):
    HELP_TITLE = "Report"
    BINDINGS = [
        Binding("1", "pane('ratings')", "Ratings", id="report_ratings", show=False,
                tooltip="Ratings and the sample"),
        Binding("2", "pane('key-questions')", "Key questions", id="report_key_questions", show=False,
                tooltip="Every key question, with the highlighted one's prompts and evidence"),
        Binding("3", "pane('findings')", "Findings", id="report_findings", show=False,
                tooltip="Other case-level findings (not rated)"),
        Binding("4", "pane('breakdowns')", "Breakdowns", id="report_breakdowns", show=False,
                tooltip="Key questions by case attribute"),
        Binding("5", "pane('moderation')", "Moderation", id="report_moderation", show=False,
                tooltip="How alike the markers marked, and the ratings from each set of marks"),
        Binding("x", "export", "Export", id="export_report", tooltip="Write the report to a file"),
        Binding("s", "edit_summary", "Summary", id="report_edit_summary",
                tooltip="Write your own summary, shown above the generated one (the lead)"),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the dashboard"),
    ]  # fmt: skip

    def __init__(self, audit: OpenAudit) -> None:
        super().__init__()
        self.audit = audit
        self.data: ReportData | None = None
        self.access: Access | None = None
        """What the reader may do: only the lead writes the summary."""

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Plain(f"Report · {one_line(self.audit.info.name)}", classes="screen-title")
        yield Plain("", id="report-draft", classes="draft")
        yield Plain("Loading…", id="report-summary", classes="score-line")
        rubric = self.audit.rubric
        legend = BAR_LEGEND if rubric.scoring.bands else PLAIN_BAR_LEGEND
        with TabbedContent(id="report"):
            first = "1 Ratings" if rubric.has_ratings else "1 Standards"
            with TabPane(first, id="ratings"), VerticalScroll():
                yield Plain("", id="report-lead-summary", classes="lead-summary")
                yield Plain("", id="report-findings", classes="findings")
                yield DataTable(id="report-ratings", cursor_type="row")
                yield Plain("", id="report-sample")
            with TabPane("2 Key questions", id="key-questions"), VerticalScroll():
                by_cases = rubric.rates_by_cases
                lowest = (
                    "The lowest of each standard is marked ▶. "
                    if rubric.has_ratings and not by_cases
                    else ""
                )
                yield Static(
                    f"{lowest}The prompts and evidence below follow the highlighted key"
                    f" question. {legend}.",
                    classes="hint",
                )
                yield DataTable(id="report-kqs", cursor_type="row")
                yield Plain("Prompts", id="prompts-title", classes="section-title")
                yield DataTable(id="report-prompts", cursor_type="row", show_cursor=False)
                yield Plain("", id="report-evidence")
            with TabPane("3 Other findings", id="findings"), VerticalScroll():
                yield Plain(
                    f"Case-level findings that are not rated. {legend}."
                    if rubric.indicators
                    else "This framework has no other case-level findings.",
                    classes="hint",
                )
                yield DataTable(id="report-indicators", cursor_type="row")
            with TabPane("4 Breakdowns", id="breakdowns"), VerticalScroll():
                yield Select([], id="breakdown-by", prompt="by case attribute…")
                yield Plain("", id="breakdown-note", classes="hint")
                yield DataTable(id="report-breakdown", cursor_type="row")
            with TabPane("5 Moderation", id="moderation"), VerticalScroll():
                yield ModerationPane(id="report-moderation")
        yield Footer(compact=True)

    def action_pane(self, pane: str) -> None:
        self.query_one(TabbedContent).active = pane
        self.set_focus(self.query_one(f"#{PANES[pane]}", DataTable))

    def on_mount(self) -> None:
        self.query_one("#report-draft").display = False
        self.load()

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def load(self) -> None:
        from audit_tui.reporting.gather import Reads, gather
        from audit_tui.store.team import standing

        # the auditors' own notes are shown here as evidence; exports carry them only when asked
        repo = audit_app(self).store.repo
        data = gather(repo, self.audit, Reads.REPORT, include_notes=True).report  # one snapshot
        self.post_message(ReportRead(data, standing(repo, self.audit)))

    @on(ReportRead)
    def _show(self, message: ReportRead) -> None:
        data, access = message.data, message.access
        self.data = data
        self.access = access
        result = data.result
        self._show_summary(data)
        edges = data.rubric.scoring.edges
        provisional = "" if result.complete else " · provisional: audit in progress"
        self.query_one("#report-summary", Static).update(
            f"{plural(len(data.cases), 'case')} · {standing_text(data)}{provisional}"
        )
        columns, standing_rows = standards_table(data)
        fill_table(self.query_one("#report-ratings", DataTable), columns, standing_rows)
        rows = []
        for st in result.standards:
            for kq in st.key_questions:
                mark = "▶ " if st.lowest is kq else "  "
                ci = f"{kq.ci95[0]:.0f}–{kq.ci95[1]:.0f}%" if kq.ci95 else "–"
                note = (
                    could_be(data, kq)
                    if st.rated_by_key_questions
                    else ("rated by cases" if st.by_cases else "not rated")
                )
                cells = (
                    f"{mark}{kq.id} {kq.label or kq.text}",
                    percent_text(kq.percent),
                    f"{kq.yes}/{kq.relevant}",
                    ci,
                    *((note,) if edges else ()),
                    band_bar(kq.percent, edges),
                )
                rows.append((kq.id, cells))
        fill_table(
            self.query_one("#report-kqs", DataTable), columns_for(KQ_COLUMNS, bool(edges)), rows
        )
        self.query_one("#report-sample", Static).update(sample_text(data))
        fill_table(
            self.query_one("#report-indicators", DataTable),
            columns_for(ITEM_COLUMNS, bool(edges)),
            [
                (i.id, item_cells(i, _finding_name(data, i.id, i.text), edges))
                for i in result.indicators
            ],
        )
        if rows:
            self._show_key_question(rows[0][0])
        select = self.query_one("#breakdown-by", Select)
        select.set_options([(literal(bd.label), bd.attribute) for bd in data.breakdowns])
        if data.breakdowns:
            select.value = data.breakdowns[0].attribute
        self.query_one(ModerationPane).show(
            data.moderation, self.audit.info.name, data.rubric.scale
        )

    @on(DataTable.RowHighlighted, "#report-kqs")
    def _kq_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self._show_key_question(event.row_key.value)

    def _show_key_question(self, kq_id: str) -> None:
        """Its prompts, and the strengths and areas for improvement of its standard."""
        if self.data is None:
            return
        data = self.data
        st = next(s for s in data.result.standards if any(k.id == kq_id for k in s.key_questions))
        kq = next(k for k in st.key_questions if k.id == kq_id)
        edges = data.rubric.scoring.edges
        self.query_one("#prompts-title", Static).update(
            f"Prompts of {kq.id} {one_line(kq.label or kq.text)}"
        )
        fill_table(
            self.query_one("#report-prompts", DataTable),
            columns_for(ITEM_COLUMNS, bool(edges)),
            [(p.id, item_cells(p, f"{p.id} {p.text}", edges)) for p in kq.prompts],
        )
        strengths, improvements = data.evidence(st)
        self.query_one("#report-evidence", Static).update(
            "\n".join(
                [
                    f"{st.id} {one_line(st.title)}: strengths",
                    *(f"  • {s}" for s in strengths or ["none recorded"]),
                    f"{st.id} {one_line(st.title)}: areas for improvement",
                    *(f"  • {s}" for s in improvements or ["none recorded"]),
                ]
            )
        )

    @on(Select.Changed, "#breakdown-by")
    def _breakdown(self, event: Select.Changed) -> None:
        if self.data is None or event.value is Select.NULL:
            return
        bd = next(b for b in self.data.breakdowns if b.attribute == event.value)
        min_group = self.data.min_group
        table = self.query_one("#report-breakdown", DataTable)
        note = self.query_one("#breakdown-note", Static)
        kqs = [k for s in self.data.result.standards for k in s.key_questions]
        if bd.all_suppressed:
            away = ", or figures that would give such a group's away" if bd.gives_away else ""
            note.update(
                f"Nothing to show by {one_line(bd.label.lower())}: every group has fewer than "
                f"{plural(min_group, 'case')} answered{away}, and figures from so few cases say"
                " little and may point at a person."
            )
            table.display = False
            return
        note.update(
            (f"{one_line(bd.caution)} " if bd.caution else "")
            + f"'too few': fewer than {plural(min_group, 'case')} answered in the group, so the "
            "figure is not shown (it says little and may point at a person)."
            + (
                " 'withheld': shown, it would give a 'too few' figure away (the key question's"
                " total less the others)."
                if bd.gives_away
                else ""
            )
        )
        table.display = True
        columns = [
            ("Key question", "kq"),
            *((f"{value_label(g.value)}: {plural(g.cases, 'case')}", g.value) for g in bd.groups),
        ]
        rows = [
            (
                kq.id,
                (
                    f"{kq.id} {kq.label or kq.text}",
                    *(
                        ("too few" if g.too_few(kq.id) else "withheld")
                        if g.hides(kq.id)
                        else f"{percent_text(g.items[kq.id].percent)} ({g.items[kq.id].yes}/{g.items[kq.id].relevant})"
                        for g in bd.groups
                    ),
                ),
            )
            for kq in kqs
        ]
        fill_table(table, columns, rows)

    def jump_to_standard(self, standard_id: str) -> None:
        """The key-question pane, on the standard's first key question."""
        self.action_pane("key-questions")
        table = self.query_one("#report-kqs", DataTable)
        keys = [str(k.value) for k in table.rows]
        items = self.audit.rubric.items
        first = next(
            (i for i, k in enumerate(keys) if k in items and items[k].standard_id == standard_id),
            None,
        )
        if first is not None:
            table.move_cursor(row=first)

    def _show_summary(self, data: ReportData) -> None:
        """The draft line, the lead's words, then the findings generated from the figures."""
        draft = self.query_one("#report-draft", Static)
        draft.display = bool(data.draft)
        draft.update(f"{data.draft}: the figures will change" if data.draft else "")
        said = data.lead_summary
        lead = self.query_one("#report-lead-summary", Static)
        lead.display = said is not None
        if said is not None:
            from audit_tui.reporting.opening import paragraphs, written

            lead.update("\n\n".join(["The lead's summary", *paragraphs(said.text), written(said)]))
        self.query_one("#report-findings", Static).update(
            "\n\n".join(["From the figures (s: the lead writes their own summary)", *data.findings])
        )

    def action_edit_summary(self) -> None:
        """The lead writes their own summary; anyone else is told why not, at once."""
        from audit_tui.tui.screens.summary_dialog import SummaryDialog

        if self.data is None:
            self.notify("Still reading the report…", markup=False)
            return
        if self.access is not None and not self.access.acts_as_lead:
            role = self.access.role or "not a member"
            self.notify(
                f"Only the lead writes the audit's summary ({self.access.user} is {role})",
                severity="warning",
                markup=False,
            )
            return
        said = self.data.lead_summary
        self.app.push_screen(
            SummaryDialog(one_line(self.audit.info.name), said.text if said else ""),
            self._save_summary,
        )

    def _save_summary(self, text: str | None) -> None:
        from audit_tui.store.lead_summary import save_lead_summary

        if text is None:
            return
        audit = self.audit
        audit_app(self).store.write(
            self,
            lambda repo: save_lead_summary(repo, audit, text),
            lambda _summary: SummarySaved(text),
            title="Summary NOT saved",
        )

    @on(SummarySaved)
    def _summary_saved(self, message: SummarySaved) -> None:
        self.notify("Summary saved" if message.text else "Summary cleared", markup=False)
        self.load()

    def action_export(self) -> None:
        from audit_tui.reporting.formats import FORMATS
        from audit_tui.tui.screens.export_dialog import ExportDialog

        self.app.push_screen(ExportDialog(self.audit, FORMATS))

    def action_back(self) -> None:
        self.app.pop_screen()


def standing_text(data: ReportData) -> str:
    """The report's top line after its cases: score and overall rating, or, for a framework
    without them, the share of assignments meeting the standard (or that it gives neither)."""
    result = data.result
    if result.scored:
        return (
            f"score {score_text(result)} · overall {rating_text(result.overall, data.rubric.scale)}"
        )
    a = result.assignments
    if a is not None:
        figure = f"{percent_text(a.percent)} ({a.yes} of {a.relevant})" if a.relevant else "–"
        return f"assignments meeting the standard: {figure}"
    if data.rubric.has_ratings:
        return "standards rated, no score"
    return "percentages only: this framework gives no ratings"


Row = tuple[str, tuple[str, ...]]
"""A table row: its key, then its cells."""


def standards_table(data: ReportData) -> tuple[list[tuple[str, str]], list[Row]]:
    """Tab 1's table: each standard's rating and lowest key question, or where the framework
    rates nothing, the cases meeting each standard (and all assignments) with intervals."""
    result, scale = data.result, data.rubric.scale

    def lowest(low: KeyQuestionResult | None) -> str:
        return f"{low.id} {percent_text(low.percent)}" if low else "–"

    def rests_on(st: StandardResult) -> str:
        m = st.meeting
        if st.by_cases:
            return f"{percent_text(m.percent)} ({m.yes} of {m.relevant})" if m else "–"
        return lowest(st.lowest)

    if data.rubric.has_ratings:
        by_cases = data.rubric.rates_by_cases
        figure = "Cases meeting every key question" if by_cases else "Lowest key question"
        columns = [("Standard", "id"), ("Rating", "rating"), (figure, "lowest")]
        return columns, [
            (
                st.id,
                (
                    f"{st.id} {st.title}",
                    rating_text(st.rating, scale) if st.rated else "not rated",
                    rests_on(st),
                ),
            )
            for st in result.standards
        ]
    if result.assignments is None:  # percentages only: each standard's lowest key question
        lows: list[Row] = [
            (st.id, (f"{st.id} {st.title}", lowest(st.lowest_so_far))) for st in result.standards
        ]
        return [("Standard", "id"), ("Lowest key question", "lowest")], lows
    scoring = data.rubric.scoring
    shares = [(st.id, f"{st.id} {st.title}", st.meeting) for st in result.standards if st.meeting]
    shares.append(
        ("assignments", f"All {scoring.standard_nouns} (assignments)", result.assignments)
    )
    columns = [
        (capitalised(scoring.standard_noun), "id"),
        ("Cases meeting it", "pct"),
        ("Of", "of"),
        ("95% interval", "ci"),
    ]
    return columns, [
        (
            key,
            (
                name,
                percent_text(share.percent),
                f"{share.yes}/{share.relevant}",
                f"{share.ci95[0]:.0f}–{share.ci95[1]:.0f}%" if share.ci95 else "–",
            ),
        )
        for key, name, share in shares
    ]


def item_cells(item: ItemResult, label: str, edges: tuple[float, ...]) -> tuple[str, ...]:
    return (
        percent_text(item.percent),
        f"{item.yes}/{item.relevant}",
        band_bar(item.percent, edges),
        label,
    )


def sample_text(data: ReportData) -> str:
    """The sample as the inspection describes it: cases, then each attribute's counts."""
    lines = [f"The sample: {plural(len(data.cases), 'case')}"]
    lines += [f"  {one_line(label)}: {plural(n, 'case')}" for label, n in data.question_sets()]
    for label, values in data.sample():
        if values:
            shown = ", ".join(f"{one_line(value_label(v))} {n}" for v, n in values)
            lines.append(f"  {one_line(label)}: {shown}")
    return "\n".join(lines)


def could_be(data: ReportData, item: ItemResult) -> str:
    """Where the 95% interval reaches another band, in words: `higher: (its rating)`, or `–`."""
    mark = data.uncertainty(item)
    parts = [
        f"higher: {mark.higher}" if mark.higher else "",
        f"lower: {mark.lower}" if mark.lower else "",
    ]
    return "; ".join(p for p in parts if p) or "–"


def _finding_name(data: ReportData, item_id: str, text: str) -> str:
    """A finding (indicator) by its name and question, not its internal id."""
    ref = data.rubric.items.get(item_id)
    label = getattr(ref.item, "label", "") if ref else ""
    return f"{label}: {text}" if label else text
