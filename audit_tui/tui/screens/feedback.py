"""Feedback for one case's practitioner: what was done well and what must change (the reviewer's
own words, beside the notes they tagged while walking the case, which the sheet draws in too),
and the actions agreed, with their dates and status. `p` prints the feedback sheet to a file.

Saves go through the store on the write queue; "saved" shows only once the write is committed.
Leaving or printing saves the words first, so nothing typed is lost or left off the sheet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Footer,
    Label,
    Static,
    TextArea,
)

from audit_tui.domain.errors import AuditError
from audit_tui.domain.safe_text import TEXT_LIMIT, one_line
from audit_tui.reporting.formats import SHEET_FORMATS as SHEET_DOCUMENT_FORMATS
from audit_tui.tui.prefs import existing_folder, remember, remembered, safe_file_stem
from audit_tui.tui.screens.export_dialog import ExportDialog, Exported
from audit_tui.tui.screens.follow_up import (
    ActionDialog,
    already,
    day_text,
    follow_up_refusal,
    status_text,
    step_dialog,
)
from audit_tui.tui.store_link import WriteFailed
from audit_tui.tui.text import Plain, editable
from audit_tui.tui.widgets.choices import Choice
from audit_tui.tui.widgets.header import SafeHeader
from audit_tui.tui.widgets.tables import fill_table
from audit_tui.tui.workers import ReportsFailures, audit_app

if TYPE_CHECKING:
    from audit_tui.domain.access import Access
    from audit_tui.domain.records import AnswerInfo, CaseInfo, OpenAudit
    from audit_tui.store.follow_up import Action, Feedback
    from audit_tui.store.repository import Repository
    from audit_tui.tui.state import Versions

LETTER_ACTIONS = frozenset({"edit", "add_action", "step", "print_sheet"})
TAGS = (("strength", "Strengths"), ("improvement", "Areas for improvement"))
SHEET_FORMATS = tuple(sorted(SHEET_DOCUMENT_FORMATS, key=lambda f: f != "html"))
"""The format table's sheet formats, HTML (what prints) first."""
SHEET_WORDS = {
    "html": "HTML (opens in a browser, prints on one or two A4 pages)",
    "md": "Markdown (text)",
}


@dataclass
class FeedbackRead(Message, bubble=False):
    """What the screen shows, read together on a worker."""

    case: CaseInfo
    access: Access
    said: Feedback
    actions: list[Action]
    answers: dict[str, AnswerInfo]


@dataclass
class FeedbackHidden(Message, bubble=False):
    """The user second-marks blind: why the case's feedback is hidden from them."""

    why: str


def tagged_notes(audit: OpenAudit, answers: dict[str, AnswerInfo]) -> str:
    """The case's notes tagged as strengths or areas for improvement, in the rubric's order:
    what the sheet draws in beside the reviewer's own words."""
    lines = []
    for tag, heading in TAGS:
        found = [
            f"  {one_line(item_id)}  {one_line(answers[item_id].note.strip(), TEXT_LIMIT)}"
            for item_id in audit.rubric.column_order
            if item_id in answers
            and answers[item_id].note_tag == tag
            and answers[item_id].note.strip()
        ]
        lines += [heading, *(found or ["  none tagged"]), ""]
    lines.append(
        "Tag a note in the case walk (e) as a strength or an area for improvement and the sheet"
        " draws it in too."
    )
    return "\n".join(lines)


@dataclass
class FeedbackSaved(Message, bubble=False):
    """The feedback is on disk as `feedback`; `words` were saved; `then` runs next."""

    feedback: Feedback
    words: tuple[str, str]
    then: Callable[[], object] | None


