"""Command palette (ctrl+p): what makes sense where you are, from the audit list to a case."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from audit_tui.tui.text import literal
from audit_tui.tui.workers import audit_app

DASHBOARD_ACTIONS = (
    ("Add case", "add_case", "Add a case to this audit"),
    ("Import cases", "import_cases", "Import cases from a CSV file"),
    ("Judgements", "judgements", "Domain-one judgements"),
    ("Report", "report", "Ratings, key questions and breakdowns"),
    ("Export report", "export_report", "Write the report to a file"),
)


class AuditCommands(Provider):
    def _commands(self) -> Iterator[tuple[str, Callable[[], object], str]]:
        from audit_tui.tui.screens.case_walk import CaseWalkScreen
        from audit_tui.tui.screens.dashboard import DashboardScreen

        app = audit_app(self.screen)
        yield (
            "New audit",
            partial(app.run_action, "new_audit"),
            "Create an audit against an installed rubric",
        )
        for name in app.audit_names:
            yield f"Open audit: {name}", partial(app.open_audit, name), "Open its dashboard"
        dash = next((s for s in reversed(app.screen_stack) if isinstance(s, DashboardScreen)), None)
        if dash is not None and dash.audit is not None:
            for title, action, help_text in DASHBOARD_ACTIONS:
                yield title, partial(self._on_dashboard, dash, dash.run_action, action), help_text
            for case in dash.cases:
                yield (
                    f"Jump to case: {case.case_ref}",
                    partial(self._on_dashboard, dash, dash.action_open_case, case.case_ref),
                    "Open this case",
                )
        screen = self.screen
        if isinstance(screen, CaseWalkScreen):
            for sec in screen.sections:
                yield (
                    f"Jump to standard: {sec.title}",
                    partial(screen.jump_to_section, sec.index),
                    "In this case",
                )

    def _on_dashboard(self, dash: object, call: Callable[..., object], *args: object) -> None:
        """Go back to the dashboard (closing cases and dialogs above it), then act there."""
        app = self.app
        while app.screen is not dash and len(app.screen_stack) > 1:
            app.pop_screen()
        app.call_later(call, *args)

    async def discover(self) -> Hits:
        for name, run, help_text in self._commands():
            yield DiscoveryHit(literal(name), run, help=help_text)

    async def search(self, query: str) -> Hits:
        """Matches highlighted on the literal name: an audit called "[/]" is not markup
        (Textual's own `Matcher.highlight` reads its candidate as markup)."""
        matcher = self.matcher(query)
        for name, run, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, _highlight(matcher, name), run, help=help_text)


def _highlight(matcher: Matcher, name: str) -> Content:
    content = literal(name)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, name)
    for offset in offsets:
        if offset < len(content.plain) and not name[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content
