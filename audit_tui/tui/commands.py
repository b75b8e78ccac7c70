"""Command palette (ctrl+p): what makes sense where you are, from the audit list to a case.

Only audit-tui's own commands: Textual's developer entries (screenshots, themes, maximising) are
not for an auditor. Jumping to a case is offered for what is typed, not listed for every case
of a regional audit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from audit_tui.tui.text import literal
from audit_tui.tui.workers import audit_app

if TYPE_CHECKING:
    from textual.screen import Screen

    from audit_tui.tui.screens.dashboard import DashboardScreen

Command = tuple[str, Callable[[], object], str]
DASHBOARD_ACTIONS = (
    ("Add a case", "add_case", "Add a case to this audit"),
    ("Edit the highlighted case", "edit_case", "Change its attributes"),
    ("Remove the highlighted case", "remove_case", "Take it out of the audit, with a reason"),
    ("Removed cases", "removed_cases", "When, by whom and why; Enter restores one (the lead)"),
    ("Import cases", "import_cases", "Add (or update) cases from a CSV file"),
    ("Judgements", "judgements", "Rate the organisational standards (domain one)"),
    ("Report", "report", "Ratings, key questions and breakdowns"),
    ("Export the report", "export_report", "Write the report to a file"),
    ("Rename this audit", "rename_audit", "Give the audit another name"),
    ("Delete this audit", "delete_audit", "Everything in it goes; you type its name to confirm"),
    ("Audit timeline", "timeline", "Every change and event: who, when, what; filter as you type"),
    ("Allocate the highlighted case", "allocate_case", "Give it to an auditor (the lead)"),
    ("Sign the highlighted case off", "sign_off", "Its answers become final (the lead)"),
    ("Lock or unlock this audit", "lock_audit", "Freeze its figures, or open them with a reason"),
    (
        "Draw a sample from a caseload",
        "sample",
        "Strata, window, size, seed; once drawn, the draw and replacing a case (the lead)",
    ),
    ("Moderate: start a round", "moderate", "A second marker marks cases blind (the lead)"),
    ("Moderation: settle disagreements", "reconcile", "Agreement between markers; settle each"),
    ("Compare with other audits", "compare", "What changed since an earlier audit; a trend"),
    ("Review a case (management oversight)", "add_reviewed_case", "Add it and walk it at once"),
    ("Feedback for the highlighted case", "feedback", "Strengths, improvements, actions, sheet"),
)
MOST_CASES = 50


class AuditCommands(Provider):
    def _commands(self) -> Iterator[Command]:
        from audit_tui.tui.screens.case_walk import CaseWalkScreen
        from audit_tui.tui.screens.feedback import FeedbackScreen
        from audit_tui.tui.screens.report import ReportScreen

        app = audit_app(self.screen)
        yield "New audit", partial(app.run_action, "new_audit"), "Create an audit"
        for name in app.audit_names:
            yield f"Open audit: {name}", partial(app.open_audit, name), "Open its dashboard"
        yield (
            "Actions across audits",
            partial(app.run_action, "open_actions"),
            "Every action agreed with practitioners: open, overdue, by practitioner",
        )
        dash = self._dashboard()
        if dash is not None and dash.audit is not None:
            for title, action, help_text in DASHBOARD_ACTIONS:
                yield title, partial(self._on_dashboard, dash.run_action, action), help_text
        screen = self.screen
        if isinstance(screen, CaseWalkScreen):
            yield "Undo the last answer", screen.action_undo, "Put back what it replaced"
            yield "Note on this item", screen.action_note, "A note, tagged or not"
            yield "Guidance for this item", screen.action_guidance, "The rubric's guidance"
            for sec in screen.sections:
                yield (
                    f"Jump to standard: {sec.title}",
                    partial(screen.jump_to_section, sec.index),
                    "In this case",
                )
        if isinstance(screen, FeedbackScreen):
            yield "Print the feedback sheet", screen.action_print_sheet, "HTML or Markdown, A4"
            yield "Agree an action", screen.action_add_action, "What, and by when"
            yield "Save the feedback", screen.action_save_feedback, "Strengths and improvements"
        if isinstance(screen, ReportScreen) and screen.data is not None:
            for st in screen.data.result.standards:
                if st.key_questions:
                    yield (
                        f"Jump to standard: {st.id} {st.title}",
                        partial(screen.jump_to_standard, st.id),
                        "Its key questions in the report",
                    )
        yield "Keys for this screen", partial(app.run_action, "help"), "And what they do"
        yield "Quit", partial(app.run_action, "quit"), "Every saved answer is kept"

    def _case_jumps(self, query: str) -> Iterator[Command]:
        dash = self._dashboard()
        needle = query.strip().casefold()
        if dash is None or dash.audit is None or not needle:
            return
        found = (c for c in dash.cases if needle in c.case_ref.casefold())
        for _, case in zip(range(MOST_CASES), found, strict=False):
            yield (
                f"Jump to case: {case.case_ref}",
                partial(self._on_dashboard, dash.action_open_case, case.case_ref),
                "Open this case",
            )

    def _dashboard(self) -> DashboardScreen | None:
        from audit_tui.tui.screens.dashboard import DashboardScreen

        stack: list[Screen[object]] = list(self.app.screen_stack)
        return next((s for s in reversed(stack) if isinstance(s, DashboardScreen)), None)

    def _on_dashboard(self, call: Callable[..., object], *args: object) -> None:
        """Go back to the dashboard (closing cases and dialogs above it), then act there."""
        dash = self._dashboard()
        app = self.app
        while dash is not None and app.screen is not dash and len(app.screen_stack) > 1:
            app.pop_screen()
        app.call_later(call, *args)

    async def discover(self) -> Hits:
        for name, run, help_text in self._commands():
            yield DiscoveryHit(literal(name), run, help=help_text)

    async def search(self, query: str) -> Hits:
        """Matches highlighted on the literal name: an audit called "[/]" is not markup
        (Textual's own `Matcher.highlight` reads its candidate as markup)."""
        matcher = self.matcher(query)
        for name, run, help_text in (*self._commands(), *self._case_jumps(query)):
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, _highlight(matcher, name), run, help=help_text)


def _highlight(matcher: Matcher, name: str) -> Content:
    """The name as shown (`literal`: escaped, cut), its matched letters highlighted there."""
    content = literal(name)
    shown = content.plain
    _score, offsets = matcher.fuzzy_search.match(matcher.query, shown)
    for offset in offsets:
        if offset < len(shown) and not shown[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
