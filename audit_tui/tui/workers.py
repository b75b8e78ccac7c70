"""Store reads in thread workers that report failure on screen instead of ending the app.

Textual ends the app when a worker raises (unless told otherwise), and a dropped PostgreSQL
connection during a read is not a reason to lose the auditor's place.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar, cast

from textual.dom import DOMNode

if TYPE_CHECKING:
    from audit_tui.tui.app import AuditApp

P = ParamSpec("P")
Node = TypeVar("Node", bound=DOMNode)


def audit_app(node: DOMNode) -> AuditApp:
    """The running AuditApp, typed (every screen and widget of this package runs inside one)."""
    return cast("AuditApp", node.app)


def guarded(method: Callable[Concatenate[Node, P], None]) -> Callable[Concatenate[Node, P], None]:
    """Run a worker body; on any error, say it on screen (one line) and carry on."""

    @functools.wraps(method)
    def wrapper(self: Node, /, *args: P.args, **kwargs: P.kwargs) -> None:
        try:
            method(self, *args, **kwargs)
        except Exception as exc:
            from audit_tui.tui.store_link import describe_error

            app = audit_app(self)
            with contextlib.suppress(RuntimeError):  # the app has closed meanwhile
                app.call_from_thread(app.report_failure, describe_error(exc))

    return wrapper
