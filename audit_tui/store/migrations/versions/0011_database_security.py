"""The database's own security, and what it needs on both engines.

PostgreSQL: the app's tables move into their own schema (`audit_tui`); the hand-written guards of
0006, 0008, 0009 and 0010 give way to row-level security on every table, triggers that write the
trail and the kept counts, and a few functions (store/pg, version 1 of each); logins granted
before are given the new, narrower privileges.

Both engines: the first marks of each completed second marking are kept as they stood (agreement
is counted from them, so later changes never move a round's figures); case references and codes
take their canonical form (trimmed, upper-case: `cl-1 ` is `CL-1`); closed sets of values are
constraints (answers, how a change was made, roles, kinds, statuses, events).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 14:00:00
"""

import json

import sqlalchemy as sa
from alembic import op

from audit_tui.store import pg, roles
from audit_tui.store.pg import guards
from audit_tui.store.pg.guards import Guards

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

APP_TABLES = (
    "audit", "audit_member", "audit_case", "answer", "answer_history", "judgement",
    "judgement_history", "audit_event", "item_tally", "moderation_round", "moderation_case",
    "second_answer", "second_answer_history", "settlement", "caseload_case", "sample_draw",
    "sample_replacement", "case_feedback", "case_action", "case_action_history",
    "alembic_version",
)  # fmt: skip

ANSWERS = ("yes", "no", "na")
VIAS = ("tui", "import", "undo", "case-edit", "moderation", "demo", "sql")
SECOND_VIAS = ("tui", "import", "sql")
EVENTS = (
    "create", "rename", "lock", "unlock", "sign-off", "complete", "remove-case", "delete",
    "add-cases", "update-cases", "clear-answers", "member", "allocate", "moderate",
    "second-mark-complete", "second-mark-import", "settle", "caseload", "sample",
    "replace-case", "codes", "feedback", "action", "open-case", "export", "repair",
    "restore-case", "summary",
)  # fmt: skip
STATUSES = ("open", "done", "dropped")


def _in(column: str, values: tuple[str, ...], *, nullable: bool = True) -> str:
    allowed = ", ".join(f"'{v}'" for v in values)
    check = f"{column} IN ({allowed})"
    return f"({column} IS NULL OR {check})" if nullable else check


CHECKS = {
    # table: [(constraint name, condition)]; leaf tables on SQLite (see _closed_sets)
    "answer": [
        ("ck_answer_value", _in("value", ANSWERS)),
        ("ck_answer_tag", _in("note_tag", ("strength", "improvement"))),
    ],
    "answer_history": [
        ("ck_answer_history_old", _in("old_value", ANSWERS)),
        ("ck_answer_history_new", _in("new_value", ANSWERS)),
        ("ck_answer_history_via", _in("via", VIAS, nullable=False)),
    ],
    "second_answer": [("ck_second_answer_value", _in("value", ANSWERS))],
    "second_answer_history": [
        ("ck_second_history_old", _in("old_value", ANSWERS)),
        ("ck_second_history_new", _in("new_value", ANSWERS)),
        ("ck_second_history_via", _in("via", SECOND_VIAS, nullable=False)),
    ],
    "judgement_history": [("ck_judgement_history_via", _in("via", VIAS, nullable=False))],
    "settlement": [
        ("ck_settlement_first", _in("first_value", ANSWERS)),
        ("ck_settlement_second", _in("second_value", ANSWERS)),
        ("ck_settlement_agreed", _in("agreed_value", ANSWERS, nullable=False)),
    ],
    "item_tally": [("ck_item_tally_value", _in("value", ANSWERS, nullable=False))],
    # (no `n >= 0`: a count is moved by an upsert whose proposed row holds the step, -1 when
    # an answer is taken back; `verify` compares every count with the answers instead)
    "audit_member": [
        ("ck_member_role", _in("role", ("lead", "auditor", "viewer"), nullable=False))
    ],
    "audit_event": [("ck_event_kind", _in("event", EVENTS, nullable=False))],
    "case_action_history": [
        ("ck_action_history_old", _in("old_status", STATUSES)),
        ("ck_action_history_new", _in("new_status", STATUSES, nullable=False)),
    ],
    # tables other tables refer to: constraints on PostgreSQL, triggers on SQLite
    "audit": [("ck_audit_kind", _in("kind", ("sample", "oversight"), nullable=False))],
    "audit_case": [("ck_case_answered", "answered >= 0")],
    "case_action": [("ck_action_status", _in("status", STATUSES, nullable=False))],
}
REFERRED = ("audit", "audit_case", "case_action")
"""Rebuilding these on SQLite (the only way it adds a CHECK) would drop the table their children
refer to, and with foreign keys on that deletes the children: they get triggers there instead."""

