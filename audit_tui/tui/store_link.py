"""The TUI's link to the store: opened after the first paint, used only off the event loop.

Writes go through one queue served by one thread, so answers given in quick succession are
committed in the order they were given; each reports back, on the event loop, once it is on disk
(or with one line saying why it is not). Reads run in Textual thread workers.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from audit_tui.store.repository import Repository

T = TypeVar("T")
Post = Callable[..., Any]
"""How results reach the event loop: the app's `call_from_thread`."""


@dataclass
class WriteJob:
    run: Callable[[Repository], Any]
    done: Callable[[Any], None]
    failed: Callable[[Exception], None]


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
        self.post: Post = post or (lambda fn, *args: fn(*args))
        self.unanswered = 0
        """Writes whose result has not yet come back to the event loop (counted there)."""
        self._watching: tuple[Callable[[], int | None], Callable[[int], None]] | None = None
        self._watcher: threading.Thread | None = None
        self._stopped = threading.Event()
        self._jobs: queue.Queue[WriteJob | None] = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="audit-tui-writer", daemon=False)
        self._thread.start()

    @classmethod
    def open(cls, target: str, user: str | None = None) -> StoreLink:
        """The store as the process's settings say (`settings.current`), `user` (--as) first."""
        from audit_tui.settings import current
        from audit_tui.store.database import open_repository

        settings = current()
        return cls(
            open_repository(
                target,
                user or settings.user,
                password=settings.password,
                user_from="--as" if user else settings.user_from,
                wait=settings.wait,
            )
        )

    def write(
        self,
        run: Callable[[Repository], T],
        done: Callable[[T], object],
        failed: Callable[[Exception], object],
    ) -> None:
        """Queue a write. `done(result)` or `failed(error)` is called on the event loop
        (`describe_error` turns the error into one line); what they return is not used. Call
        from the event loop."""
        self.unanswered += 1

        def answered(callback: Callable[[Any], object]) -> Callable[[Any], None]:
            def back(value: Any) -> None:
                self.unanswered -= 1
                callback(value)

            return back

        self._jobs.put(WriteJob(run=run, done=answered(done), failed=answered(failed)))

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                self._jobs.task_done()
                return
            try:
                try:
                    result = job.run(self.repo)
                except Exception as exc:  # reported to the screen, never lost silently
                    self.post(job.failed, exc)
                else:
                    self.post(job.done, result)
            except Exception:  # the app is gone: the write itself is committed or not, as above
                pass
            finally:
                self._jobs.task_done()

    def watch(
        self, revision_of: Callable[[], int | None], every: float, seen: Callable[[int], None]
    ) -> None:
        """Poll `revision_of()` every `every` seconds on a thread of its own (one cheap read; no
        worker started on the event loop each time) and post each revision read to `seen`.
        Replaces any earlier watch."""
        self._watching = (revision_of, seen)
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
            revision_of, seen = watching
            try:
                revision = revision_of()
            except Exception:  # a dropped connection is said when the next real read fails
                continue
            if revision is not None:
                self.post(seen, revision)

    def wait_idle(self) -> None:
        """Block until every queued write has been committed (tests, and quitting)."""
        self._jobs.join()

    @property
    def pending(self) -> int:
        return self._jobs.unfinished_tasks

    def close(self, timeout: float = 10.0) -> None:
        """Finish every queued write, then stop: quitting never drops an answer.

        Called from the event loop, which then cannot run callbacks: results are dropped (the
        screens are going away), the writes themselves still commit."""
        self.post = lambda *_args: None
        self._stopped.set()
        self._jobs.put(None)
        self._thread.join(timeout)
        self.repo.engine.dispose()
