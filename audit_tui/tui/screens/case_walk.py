"""The case walk: standards on the left with progress; on the right the standard's headline, then
each key question with its prompts first and the key question itself last.

Keys answer the current item and move on to the next unanswered one. An answer shows as saved only
once the write queue reports it committed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, ListItem, ListView, Markdown, Static

from audit_tui.domain.safe_text import one_line
from audit_tui.tui.screens.case_reads import AnswersRead, AnswersUnread, ItemHistoryRead
from audit_tui.tui.screens.case_sections import build_sections, case_facts
from audit_tui.tui.screens.case_walk_words import (
    both_marks,
    second_marking_words,
    section_progress,
    standard_line,
)
from audit_tui.tui.text import Plain
from audit_tui.tui.widgets.header import SafeHeader
from audit_tui.tui.widgets.in_order import (
    act_in_order,
    act_now,
    action_of,
    in_order_now,
    send_on,
)
from audit_tui.tui.widgets.item_row import ItemList, ItemRow
from audit_tui.tui.widgets.standards_list import StandardsList
from audit_tui.tui.workers import ReportsFailures, audit_app

if TYPE_CHECKING:
    from textual.events import Key

    from audit_tui.domain.records import CaseInfo, OpenAudit, SavedAnswer
    from audit_tui.store.moderation import Marking
    from audit_tui.store.repository import AnswerConflict, Repository
    from audit_tui.tui.live import LiveAudit
    from audit_tui.tui.messages import AnswerNotSaved, AnswerSaved
    from audit_tui.tui.state import Versions


def handed_on(action: Callable[..., None]) -> Callable[..., None]:
    """A key's action, done by the screen taking this one's place while a switch to it is
    under way (the old screen still gets keys until then), else here."""

    @wraps(action)
    def run(self: CaseWalkScreen, *args: Any) -> None:
        if not self._hand_on(lambda successor: getattr(successor, action.__name__)(*args)):
            action(self, *args)

    return run


class CaseWalkScreen(ReportsFailures, Screen[None]):
    HELP_TITLE = "Case walk"
    AUTO_FOCUS = "#items"  # the arrows move through the items from the first key
    BINDINGS = [
        Binding("y", "answer('yes')", "Yes", id="answer_yes"),
        Binding("n", "answer('no')", "No", id="answer_no"),
        Binding("a", "answer('na')", "N/A", id="answer_na", tooltip="Not applicable"),
        Binding("u", "answer('')", "Clear", id="answer_clear", show=False,
                tooltip="Clear the answer (unanswered again)"),
        # priority: the text typed straight after "e" reaches the note, not the walk
        Binding("e", "note", "Note", id="note", priority=True,
                tooltip="A note, tagged as a strength or not"),
        Binding("right_square_bracket", "next_unanswered", "Next blank", id="next_unanswered",
                tooltip="The next unanswered item"),
        Binding("left_square_bracket", "prev_unanswered", "Prev blank", id="prev_unanswered",
                show=False, tooltip="The previous unanswered item"),
        Binding("f1", "guidance", "Guidance", id="guidance",
                tooltip="The rubric's guidance for this item (help where there is no item)"),
        # priority: the arrows typed straight after it move the list
        Binding("s", "standards", "Standards", id="standards_list", show=False, priority=True,
                tooltip="Into the list of standards: arrows choose, Enter goes there, Esc back"),
        Binding("greater_than_sign", "other_case(1)", "Next case", id="next_case"),
        Binding("less_than_sign", "other_case(-1)", "Prev case", id="prev_case", show=False),
        Binding("ctrl+z", "undo", "Undo", id="undo", show=False,
                tooltip="Put back the answer the last one replaced (in this case)"),
        Binding("h", "history", "History", id="item_history", show=False,
                tooltip="Every change to this item's answer: who, when, what"),
        Binding("m", "mark_complete", "Mark complete", id="mark_complete", show=False,
                tooltip="Say this case is done (every item that applies is answered)"),
        Binding("f", "feedback", "Feedback", id="feedback", show=False,
                tooltip="Feedback and actions for this case's practitioner"),
        Binding("escape", "back", "Back", id="back", show=False, tooltip="Back to the dashboard"),
    ]  # fmt: skip

    def __init__(
        self,
        audit: OpenAudit,
        cases: list[CaseInfo],
        index: int,
        typed_ahead: Sequence[tuple[str, str | None]] = (),
    ) -> None:
        super().__init__()
        self._typed_ahead = list(typed_ahead)
        """Keys typed after the Enter that opened the case, before it was up: acted on first,
        once its answers are read."""
        self.audit, self.cases, self.index = audit, cases, index
        self.case = cases[index]
        self.sections = build_sections(audit.rubric, self.case.attributes)
        self.rows = [r for s in self.sections for r in s.rows]
        self.loaded = False
        self._read_failed = False
        """The last read of the answers failed: keys no longer wait for them (Esc leaves)."""
        self.current: ItemRow | None = None
        self._shown: dict[Static, str] = {}
        self._undo: list[tuple[ItemRow, str | None]] = []
        """This case's answers as they were before each change made here, newest last."""
        self._facts = case_facts(audit.rubric, self.case.attributes)
        self._was_complete = False
        self._early: list[Callable[[], None]] = []
        """Moves and answers keyed before the answers were read (a burst straight after Enter
        on the dashboard): done in order from the start item once they are."""
        self._successor: CaseWalkScreen | None = None
        """The case's screen taking this one's place (`>`, `<`) while the switch is under way:
        keys typed meanwhile still reach this screen, and are handed on to it."""
        self.marking: Marking | None = None
        self.marked: Marking | None = None
        """The user's second marking of this case, marked complete: both marks are shown."""
        self.differ = 0
        """How many items of the case the two markers answered differently (once marked)."""
        """Set when the user second-marks this case blind: the walk shows and saves their
        second marks, never the audit's answers."""

    PRIORITY_ACTIONS = frozenset(
        b.action for b in BINDINGS if isinstance(b, Binding) and b.priority
    )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Its priority keys wait their turn behind the keys its list has still to read, and
        for the case's answers (`takes` keeps them meanwhile): `e` then a note typed while
        they were read said "still loading" and the note's letters were given as answers."""
        if action in self.PRIORITY_ACTIONS and not in_order_now():
            found = self.query(ItemList)
            waits = bool(found) and found.first(ItemList).waits_turn()
            return not (waits or self._heir().waits_for_answers)
        return True

    # ---- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Plain("", id="case-header", classes="screen-title")
        yield Plain("", id="standard-rating", classes="status")
        with Horizontal(id="walk"):
            yield StandardsList(
                *(
                    ListItem(
                        Label("", id=f"nav-label-{s.index}", markup=False), id=f"nav-{s.index}"
                    )
                    for s in self.sections
                ),
                go_to=self.jump_to_section,
                back=self._items_again,
                id="standards",
            )
            with ItemList(id="items"):
                for sec in self.sections:
                    with Vertical(id=f"section-{sec.index}", classes="section"):
                        yield Plain(sec.title, classes="section-title")
                        if sec.headline:
                            yield Plain(sec.headline, classes="headline")
                        if not sec.applicable:
                            yield Plain(
                                f"This standard does not apply to this case: {sec.why_not}.",
                                classes="inapplicable-note",
                            )
                        yield from sec.rows
            with VerticalScroll(id="guidance-pane"):  # shown on wide screens only (app.tcss)
                yield Markdown("", id="guidance-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.watch(self.app, "versions", self._audit_moved, init=False)
        self.show_section(0)
        self._refresh_progress()
        self.load_answers()
        self._show_rating()

    def load_answers(self) -> None:
        """Read on the write queue, after every answer given before it: a case opened again in
        a burst while its answers were still being saved started on one of them, and the next
        key answered that item again (it replaced the answer just given)."""
        app = audit_app(self)
        self._read_failed = False
        audit, case, first = self.audit, self.case, not self.loaded
        app.store.write(
            self,
            lambda repo: AnswersRead.read(repo, audit, case, first=first),
            lambda read: read,
            failed=AnswersUnread,
        )

    @on(AnswersUnread)
    def _not_read(self, message: AnswersUnread) -> None:
        from audit_tui.tui.store_link import describe_error

        audit_app(self).report_failure(describe_error(message.error))
        self._unread()

    @on(AnswersRead)
    def _show_answers(self, message: AnswersRead) -> None:
        answers, mark, seconds = message.answers, message.mark, message.seconds
        first_load = not self.loaded
        self.marking = mark if seconds is None else None
        self.marked = mark if seconds is not None else None
        self.differ = 0
        for row in self.rows:
            if seconds is not None and row.applies:
                first, second = answers.get(row.item_id), seconds.get(row.item_id)
                a, b = (first.value if first else None), (second.value if second else None)
                self.differ += a != b
                row.beside = both_marks(a, b)
            row.show_stored(answers.get(row.item_id))
        self.loaded = True
        self._was_complete = self.is_complete
        self._refresh_progress()
        if first_load:
            self.call_after_refresh(audit_app(self).settle_heap)
            self.set_focus(self.query_one(ItemList))
            start = self.next_unanswered(-1) or next((r for r in self.rows if r.applies), None)
            if start is not None:
                self.focus_row(start)
            self.refresh_bindings()  # its priority keys waited for the answers (check_action)
            typed, self._typed_ahead = self._typed_ahead, []
            for at, (key, character) in enumerate(typed):  # each where the one before left
                heir = self._heir()  # the app (`_pass`)
                if heir is self and self.focused is not self.query_one(ItemList):
                    send_on(self.app, typed[at:])  # `s` took the focus to the standards
                    break
                if not self._pass(key, character):
                    act_now(heir.query_one(ItemList), key, character)
            early, self._early = self._early, []
            for step in early:
                step()

    def _audit_moved(self, old: Versions, new: Versions) -> None:
        """The audit changed (another writer, counted again by the app): show their answers in
        this case and the new rating."""
        name = self.audit.info.name
        if old.of(name) != new.of(name):
            self.load_answers()
            self._show_rating()

    # ---- navigation ---------------------------------------------------------------------------

    def show_section(self, index: int) -> None:
        """Mark the standard in the list on the left. Every standard stays laid out in the walk
        (one long list): showing and hiding them would lay out and draw a standard's rows afresh
        each time the cursor crosses into it."""
        nav = self.query_one("#standards", ListView)
        if nav.index != index:
            nav.index = index

    def focus_row(self, row: ItemRow) -> None:
        """Move the cursor now, not after the keys already typed: the next key answers `row`.
        The cursor is the screen's (a class on the row); the focus stays on the list."""
        self.show_section(row.section)
        if self.current is not None and self.current is not row:
            self.current.set_current(False)
        self.current = row
        row.set_current(True)
        self.call_after_refresh(self._bring_into_view, row)
        self._row_shown(row)

    def _bring_into_view(self, row: ItemRow) -> None:
        """Scroll only when the row is out of sight, and then put it near the top: the rows that
        follow are in view for the next answers, so the list is not redrawn at every key."""
        found = self.query(ItemList)
        if not found:  # the case was left before this refresh (a fast Esc)
            return
        items = found.first(ItemList)
        if not items.can_view_entire(row):
            items.scroll_to_widget(row, animate=False, top=True)

    @on(ItemRow.Picked)
    def _picked(self, event: ItemRow.Picked) -> None:
        self.focus_row(event.row)

    def _row_shown(self, row: ItemRow) -> None:
        self._show_rating()
        if self.has_class("-wide"):
            from audit_tui.tui.screens.guidance import guidance_markdown

            self.query_one("#guidance-text", Markdown).update(
                guidance_markdown(self.audit.rubric, row.item_id)
            )

    # ---- the live rating of the standard in view ----------------------------------------------

    def _live(self) -> LiveAudit | None:
        live = audit_app(self).live
        return live if live is not None and live.name == self.audit.info.name else None

    def _show_rating(self) -> None:
        live = self._live()
        if live is None or self.current is None:
            return
        answered_all = self.marking is not None and self.loaded and self.is_complete
        words = second_marking_words(self.marking, self.marked, self.differ, answered_all,
                                     bool(live.blind))  # fmt: skip
        key = self.sections[self.current.section].key
        line = words or standard_line(live.result, self.audit.rubric.scale, key)
        self._set_text(self.query_one("#standard-rating", Static), line)

    @on(ListView.Selected, "#standards")
    def _jump_to_section(self, event: ListView.Selected) -> None:
        """A click on a standard (keys go through StandardsList, in order)."""
        index = int(str(event.item.id).removeprefix("nav-"))
        self.jump_to_section(index)
        self._items_again()

    def jump_to_section(self, index: int) -> None:
        sec = self.sections[index]
        target = next((r for r in sec.applicable if not r.answered), None) or next(
            iter(sec.applicable), None
        )
        if target is not None:
            self.focus_row(target)
        else:
            self.show_section(index)
        self.query_one(f"#section-{index}").scroll_visible(top=True, animate=False)

    def _applicable(self) -> list[ItemRow]:
        return [r for r in self.rows if r.applies]

    @handed_on
    def action_move(self, step: int) -> None:
        if self._later(lambda: self.action_move(step)):
            return
        rows = self._applicable()
        if not rows:
            return
        here = rows.index(self.current) if self.current in rows else -1
        self.focus_row(rows[max(0, min(len(rows) - 1, here + step))])

    def next_unanswered(self, after: int, step: int = 1) -> ItemRow | None:
        """The next applicable, unanswered row after position `after` in walk order (wrapping)."""
        n = len(self.rows)
        for offset in range(1, n + 1):
            row = self.rows[(after + step * offset) % n]
            if row.applies and not row.answered and row.state != "saving":
                return row
        return None

    def _position(self) -> int:
        return self.rows.index(self.current) if self.current in self.rows else -1

    def _later(self, step: Callable[[], None]) -> bool:
        """Keep `step` for when the answers have been read (True), or let it run now (read,
        or the read failed: `_target` then says so)."""
        if not self.waits_for_answers:
            return False
        self._early.append(step)
        return True

    @handed_on
    def action_next_unanswered(self) -> None:
        if self._later(self.action_next_unanswered):
            return
        row = self.next_unanswered(self._position())
        if row is None:
            self.notify("Every item that applies to this case is answered.")
        else:
            self.focus_row(row)

    @handed_on
    def action_prev_unanswered(self) -> None:
        if self._later(self.action_prev_unanswered):
            return
        row = self.next_unanswered(self._position(), step=-1)
        if row is not None:
            self.focus_row(row)

    @handed_on
    def action_other_case(self, step: int) -> None:
        if self.elsewhere:  # under guidance or a dialog: switching would replace that
            return
        index = self.index + step
        if not 0 <= index < len(self.cases):
            self.notify("No more cases that way.")
            return
        self._successor = CaseWalkScreen(self.audit, self.cases, index)
        self.app.switch_screen(self._successor)

    async def takes(self, event: Key) -> bool:
        """Whether a key its list read is taken here rather than acted on there (True), in the
        order typed (`_pass`), or acted on in the case that replaced this one. Acted on at
        once, `y` then Esc left a case still reading its answers before the answer was given,
        and Esc then Down after `>` moved the next case, already gone, not the dashboard's
        cursor."""
        key, character = event.key, event.character
        heir = self._heir()
        first = heir is self and not self.loaded and not self._typed_ahead
        if first and self.leaves_at_once(key):
            return False
        if self._pass(key, character):
            return True
        if heir is self:
            return False
        await act_in_order(heir.query_one(ItemList), event, untried=True)
        return True

    def _pass(self, key: str, character: str | None) -> bool:
        """Route a key this case read but may not act on (True): to the screen shown, when the
        case (or the one that replaced it, `>`, `<`) was left or lies under another; kept for
        when that case's answers are read, while they are being read."""
        heir = self._heir()
        if heir.elsewhere:
            send_on(self.app, [(key, character)])
        elif heir.waits_for_answers:
            heir._typed_ahead.append((key, character))
        else:
            return False
        return True

    @property
    def waits_for_answers(self) -> bool:
        """Keys wait for the answers being read; not once a read failed (they act, and are
        refused as still loading, and Esc leaves), or a case that cannot be read kept every
        key typed in it for good."""
        return not self.loaded and not self._read_failed

    def _heir(self) -> CaseWalkScreen:
        """The case now in this one's place: itself, or the last of those `>` and `<` opened."""
        walk = self
        while walk._successor is not None:
            walk = walk._successor
        return walk

    def leaves_at_once(self, key: str) -> bool:
        """`key` is Back: typed first in a case up on the screen, it leaves at once though the
        answers are still being read (a slow server does not keep the auditor there)."""
        return action_of(self, key) == "back"

    def _unread(self) -> None:
        """The answers could not be read: the keys waiting for them are not acted on (an answer
        given blind could replace one never seen), but Back leaves, and the keys after it go to
        the screen beneath. Said, never silently dropped."""
        if self.loaded:
            return
        self._read_failed = True
        typed, self._typed_ahead, self._early = self._typed_ahead, [], []
        back = next((at for at, (key, _) in enumerate(typed) if self.leaves_at_once(key)), None)
        dropped = len(typed) if back is None else back
        if dropped:
            self.notify(
                f"{dropped} key{'s' if dropped != 1 else ''} typed before this case's answers "
                "were read not acted on",
                severity="warning",
            )
        if back is not None:
            self.action_back()
            send_on(self.app, typed[back + 1 :])

    @property
    def elsewhere(self) -> bool:
        """Keys read now are not this case's: it was left for the screen beneath (Esc) or lies
        under another (guidance, feedback, a dialog), not for another case (`>`, whose keys
        this screen hands on itself). They go to the screen shown (`ItemList`): acted on here,
        F1 then `u` cleared an answer under the guidance, and `>` replaced the guidance."""
        return self._successor is None and self.app.screen is not self

    def _hand_on(self, step: Callable[[CaseWalkScreen], None]) -> bool:
        """Give `step` to the screen taking this one's place, if one is (True): a key typed in
        a burst after `>` answers the next case, never the one being left."""
        successor = self._successor
        if successor is None:
            return False
        if not successor._later(lambda: step(successor)):
            step(successor)
        return True

    @handed_on
    def action_back(self) -> None:
        stack = self.app.screen_stack
        beneath = getattr(stack[-2], "case_left", None) if len(stack) > 1 else None
        if beneath is not None:  # the dashboard: its cursor on the case left, for f, e, Enter
            beneath(self.case.id)  # now, not by a message: the keys typed next move it on
        self.app.pop_screen()

    @handed_on
    def action_standards(self) -> None:
        self.set_focus(self.query_one("#standards", ListView))

    def _items_again(self) -> None:
        """Out of the list of standards: the arrows move through the items again."""
        self.set_focus(self.query_one(ItemList))

    @handed_on
    def action_other_section(self, step: int) -> None:
        """PageDown / PageUp: the next or previous standard that applies to the case."""
        if self._later(lambda: self.action_other_section(step)):
            return
        here = self.current.section if self.current is not None else -1
        index = here + step
        while 0 <= index < len(self.sections) and not self.sections[index].applicable:
            index += step
        if 0 <= index < len(self.sections):
            self.jump_to_section(index)

    @handed_on
    def action_edge(self, step: int) -> None:
        """Home / End: the first or last item that applies."""
        if self._later(lambda: self.action_edge(step)):
            return
        rows = self._applicable()
        if rows:
            self.focus_row(rows[0] if step < 0 else rows[-1])

    # ---- answering ----------------------------------------------------------------------------

    def _target(self) -> ItemRow | None:
        """The row under the cursor when the key was pressed (kept by the screen: Textual moves
        focus only after the keys already queued)."""
        if not self.loaded:
            self.notify("Still loading this case's answers…")
            return None
        row = self.current
        if row is None or not row.applies:
            return None
        why = self.read_only()
        if why:
            self.notify(why, severity="warning", markup=False)
            return None
        return row

    def read_only(self) -> str:
        """Why this user may not change this case's answers ("" when they may): said before a
        key is taken, rather than after a save the store would refuse."""
        from audit_tui.domain.access import CaseGate
        from audit_tui.domain.errors import AuditError

        if self.marking is not None:
            return ""  # their second marks: the store checks the round is theirs and open
        live = self._live()
        access = live.access if live is not None else None
        if access is None:
            return ""
        case = live.case(self.case.id) if live is not None else None
        case = case or self.case
        gate = CaseGate(case.case_ref, case.allocated_to or None, case.signed_off_by,
                        case.signed_off_at)  # fmt: skip
        try:
            access.answer(gate)
        except AuditError as exc:
            return exc.problems[0].message
        return ""

    @handed_on
    def action_answer(self, value: str) -> None:
        if self._later(lambda: self.action_answer(value)):
            return
        row = self._target()
        if row is None:
            return
        from audit_tui.domain.answers import Answer

        answer = Answer(value) if value else None
        seen = row.value  # what the auditor saw: a different value on disk is a conflict
        self._save(row, answer.value if answer else None,
                   self._writer(row.item_id, value=answer, expected=seen))  # fmt: skip
        if answer is not None:
            following = self.next_unanswered(self.rows.index(row))
            if following is not None:
                self.focus_row(following)

    @handed_on
    def action_undo(self) -> None:
        """Put back the answer the last change in this case replaced (saved, with history)."""
        if not self._undo:
            self.notify("Nothing to undo in this case.")
            return
        from audit_tui.domain.answers import Answer

        row, value = self._undo.pop()
        answer = Answer(value) if value else None
        self.focus_row(row)
        seen = row.value
        self._save(row, value, self._writer(row.item_id, value=answer, via="undo", expected=seen),
                   undoing=True)  # fmt: skip
        shown = answer.label if answer else "unanswered"
        self.notify(f"{row.item_id} back to {shown}", title="Undone", markup=False)

    def _writer(
        self, item_id: str, **change: Any
    ) -> Callable[[Repository, OpenAudit, CaseInfo], SavedAnswer]:
        """The write for one answer (`change`: save_answer's value, note, note_tag, via,
        expected): to the audit's answers, or to the user's second marks while they mark this
        case blind (no tag, no conflict: nobody else writes them)."""
        from audit_tui.store import answers

        if self.marking is not None:
            from audit_tui.store.second_marks import save_second

            change.pop("note_tag", None)
            change.pop("expected", None)
            return lambda repo, audit, case: save_second(repo, audit, case.id, item_id, **change)
        return lambda repo, audit, case: answers.save_answer(repo, audit, case, item_id, **change)

    def _save(
        self,
        row: ItemRow,
        shown: str | None,
        write: Callable[[Repository, OpenAudit, CaseInfo], SavedAnswer],
        undoing: bool = False,
    ) -> None:
        """Show `shown` on `row` as being saved and queue the write; its result comes back to
        this row with a token, so only the row's latest save decides what it shows."""
        from audit_tui.tui.messages import AnswerNotSaved, AnswerSaved

        audit, case, app = self.audit, self.case, audit_app(self)
        token = row.begin_save(shown)
        app.answer_given()
        app.store.write(
            app,  # not this screen: the app counts the answer even if the case is left meanwhile
            lambda repo: write(repo, audit, case),
            lambda saved: AnswerSaved(self, row, token, saved, undoing),
            failed=lambda error: AnswerNotSaved(self, row, token, error),
        )

    def answer_saved(self, message: AnswerSaved) -> None:
        """Called by the app, which has the answer's outcome first (`AnswerSaved`)."""
        row, token, saved, undoing = message.row, message.token, message.saved, message.undoing
        row.save_done(token, saved.answer)
        if saved.changed and saved.old_value != saved.answer.value and not undoing:
            self._undo.append((row, saved.old_value))
        live = self._live()
        if self.marking is not None:
            pass  # second marks count in no rating
        elif live is not None:  # someone else wrote in between: the app counts again, once
            audit_app(self).count_save(live, self.case.id, row.item_id, saved)
        if not self.is_attached:
            return  # the case was left while it saved: the counts are kept, there is no screen
        self._refresh_progress()
        self._show_rating()
        if self.is_complete and not self._was_complete:
            self.notify(
                f"Case {one_line(self.case.case_ref)} is complete.",
                title="✓ Complete",
                markup=False,
            )
        self._was_complete = self.is_complete

    def answer_not_saved(self, message: AnswerNotSaved) -> None:
        """Called by the app (`AnswerNotSaved`): the row shows the answer on disk, and why."""
        from audit_tui.store.repository import AnswerConflict
        from audit_tui.tui.store_link import describe_error

        row, token, error = message.row, message.token, message.error
        attached = self.is_attached  # not when the case was left while it saved
        if isinstance(error, AnswerConflict):
            row.stored = error.stored.value  # theirs is what is on disk now
            row.save_failed(token)
            if attached:
                self._refresh_progress()
            audit_app(self).recount_open()
            if attached:
                self._ask_whose(row, error)
                return
        else:
            row.save_failed(token)
            if attached:
                self._refresh_progress()
        self.notify(
            f"{row.item_id} was NOT saved: {describe_error(error)}",
            severity="error",
            timeout=15,
            markup=False,
        )

    def _ask_whose(self, row: ItemRow, conflict: AnswerConflict) -> None:
        """Someone changed the answer since the auditor looked: show theirs and yours, and let
        the auditor choose. Nothing is overwritten until they do."""
        from audit_tui.domain.answers import Answer
        from audit_tui.tui.screens.team_dialogs import ConflictDialog

        theirs, mine = conflict.stored, conflict.mine

        def chosen(use_mine: bool | None) -> None:
            if not use_mine:
                self.notify(f"{row.item_id} keeps {one_line(conflict.stored.updated_by)}'s answer",
                            markup=False)  # fmt: skip
                return
            answer = Answer(mine) if mine else None
            self._save(row, mine, self._writer(row.item_id, value=answer, expected=theirs.value))

        self.app.push_screen(
            ConflictDialog(self.case.case_ref, row.item_id, row.text, theirs, mine),
            callback=chosen,
        )

    @handed_on
    def action_note(self) -> None:
        row = self._target()
        if row is None:
            return
        from audit_tui.tui.screens.note_dialog import NoteDialog

        def done(result: tuple[str, str | None] | None) -> None:
            if result is None:
                return
            from audit_tui.domain.answers import NoteTag

            note, tag = result
            note_tag = NoteTag(tag) if tag else None
            self._save(row, row.value,
                       self._writer(row.item_id, note=note, note_tag=note_tag))  # fmt: skip

        self.app.push_screen(
            NoteDialog(row.item_id, row.text, row.note, row.note_tag), callback=done
        )

    @handed_on
    def action_history(self) -> None:
        row = self.current
        if row is None:
            return
        self._load_history(row.item_id)

    @work(thread=True, exclusive=True, group="item-history", exit_on_error=False)
    def _load_history(self, item_id: str) -> None:
        repo = audit_app(self).store.repo
        case_ref = self.case.case_ref
        self.post_message(ItemHistoryRead.read(repo, self.audit, self.marking, case_ref, item_id))

    @on(ItemHistoryRead)
    def _show_history(self, message: ItemHistoryRead) -> None:
        item_id, found = message.item_id, message.found
        from audit_tui.tui.screens.team_dialogs import HistoryScreen

        title = f"History of {item_id} in case {one_line(self.case.case_ref)}"
        self.app.push_screen(HistoryScreen(title, found))

    @handed_on
    def action_mark_complete(self) -> None:
        if not self.loaded:
            return
        why = self.read_only()
        if why:
            self.notify(why, severity="warning", markup=False)
            return
        if not self.is_complete:
            left = sum(1 for r in self._applicable() if not (r.answered and r.on_disk))
            self.notify(f"{left} item{'s' if left != 1 else ''} still to answer",
                        severity="warning", markup=False)  # fmt: skip
            return
        from audit_tui.store import team
        from audit_tui.tui.messages import AuditChanged

        audit, ref, case_id = self.audit, self.case.case_ref, self.case.id
        app = audit_app(self)
        second = self.marking is not None
        said = (
            f"Case {ref} second-marked: its first marks are shown now."
            if second
            else f"Case {ref} marked complete"
        )

        def run(repo: Repository) -> object:
            if second:
                from audit_tui.store.second_marks import complete_second

                return complete_second(repo, audit, case_id)
            return team.complete_case(repo, audit, ref)

        app.store.write(app, run, lambda _case: AuditChanged(audit.info.name, said))

    @handed_on
    def action_feedback(self) -> None:
        from audit_tui.tui.screens.feedback import FeedbackScreen

        self.app.push_screen(FeedbackScreen(self.audit, self.case))

    @handed_on
    def action_guidance(self) -> None:
        row = self.current
        if row is None:
            audit_app(self).action_help()
            return
        from audit_tui.tui.screens.guidance import GuidanceScreen

        self.app.push_screen(GuidanceScreen(self.audit.rubric, row.item_id))

    # ---- progress -----------------------------------------------------------------------------

    @property
    def is_complete(self) -> bool:
        rows = self._applicable()
        return bool(rows) and all(r.answered and r.on_disk for r in rows)

    def _refresh_progress(self) -> None:
        for sec in self.sections:
            self._set_text(self.query_one(f"#nav-label-{sec.index}", Label), section_progress(sec))
        rows = self._applicable()
        done = sum(r.answered and r.on_disk for r in rows)
        complete = " ✓ CASE COMPLETE" if self.loaded and self.is_complete else ""
        why = self.read_only()
        if why:
            complete += " · READ ONLY"
        if self.marking is not None:
            done_all = ", answered all" if self.loaded and self.is_complete else ""
            complete = f" · SECOND MARKING (blind, round {self.marking.round}){done_all}"
        elif self.marked is not None:
            complete = f" · second marks complete (round {self.marked.round})"
        header = self.query_one("#case-header", Static)
        self._set_text(
            header,
            f"Case {one_line(self.case.case_ref)} ({self.index + 1} of {len(self.cases)}) · "
            f"{done}/{len(rows)} answered{complete} · {self._facts}",
        )
        header.set_class(self.loaded and self.is_complete, "-complete")
        if self.marking is not None or self.marked is not None:
            self._show_rating()

    def _set_text(self, widget: Static, text: str) -> None:
        """Update only what changed: each update lays the screen out again, and an answer
        changes one standard's count, not eight."""
        if self._shown.get(widget) != text:
            self._shown[widget] = text
            widget.update(text)