CALLABLE = (
    "my_audits(text[], boolean)",
    "has_members(integer)",
    "blind_cases()",
    "blind_audits()",
    "readable_markings()",
    "open_markings()",
    "settleable_markings()",
    "begin_write(integer)",
    "log_event(integer, text, text)",
    "recount(integer, text)",
)
"""The functions a login may call as this revision made them (`pg.CALLABLE` grows later)."""
DELETES = ("audit", "audit_member", "caseload_case")
"""The tables a login could DELETE from as this revision made them (none since 0015)."""
NORMAL = {"y": "yes", "n": "no", "n/a": "na"}
"""Spellings an answer may have been stored in by other means, and the value they mean."""
ANSWER_COLUMNS = (
    ("answer", "value"), ("answer_history", "old_value"), ("answer_history", "new_value"),
    ("second_answer", "value"), ("second_answer_history", "old_value"),
    ("second_answer_history", "new_value"), ("settlement", "first_value"),
    ("settlement", "second_value"), ("settlement", "agreed_value"), ("item_tally", "value"),
)  # fmt: skip


def upgrade() -> None:
    bind = op.get_bind()
    on_pg = bind.dialect.name == "postgresql"
    if on_pg:
        _into_schema(bind)
        guards.drop_all(op)  # 0006-0010's, and with them their triggers
    _first_marks(bind)
    _answer_audit(on_pg)
    _canonical_refs(bind)
    _closed_sets(bind, on_pg)
    if on_pg:
        pg.install(op, "functions", pg.FUNCTIONS_V1, 1)
        pg.install(op, "tables", pg.TABLES_V1, 1)
        for login in _logins_granted_before(bind):
            roles.give(bind, login, CALLABLE, DELETES)


def _into_schema(bind: sa.Connection) -> None:
    """Every table of the app into schema audit_tui (created empty before the migrations ran, so
    tables made by 0001-0010 on a new database are there already; an older database's move)."""
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {pg.SCHEMA}")
    in_public = set(
        bind.scalars(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).all()
    )
    for table in APP_TABLES:
        if table in in_public:
            op.execute(f"ALTER TABLE public.{table} SET SCHEMA {pg.SCHEMA}")


OLD_GUARDS = Guards(
    functions=(
        ("audit_tui_role", 1),
        ("audit_tui_refuse", 1),
        ("audit_tui_need_lead", 1),
        ("audit_tui_need_case", 1),
        ("audit_tui_need_marking", 1),
        ("audit_tui_need_settler", 1),
        ("audit_tui_need_answer", 1),
        ("audit_tui_need_reviewer", 1),
        ("audit_tui_guard_answer", 2),
        ("audit_tui_guard_answer_history", 2),
        ("audit_tui_guard_case", 2),
        ("audit_tui_guard_audit", 1),
        ("audit_tui_guard_member", 1),
        ("audit_tui_guard_judgement", 1),
        ("audit_tui_guard_event", 1),
        ("audit_tui_guard_round", 1),
        ("audit_tui_guard_moderation_case", 1),
        ("audit_tui_guard_second_answer", 1),
        ("audit_tui_guard_second_answer_history", 1),
        ("audit_tui_guard_settlement", 1),
        ("audit_tui_guard_sampling", 1),
        ("audit_tui_guard_follow_up", 1),
    ),
    triggers=(
        ("answer", "audit_tui_guard_answer"),
        ("answer_history", "audit_tui_guard_answer_history"),
        ("audit_case", "audit_tui_guard_case"),
        ("audit", "audit_tui_guard_audit"),
        ("audit_member", "audit_tui_guard_member"),
        ("judgement", "audit_tui_guard_judgement"),
        ("judgement_history", "audit_tui_guard_judgement"),
        ("audit_event", "audit_tui_guard_event"),
        ("moderation_round", "audit_tui_guard_round"),
        ("moderation_case", "audit_tui_guard_moderation_case"),
        ("second_answer", "audit_tui_guard_second_answer"),
        ("second_answer_history", "audit_tui_guard_second_answer_history"),
        ("settlement", "audit_tui_guard_settlement"),
        ("caseload_case", "audit_tui_guard_sampling"),
        ("sample_draw", "audit_tui_guard_sampling"),
        ("sample_replacement", "audit_tui_guard_sampling"),
        ("case_feedback", "audit_tui_guard_follow_up"),
        ("case_action", "audit_tui_guard_follow_up"),
        ("case_action_history", "audit_tui_guard_follow_up"),
    ),
)
"""The guards as 0010 left them (each function at the last version 0006-0010 installed, every
table they guarded): what a downgrade puts back, from the same files (store/pg/sql/guards)."""


