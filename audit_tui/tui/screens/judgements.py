"""Domain-one judgements: per organisational standard a rating, strengths and areas for improvement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Label, Select, Static, TextArea

from audit_tui.domain.safe_text import one_line
from audit_tui.tui.store_link import WriteFailed
from audit_tui.tui.text import Plain, editable, kept, literal
from audit_tui.tui.widgets.header import SafeHeader
from audit_tui.tui.workers import ReportsFailures, audit_app

if TYPE_CHECKING:
    from audit_tui.domain.records import Judgement, OpenAudit
    from audit_tui.store.repository import Repository


def _key(standard_id: str) -> str:
    return standard_id.replace(".", "-")


@dataclass
class JudgementsRead(Message, bubble=False):
    """The organisational standards' judgements as stored, by standard."""

    current: dict[str, Judgement]


@dataclass
class JudgementsSaved(Message, bubble=False):
    """The judgements are on disk: `changed` of them moved; `snapshot` is what was saved."""

    changed: int
    snapshot: list[tuple[object, str, str]]


class JudgementsScreen(ReportsFailures, Screen[None]):
    HELP_TITLE = "Judgements"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save_judgements"),
        Binding("escape", "back", "Back", id="back",
                tooltip="Back to the dashboard (asks first if something is not saved)"),
    ]  # fmt: skip

    def __init__(self, audit: OpenAudit) -> None:
        super().__init__()
        self.audit = audit
        self._saved_values: list[tuple[object, str, str]] | None = None
        self._stored: dict[str, tuple[str, str]] = {}
        """Box id -> (the words shown, the stored words): a box left as shown stands for the
        stored words, which a save then leaves as they are."""
        self.standards = [s for s in audit.rubric.standards if s.method == "judgement"]
        self.ratings = [b.rating for b in audit.rubric.scoring.bands]

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Plain(f"Judgements · {one_line(self.audit.info.name)}", classes="screen-title")
        with VerticalScroll(id="judgements"):
            for st in self.standards:
                k = _key(st.id)
                with Vertical(classes="judgement"):
                    yield Plain(one_line(f"{st.id} {st.title}"), classes="section-title")
                    yield Plain(one_line(st.headline), classes="headline")
                    yield Select(
                        [(literal(r), r) for r in self.ratings], id=f"rating-{k}", prompt="rating…"
                    )
                    yield Label("Strengths (one per line)")
                    yield TextArea(id=f"strengths-{k}", classes="evidence")
                    yield Label("Areas for improvement (one per line)")
                    yield TextArea(id=f"improvements-{k}", classes="evidence")
            yield Plain("", id="errors", classes="errors")
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Back", id="back")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="judgements", exit_on_error=False)
    def load(self) -> None:
        from audit_tui.store import judgements

        current = judgements.judgements(audit_app(self).store.repo, self.audit)
        self.post_message(JudgementsRead(current))

    @on(JudgementsRead)
    def _show(self, message: JudgementsRead) -> None:
        current = message.current
        for st in self.standards:
            j = current.get(st.id)
            if j is None:
                continue
            k = _key(st.id)
            if j.rating in self.ratings:  # another tool may have stored anything
                self.query_one(f"#rating-{k}", Select).value = j.rating
            for box, stored in (
                (f"strengths-{k}", j.strengths),
                (f"improvements-{k}", j.improvements),
            ):
                shown = editable(stored)  # escaped and cut; counts as saved unless edited
                self._stored[box] = (shown.strip(), stored)
                self.query_one(f"#{box}", TextArea).text = shown
        self._saved_values = self._values()
        self.query(Select).first().focus()

    def _values(self) -> list[tuple[object, str, str]]:
        """What the screen holds now, to compare with what was last loaded or saved."""
        return [
            (
                self.query_one(f"#rating-{_key(st.id)}", Select).value,
                self.query_one(f"#strengths-{_key(st.id)}", TextArea).text.strip(),
                self.query_one(f"#improvements-{_key(st.id)}", TextArea).text.strip(),
            )
            for st in self.standards
        ]

    def collect(self) -> tuple[list[Judgement], list[str]]:
        from audit_tui.domain.records import Judgement

        out, problems = [], []
        for st in self.standards:
            k = _key(st.id)
            rating = self.query_one(f"#rating-{k}", Select).value
            strengths = self._words(f"strengths-{k}")
            improvements = self._words(f"improvements-{k}")
            if rating is Select.NULL:
                if strengths or improvements:
                    problems.append(
                        f"{st.id} {one_line(st.title)}: choose a rating for this evidence"
                    )
                continue
            out.append(
                Judgement(
                    standard_id=st.id,
                    rating=str(rating),
                    strengths=strengths,
                    improvements=improvements,
                )
            )
        return out, problems

    def _words(self, box: str) -> str:
        """A box's words as saved: the stored words while it holds what it was shown."""
        typed = self.query_one(f"#{box}", TextArea).text.strip()
        shown, stored = self._stored.get(box, (None, ""))
        return typed if shown is None else kept(typed, shown, stored)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        judgements, problems = self.collect()
        errors = self.query_one("#errors", Static)
        if problems:
            errors.update("\n".join(f"✗ {p}" for p in problems))
            return
        errors.update("Saving…")
        audit, snapshot = self.audit, self._values()

        def run(repo: Repository) -> int:
            from audit_tui.store import judgements as judgement_ops

            return judgement_ops.save_judgements(repo, audit, judgements)

        audit_app(self).store.write(self, run, lambda n: JudgementsSaved(n, snapshot))

    @on(WriteFailed)
    def _failed(self, message: WriteFailed) -> None:
        message.stop()  # said here, beside the ratings
        self.query_one("#errors", Static).update(f"✗ Not saved: {message.line}")

    @on(JudgementsSaved)
    def _saved(self, message: JudgementsSaved) -> None:
        changed, snapshot = message.changed, message.snapshot
        self._saved_values = snapshot
        if not changed:  # as they were: said, not met with silence or a "saved" of nothing
            self.query_one("#errors", Static).update("✓ Unchanged: nothing new to save")
            self.notify("Judgements unchanged")
            return
        self.query_one("#errors", Static).update(f"✓ Saved ({changed} changed)")
        audit_app(self).audit_changed(self.audit.info.name)
        self.notify("Judgements saved")

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        """Leave; ratings or evidence not yet saved are discarded only when the user says so."""
        if self._saved_values is None or self._values() == self._saved_values:
            self.app.pop_screen()
            return
        from audit_tui.tui.screens.confirm import ConfirmDialog

        def answered(discard: bool | None) -> None:
            if discard:
                self.app.pop_screen()

        self.app.push_screen(
            ConfirmDialog("Some judgements are not saved. Leave and discard them?", "Discard"),
            callback=answered,
        )
