"""What the app knows of the audits it shows, as values its reactives hold.

Screens watch the app's reactives (`live`, `revision`, `versions`) instead of being sent a
message by hand; one beneath others compares what it drew with these when it shows again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Versions:
    """How many times each audit (by name) changed while the app ran: a case, a judgement, a
    team operation, another writer's answers. Our own answers do not move it: they move the
    open audit's live counts (`AuditApp.revision`).

    A new value on every change, so a watcher runs once per change; a screen that keeps the
    version it read knows, when it shows again, whether it is behind."""

    counts: Mapping[str, int] = field(default_factory=dict)

    def of(self, audit: str) -> int:
        return self.counts.get(audit, 0)

    def bumped(self, audit: str) -> Versions:
        return Versions({**self.counts, audit: self.of(audit) + 1})
