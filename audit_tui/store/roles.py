"""PostgreSQL logins for a team: what `audit-tui grant USER` gives an existing login.

Run by the database's owner. The login gets what the app needs and no more: to read every
table, to write the working tables, to append to the history and the event log (never to change
them); the rules of who may change what are kept by the database's triggers (migration 0006).
"""

from __future__ import annotations

from sqlalchemy import Engine, text

from audit_tui.domain.errors import AuditError, UsageError
from audit_tui.store.logins import person

WORKING = ("audit", "audit_case", "answer", "judgement", "item_tally", "audit_member",
           "moderation_round", "moderation_case", "second_answer", "settlement",
           "caseload_case", "sample_draw", "sample_replacement", "case_feedback",
           "case_action")  # fmt: skip
APPEND_ONLY = ("answer_history", "judgement_history", "second_answer_history",
               "case_action_history", "audit_event")  # fmt: skip


def grant(engine: Engine, user: str) -> None:
    """Let an existing login use audit-tui on this database (idempotent)."""
    user = person(engine, user, "grant")  # the one rule for names: `ANN` finds login `ann`
    if engine.dialect.name != "postgresql":
        raise UsageError("grant is for PostgreSQL: a SQLite file is shared by its permissions")
    with engine.begin() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :u"), {"u": user}):
            raise AuditError.at(
                "grant",
                f"no login {user!r} on this server: create it first"
                f" (CREATE ROLE {user} LOGIN PASSWORD '...')",
            )
        quote = conn.dialect.identifier_preparer.quote
        who = quote(user)
        database = quote(str(conn.scalar(text("SELECT current_database()"))))
        for statement in (
            f"GRANT CONNECT ON DATABASE {database} TO {who}",
            f"GRANT USAGE ON SCHEMA public TO {who}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(WORKING)} TO {who}",
            # DELETE only for the lead deleting a whole audit (the triggers check it); the event
            # log outlives its audit, so an UPDATE there may only let go of the audit.
            f"GRANT SELECT, INSERT, DELETE ON answer_history, judgement_history,"
            f" second_answer_history, case_action_history TO {who}",
            f"GRANT SELECT, INSERT, UPDATE ON audit_event TO {who}",
            f"GRANT SELECT ON alembic_version TO {who}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {who}",
        ):
            conn.execute(text(statement))