def _first_marks(bind: sa.Connection) -> None:
    op.create_table(
        "moderation_first_mark",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("moderation_case_id", sa.Integer(), nullable=False, index=True),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(["moderation_case_id"], ["moderation_case.id"], ondelete="CASCADE"),
        sa.UniqueConstraint("moderation_case_id", "item_id", name="uq_first_mark_item"),
        sa.CheckConstraint(_in("value", ANSWERS), name="ck_first_mark_value"),
    )
    # Second markings completed before: their first marks as near as can be known now, the
    # case's answers with each settled item's first mark as the settlement recorded it.
    op.execute(
        "INSERT INTO moderation_first_mark (moderation_case_id, item_id, value, note)"
        " SELECT mc.id, a.item_id, COALESCE(s.first_value, a.value), a.note"
        " FROM moderation_case mc JOIN answer a ON a.case_id = mc.case_id"
        " LEFT JOIN settlement s ON s.moderation_case_id = mc.id AND s.item_id = a.item_id"
        " WHERE mc.completed_at IS NOT NULL AND (a.value IS NOT NULL OR a.note <> '')"
    )


def _answer_audit(on_pg: bool) -> None:
    """Each answer carries its case's audit: PostgreSQL's row policies decide who reads an answer
    by its audit, row by row, without joining its case."""
    op.add_column("answer", sa.Column("audit_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE answer SET audit_id = (SELECT c.audit_id FROM audit_case c"
        " WHERE c.id = answer.case_id)"
    )
    with op.batch_alter_table("answer") as batch:
        batch.alter_column("audit_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            "fk_answer_audit_id_audit", "audit", ["audit_id"], ["id"], ondelete="CASCADE"
        )
    op.create_index("ix_answer_audit_id", "answer", ["audit_id"])


def _canonical_refs(bind: sa.Connection) -> None:
    """Case references and codes trimmed and upper-cased, as the app now stores them; refused
    (nothing changed) where two cases of one audit would become one."""
    for table in ("audit_case", "caseload_case"):
        clash = bind.execute(
            sa.text(
                f"SELECT audit_id, UPPER(TRIM(case_ref)) FROM {table}"
                " GROUP BY audit_id, UPPER(TRIM(case_ref)) HAVING COUNT(*) > 1"
            )
        ).first()
        if clash is not None:
            raise RuntimeError(
                f"{table}: audit {clash[0]} has two cases that differ only in letter case or"
                f" spaces ({clash[1]}): rename one with the previous release, then upgrade"
            )
        for column in ("case_ref", "practitioner", "team"):
            op.execute(
                f"UPDATE {table} SET {column} = UPPER(TRIM({column}))"
                f" WHERE {column} <> UPPER(TRIM({column}))"
            )
    for column in ("replaced", "replacement"):
        op.execute(
            f"UPDATE sample_replacement SET {column} = UPPER(TRIM({column}))"
            f" WHERE {column} <> UPPER(TRIM({column}))"
        )
    for draw_id, plan in bind.execute(sa.text("SELECT id, plan FROM sample_draw")).all():
        plan = json.loads(plan) if isinstance(plan, str) else plan
        strata = plan.get("strata", [])
        upper = [{**s, "order": [ref.strip().upper() for ref in s["order"]]} for s in strata]
        if upper != strata:
            cast = "CAST(:plan AS json)" if bind.dialect.name == "postgresql" else ":plan"
            bind.execute(
                sa.text(f"UPDATE sample_draw SET plan = {cast} WHERE id = :id"),
                {"plan": json.dumps({**plan, "strata": upper}), "id": draw_id},
            )


def _closed_sets(bind: sa.Connection, on_pg: bool) -> None:
    for table, column in ANSWER_COLUMNS:
        op.execute(
            f"UPDATE {table} SET {column} = LOWER(TRIM({column})) WHERE {column} IS NOT NULL"
        )
        for spelling, value in NORMAL.items():
            op.execute(f"UPDATE {table} SET {column} = '{value}' WHERE {column} = '{spelling}'")
    for table, checks in CHECKS.items():
        for _name, condition in checks:
            bad = bind.scalar(sa.text(f"SELECT COUNT(*) FROM {table} WHERE NOT ({condition})"))
            if bad:
                raise RuntimeError(
                    f"{table}: {bad} rows hold a value the schema no longer allows ({condition}):"
                    " correct them, then upgrade"
                )
        if on_pg:
            for name, condition in checks:
                op.create_check_constraint(name, table, condition)
        elif table in REFERRED:
            for name, condition in checks:
                for event in ("INSERT", "UPDATE"):
                    op.execute(
                        f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table}"
                        f" WHEN NOT ({_as_new(condition)}) BEGIN"
                        f" SELECT RAISE(ABORT, 'audit-tui: a value {table} does not allow'); END"
                    )
        else:
            with op.batch_alter_table(table) as batch:
                for name, condition in checks:
                    batch.create_check_constraint(name, condition)


