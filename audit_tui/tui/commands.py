"""Command palette (ctrl+p): what makes sense where you are, from the audit list to a case."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class AuditCommands(Provider):
    def _commands(self) -> Iterator[tuple[str, Callable[[], object], str]]:
        from audit_tui.tui.screens.case_walk import CaseWalkScreen
        from audit_tui.tui.screens.dashboard import DashboardScreen

        app = self.app
        yield (
            "New audit",
            partial(app.run_action, "new_audit"),
            "Create an audit against an installed rubric",
        )
        for name in getattr(app, "audit_names", []):
            yield f"Open audit: {name}", partial(app.open_audit, name), "Open its dashboard"  # type: ignore[attr-defined]
        screen = self.screen
        dash = next((s for s in reversed(app.screen_stack) if isinstance(s, DashboardScreen)), None)
        if dash is not None and dash.audit is not None:
            yield (
                "Add case",
                partial(self._on_dashboard, dash, "add_case"),
                "Add a case to this audit",
            )
            yield (
                "Import cases",
                partial(self._on_dashboard, dash, "import_cases"),
                "Import cases from a CSV file",
            )
            yield (
                "Judgements",
                partial(self._on_dashboard, dash, "judgements"),
                "Domain-one judgements",
            )
            yield (
                "Export report",
                partial(self._on_dashboard, dash, "export_report"),
                "Write the report to a file",
            )
            for case in dash.cases:
                yield (
                    f"Jump to case: {case.case_ref}",
                    partial(self._open_case, dash, case.case_ref),
                    "Open this case",
                )
        if isinstance(screen, CaseWalkScreen):
            for sec in screen.sections:
                yield (
                    f"Jump to standard: {sec.title}",
                    partial(screen.jump_to_section, sec.index),
                    "In this case",
                )

    def _on_dashboard(self, dash: object, action: str) -> None:
        app = self.app
        while app.screen is not dash and len(app.screen_stack) > 1:
            app.pop_screen()
        app.call_later(dash.run_action, action)  # type: ignore[attr-defined]

    def _open_case(self, dash: object, case_ref: str) -> None:
        app = self.app
        while app.screen is not dash and len(app.screen_stack) > 1:
            app.pop_screen()
        app.call_later(dash.action_open_case, case_ref)  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for name, run, help_text in self._commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, run, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
