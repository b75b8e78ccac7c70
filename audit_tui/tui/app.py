"""The Textual app. `build_app` is the one factory the CLI, the tests and the benchmarks use.

The first screen paints before SQLAlchemy is imported or the database opened: the store is
connected by a thread worker after the first refresh, and screens load when it is ready.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.binding import Binding
from textual.message import Message
from textual.reactive import var
from textual.worker import Worker

from audit_tui.domain.safe_text import LINE_LIMIT, one_line
from audit_tui.tui.key_turns import KeysInTurn
from audit_tui.tui.keymap import load_keymap
from audit_tui.tui.messages import (
    AnswerNotSaved,
    AnswerSaved,
    AuditChanged,
    AuditCreated,
    StoreReady,
)
from audit_tui.tui.screens.audit_list import AuditListScreen
from audit_tui.tui.state import Versions
from audit_tui.tui.store_link import RevisionSeen, WriteFailed
from audit_tui.tui.text import prose
from audit_tui.tui.workers import ReportsFailures

if TYPE_CHECKING:
    from textual.message_pump import MessagePump
    from textual.notifications import SeverityLevel

    from audit_tui.domain.records import OpenAudit, SavedAnswer
    from audit_tui.domain.registry import RubricCatalogue
    from audit_tui.store.kept_list import KeptAudit
    from audit_tui.tui.live import LiveAudit
    from audit_tui.tui.screens.new_audit import NewAudit
    from audit_tui.tui.store_link import StoreLink

LinkFactory = Callable[[str, str | None], "StoreLink"]
POLL_SECONDS = 1.0
"""How often an open audit checks for other writers' changes (one indexed single-row read):
theirs show within 2 s."""


def _audit_commands() -> type:
    """The palette's provider, imported when the palette first opens (not at start-up)."""
    from audit_tui.tui.commands import AuditCommands

    return AuditCommands


def _open_link(target: str, user: str | None = None) -> StoreLink:
    from audit_tui.tui.store_link import StoreLink

    return StoreLink.open(target, user)


@dataclass
class Connected(Message, bubble=False):
    """The store is open (from the connecting worker)."""

    link: StoreLink


@dataclass
class Recounted(Message, bubble=False):
    """The open audit counted again (`old` as it was when the recount began)."""

    old: LiveAudit
    fresh: LiveAudit


@dataclass
class RubricsFound(Message, bubble=False):
    """The rubrics a new audit can be made with, and why any file was not loaded."""

    catalogue: RubricCatalogue