def _as_new(condition: str) -> str:
    """A CHECK's condition as a SQLite trigger's WHEN reads it: its column (the first word) as
    the new row's."""
    return f"NEW.{condition}"


def _logins_granted_before(bind: sa.Connection) -> list[str]:
    """Logins that could use the tables before (a grant of 0006-0010), but the owner's."""
    return list(
        bind.scalars(
            sa.text(
                "SELECT r.rolname FROM pg_roles r, pg_class c, pg_namespace n"
                " WHERE c.relname = 'audit' AND n.oid = c.relnamespace AND n.nspname = :schema"
                " AND r.oid <> c.relowner AND NOT r.rolsuper AND r.rolname NOT LIKE 'pg\\_%'"
                " AND has_table_privilege(r.oid, c.oid, 'SELECT') ORDER BY r.rolname"
            ),
            {"schema": pg.SCHEMA},
        )
    )


def downgrade() -> None:
    bind = op.get_bind()
    on_pg = bind.dialect.name == "postgresql"
    if on_pg:
        for table in reversed(pg.TABLES_V1):
            pg.drop_table_security(op, table)
            op.execute(f"ALTER TABLE {pg.SCHEMA}.{table} DISABLE ROW LEVEL SECURITY")
        pg.drop_functions(op, (pg.SCHEMA,))
    for table, checks in CHECKS.items():
        if on_pg:
            for name, _ in checks:
                op.drop_constraint(name, table, type_="check")
        elif table in REFERRED:
            for name, _ in checks:
                for event in ("insert", "update"):
                    op.execute(f"DROP TRIGGER IF EXISTS {name}_{event}")
        else:
            with op.batch_alter_table(table) as batch:
                for name, _ in checks:
                    batch.drop_constraint(name, type_="check")
    op.drop_table("moderation_first_mark")
    op.drop_index("ix_answer_audit_id", table_name="answer")
    with op.batch_alter_table("answer") as batch:
        batch.drop_constraint("fk_answer_audit_id_audit", type_="foreignkey")
        batch.drop_column("audit_id")
    if on_pg:
        for table in APP_TABLES:
            op.execute(f"ALTER TABLE {pg.SCHEMA}.{table} SET SCHEMA public")
        guards.install(op, OLD_GUARDS)