class FeedbackScreen(ReportsFailures, Screen[None]):
    HELP_TITLE = "Feedback and actions"
    # the letters are priority bindings: what is typed straight after one reaches the dialog it
    # opens (check_action makes them words while a box of words has the focus)
    BINDINGS = [
        Binding("ctrl+s", "save_feedback", "Save", id="save_feedback",
                tooltip="Save the strengths and areas for improvement"),
        Binding("s", "edit('strengths')", "Strengths", id="edit_strengths", show=False,
                priority=True, tooltip="Write what was done well"),
        Binding("i", "edit('improvements')", "Improvements", id="edit_improvements", show=False,
                priority=True, tooltip="Write the areas for improvement"),
        Binding("n", "add_action", "New action", id="add_action", priority=True,
                tooltip="Agree an action: what, and by when"),
        Binding("d", "step('done')", "Done", id="action_done", priority=True,
                tooltip="Mark the highlighted action done (a note if you wish)"),
        Binding("x", "step('dropped')", "Drop", id="action_drop", show=False, priority=True,
                tooltip="Drop the highlighted action (say why)"),
        Binding("r", "step('open')", "Reopen", id="action_reopen", show=False, priority=True,
                tooltip="Open the highlighted action again (say why)"),
        Binding("m", "step('due')", "Move date", id="action_move", show=False, priority=True,
                tooltip="Move the highlighted action's due date (say why)"),
        Binding("p", "print_sheet", "Print", id="print_sheet", priority=True,
                tooltip="Write the feedback sheet to a file (HTML or Markdown)"),
        # priority: what is typed straight after Esc or Tab is taken as it is meant (a key for
        # the actions, the next box's words), not as more words in this box
        Binding("escape", "back", "Back", id="back", priority=True,
                tooltip="From the words: to the actions; else back (saving first)"),
        Binding("tab", "app.focus_next", "Next box", id="next_field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous box", id="previous_field",
                show=False, priority=True),
    ]  # fmt: skip

    def __init__(self, audit: OpenAudit, case: CaseInfo) -> None:
        super().__init__()
        self.audit, self.case = audit, case
        self.refusal = ""
        """Why the user may not change this case's follow-up ("" when they may)."""
        self.actions: dict[str, Action] = {}
        self.loaded = False
        self._saved: tuple[str, str] = ("", "")
        """The words as last read or saved: the text areas differ from them when unsaved."""
        self._saving = False

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Plain(self._title(), id="feedback-title", classes="screen-title")
        yield Plain("", id="feedback-draft")
        yield Plain("Reading the case…", id="feedback-status", classes="status")
        with Horizontal(id="feedback-body"):
            with Vertical(id="feedback-words"):
                yield Label("What was done well (strengths)  s")
                yield TextArea(id="strengths", soft_wrap=True)
                yield Label("Areas for improvement  i")
                yield TextArea(id="improvements", soft_wrap=True)
            with VerticalScroll(id="feedback-notes"):
                yield Static("Tagged notes (on the sheet too)", classes="panel-title")
                yield Plain("", id="tagged-notes")
        yield Label("Actions agreed  n new · d done · x drop · r reopen · m move date · p print",
                    id="actions-heading")  # fmt: skip
        yield DataTable(id="case-actions", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    def _title(self) -> str:
        c = self.case
        codes = " · ".join(
            x for x in (c.practitioner and f"practitioner {one_line(c.practitioner)}",
                        c.team and f"team {one_line(c.team)}") if x
        )  # fmt: skip
        read_only = " · READ ONLY" if self.refusal else ""  # early: in view at 80 columns
        return (
            f"Feedback · case {one_line(c.case_ref)}{read_only}{' · ' + codes if codes else ''}"
            f" · {one_line(self.audit.info.name)}"
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The letter keys are priority bindings, so what is typed straight after them reaches
        the dialog they open; in the words they are words."""
        return not (action in LETTER_ACTIONS and isinstance(self.focused, TextArea))

    def on_mount(self) -> None:
        self.query_one("#feedback-draft").display = False
        self.set_focus(self.query_one("#strengths", TextArea))  # the words first: type at once
        self.watch(self.app, "versions", self._audit_moved, init=False)
        self.load()

    def _audit_moved(self, old: Versions, new: Versions) -> None:
        name = self.audit.info.name
        if old.of(name) != new.of(name) and self.loaded:
            self.load()

    # ---- reading ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="feedback", exit_on_error=False)
    def load(self) -> None:
        from audit_tui.store import answers, team
        from audit_tui.store.cases import case_record
        from audit_tui.store.follow_up import actions, feedback
        from audit_tui.store.moderation import refuse_if_blind

        repo = audit_app(self).store.repo
        try:
            refuse_if_blind(repo, self.audit, "feedback")
        except AuditError as exc:
            self.post_message(FeedbackHidden(exc.problems[0].message))
            return
        with repo.engine.connect() as conn:
            case = case_record(conn, self.audit, self.case.id) or self.case
        ref = case.case_ref
        found = FeedbackRead(
            case=case,
            access=team.standing(repo, self.audit),
            said=feedback(repo, self.audit, ref),
            actions=actions(repo, audit=self.audit, case_ref=ref),
            answers=answers.answers_for_case(repo, case.id),
        )
        self.post_message(found)

    @on(FeedbackHidden)
    def _hidden(self, message: FeedbackHidden) -> None:
        why = message.why
        self.refusal = why
        for area in self.query(TextArea):
            area.read_only = True
        self.set_focus(self.query_one("#case-actions", DataTable))
        self._status(f"Hidden. {why}.")

    @on(FeedbackRead)
    def _show(self, found: FeedbackRead) -> None:
        first = not self.loaded
        self.loaded = True
        self.case = found.case
        self.refusal = follow_up_refusal(found.access, self.case.case_ref, self.case.allocated_to)
        self.query_one("#feedback-title", Static).update(self._title())
        self._show_draft()
        areas = (self.query_one("#strengths", TextArea), self.query_one("#improvements", TextArea))
        # the stored words escaped and cut; that shown form counts as saved, so nothing is written
        # back unless edited (feedback refuses control characters: once edited, the box's words,
        # escapes and all, are what is saved)
        said = (editable(found.said.strengths), editable(found.said.improvements))
        if first:  # words typed while the case was read follow what was saved before
            for area, text in zip(areas, said, strict=True):
                typed = area.text if not self.refusal else ""
                area.load_text(f"{text}\n{typed}" if text and typed else text or typed)
                area.move_cursor(area.document.end)
            self._saved = said
        elif not self.dirty:  # never replace words being written with what another save left
            for area, text in zip(areas, said, strict=True):
                if area.text != text:
                    area.load_text(text)
            self._saved = said
        for area in areas:
            area.read_only = bool(self.refusal)
        self.query_one("#tagged-notes", Static).update(tagged_notes(self.audit, found.answers))
        self._show_actions(found.actions)
        if self.refusal:
            self._status(f"READ ONLY: {self.refusal}")
        elif not self.dirty:
            self._status(self._saved_line(found.said))
        if first and self.refusal:
            self.set_focus(self.query_one("#case-actions", DataTable))
        elif self.dirty:
            self._edited()

    def _show_draft(self) -> None:
        """`Draft: 40 of 73 items answered` while the case's review is unfinished, as the sheet."""
        from audit_tui.reporting.draft import draft_line

        line = draft_line(self.case.answered, self.case.applicable)
        shown = self.query_one("#feedback-draft", Static)
        shown.display = line is not None
        shown.update(f"{line}: the sheet says so too" if line else "")

    def _saved_line(self, said: Feedback) -> str:
        if said.updated_at is None:
            return "No feedback written yet · ctrl+s saves · Esc leaves the words for the actions"
        when = f"{day_text(said.updated_at.date())} {said.updated_at:%H:%M}"
        return f"✓ saved · last written by {one_line(said.updated_by)}, {when}"

    def _show_actions(self, found: list[Action]) -> None:
        today = date.today()
        table = self.query_one("#case-actions", DataTable)
        at = table.cursor_row
        self.actions = {str(a.id): a for a in found}
        fill_table(
            table,
            [("Due", "due"), ("Status", "status"), ("What", "what")],
            [(str(a.id), (day_text(a.due), status_text(a, today), a.what)) for a in found],
        )
        if found:
            table.move_cursor(row=min(at, len(found) - 1))

    def _status(self, line: str) -> None:
        self.query_one("#feedback-status", Static).update(line)

    # ---- the words ----------------------------------------------------------------------------

    def _words(self) -> tuple[str, str]:
        return (
            self.query_one("#strengths", TextArea).text,
            self.query_one("#improvements", TextArea).text,
        )

    @property
    def dirty(self) -> bool:
        return self.loaded and not self.refusal and self._words() != self._saved

    @on(TextArea.Changed)
    def _edited(self) -> None:
        if self.dirty and not self._saving:
            self._status("Not saved yet · ctrl+s saves (leaving or printing saves too)")

    def action_edit(self, which: str) -> None:
        if self._refused():
            return
        self.set_focus(self.query_one(f"#{which}", TextArea))

    def action_save_feedback(self) -> None:
        if not self._refused():
            self._save()

    def _save(self, then: Callable[[], object] | None = None) -> None:
        """Write the words (then call `then`, once committed). A refusal or a failure is one
        line and `then` is not called: the screen stays, with the words as typed."""
        from audit_tui.store.follow_up import save_feedback

        audit, ref = self.audit, self.case.case_ref
        strengths, improvements = words = self._words()
        self._saving = True
        self._status("Saving…")
        audit_app(self).store.write(
            self,
            lambda repo: save_feedback(
                repo, audit, ref, strengths=strengths, improvements=improvements
            ),
            lambda said: FeedbackSaved(said, words, then),
        )

    @on(FeedbackSaved)
    def _feedback_saved(self, message: FeedbackSaved) -> None:
        self._saving = False
        self._saved = message.words
        self._status(self._saved_line(message.feedback))
        if message.then is not None:
            message.then()

    @on(WriteFailed)
    def _feedback_not_saved(self, message: WriteFailed) -> None:
        message.stop()  # said here, with the words still as typed
        self._saving = False
        self._say_refusal(f"NOT SAVED: {message.line}")

    def _refused(self) -> bool:
        if self.refusal:
            self._say_refusal(self.refusal)
        elif not self.loaded:
            self.notify("Still reading the case…", markup=False)
        return bool(self.refusal) or not self.loaded

    def _say_refusal(self, line: str) -> None:
        self._status(line)
        self.notify(line, severity="warning", markup=False)

    # ---- actions ------------------------------------------------------------------------------

    def current_action(self) -> Action | None:
        table = self.query_one("#case-actions", DataTable)
        if not self.actions or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.actions.get(key or "")

    def action_add_action(self) -> None:
        if self._refused():
            return
        self.app.push_screen(ActionDialog(self.audit, self.case.case_ref), self._action_saved)

    def action_step(self, status: str) -> None:
        if self._refused():
            return
        action = self.current_action()
        if action is None:
            self.notify("No action highlighted: n agrees one.", markup=False)
            return
        if said := already(action, status):
            self._say_refusal(said)
            return
        self.app.push_screen(step_dialog(action, status), self._action_saved)

    def _action_saved(self, action: Action | None) -> None:
        if action is None:
            return
        self._status(f"✓ saved · action {action.id}: {action.status}, due {day_text(action.due)}")
        audit_app(self).audit_changed(self.audit.info.name)  # this screen and those beneath

    # ---- printing and leaving -----------------------------------------------------------------

    def action_print_sheet(self) -> None:
        if not self.loaded:
            return
        if self.dirty:  # the sheet shows what is saved: save what is typed first
            self._save(then=self._print)
        else:
            self._print()

    def _print(self) -> None:
        def printed(path: Path | None) -> None:
            if path is not None:
                self._status(f"Feedback sheet written to {path}")

        self.app.push_screen(SheetDialog(self.audit, self.case.case_ref), printed)

    def action_back(self) -> None:
        if isinstance(self.focused, TextArea):
            if self.dirty:
                self._save()
            self.set_focus(self.query_one("#case-actions", DataTable))
            return
        if self.dirty:
            self._save(then=self._leave)
        else:
            self._leave()

    def _leave(self) -> None:
        if self.is_current:
            self.app.pop_screen()


class SheetDialog(ExportDialog):
    """The export dialog for one case's feedback sheet: HTML (prints on A4) or Markdown, into a
    remembered folder (else Documents or home); the export is logged before the file is written,
    and a database file is never replaced."""

    SUBMIT_LABEL = "Print to file"
    FORMAT_WORDS = SHEET_WORDS
    NOTES = (
        "Untagged notes (working notes: they may hold personal data)",
        "Leave them out",
        "Include them",
    )
    NOTE_CHOICE = Choice
    PURPOSE = ("Purpose (kept in the audit's log)", "e.g. supervision with the practitioner")

    def __init__(self, audit: OpenAudit, case_ref: str) -> None:
        super().__init__(audit, SHEET_FORMATS)
        self.case_ref = case_ref
        last = remembered("feedback-sheet")
        fmt = last.get("format")
        self.format = fmt if fmt in SHEET_FORMATS else "html"
        self.folder = existing_folder(str(last.get("folder", ""))) or self.folder

    def title_text(self) -> str:
        return f"Print the feedback sheet of case {one_line(self.case_ref)}"

    def proposed_name(self, fmt: str) -> str:
        stem = f"{safe_file_stem(self.audit.info.name)}-{safe_file_stem(self.case_ref)}"
        return f"{stem}-feedback-{date.today().isoformat()}.{fmt}"

    def _write(self, path: Path, fmt: str, notes: bool, protect: list[Path]) -> None:
        audit, ref, purpose = self.audit, self.case_ref, self.purpose
        self.say(f"Writing {path}…")

        def run(repo: Repository) -> Path:
            from audit_tui.reporting.feedback_sheet import render_sheet
            from audit_tui.reporting.render import database_files, export_detail, write_atomically
            from audit_tui.store import events
            from audit_tui.store.moderation import refuse_if_blind

            refuse_if_blind(repo, audit, "feedback sheet")
            content = render_sheet(repo, audit, ref, fmt, include_notes=notes)
            detail = export_detail(fmt, notes, str(path), purpose)
            events.record_access(repo, audit, "export", f"feedback sheet for case {ref}: {detail}")
            write_atomically(path, content, protect=[*protect, *database_files(repo)])
            return path

        audit_app(self).store.write(self, run, lambda written: Exported(written, fmt))

    def _done(self, path: Path, fmt: str) -> None:
        remember("feedback-sheet", {"format": fmt, "folder": str(path.parent)})
        self.app.notify(f"Feedback sheet written to {path}", title="Printed", markup=False,
                        timeout=12)  # fmt: skip
        self.dismiss(path)
