"""The closed vocabularies of the audit trail: how a change was made, and what an event says.

The database holds them as CHECK constraints (migration 0011); a test keeps the two in step.
"""

from __future__ import annotations

VIAS = ("tui", "import", "undo", "case-edit", "moderation", "demo", "sql")
"""How an answer or a judgement changed: `sql` is a change made outside the app (psql), and
`moderation` an answer a settlement changed (on PostgreSQL only the server may say so)."""
SECOND_VIAS = ("tui", "import", "sql")
"""How a second mark changed."""

SERVER_EVENTS = ("create", "rename", "lock", "unlock", "sign-off", "complete", "remove-case")
"""Events PostgreSQL's triggers write as the change happens, so no login can make the change
without its event (on SQLite the app writes them)."""
LOGGED_EVENTS = (
    "delete", "add-cases", "update-cases", "clear-answers", "member", "allocate", "moderate",
    "second-mark-complete", "second-mark-import", "settle", "caseload", "sample",
    "replace-case", "codes", "feedback", "action", "open-case", "export", "repair",
    "restore-case", "summary",
)  # fmt: skip
"""Events the app records of what it did (on PostgreSQL through `audit_tui.log_event`, which
stamps the time and the login and checks the login's role may record them)."""
EVENTS = SERVER_EVENTS + LOGGED_EVENTS
