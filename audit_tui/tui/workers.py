"""Store reads in thread workers: results come back as typed messages, failures by one path.

A worker body posts its result as a `Message` subclass with typed fields (thread-safe, and
handled by the node that ran it), and simply raises when it fails. Textual ends the app when a
worker raises unless told otherwise: each is `exit_on_error=False`, and its failure reaches
`AuditApp.worker_failed` (one line on screen; a dropped PostgreSQL connection during a read is
not a reason to lose the auditor's place).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.dom import DOMNode
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from audit_tui.tui.app import AuditApp


def audit_app(node: DOMNode) -> AuditApp:
    """The running AuditApp, typed (every screen and widget of this package runs inside one)."""
    return cast("AuditApp", node.app)


class ReportsFailures:
    """Mixed into every screen and widget that runs workers (and the app): `Worker.StateChanged`
    does not bubble, so each hands its failed workers to the app's one error path."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            audit_app(cast(DOMNode, self)).worker_failed(event.worker)
