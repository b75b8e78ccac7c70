"""The TUI's link to the store: opened after the first paint, used only from thread workers.

Writes go through one queue served by one thread, so answers given in quick succession are
committed in the order they were given; each reports back once it is on disk.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from audit_tui.store.repository import Repository


@dataclass
class WriteJob:
    run: Callable[[Repository], Any]
    done: Callable[[Any, BaseException | None], None]


class StoreLink:
    """Owns the repository and the ordered write queue."""

    def __init__(self, repo: Repository):
        self.repo = repo
        self._jobs: queue.Queue[WriteJob | None] = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="audit-tui-writer", daemon=False)
        self._thread.start()

    @classmethod
    def open(cls, target: str) -> StoreLink:
        from audit_tui.store.database import open_repository

        return cls(open_repository(target))

    def submit(
        self, run: Callable[[Repository], Any], done: Callable[[Any, BaseException | None], None]
    ) -> None:
        self._jobs.put(WriteJob(run, done))

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                self._jobs.task_done()
                return
            try:
                result, error = job.run(self.repo), None
            except BaseException as exc:  # reported to the screen, never lost silently
                result, error = None, exc
            try:
                job.done(result, error)
            finally:
                self._jobs.task_done()

    def wait_idle(self) -> None:
        """Block until every queued write has been committed (tests, and quitting)."""
        self._jobs.join()

    @property
    def pending(self) -> int:
        return self._jobs.unfinished_tasks

    def close(self, timeout: float = 10.0) -> None:
        """Finish every queued write, then stop: quitting never drops an answer."""
        self._jobs.put(None)
        self._thread.join(timeout)
        self.repo.engine.dispose()
