"""The Textual app. `build_app` is the one factory the CLI, the tests and the benchmarks use.

The first screen paints before SQLAlchemy is imported or the database opened: the store is
connected by a thread worker after the first refresh, and screens load when it is ready.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.binding import Binding

from audit_tui.tui.keymap import load_keymap
from audit_tui.tui.messages import AuditChanged, StoreReady
from audit_tui.tui.screens.audit_list import AuditListScreen

if TYPE_CHECKING:
    from audit_tui.tui.store_link import StoreLink

LinkFactory = Callable[[str], "StoreLink"]


def _audit_commands() -> type:
    """The palette's provider, imported when the palette first opens (not at start-up)."""
    from audit_tui.tui.commands import AuditCommands

    return AuditCommands


def _open_link(target: str) -> StoreLink:
    from audit_tui.tui.store_link import StoreLink

    return StoreLink.open(target)


class AuditApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "audit-tui"
    COMMANDS = App.COMMANDS | {_audit_commands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-normal"), (180, "-wide")]
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="help", tooltip="Keys for this screen"),
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Quit (every saved answer is kept)"),
    ]

    def __init__(
        self,
        db_target: str,
        *,
        open_audit: str | None = None,
        keymap_file: Path | None = None,
        link_factory: LinkFactory = _open_link,
        exit_after_first_paint: bool = False,
        rubric_files: tuple[Path, ...] = (),
    ) -> None:
        super().__init__()
        self.rubric_files = rubric_files
        self.db_target = db_target
        self.open_audit_name = open_audit
        self.link: StoreLink | None = None
        self.audit_names: list[str] = []
        self._link_factory = link_factory
        self._exit_after_first_paint = exit_after_first_paint
        keymap, self._keymap_problems = load_keymap(keymap_file)
        if keymap:
            self.set_keymap(keymap)

    def on_mount(self) -> None:
        self.push_screen(AuditListScreen())
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        if self._exit_after_first_paint:
            self.exit()
            return
        for problem in self._keymap_problems:
            self.notify(problem, severity="warning", timeout=10)
        self._connect()

    @work(thread=True, exclusive=True, group="connect")
    def _connect(self) -> None:
        from audit_tui.domain.errors import AuditError

        try:
            link = self._link_factory(self.db_target)
        except AuditError as exc:
            self.call_from_thread(self._connect_failed, str(exc))
            return
        self.call_from_thread(self._connected, link)

    def _connect_failed(self, message: str) -> None:
        self.notify(message, title="Cannot open the database", severity="error", timeout=30)
        for screen in self.screen_stack:
            if isinstance(screen, AuditListScreen):
                screen.show_status(f"Cannot open the database. {message}  (ctrl+q quits)")

    def _connected(self, link: StoreLink) -> None:
        self.link = link
        for screen in self.screen_stack:
            screen.post_message(StoreReady())
        if self.open_audit_name:
            from audit_tui.tui.screens.dashboard import DashboardScreen

            self.push_screen(DashboardScreen(self.open_audit_name))
            self.open_audit_name = None

    # ---- actions the palette and several screens share ----------------------------------------

    def action_new_audit(self) -> None:
        if self.link is not None:
            self._new_audit_dialog()

    @work(thread=True, exclusive=True, group="rubrics")
    def _new_audit_dialog(self) -> None:
        from audit_tui.domain.registry import discover
        from audit_tui.paths import shipped_rubric_dir, user_rubric_dir

        catalogue = discover([shipped_rubric_dir(), user_rubric_dir()], self.rubric_files)
        rubrics = [
            (r.rubric.id, f"{r.rubric.title} ({r.rubric.id} {r.rubric.version})")
            for r in sorted(catalogue.rubrics.values(), key=lambda r: r.rubric.id)
        ]
        problems = [str(p) for p in catalogue.problems]
        self.call_from_thread(self._push_new_audit, rubrics, problems, catalogue)

    def _push_new_audit(
        self, rubrics: list[tuple[str, str]], problems: list[str], catalogue: object
    ) -> None:
        from audit_tui.tui.screens.new_audit import NewAudit, NewAuditDialog

        for problem in problems:
            self.notify(problem, title="Rubric not loaded", severity="warning", timeout=15)

        def create(request: NewAudit | None) -> None:
            if request is None or self.link is None:
                return
            installed = catalogue.get(request.rubric_id)  # type: ignore[attr-defined]

            def run(repo: object) -> object:
                return repo.create_audit(  # type: ignore[attr-defined]
                    request.name,
                    installed.text,
                    pdu=request.pdu,
                    region=request.region,
                    origin=str(installed.path),
                )

            self.link.submit(
                run, lambda _r, err: self.call_from_thread(self._created, request.name, err)
            )

        self.push_screen(NewAuditDialog(rubrics, set(self.audit_names)), callback=create)

    def _created(self, name: str, error: BaseException | None) -> None:
        if error is not None:
            self.notify(str(error), title="Audit not created", severity="error")
            return
        from audit_tui.tui.screens.dashboard import DashboardScreen

        self.audit_changed(name)
        self.push_screen(DashboardScreen(name))

    def open_audit(self, name: str) -> None:
        from audit_tui.tui.screens.dashboard import DashboardScreen

        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.push_screen(DashboardScreen(name))

    def audit_changed(self, audit: str) -> None:
        """Tell every screen on the stack (the dashboard beneath a case, say) to refresh."""
        for screen in self.screen_stack:
            screen.post_message(AuditChanged(audit))

    def action_help(self) -> None:
        from audit_tui.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        self.close_link()
        self.exit()

    def close_link(self) -> None:
        """Wait for queued writes (milliseconds at most) before the process may end."""
        if self.link is not None:
            self.link.close()
            self.link = None

    def on_unmount(self) -> None:
        self.close_link()


build_app = AuditApp
"""The one factory the CLI, the tests and the benchmarks build the app with."""
