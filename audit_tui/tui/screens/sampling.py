"""Drawing an audit's cases from a caseload extract, as the inspectorate samples.

Before the draw: load the extract, choose the strata, the window, the size, the seed and a
minimum per stratum, and see the allocation (each stratum's cases in the window, its share and
its seats) with what that many cases can and cannot tell apart, all worked out as the fields
change. The draw is one write (`draw_sample`); the dashboard then shows the drawn cases. Once
drawn, the screen shows the recorded draw and replaces a drawn case that cannot be audited by
the next case of its stratum in the recorded random order (`replace_case`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Checkbox, DataTable, Footer, Input, Label, Static

from audit_tui.domain.errors import AuditError
from audit_tui.domain.safe_text import one_line
from audit_tui.domain.words import plural
from audit_tui.tui.screens.form import SHORT, FieldError
from audit_tui.tui.screens.replace_case import ReplaceCaseDialog
from audit_tui.tui.screens.sampling_plan import (
    DRAWN_COLUMNS,
    PLAN_COLUMNS,
    Choices,
    Plan,
    drawn_rows,
    make_plan,
    record_lines,
    stratum_name,
    window_words,
)
from audit_tui.tui.store_link import WriteFailed
from audit_tui.tui.text import Plain, literal
from audit_tui.tui.widgets.header import SafeHeader
from audit_tui.tui.widgets.marked_checkbox import MarkedCheckbox
from audit_tui.tui.widgets.tables import fill_table
from audit_tui.tui.workers import ReportsFailures, audit_app

if TYPE_CHECKING:
    from audit_tui.domain.access import Access
    from audit_tui.domain.records import OpenAudit
    from audit_tui.domain.rubric import Rubric
    from audit_tui.store.repository import Repository
    from audit_tui.store.sampling import CaseloadCase, Sample

SEED_BELOW = 10**6
"""A seed drawn for the user: six digits at most, easy to write down (as the command line)."""
MOST_DIGITS = 18
"""Whole numbers typed here: at most this many digits (a seed is kept as a 64-bit integer)."""
INT_FIELDS = ("size", "seed", "min")
FIELD_IDS = ("path", "from", "to", *INT_FIELDS)


@dataclass
class SamplingRead(Message, bubble=False):
    """What the screen reads when it opens: the user's standing, the draw (if any), the extract."""

    access: Access
    drawn: Sample | None
    extract: list[CaseloadCase]
    cases: int
    """Live cases in the audit: a sample is drawn only into an audit with none."""


@dataclass
class PlanMade(Message, bubble=False):
    """The plan for the fields as they were at `generation` (worked out on a thread)."""

    generation: int
    plan: Plan


@dataclass
class CaseloadLoaded(Message, bubble=False):
    """The caseload extract is stored; `extract` is what the planner draws from."""

    extract: list[CaseloadCase]


class CaseloadNotLoaded(WriteFailed):
    """The extract was refused: every problem with the file is said (a `WriteFailed`: said by
    the app if the screen has gone)."""

    TITLE = "Caseload not loaded"


@dataclass
class SampleDrawn(Message, bubble=False):
    """The sample is drawn into the audit."""

    sample: Sample


class SampleNotDrawn(WriteFailed):
    """The draw was refused or failed (a `WriteFailed`: said by the app if the screen has gone)."""

    TITLE = "Sample not drawn"


