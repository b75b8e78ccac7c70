"""Moderation in the app: the lead starts a round (a second marker, the cases by hand or a
seeded sample), and the reconciliation screen lists every disagreement with both answers and
notes, where the lead or the pair record the agreed answer and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Checkbox, DataTable, Footer, Input, Label, Static

from audit_tui.domain.errors import AuditError
from audit_tui.domain.safe_text import TEXT_LIMIT, one_line
from audit_tui.domain.words import plural
from audit_tui.tui.screens.form import FieldError
from audit_tui.tui.screens.operations import ReasonDialog, _StoreDialog
from audit_tui.tui.text import Plain, prose, word_cut
from audit_tui.tui.widgets.header import SafeHeader
from audit_tui.tui.widgets.tables import fill_table
from audit_tui.tui.workers import ReportsFailures, audit_app

if TYPE_CHECKING:
    from audit_tui.domain.answers import Answer
    from audit_tui.domain.records import CaseInfo, OpenAudit
    from audit_tui.scoring.agreement import Agreement
    from audit_tui.scoring.moderation import Disagreement, Moderation
    from audit_tui.store.repository import Repository

WORDS = {"yes": "Yes", "no": "No", "na": "N/A", None: "–"}


def figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def interval(ci: tuple[float, float] | None) -> str:
    return "" if ci is None else f" [{ci[0]:.2f}, {ci[1]:.2f}]"


def agreement_line(a: Agreement) -> str:
    """`828 answers compared · agreed 93% · kappa 0.86 [0.83, 0.90] · PABAK … · AC1 …`, or why
    there is no statistic."""
    compared = f"{a.n} answer{'' if a.n == 1 else 's'} compared"
    if a.too_few or a.observed is None:
        return f"{compared}: fewer than 10 items both markers answered, so no statistic"
    return (
        f"{compared} · agreed {a.observed:.0%} · kappa {figure(a.kappa)}{interval(a.kappa_ci95)}"
        f" · PABAK {figure(a.pabak)}{interval(a.pabak_ci95)}"
        f" · AC1 {figure(a.ac1)}{interval(a.ac1_ci95)}"
    )


class ModerateDialog(_StoreDialog):
    """A new round: who second-marks, and which cases (typed, or a seeded sample)."""

    SUBMIT_LABEL = "Start the round"

    def __init__(self, audit: OpenAudit, case: CaseInfo | None) -> None:
        super().__init__()
        self.audit, self.case = audit, case

    def title_text(self) -> str:
        return f"Moderate {self.audit.info.name}"

    def compose_fields(self) -> ComposeResult:
        yield Plain(
            "The second marker walks these cases blind: the first marks stay hidden from them"
            " until they mark each case complete.",
            classes="headline",
        )
        yield Label("Second marker (login name)")
        yield Input(id="marker")
        yield FieldError("marker")
        yield Label("Cases (references, commas between), or leave empty and give a sample")
        yield self.filled("cases", self.case.case_ref if self.case else "")
        yield FieldError("cases")
        yield Label("Sample: a number of cases (5) or a share (10%)")
        yield Input(id="sample")
        yield FieldError("sample")
        yield Label("Seed (empty: drawn for you, and kept)")
        yield Input(id="seed")
        yield FieldError("seed")
        yield Checkbox("Sample each first marker's cases apart", id="per-auditor")

    def submit(self) -> None:
        from audit_tui.domain.cases import canonical_refs
        from audit_tui.domain.identity import login_name
        from audit_tui.store.moderation import Share, start_round

        fields = ("marker", "cases", "sample", "seed")
        self.clear_errors(fields)
        value = {f: self.typed(f) for f in fields}
        try:
            marker = login_name(value["marker"], "marker")
        except AuditError as exc:
            self.error("marker", exc.problems[0].message)  # as typed: no case changed
            return
        if self.case is not None and value["cases"] == self.case.case_ref:
            cases = [self.case.case_ref]  # the highlighted case, as shown
        else:
            cases = canonical_refs(value["cases"].split(","))
        if bool(cases) == bool(value["sample"]):
            self.error("cases", "Give the cases, or a sample size (not both)")
            return
        try:
            sample = Share.parse(value["sample"]) if value["sample"] else None
        except AuditError as exc:
            self.error("sample", exc.problems[0].message.capitalize())
            return
        seed = None
        if value["seed"]:
            if not value["seed"].isdigit():
                self.error("seed", "A whole number")
                return
            seed = int(value["seed"])
        per_auditor = self.query_one("#per-auditor", Checkbox).value
        audit = self.audit

        def run(repo: Repository) -> str:
            started = start_round(
                repo,
                audit,
                marker,
                cases=cases or None,
                sample=sample,
                per_auditor=per_auditor,
                seed=seed,
            )
            info = started.info
            seeded = f", seed {info.seed}" if info.seed is not None else ""
            return (
                f"Round {info.number}: {info.marker} second-marks {', '.join(started.case_refs)}"
                f" blind ({info.rule}{seeded})"
            )

        self.say("Saving…")
        audit_app(self).store.write(self, run)


class SettleDialog(ReasonDialog):
    SUBMIT_LABEL = "Settle"
    LABEL = "Why (kept with the answer's history)"
    EMPTY = "Say why the answer was settled so"

    def __init__(self, audit: OpenAudit, found: Disagreement, agreed: Answer) -> None:
        super().__init__()
        self.audit, self.found, self.agreed = audit, found, agreed
        d = found
        self.HEADLINE = (
            f"{one_line(d.first_marker)} said {WORDS[d.first.value]},"
            f" {one_line(d.second_marker)} said {WORDS[d.second.value]}."
            f" {agreed.label} becomes the audit's answer."
        )

    def title_text(self) -> str:
        return f"Settle {self.found.item_id} of case {self.found.case_ref}"

    def write(self, reason: str) -> None:
        from audit_tui.store.settlement import Agreed, settle

        d, audit, agreed = self.found, self.audit, self.agreed
        one = Agreed(
            round=d.round, case_ref=d.case_ref, item_id=d.item_id, agreed=agreed, reason=reason
        )
        self.run_write(lambda repo: settle(repo, audit, [one]), reason)


def item_words(audit: OpenAudit, item_id: str) -> str:
    """An item by its id and its words: a key question's or finding's label, else its question
    up to a word near 48 characters (the whole question is shown below the table)."""
    ref = audit.rubric.items.get(item_id)
    if ref is None:
        return item_id
    label = getattr(ref.item, "label", "")
    return f"{item_id} {label or word_cut(one_line(ref.item.text), 48)}"


@dataclass
class ModerationRead(Message, bubble=False):
    """The moderation round's summary (None: no round yet), or why it is hidden from the user
    (`refusal`)."""

    found: Moderation | None
    refusal: str = ""


class ReconcileScreen(ReportsFailures, Screen[None]):
    """Every disagreement of the audit's moderation, with both answers and notes; y / n / a
    records the agreed answer (asking why)."""

    HELP_TITLE = "Reconciliation"
    AUTO_FOCUS = "#disagreements"
    BINDINGS = [
        Binding("y", "settle('yes')", "Agree Yes", id="settle_yes"),
        Binding("n", "settle('no')", "Agree No", id="settle_no"),
        Binding("a", "settle('na')", "Agree N/A", id="settle_na"),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the dashboard"),
    ]

    def __init__(self, audit: OpenAudit) -> None:
        super().__init__()
        self.audit = audit
        self.found: Moderation | None = None
        self._rows: dict[str, Disagreement] = {}

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Plain(f"Moderation · {one_line(self.audit.info.name)}", classes="screen-title")
        yield Plain("Reading the moderation…", id="reconcile-summary", classes="score-line")
        with VerticalScroll():
            yield Plain("", id="reconcile-reading", classes="hint")
            yield DataTable(id="disagreements", cursor_type="row", zebra_stripes=True)
            yield Plain("", id="reconcile-detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="reconcile", exit_on_error=False)
    def load(self) -> None:
        from audit_tui.store.moderation import refuse_if_blind
        from audit_tui.store.settlement import summary

        repo = audit_app(self).store.repo
        try:
            refuse_if_blind(repo, self.audit, "moderation")
        except AuditError as exc:
            self.post_message(ModerationRead(None, exc.problems[0].message))
            return
        self.post_message(ModerationRead(summary(repo, self.audit)))

    @on(ModerationRead)
    def _show(self, message: ModerationRead) -> None:
        if message.refusal:
            self.query_one("#reconcile-summary", Static).update(message.refusal)
            return
        found = message.found
        self.found = found
        summary = self.query_one("#reconcile-summary", Static)
        if found is None:
            summary.update(
                "No moderation round yet: the lead starts one with m on the dashboard (or"
                f" audit-tui moderate {one_line(self.audit.info.name)} --sample 10% --marker USER)."
            )
            return
        from audit_tui.scoring.moderation import reading

        total, settled = len(found.disagreements), found.settled
        summary.update(
            f"{plural(found.cases, 'case')} second-marked · {settled} of {total} disagreements"
            " settled"
            f" · {agreement_line(found.overall.agreement)}"
        )
        self.query_one("#reconcile-reading", Static).update(reading(found.overall.agreement))
        self._rows = {f"{d.round}|{d.case_ref}|{d.item_id}": d for d in found.disagreements}
        table = self.query_one("#disagreements", DataTable)
        at = table.cursor_row
        fill_table(
            table,
            [
                ("Round", "round"),
                ("Case", "case"),
                ("Item", "item"),
                ("First", "first"),
                ("Second", "second"),
                ("Agreed", "agreed"),
            ],
            [
                (
                    key,
                    (
                        str(d.round),
                        d.case_ref,
                        item_words(self.audit, d.item_id),
                        f"{d.first_marker}: {WORDS[d.first.value]}",
                        f"{d.second_marker}: {WORDS[d.second.value]}",
                        f"✓ {WORDS[d.settled.agreed]}" if d.settled else "open",
                    ),
                )
                for key, d in self._rows.items()
            ],
        )
        if self._rows:
            table.move_cursor(row=min(at, len(self._rows) - 1))
            self._detail(self._current())

    def _current(self) -> Disagreement | None:
        table = self.query_one("#disagreements", DataTable)
        if not self._rows or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._rows.get(key or "")

    @on(DataTable.RowHighlighted, "#disagreements")
    def _highlighted(self) -> None:
        self._detail(self._current())

    def _detail(self, d: Disagreement | None) -> None:
        if d is None:
            return
        text = self.audit.rubric.items[d.item_id].item.text
        lines = [
            f"{d.item_id} {one_line(text)}",
            f"{one_line(d.first_marker)} (first): {WORDS[d.first.value]}"
            + (f" — {prose(d.first.note)}" if d.first.note else ""),
            f"{one_line(d.second_marker)} (second): {WORDS[d.second.value]}"
            + (f" — {prose(d.second.note)}" if d.second.note else ""),
        ]
        if d.settled:
            lines.append(
                f"Settled by {one_line(d.settled.by)}: {WORDS[d.settled.agreed]}"
                f" — {one_line(d.settled.reason, TEXT_LIMIT)}"
            )
        self.query_one("#reconcile-detail", Static).update("\n".join(lines))

    def action_settle(self, value: str) -> None:
        from audit_tui.domain.answers import Answer

        found = self._current()
        if found is None:
            self.notify("No disagreement to settle.", markup=False)
            return

        def settled(reason: str | None) -> None:
            if reason:
                self.notify(f"{found.item_id} of case {found.case_ref} settled", markup=False)
                audit_app(self).audit_changed(self.audit.info.name)
                self.load()

        self.app.push_screen(SettleDialog(self.audit, found, Answer(value)), callback=settled)

    def action_back(self) -> None:
        self.app.pop_screen()
