"""The TUI's link to the store: opened after the first paint, used only off the event loop.

Writes go through one queue served by one thread, so answers given in quick succession are
committed in the order they were given. Each reports back as a typed message, posted to the node
that asked, once it is on disk (`Committed`, or the asker's own message), or with one line saying
why it is not (`WriteFailed`, which bubbles: a dialog says it in place, else the app says it, the
one error path). Reads run in Textual thread workers and report back the same way
(`tui/workers.py`), except a case's answers, read on the queue after the answers given before.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from textual.message import Message

from audit_tui.tui import key_turns

if TYPE_CHECKING:
    from textual.message_pump import MessagePump

    from audit_tui.store.repository import Repository

T = TypeVar("T")
Post = Callable[["MessagePump", Message], object]
"""How an outcome reaches the event loop: the app's `_deliver` (a thread-safe `post_message`)."""


class Committed(Message, Generic[T], bubble=False):
    """A queued write is on disk; `result` is what it returned. A node with one kind of write
    takes this; a node with several names its own message (`write(..., done=...)`)."""

    def __init__(self, result: T) -> None:
        super().__init__()
        self.result = result


class RevisionSeen(Message, bubble=False):
    """The watched audit's revision, as just read: the app counts again if someone else moved it."""

    def __init__(self, revision: int) -> None:
        super().__init__()
        self.revision = revision


class WriteFailed(Message):
    """A queued write did not commit: `line` says why in one printable line (never SQL,
    parameters or a password). It bubbles: a dialog says it beside its fields and stops it;
    otherwise it reaches the app, which says it under `title` (a subclass names its own)."""

    TITLE = "Not saved"

    def __init__(self, error: Exception, title: str | None = None) -> None:
        super().__init__()
        self.error, self.title = error, title or self.TITLE
        self.line = describe_error(error)


@dataclass(frozen=True)
class WriteJob(Generic[T]):
    to: MessagePump
    run: Callable[[Repository], T]
    done: Callable[[T], Message]
    failed: Callable[[Exception], Message]
    settles: bool = False
    """Whether `WriteSettled` follows the outcome (a dialog's write: keys wait for it)."""

    def outcome(self, repo: Repository) -> Message:
        """Run the write and say how it went, as the message for `to`."""
        try:
            result = self.run(repo)
        except Exception as exc:  # reported to the screen, never lost silently
            return self.failed(exc)
        return self.done(result)


def describe_error(exc: BaseException) -> str:
    """One printable line for anything a store call raised: never SQL, parameters or a password."""
    from audit_tui.domain.errors import AuditError, printable

    if isinstance(exc, AuditError):
        return printable("; ".join(str(p) for p in exc.problems))
    if type(exc).__module__.startswith("sqlalchemy"):
        from audit_tui.settings import current
        from audit_tui.store.faults import fault_message

        return fault_message(exc, current().wait)
    if isinstance(exc, OSError):
        return printable(f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}")
    return printable(f"unexpected error ({type(exc).__name__}): {exc}")


class StoreLink:
    """Owns the repository and the ordered write queue."""

    def __init__(self, repo: Repository, post: Post | None = None):
        self.repo = repo
        self.post: Post = post or (lambda to, message: to.post_message(message))
        self._watching: tuple[Callable[[], int | None], MessagePump] | None = None
        self._watcher: threading.Thread | None = None
        self._stopped = threading.Event()
        self._jobs: queue.Queue[WriteJob[Any] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="audit-tui-writer", daemon=False)
        self._thread.start()

    @classmethod
    def open(cls, target: str, user: str | None = None) -> StoreLink:
        """The store as the process's settings say (`settings.current`), `user` (--as) first."""
        from audit_tui.settings import current
        from audit_tui.store.database import open_repository

        settings = current()
        claimed, claimed_by = settings.claim(user)
        return cls(
            open_repository(
                target,
                claimed,
                password=settings.password,
                user_from=claimed_by,
                wait=settings.wait,
            )
        )

    def write(
        self,
        to: MessagePump,
        run: Callable[[Repository], T],
        done: Callable[[T], Message] = Committed,
        *,
        failed: Callable[[Exception], Message] | None = None,
        title: str | None = None,
    ) -> None:
        """Queue a write; its outcome is posted to `to`: `done(result)` once committed, else
        `failed(error)` or, by default, `WriteFailed(error, title)`. Call from the event loop."""
        fail: Callable[[Exception], Message] = failed or (lambda exc: WriteFailed(exc, title))
        settles = key_turns.wait_for_write(to)
        self._jobs.put(WriteJob(to=to, run=run, done=done, failed=fail, settles=settles))

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                self._jobs.task_done()
                return
            try:
                message = job.outcome(self.repo)
                self.post(job.to, message)
            except Exception:  # the app is gone: the write itself is committed or not, as above
                pass
            finally:
                if job.settles:  # whatever became of the outcome: keys must not wait for good
                    with suppress(Exception):
                        self.post(job.to, key_turns.WriteSettled(job.to))
                self._jobs.task_done()

    def watch(self, revision_of: Callable[[], int | None], every: float, to: MessagePump) -> None:
        """Poll `revision_of()` every `every` seconds on a thread of its own (one cheap read; no
        worker started on the event loop each time) and post each revision read to `to`
        (`RevisionSeen`). Replaces any earlier watch."""
        self._watching = (revision_of, to)
        if self._watcher is None and every > 0:
            self._watcher = threading.Thread(
                target=self._watch, args=(every,), name="audit-tui-watch", daemon=True
            )
            self._watcher.start()

    def _watch(self, every: float) -> None:
        while not self._stopped.wait(every):
            watching = self._watching
            if watching is None:
                continue
            revision_of, to = watching
            try:
                revision = revision_of()
            except Exception:  # a dropped connection is said when the next real read fails
                continue
            if revision is not None:
                self.post(to, RevisionSeen(revision))

    def wait_idle(self) -> None:
        """Block until every queued write has been committed (tests, and quitting)."""
        self._jobs.join()

    @property
    def pending(self) -> int:
        return self._jobs.unfinished_tasks

    def close(self, timeout: float = 10.0) -> None:
        """Finish every queued write, then stop: quitting never drops an answer.

        Called from the event loop, which then cannot handle messages: outcomes are dropped (the
        screens are going away), the writes themselves still commit."""
        self.post = lambda _to, _message: None
        self._stopped.set()
        self._jobs.put(None)
        self._thread.join(timeout)
        self.repo.engine.dispose()
