"""Domain-one judgements: per organisational standard a rating, strengths and areas for improvement."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Label, Select, Static, TextArea

if TYPE_CHECKING:
    from audit_tui.domain.records import Judgement, OpenAudit


def _key(standard_id: str) -> str:
    return standard_id.replace(".", "-")


class JudgementsScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="save_judgements"),
        Binding("escape", "back", "Dashboard", id="back"),
    ]

    def __init__(self, audit: OpenAudit) -> None:
        super().__init__()
        self.audit = audit
        self.standards = [s for s in audit.rubric.standards if s.method == "judgement"]
        self.ratings = [b.rating for b in audit.rubric.scoring.bands]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"Judgements · {self.audit.info.name}", classes="screen-title", markup=False)
        with VerticalScroll(id="judgements"):
            for st in self.standards:
                k = _key(st.id)
                with Vertical(classes="judgement"):
                    yield Static(f"{st.id} {st.title}", classes="section-title", markup=False)
                    yield Static(st.headline, classes="headline", markup=False)
                    yield Select([(r, r) for r in self.ratings], id=f"rating-{k}", prompt="rating…")
                    yield Label("Strengths (one per line)")
                    yield TextArea(id=f"strengths-{k}", classes="evidence")
                    yield Label("Areas for improvement (one per line)")
                    yield TextArea(id=f"improvements-{k}", classes="evidence")
            yield Static("", id="errors", classes="errors", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Back", id="back")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="judgements")
    def load(self) -> None:
        current = self.app.link.repo.judgements(self.audit)  # type: ignore[attr-defined]
        self.app.call_from_thread(self._show, current)

    def _show(self, current: dict[str, Judgement]) -> None:
        for st in self.standards:
            j = current.get(st.id)
            if j is None:
                continue
            k = _key(st.id)
            self.query_one(f"#rating-{k}", Select).value = j.rating
            self.query_one(f"#strengths-{k}", TextArea).text = j.strengths
            self.query_one(f"#improvements-{k}", TextArea).text = j.improvements
        self.query(Select).first().focus()

    def collect(self) -> tuple[list[Judgement], list[str]]:
        from audit_tui.domain.records import Judgement

        out, problems = [], []
        for st in self.standards:
            k = _key(st.id)
            rating = self.query_one(f"#rating-{k}", Select).value
            strengths = self.query_one(f"#strengths-{k}", TextArea).text.strip()
            improvements = self.query_one(f"#improvements-{k}", TextArea).text.strip()
            if rating is Select.NULL:
                if strengths or improvements:
                    problems.append(f"{st.id} {st.title}: choose a rating for this evidence")
                continue
            out.append(Judgement(st.id, str(rating), strengths, improvements))
        return out, problems

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        judgements, problems = self.collect()
        errors = self.query_one("#errors", Static)
        if problems:
            errors.update("\n".join(f"✗ {p}" for p in problems))
            return
        errors.update("Saving…")
        audit = self.audit

        def run(repo: Any) -> int:
            return repo.save_judgements(audit, judgements)

        self.app.link.submit(run, lambda n, err: self.app.call_from_thread(self._saved, n, err))  # type: ignore[attr-defined]

    def _saved(self, changed: int | None, error: BaseException | None) -> None:
        errors = self.query_one("#errors", Static)
        if error is not None:
            errors.update(f"✗ Not saved: {error}")
            return
        errors.update(f"✓ Saved ({changed} changed)")
        self.app.audit_changed(self.audit.info.name)  # type: ignore[attr-defined]
        self.notify("Judgements saved")

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.app.pop_screen()