class SamplingScreen(ReportsFailures, Screen[None]):
    """Plan and draw the audit's sample from a caseload extract (the lead); once drawn, the
    recorded draw, and replacing a drawn case."""

    HELP_TITLE = "Sampling"
    AUTO_FOCUS = "#path"
    BINDINGS = [
        Binding("ctrl+s", "draw", "Draw", id="draw_sample",
                tooltip="Draw the sample as planned (asks first; an audit is sampled once)"),
        Binding("r", "replace_case", "Replace", id="replace_case",
                tooltip="Replace the highlighted drawn case by the next of its stratum, with a reason"),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the dashboard"),
    ]  # fmt: skip

    def __init__(self, audit: OpenAudit) -> None:
        super().__init__()
        self.audit = audit
        self.extract: list[CaseloadCase] = []
        self.drawn: Sample | None = None
        self.plan = Plan()
        self.planned_for: Choices | None = None
        """The choices `plan` was worked out from (None while a newer one is on its way)."""
        self.choices: Choices | None = None
        """The fields as last read, when every one of them is fine."""
        self.refusal = ""
        """Why nothing can be drawn here (not the lead, cases already in the audit), or ""."""
        self._generation = 0
        self._ready = False

    # ---- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Static(
            literal(f"Sample · {self.audit.info.name} · {self.audit.rubric.title}"),
            classes="screen-title",
        )
        yield Plain("Reading the audit…", id="sampling-status", classes="status")
        with VerticalScroll(id="sampling-plan"):
            with Horizontal(classes="field-row"):
                yield Label("Caseload extract (CSV)")
                yield Input(placeholder="path/to/caseload.csv", id="path")
                yield Button("Load", id="load")
            yield FieldError("path")
            yield Plain("", id="caseload-status")
            yield Label("Strata (kept in proportion):", classes="field-heading")
            with Grid(id="strata"):
                for attribute in self.audit.rubric.attributes:
                    yield MarkedCheckbox(
                        literal(attribute.id),
                        id=f"stratum-{attribute.id}",
                        tooltip=literal(attribute.label),
                        compact=True,
                    )
            with Horizontal(classes="field-row"):
                yield Label("Window: started from")
                yield Input(placeholder="2024-01-01", id="from")
                yield Label("to")
                yield Input(placeholder="2024-06-30", id="to")
                yield Label("(empty: open)", classes="hint")
            yield FieldError("from")
            yield FieldError("to")
            with Horizontal(classes="field-row"):
                yield Label("Size")
                yield Input(id="size", placeholder="e.g. 40")
                yield Label("Seed")
                yield Input(id="seed", placeholder="drawn for you")
                yield Label("Min per stratum")
                yield Input(id="min", placeholder="0")
            yield FieldError("size")
            yield FieldError("seed")
            yield FieldError("min")
            yield DataTable(id="allocation", cursor_type="none", zebra_stripes=True)
            yield Plain("", id="plan-words")
            with Horizontal(classes="buttons"):
                yield Button("Draw the sample (ctrl+s)", variant="primary", id="draw")
            yield FieldError("form")
        with Vertical(id="sampling-drawn"):
            yield Plain("", id="draw-record")
            yield DataTable(id="drawn-strata", cursor_type="none", zebra_stripes=True)
            yield Plain(
                "r replaces the highlighted case (one that cannot be audited) by the next case"
                " of its stratum in the recorded order.",
                id="replace-hint",
            )
            yield Plain("", id="replace-outcome")
            yield DataTable(id="drawn-cases", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#allocation", DataTable).can_focus = False
        self.query_one("#drawn-strata", DataTable).can_focus = False
        self.query_one("#sampling-drawn").display = False
        self._enable(False)
        self.load()

    def on_resize(self) -> None:
        """On a short terminal fields and buttons lose their borders (a line each); the strata's
        boxes are always a line each."""
        short = self.size.height < SHORT
        for widget in self.query("Input, Button"):
            if isinstance(widget, Input | Button):
                widget.compact = short

    def _enable(self, on: bool) -> None:
        for widget in self.query(
            "#sampling-plan Input, #sampling-plan Checkbox, #sampling-plan Button"
        ):
            widget.disabled = not on

    # ---- reading ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="sampling", exit_on_error=False)
    def load(self) -> None:
        from audit_tui.store import cases, team
        from audit_tui.store.sampling import caseload, sample

        repo = audit_app(self).store.repo
        loaded = SamplingRead(
            access=team.standing(repo, self.audit),
            drawn=sample(repo, self.audit),
            extract=caseload(repo, self.audit),
            cases=len(cases.list_cases(repo, self.audit)),
        )
        self.post_message(loaded)

    @on(SamplingRead)
    def _loaded(self, loaded: SamplingRead) -> None:
        if not self.is_attached:
            return  # closed while it was being read
        self.drawn, self.extract = loaded.drawn, loaded.extract
        try:
            loaded.access.lead("sample")
        except AuditError as exc:
            self.refusal = exc.problems[0].message
        else:
            self.refusal = ""
        if loaded.drawn is not None:
            self._show_drawn(loaded.drawn)
        elif not self.refusal and loaded.cases:
            self.refusal = (
                f"{one_line(self.audit.info.name)} has {plural(loaded.cases, 'case')} already:"
                " a sample is drawn into an audit with none (create a new audit to sample)"
            )
        status = self.query_one("#sampling-status", Static)
        status.update(f"✗ {self.refusal}" if self.refusal else "")
        status.display = bool(self.refusal)
        self._ready = True
        self.refresh_bindings()
        if loaded.drawn is not None:
            return
        self._enable(not self.refusal)
        if not self.refusal and self.focused is None:
            self.query_one("#path", Input).focus()
        self._show_extract()
        self.replan()

    def _show_extract(self, just_loaded: bool = False) -> None:
        extract = self.extract
        line = ""
        if extract:
            first = min(c.start_date for c in extract).isoformat()
            last = max(c.start_date for c in extract).isoformat()
            kept = "just loaded" if just_loaded else "kept for this audit"
            line = f"✓ Extract: {plural(len(extract), 'case')}, started {first} to {last} ({kept})"
        elif not self.refusal:
            line = "No extract yet: give the CSV file's path and press Enter."
        self.query_one("#caseload-status", Static).update(line)

    # ---- the plan, as the fields change ------------------------------------------------------

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Input.Changed | Checkbox.Changed) -> None:
        if event.control is not None and event.control.id == "path":
            self.query_one("#error-path", FieldError).say("")
            return
        self.replan()

    def read_choices(self) -> Choices | None:
        """The fields, each problem said under its field; None while any is wrong."""
        from audit_tui.io.caseload import parse_date

        problems: dict[str, str] = {}
        value = {
            f: self.query_one(f"#{f}", Input).value.strip() for f in ("from", "to", *INT_FIELDS)
        }
        dates: dict[str, date | None] = {}
        for end in ("from", "to"):
            dates[end] = None
            if value[end]:
                try:
                    dates[end] = parse_date(value[end])
                except ValueError as exc:
                    problems[end] = str(exc)
        start, stop = dates["from"], dates["to"]
        if start is not None and stop is not None and stop < start:
            problems["to"] = f"the window ends ({stop}) before it starts ({start})"
        numbers: dict[str, int | None] = {}
        least = {"size": 1, "seed": 0, "min": 0}
        for name in INT_FIELDS:
            text = value[name]
            numbers[name] = None
            if not text:
                continue
            if not text.isdigit() or int(text) < least[name]:
                problems[name] = f"a whole number, {least[name]} or more" + (
                    "" if name == "size" else " (or empty)"
                )
            elif len(text) > MOST_DIGITS:
                problems[name] = f"at most {MOST_DIGITS} digits"
            else:
                numbers[name] = int(text)
        for name in ("from", "to", *INT_FIELDS):
            said = problems.get(name, "")
            self.query_one(f"#error-{name}", FieldError).say(f"✗ {said}" if said else "")
        if problems:
            return None
        return Choices(
            strata=tuple(
                a.id
                for a in self.audit.rubric.attributes
                if self.query_one(f"#stratum-{a.id}", Checkbox).value
            ),
            window=(start, stop),
            size=numbers["size"],
            seed=numbers["seed"],
            min_per_stratum=numbers["min"] or 0,
        )

    def replan(self) -> None:
        if not self._ready or self.drawn is not None:
            return
        self.query_one("#error-form", FieldError).say("")
        self.choices = self.read_choices()
        self._generation += 1
        self.planned_for = None
        if self.choices is None:
            self._planned(self._generation, Plan(problem="fix the fields marked ✗ above"))
            return
        self._work_out(self._generation, self.extract, self.choices, self.audit.rubric)

    @work(thread=True, group="sampling-plan", exit_on_error=False)
    def _work_out(
        self,
        generation: int,
        extract: list[CaseloadCase],
        choices: Choices,
        rubric: Rubric,
    ) -> None:
        """Off the event loop: a regional extract is tens of thousands of cases."""
        planned = make_plan(extract, choices, rubric)
        self.post_message(PlanMade(generation, planned))

    @on(PlanMade)
    def _plan_made(self, message: PlanMade) -> None:
        self._planned(message.generation, message.plan)

    def _planned(self, generation: int, plan: Plan) -> None:
        if generation != self._generation or not self.is_attached:
            return  # fields changed since (a newer plan is on its way), or the screen closed
        self.plan, self.planned_for = plan, self.choices
        table = self.query_one("#allocation", DataTable)
        fill_table(table, PLAN_COLUMNS, plan.rows)
        table.display = bool(plan.rows)
        words = f"✗ {plan.problem}" if plan.problem else plan.words
        self.query_one("#plan-words", Static).update(words)

    # ---- loading the extract -------------------------------------------------------------

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        if event.input.id == "path":
            self.action_load()
        else:
            self.focus_next()

    @on(Button.Pressed, "#load")
    def action_load(self) -> None:
        if self.refusal or self.drawn is not None:
            return
        box = self.query_one("#error-path", FieldError)
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            box.say("✗ Give the path of the caseload extract (a CSV file)")
            return
        path = Path(raw).expanduser()
        box.say(f"Loading {path}…")
        audit = self.audit

        def run(repo: Repository) -> list[CaseloadCase]:
            from audit_tui.io.caseload import import_caseload
            from audit_tui.store.sampling import caseload

            import_caseload(repo, audit, path)
            return caseload(repo, audit)

        audit_app(self).store.write(self, run, CaseloadLoaded, failed=CaseloadNotLoaded)

    @on(CaseloadLoaded)
    def _caseload_loaded(self, message: CaseloadLoaded) -> None:
        self.query_one("#error-path", FieldError).say("")
        self.extract = message.extract
        self._show_extract(just_loaded=True)
        self.replan()

    @on(CaseloadNotLoaded)
    def _load_failed(self, message: CaseloadNotLoaded) -> None:
        """Every problem with the file (at most 20 lines), as plain text; nothing was kept."""
        from audit_tui.domain.errors import problem_lines

        message.stop()
        error = message.error
        lines = (
            [f"✗ {line}" for line in problem_lines(error.problems)]
            if isinstance(error, AuditError)
            else [f"✗ {message.line}"]
        )
        kept = " (the extract loaded before stays)" if self.extract else ""
        self.query_one("#error-path", FieldError).say(
            f"Nothing was kept{kept}:\n" + "\n".join(lines)
        )

    # ---- drawing -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "draw":
            return self.drawn is None
        if action == "replace_case":
            return self.drawn is not None
        return True

    @on(Button.Pressed, "#draw")
    def action_draw(self) -> None:
        if self.drawn is not None or not self._ready:
            return
        form = self.query_one("#error-form", FieldError)
        if self.refusal:
            form.say(f"✗ {self.refusal}")
            return
        if not self.extract:
            form.say("✗ Load the caseload extract first")
            self.query_one("#path", Input).focus()
            return
        choices = self.read_choices()
        if choices is None:
            form.say("✗ Fix the fields marked ✗ above first")
            return
        size = choices.size
        if size is None:
            self.query_one("#error-size", FieldError).say("✗ Give the sample size")
            self.query_one("#size", Input).focus()
            return
        plan = self.plan
        if self.planned_for is None or replace(self.planned_for, seed=None) != replace(
            choices, seed=None
        ):
            form.say("The allocation is still being worked out: draw again in a moment")
            return
        if plan.problem:
            form.say(f"✗ {plan.problem}")
            return
        if choices.seed is None:
            seed = secrets.randbelow(SEED_BELOW)
            self.query_one("#seed", Input).value = str(seed)  # shown, and kept with the draw
            choices = replace(choices, seed=seed)
        from audit_tui.tui.screens.confirm import ConfirmDialog

        strata = ", ".join(choices.strata) or "none"
        question = (
            f"Draw {plural(size, 'case')} of {plan.in_window:,} into"
            f" {self.audit.info.name} (seed {choices.seed}; window"
            f" {window_words(choices.window)}; strata {strata})? They become the audit's cases,"
            " and the draw is kept: an audit is sampled once."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._draw(choices)

        self.app.push_screen(ConfirmDialog(question, "Draw"), callback=answered)

    def _draw(self, choices: Choices) -> None:
        audit, size, seed = self.audit, choices.size, choices.seed
        assert size is not None and seed is not None

        def run(repo: Repository) -> Sample:
            from audit_tui.store.sampling import draw_sample

            return draw_sample(
                repo,
                audit,
                size,
                strata=choices.strata,
                window=choices.window,
                seed=seed,
                min_per_stratum=choices.min_per_stratum,
            )

        form = self.query_one("#error-form", FieldError)
        form.say("Drawing…")

        audit_app(self).store.write(self, run, SampleDrawn, failed=SampleNotDrawn)

    @on(SampleNotDrawn)
    def _not_drawn(self, message: SampleNotDrawn) -> None:
        message.stop()
        self.query_one("#error-form", FieldError).say(f"✗ {message.line}")

    @on(SampleDrawn)
    def _drawn(self, message: SampleDrawn) -> None:
        drawn, name = message.sample, self.audit.info.name
        self.notify(
            f"{plural(drawn.size, 'case')} drawn into {name} from {drawn.in_window:,} in the"
            f" window (seed {drawn.seed}). S shows the draw and replaces a case.",
            title="Sample drawn",
            markup=False,
        )
        audit_app(self).audit_changed(name)
        self._show_drawn(drawn)
        if self.is_current:
            self.app.pop_screen()  # the dashboard, with the drawn cases

    # ---- once drawn ----------------------------------------------------------------------

    def _show_drawn(self, drawn: Sample) -> None:
        self.drawn = drawn
        self.query_one("#sampling-plan").display = False
        self.query_one("#sampling-drawn").display = True
        self.query_one("#draw-record", Static).update(record_lines(drawn))
        fill_table(
            self.query_one("#drawn-strata", DataTable),
            PLAN_COLUMNS,
            [
                (
                    "|".join(p.values.values()) or "all",
                    (
                        stratum_name(tuple(p.values[s] for s in drawn.strata)),
                        f"{p.caseload:,}",
                        f"{p.caseload / drawn.in_window:.0%}" if drawn.in_window else "–",
                        f"{p.sample:,}",
                    ),
                )
                for p in drawn.plan
            ],
        )
        table = self.query_one("#drawn-cases", DataTable)
        at = table.cursor_row
        rows = drawn_rows(drawn)
        fill_table(table, DRAWN_COLUMNS, rows)
        if rows:
            table.move_cursor(row=min(at, len(rows) - 1))
        table.focus()
        self.refresh_bindings()

    def action_replace_case(self) -> None:
        drawn = self.drawn
        if drawn is None:
            return
        if self.refusal:
            self.notify(self.refusal, severity="warning", markup=False)
            return
        table = self.query_one("#drawn-cases", DataTable)
        if table.row_count == 0:
            return
        ref = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        if ref in {r.replaced for r in drawn.replacements}:
            self.notify(f"Case {ref} was replaced already", markup=False)
            return
        stratum = str(table.get_row(ref)[1])

        def replaced(said: str | None) -> None:
            if said:
                self.query_one("#replace-outcome", Static).update(f"✓ {said}")
                self.notify(said, markup=False)
                audit_app(self).audit_changed(self.audit.info.name)
                self.load()

        self.app.push_screen(ReplaceCaseDialog(self.audit, ref, stratum), callback=replaced)

    def action_back(self) -> None:
        self.app.pop_screen()