class AuditApp(ReportsFailures, KeysInTurn):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    TITLE = "audit-tui"
    COMMANDS = {_audit_commands}  # the app's commands only: not Textual's developer entries
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-normal"), (180, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="help", tooltip="Every key of this screen"),
        Binding(
            "f1",
            "help",
            "Help",
            id="help_f1",
            show=False,
            tooltip="Every key of this screen (in a case: the item's guidance)",
        ),
        # not in the footer: the room goes to the screen's keys and "?", which lists this one;
        # priority, so it quits from a dialog too (a dialog's keys stop at the dialog)
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            id="quit",
            show=False,
            priority=True,
            tooltip="Every saved answer is kept",
        ),
    ]

    live: var[LiveAudit | None] = var(None, init=False)
    """The audit open on the dashboard, shared with the screens above it."""
    revision: var[int] = var(0, init=False)
    """The open audit's revision as counted here: moves with each of our own saves counted into
    `live`, and when `live` is read again. The dashboard watches it to redraw what moved."""
    versions: var[Versions] = var(Versions, init=False)
    """How many times each audit changed (not by our answers): screens showing one watch it."""

    def __init__(
        self,
        db_target: str,
        *,
        open_audit: str | None = None,
        keymap_file: Path | None = None,
        link_factory: LinkFactory = _open_link,
        exit_after_first_paint: bool = False,
        rubric_files: tuple[Path, ...] = (),
        poll_seconds: float = POLL_SECONDS,
        user: str | None = None,
    ) -> None:
        super().__init__()
        self.user = user
        """Who the user is on SQLite (--as); None: $AUDIT_TUI_USER or the login."""
        self.rubric_files = rubric_files
        self.db_target = db_target
        self.open_audit_name = open_audit
        self.link: StoreLink | None = None
        self.answers_in_flight = 0
        """Answers queued whose outcome has not yet come back to the event loop."""
        self.audit_names: list[str] = []
        self.poll_seconds = poll_seconds
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
            self.notify(problem, severity="warning", timeout=10, markup=False)
        self._connect()

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def _connect(self) -> None:
        link = self._link_factory(self.db_target, self.user)  # failing: `worker_failed`
        try:
            posted = self.post_message(Connected(link))
        except RuntimeError:  # its loop closed
            posted = False
        if not posted:  # the app ended meanwhile (a browser tab closed at once): its writer
            link.close()  # thread would otherwise keep the process alive for ever

    def worker_failed(self, worker: Worker[object]) -> None:
        """The one error path of every worker (`ReportsFailures`): said on screen in one line,
        never SQL or a password, and the app carries on."""
        from audit_tui.tui.store_link import describe_error

        if worker.error is None:
            return
        message = describe_error(worker.error)
        if worker.group == "connect":
            self._connect_failed(message)
        else:
            self.report_failure(message)

    def _connect_failed(self, message: str) -> None:
        self.notify(
            message, title="Cannot open the database", severity="error", timeout=30, markup=False
        )
        for screen in self.screen_stack:
            if isinstance(screen, AuditListScreen):
                screen.store_failed(f"Cannot open the database. {message}  (ctrl+q quits)")

    @on(Connected)
    def _connected(self, message: Connected) -> None:
        link = message.link
        link.post = self._deliver
        self.link = link
        for screen in self.screen_stack:
            screen.post_message(StoreReady())
        if self.open_audit_name:
            from audit_tui.tui.screens.dashboard import DashboardScreen

            self.push_screen(DashboardScreen(self.open_audit_name))
            self.open_audit_name = None

    def _deliver(self, to: MessagePump, message: Message) -> None:
        """A write's outcome, from the writer thread (without waiting for the loop, which may
        itself be waiting for the writer when quitting). A failure whose asker has gone (a
        dialog closed meanwhile) is said by the app: never lost."""
        if not to.post_message(message) and isinstance(message, WriteFailed):
            self.post_message(message)

    @on(AuditChanged)
    def _audit_changed(self, message: AuditChanged) -> None:
        self.notify(message.said, markup=False)
        self.audit_changed(message.name)

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        """The one error path of writes nobody nearer said (`WriteFailed` bubbles here)."""
        self.report_failure(message.line, message.title)

    def kept_audits(self) -> list[KeptAudit] | None:
        """The audit list as last kept (SQLite, `store.kept_list`), to show while the store
        opens; None where it cannot be (the store's opening then says why, if anything is
        wrong)."""
        from audit_tui.domain.errors import AuditError
        from audit_tui.domain.identity import local_name
        from audit_tui.settings import LOGIN, current
        from audit_tui.store.kept_list import kept_audits

        try:  # as the store names the person (repository.identity)
            user = local_name(*current().claim(self.user), LOGIN)
        except AuditError:
            return None
        return kept_audits(self.db_target, user)

    @property
    def store(self) -> StoreLink:
        """The open store; screens reach it only once StoreReady has come."""
        if self.link is None:
            raise RuntimeError("the store is not open yet")
        return self.link

    def settle_heap(self) -> None:
        """Leave what a screen has just built out of Python's cyclic garbage collection.

        A full collection walks every live object, and a loaded audit (its cases, the table,
        the walk's rows) is hundreds of thousands of them: 100-300 ms with the event loop
        stopped, in the middle of an auditor's answers. Frozen objects are still freed when
        no longer used; only cycles among them wait (`gc.freeze`)."""
        import gc

        gc.freeze()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notice of the app (a screen's or a widget's `notify` comes here) is plain text,
        never markup, with control characters escaped and cut: notices quote case references,
        names and file names, stored or typed by anyone."""
        super().notify(
            prose(message, LINE_LIMIT),
            title=one_line(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def report_failure(self, message: str, title: str = "Database") -> None:
        """A read or write that failed: said on screen, and the app carries on."""
        self.notify(message, title=title, severity="error", timeout=15, markup=False)

    # ---- the open audit's live counts ------------------------------------------------------

    def watch_live(self, live: LiveAudit | None) -> None:
        """A newly read open audit: its revision is the one counted, and its audit is watched
        for other writers' changes."""
        from audit_tui.store import audits

        link = self.link
        if live is None or link is None:  # deleted, or the app is closing
            return
        self.revision = live.revision
        audit_id = live.audit.info.id
        link.watch(lambda: audits.audit_revision(link.repo, audit_id), self.poll_seconds, self)

    @on(RevisionSeen)
    def _revision_seen(self, message: RevisionSeen) -> None:
        live = self.live
        # our own save may have landed meanwhile: only a change by someone else, and only once
        # every answer of ours has come back and been counted
        if live is None or self.link is None or self.answers_in_flight:
            return
        if message.revision > live.revision:
            self.recount(live)

    def answer_given(self) -> None:
        """An answer is queued (`AnswerSaved` or `AnswerNotSaved` follows): revisions read
        meanwhile may be our own and are not counted as someone else's."""
        self.answers_in_flight += 1

    @on(AnswerSaved)
    def _answer_saved(self, message: AnswerSaved) -> None:
        self.answers_in_flight -= 1
        message.walk.answer_saved(message)

    @on(AnswerNotSaved)
    def _answer_not_saved(self, message: AnswerNotSaved) -> None:
        self.answers_in_flight -= 1
        message.walk.answer_not_saved(message)

    def count_save(self, live: LiveAudit, case_id: int, item_id: str, saved: SavedAnswer) -> None:
        """Count one of our own saves into `live`; when someone else wrote in between, count the
        audit again (once)."""
        if not live.apply(case_id, item_id, saved):
            self.recount(live)
        elif live is self.live:
            self.revision = live.revision

    def recount_open(self) -> None:
        """Count the open audit again (a save met another writer's change)."""
        if self.live is not None:
            self.recount(self.live)

    def recount(self, live: LiveAudit) -> None:
        """Another writer changed the audit: count it again, then tell the screens (`stale`
        meanwhile: a dashboard shown again reads the audit itself)."""
        live.stale = True
        self._recount(live)

    @work(thread=True, exclusive=True, group="recount", exit_on_error=False)
    def _recount(self, live: LiveAudit) -> None:
        self.post_message(Recounted(live, type(live).read(self.store.repo, live.name)))

    @on(Recounted)
    def _recounted(self, message: Recounted) -> None:
        old, fresh = message.old, message.fresh
        if self.link is None:
            return  # read just before the app closed: there is nothing left to show it on
        if self.live is old:
            self.live = fresh
        self.audit_changed(fresh.name)

    # ---- actions the palette and several screens share ----------------------------------------

    def action_new_audit(self) -> None:
        if self.link is not None:
            self._new_audit_dialog()

    @work(thread=True, exclusive=True, group="rubrics", exit_on_error=False)
    def _new_audit_dialog(self) -> None:
        from audit_tui.domain.registry import discover
        from audit_tui.paths import shipped_rubric_dir, user_rubric_dir

        catalogue = discover([shipped_rubric_dir(), user_rubric_dir()], self.rubric_files)
        self.post_message(RubricsFound(catalogue))

    @on(RubricsFound)
    def _push_new_audit(self, message: RubricsFound) -> None:
        catalogue = message.catalogue
        from audit_tui.tui.screens.new_audit import NewAuditDialog

        for problem in catalogue.problems:
            self.notify(
                str(problem),
                title="Rubric not loaded",
                severity="warning",
                timeout=15,
                markup=False,
            )
        rubrics = [
            (r.rubric.id, f"{r.rubric.title} ({r.rubric.id} {r.rubric.version})")
            for r in sorted(catalogue.rubrics.values(), key=lambda r: r.rubric.id)
        ]

        def create(request: NewAudit | None) -> None:
            if request is None or self.link is None:
                return
            installed = catalogue.get(request.rubric_id)

            def run(repo: Repository) -> OpenAudit:
                from audit_tui.store import audits

                return audits.create_audit(
                    repo,
                    request.name,
                    installed.text,
                    pdu=request.pdu,
                    region=request.region,
                    origin=str(installed.path),
                    kind=request.kind,
                )

            self.link.write(
                self,
                run,
                lambda audit: AuditCreated(audit, request.cases),
                title="Audit not created",
            )

        self.push_screen(NewAuditDialog(rubrics, set(self.audit_names)), callback=create)

    @on(AuditCreated)
    def _created(self, message: AuditCreated) -> None:
        """Open the new audit's dashboard; above it, where its cases come from when that was
        chosen (a CSV file of cases, or a sample drawn from a caseload extract)."""
        from audit_tui.tui.screens.dashboard import DashboardScreen

        audit, cases = message.audit, message.cases
        name = audit.info.name
        self.audit_changed(name)
        dashboard = DashboardScreen(name)
        self.push_screen(dashboard)
        if audit.info.oversight and cases == "hand":  # the first review, straight away
            dashboard.add_reviewed_case(audit)
        elif cases == "import":
            from audit_tui.tui.screens.import_dialog import ImportCasesDialog

            self.push_screen(ImportCasesDialog(audit))
        elif cases == "sample":
            from audit_tui.tui.screens.sampling import SamplingScreen

            self.push_screen(SamplingScreen(audit))

    def open_audit(self, name: str) -> None:
        from audit_tui.tui.screens.dashboard import DashboardScreen

        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.push_screen(DashboardScreen(name))

    def action_open_actions(self) -> None:
        """Every action agreed with practitioners, across audits (the audit list, a dashboard,
        the palette)."""
        from audit_tui.tui.screens.actions import ActionsScreen

        if self.link is not None and not isinstance(self.screen, ActionsScreen):
            self.push_screen(ActionsScreen())

    def audit_changed(self, audit: str) -> None:
        """`audit` changed: the screens watching `versions` (the dashboard beneath a case, say)
        show it again, now or when they are next shown."""
        self.versions = self.versions.bumped(audit)

    def on_key(self, event: events.Key) -> None:
        """Home and End: the first and last row of the list in use, whichever it is."""
        from audit_tui.tui.widgets.edges import to_edge

        if event.key in ("home", "end") and to_edge(self.focused, event.key == "end"):
            event.prevent_default()  # not the table's own Home and End (sideways)

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


if TYPE_CHECKING:
    from audit_tui.store.repository import Repository

build_app = AuditApp
"""The one factory the CLI, the tests and the benchmarks build the app with."""
