"""What each person around an audit tries on PostgreSQL with plain SQL, and what must happen.

Positive probes (a lead renames their audit, an auditor answers their own case) matter as much as
the refusals: a row policy dropped refuses the legitimate too, and a stamping trigger dropped lets
a forged name through; tests/pg/test_pg_security.py checks that dropping any one of them makes at
least one probe here fail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg

from tests.support.pg_world import ALLOWED, Probe, scalar

S = "audit_tui"
AUDIT_COLUMNS = (
    "name, pdu, region, rubric_id, rubric_version, rubric_hash, rubric_snapshot, created_at,"
    " created_by, revision, kind, locked_at, locked_by"
)
Conn = psycopg.Connection[Any]


def battery(ids: Mapping[str, Any], login: Mapping[str, str]) -> list[Probe]:
    """Every probe, aimed at the world's rows (`ids`) and people (`login`)."""
    V, M = ids["V"], ids["M"]
    a1, a2, b1, b2, m1 = ids["a1"], ids["a2"], ids["b1"], ids["b2"], ids["m1"]
    r1, r2, act = ids["round1_case"], ids["round2_case"], ids["action"]
    n = ids.get("counts", {})

    def me(conn: Conn) -> str:
        return str(scalar(conn, "SELECT session_user"))

    def newest(table: str, column: str, where: str = "TRUE") -> str:
        return f"SELECT {column} FROM {S}.{table} WHERE {where} ORDER BY id DESC LIMIT 1"

    def stamped(table: str, column: str, where: str = "TRUE") -> Any:
        return lambda conn: scalar(conn, newest(table, column, where)) == me(conn)

    def event_by_me(event: str) -> Any:
        return lambda conn: (
            scalar(conn, newest("audit_event", "event", f"audit_id = {V}")) == event
            and stamped("audit_event", '"by"', f"audit_id = {V}")(conn)
        )

    def lock(by: str = "now()") -> str:
        return f"UPDATE {S}.audit SET locked_at = {by} WHERE id = {V};"

    probes = [
        # ---- reading ---------------------------------------------------------------------------
        Probe("a member reads their audit", "ann", f"SELECT count(*) FROM {S}.audit WHERE id = {V}", expect=1),
        Probe("someone in no audit reads none", "eve", f"SELECT count(*) FROM {S}.audit", expect=0),
        Probe("a viewer reads the members", "vic", f"SELECT count(*) FROM {S}.audit_member WHERE audit_id = {V}", expect=n.get("members", -1)),
        Probe("a viewer reads the cases", "vic", f"SELECT count(*) FROM {S}.audit_case WHERE audit_id = {V}", expect=n.get("cases", -1)),
        Probe("a viewer reads the answers", "vic", f"SELECT count(*) FROM {S}.answer WHERE case_id = {a1}", expect=n.get("answers_a1", -1)),
        Probe("a blind second marker reads no first mark of the case", "kim", f"SELECT count(*) FROM {S}.answer WHERE case_id = {b1}", expect=0),
        Probe("a blind second marker reads another case's answers", "kim", f"SELECT count(*) FROM {S}.answer WHERE case_id = {a1}", expect=n.get("answers_a1", -1)),
        Probe("a viewer reads the answers' history", "vic", f"SELECT count(*) FROM {S}.answer_history WHERE case_id = {b1}", expect=n.get("history_b1", -1)),
        Probe("a blind second marker reads no history of the case", "kim", f"SELECT count(*) FROM {S}.answer_history WHERE case_id = {b1}", expect=0),
        Probe("a viewer reads the judgements", "vic", f"SELECT count(*) FROM {S}.judgement WHERE audit_id = {V}", expect=1),
        Probe("a blind second marker reads no judgement", "kim", f"SELECT count(*) FROM {S}.judgement WHERE audit_id = {V}", expect=0),
        Probe("a viewer reads the judgements' history", "vic", f"SELECT count(*) FROM {S}.judgement_history WHERE audit_id = {V}", expect=1),
        Probe("a blind second marker reads no judgement history", "kim", f"SELECT count(*) FROM {S}.judgement_history WHERE audit_id = {V}", expect=0),
        Probe("a viewer reads the event log", "vic", f"SELECT count(*) FROM {S}.audit_event WHERE audit_id = {V}", expect=n.get("events", -1)),
        Probe("a viewer reads the kept counts", "vic", f"SELECT count(*) FROM {S}.item_tally WHERE audit_id = {V}", expect=n.get("tallies", -1)),
        Probe("a blind second marker reads no kept count", "kim", f"SELECT count(*) FROM {S}.item_tally WHERE audit_id = {V}", expect=0),
        Probe("a viewer reads the rounds", "vic", f"SELECT count(*) FROM {S}.moderation_round WHERE audit_id = {V}", expect=2),
        Probe("a viewer reads the moderated cases", "vic", f"SELECT count(*) FROM {S}.moderation_case WHERE id IN ({r1}, {r2})", expect=2),
        Probe("a viewer reads the first marks as moderated", "vic", f"SELECT count(*) FROM {S}.moderation_first_mark WHERE moderation_case_id = {r1}", expect=n.get("first_marks_r1", -1)),
        Probe("a second marker reads their own marks", "kim", f"SELECT count(*) FROM {S}.second_answer WHERE moderation_case_id = {r2}", expect=1),
        Probe("the lead reads marks still being made", "lead", f"SELECT count(*) FROM {S}.second_answer WHERE moderation_case_id = {r2}", expect=1),
        Probe("others read no mark still being made", "vic", f"SELECT count(*) FROM {S}.second_answer WHERE moderation_case_id = {r2}", expect=0),
        Probe("members read a completed second marking", "vic", f"SELECT count(*) FROM {S}.second_answer WHERE moderation_case_id = {r1}", expect=n.get("seconds_r1", -1)),
        Probe("a second marker reads their marks' history", "kim", f"SELECT count(*) FROM {S}.second_answer_history WHERE moderation_case_id = {r2}", expect=1),
        Probe("others read no history of marks still being made", "vic", f"SELECT count(*) FROM {S}.second_answer_history WHERE moderation_case_id = {r2}", expect=0),
        Probe("a viewer reads the settlements", "vic", f"SELECT count(*) FROM {S}.settlement WHERE moderation_case_id = {r1}", expect=1),
        Probe("a viewer reads the caseload", "vic", f"SELECT count(*) FROM {S}.caseload_case WHERE audit_id = {V}", expect=20),
        Probe("a viewer reads the draw", "vic", f"SELECT count(*) FROM {S}.sample_draw WHERE audit_id = {V}", expect=1),
        Probe("a viewer reads the replacements", "vic", f"SELECT count(*) FROM {S}.sample_replacement WHERE audit_id = {V}", expect=1),
        Probe("a viewer reads the feedback", "vic", f"SELECT count(*) FROM {S}.case_feedback WHERE case_id = {a1}", expect=1),
        Probe("a blind second marker reads no feedback on the case", "kim", f"SELECT count(*) FROM {S}.case_feedback WHERE case_id = {b1}", expect=0),
        Probe("a viewer reads the actions", "vic", f"SELECT count(*) FROM {S}.case_action WHERE case_id = {a1}", expect=1),
        Probe("a blind second marker reads no action on the case", "kim", f"SELECT count(*) FROM {S}.case_action WHERE case_id = {b1}", expect=0),
        Probe("a viewer reads the actions' history", "vic", f"SELECT count(*) FROM {S}.case_action_history WHERE action_id = {act}", expect=2),
        Probe("anyone reads the schema's version", "eve", f"SELECT count(*) FROM {S}.alembic_version", expect=1),
        # ---- scopes: a region lead (reg), a PDU viewer (pdv), a blind marker holding a region (kim)
        Probe("a region lead reads every audit of the region", "reg", f"SELECT count(*) FROM {S}.audit WHERE id = {V}", expect=1),
        Probe("a region lead reads no audit of another region", "reg", f"SELECT count(*) FROM {S}.audit WHERE id = {M}", expect=0),
        Probe("a region lead reads the cases", "reg", f"SELECT count(*) FROM {S}.audit_case WHERE audit_id = {V}", expect=n.get("cases", -1)),
        Probe("a region lead reads the answers", "reg", f"SELECT count(*) FROM {S}.answer WHERE case_id = {a1}", expect=n.get("answers_a1", -1)),
        Probe("a region lead reads the kept counts", "reg", f"SELECT count(*) FROM {S}.item_tally WHERE audit_id = {V}", expect=n.get("tallies", -1)),
        Probe("a region lead reads the judgements", "reg", f"SELECT count(*) FROM {S}.judgement WHERE audit_id = {V}", expect=1),
        Probe("a region lead reads no mark still being made", "reg", f"SELECT count(*) FROM {S}.second_answer WHERE moderation_case_id = {r2}", expect=0),
        Probe("a PDU viewer reads their PDU's audit", "pdv", f"SELECT count(*) FROM {S}.audit WHERE id = {M}", expect=1),
        Probe("a PDU viewer reads its cases", "pdv", f"SELECT count(*) FROM {S}.audit_case WHERE audit_id = {M}", expect=2),
        Probe("a PDU viewer reads nothing of another PDU's audit", "pdv", f"SELECT count(*) FROM {S}.audit WHERE id = {V}", expect=0),
        Probe("a PDU viewer reads no answer of another PDU", "pdv", f"SELECT count(*) FROM {S}.answer WHERE case_id = {a1}", expect=0),
        Probe("a PDU viewer reads no case of another PDU", "pdv", f"SELECT count(*) FROM {S}.audit_case WHERE audit_id = {V}", expect=0),
        Probe("a blind second marker's region scope lifts no blind: no first mark", "kim", f"SELECT count(*) FROM {S}.answer WHERE case_id = {b1}", expect=0),
        Probe("a blind second marker's region scope lifts no blind: no kept count", "kim", f"SELECT count(*) FROM {S}.item_tally WHERE audit_id = {V}", expect=0),
        Probe("a scope holder reads their own scope", "reg", f"SELECT count(*) FROM {S}.scope_grant WHERE user_name = session_user", expect=1),
        Probe("a scope holder reads no one else's scope", "reg", f"SELECT count(*) FROM {S}.scope_grant WHERE user_name <> session_user", expect=0),
        Probe("no login grants itself a scope", "eve", f"INSERT INTO {S}.scope_grant (user_name, kind, name, granted_at, granted_by) VALUES (session_user, 'region', 'Demo North', now(), 'x')"),
        Probe("no scope holder widens their scope", "pdv", f"UPDATE {S}.scope_grant SET kind = 'region', name = 'Demo North' WHERE user_name = session_user"),
        Probe("no scope holder hands their scope on", "reg", f"UPDATE {S}.scope_grant SET user_name = '{login['eve']}'"),
        Probe("no one removes another's scope", "mal", f"DELETE FROM {S}.scope_grant"),
        Probe("a region lead changes no answer", "reg", f"UPDATE {S}.answer SET value = 'no' WHERE case_id = {a1}"),
        Probe("a region lead moves no audit out of the region", "reg", f"UPDATE {S}.audit SET region = 'Elsewhere' WHERE id = {V}"),
        Probe("a region lead adds no member", "reg", f"INSERT INTO {S}.audit_member (audit_id, user_name, role, added_at, added_by) VALUES ({V}, session_user, 'lead', now(), 'x')"),
        Probe("a region lead takes no write lock", "reg", f"SELECT * FROM {S}.begin_write({V})"),
        Probe("a region lead's export is logged, stamped by the server", "reg", f"SELECT {S}.log_event({V}, 'export', 'region view')", expect=ALLOWED, check=event_by_me("export")),
        Probe("a region lead cannot log a lead's event", "reg", f"SELECT {S}.log_event({V}, 'add-cases', 'x')"),
        Probe("a PDU viewer logs nothing in another PDU's audit", "pdv", f"SELECT {S}.log_event({V}, 'export', 'x')"),
        # ---- the audit ---------------------------------------------------------------------------
        Probe(
            "anyone granted creates an audit, stamped as theirs and led by them", "eve",
            f"INSERT INTO {S}.audit ({AUDIT_COLUMNS}) VALUES ('evil', '', '', 'r', '1', 'h', 's',"
            " '2000-01-01', 'lead', 9, 'sample', now(), 'lead') RETURNING id",
            expect=ALLOWED,
            check=lambda c: scalar(c, f"SELECT created_by = session_user AND revision = 0 AND locked_at IS NULL AND created_at > '2020-01-01' FROM {S}.audit WHERE name = 'evil'")
            and scalar(c, f"SELECT role FROM {S}.audit_member m JOIN {S}.audit a ON a.id = m.audit_id WHERE a.name = 'evil' AND m.user_name = session_user") == "lead"
            and scalar(c, f"SELECT count(*) FROM {S}.audit_event e JOIN {S}.audit a ON a.id = e.audit_id WHERE a.name = 'evil' AND e.event = 'create' AND e.by = session_user") == 1,
        ),
        Probe("the lead renames the audit, and the server logs it", "lead", f"UPDATE {S}.audit SET name = 'renamed' WHERE id = {V}", expect=ALLOWED, check=event_by_me("rename")),
        Probe("an auditor cannot rename it", "ann", f"UPDATE {S}.audit SET name = 'mine' WHERE id = {V}"),
        Probe("the lead deletes the audit", "lead", f"SELECT {S}.remove_audit({V})", expect=1),
        Probe("an auditor cannot delete it", "ann", f"SELECT {S}.remove_audit({V})", expect=0),
        Probe("no one deletes by DELETE, not even the lead (it would let them LOCK TABLE)", "lead", f"DELETE FROM {S}.audit WHERE id = {V}"),
        Probe("no one locks the audits' table (it would stop every write)", "lead", f"LOCK TABLE {S}.audit IN EXCLUSIVE MODE"),
        Probe(
            "a lock is stamped by the server with who and when, and logged", "lead",
            f"UPDATE {S}.audit SET locked_at = '2000-01-01', locked_by = '{login['ann']}' WHERE id = {V}",
            expect=ALLOWED,
            check=lambda c: scalar(c, f"SELECT locked_by = session_user AND locked_at > '2020-01-01' FROM {S}.audit WHERE id = {V}")
            and event_by_me("lock")(c),
        ),
        Probe("an unlock needs a reason", "lead", lock() + f"UPDATE {S}.audit SET locked_at = NULL WHERE id = {V}"),
        Probe(
            "an unlock with a reason is logged with it", "lead",
            "SELECT set_config('audit_tui.reason', 'figures corrected', true);" + lock()
            + f"UPDATE {S}.audit SET locked_at = NULL WHERE id = {V}",
            expect=ALLOWED,
            check=lambda c: scalar(c, newest("audit_event", "detail", f"audit_id = {V}")) == "figures corrected",
        ),
        Probe("a locked audit keeps its name", "lead", lock() + f"UPDATE {S}.audit SET name = 'x' WHERE id = {V}"),
        Probe("an audit's kind never changes, even for its owner", "owner", f"UPDATE {S}.audit SET kind = 'oversight' WHERE id = {V}"),
        Probe("an audit keeps its id, even for its owner", "owner", f"UPDATE {S}.audit SET id = 9999 WHERE id = {V}"),
        Probe("nobody bumps the revision by hand", "lead", f"UPDATE {S}.audit SET revision = revision + 1 WHERE id = {V}"),
        # ---- members -----------------------------------------------------------------------------
        Probe(
            "the lead adds a member, stamped as the lead", "lead",
            f"INSERT INTO {S}.audit_member (audit_id, user_name, role, added_at, added_by) VALUES ({V}, '{login['eve']}', 'viewer', '2000-01-01', 'nobody')",
            expect=ALLOWED,
            check=lambda c: scalar(c, f"SELECT added_by = session_user FROM {S}.audit_member WHERE audit_id = {V} AND user_name = '{login['eve']}'"),
        ),
        Probe("an auditor cannot add members", "ann", f"INSERT INTO {S}.audit_member (audit_id, user_name, role, added_at, added_by) VALUES ({V}, '{login['eve']}', 'lead', now(), 'x')"),
        Probe("the lead changes a role", "lead", f"UPDATE {S}.audit_member SET role = 'auditor' WHERE audit_id = {V} AND user_name = '{login['vic']}'", expect=ALLOWED),
        Probe("an auditor cannot make themselves lead", "ann", f"UPDATE {S}.audit_member SET role = 'lead' WHERE audit_id = {V} AND user_name = session_user"),
        Probe("the lead removes a member", "lead", f"SELECT {S}.remove_member({V}, '{login['vic']}')", expect=1),
        Probe("an auditor removes no member", "ann", f"SELECT {S}.remove_member({V}, '{login['vic']}')", expect=0),
        Probe("an audit always keeps a lead", "lead", f"SELECT {S}.remove_member({V}, session_user::text)"),
        Probe("no one removes a member by DELETE", "lead", f"DELETE FROM {S}.audit_member WHERE audit_id = {V} AND user_name = '{login['vic']}'"),
        Probe("no one locks the members' table", "lead", f"LOCK TABLE {S}.audit_member IN SHARE MODE"),
        Probe("a member never moves to another audit, even for the owner", "owner", f"UPDATE {S}.audit_member SET audit_id = {M} WHERE audit_id = {V} AND user_name = '{login['vic']}'"),
        # ---- cases -------------------------------------------------------------------------------
        Probe(
            "the lead adds a case, as fresh work whatever is sent", "lead",
            f"INSERT INTO {S}.audit_case (audit_id, case_ref, position, attributes, created_at, answered, signed_off_at, signed_off_by)"
            f" VALUES ({V}, 'NEW-1', 99, '{{}}', '2000-01-01', 99, now(), 'lead')",
            expect=ALLOWED,
            check=lambda c: scalar(c, f"SELECT answered = 0 AND signed_off_at IS NULL FROM {S}.audit_case WHERE case_ref = 'NEW-1'"),
        ),
        Probe("an auditor cannot add cases", "ann", f"INSERT INTO {S}.audit_case (audit_id, case_ref, position, attributes, created_at) VALUES ({V}, 'NEW-2', 99, '{{}}', now())"),
        Probe(
            "an auditor marks their case complete, stamped as theirs", "ann",
            f"UPDATE {S}.audit_case SET completed_at = '2000-01-01', completed_by = 'lead' WHERE id = {a1}",
            expect=ALLOWED,
            check=lambda c: scalar(c, f"SELECT completed_by = session_user AND completed_at > '2020-01-01' FROM {S}.audit_case WHERE id = {a1}"),
        ),
        Probe("an auditor cannot change their case's attributes", "ann", f"UPDATE {S}.audit_case SET attributes = '{{}}' WHERE id = {a1}"),
        Probe("an auditor cannot complete someone else's case", "ann", f"UPDATE {S}.audit_case SET completed_at = now() WHERE id = {b2}"),
        Probe("a signed-off case is not reallocated", "lead", f"UPDATE {S}.audit_case SET allocated_to = '{login['bob']}' WHERE id = {a2}"),
        Probe("a signed-off case never changes, even for the owner", "owner", f"UPDATE {S}.audit_case SET attributes = '{{}}' WHERE id = {a2}"),
        Probe("a case is removed only with a reason", "lead", f"UPDATE {S}.audit_case SET removed_at = now() WHERE id = {b2}"),
        Probe(
            "a removed case leaves the kept counts, and the log says why", "lead",
            f"UPDATE {S}.audit_case SET removed_at = now(), removed_reason = 'transferred' WHERE id = {b2}",
            expect=ALLOWED,
            check=lambda c: scalar(c, f"SELECT coalesce(sum(n), 0) FROM {S}.item_tally WHERE audit_id = {V}") == n.get("tally_total", -1) - n.get("answers_b2", -1)
            and event_by_me("remove-case")(c),
        ),
        Probe("a case never moves to another audit, even for the owner", "owner", f"UPDATE {S}.audit_case SET audit_id = {M} WHERE id = {a1}"),
        Probe("no login writes a case's count", "lead", f"UPDATE {S}.audit_case SET answered = 0 WHERE id = {a1}"),
        # ---- answers -----------------------------------------------------------------------------
        Probe(
            "an auditor answers their case; the server stamps it, writes its history and counts it", "ann",
            f"INSERT INTO {S}.answer (audit_id, case_id, item_id, value, note, updated_at, updated_by) VALUES ({V}, {a1}, 'x.1', 'yes', '', '2000-01-01', 'lead')",
            expect=ALLOWED,
            check=lambda c: scalar(c, f"SELECT updated_by = session_user AND updated_at > '2020-01-01' FROM {S}.answer WHERE case_id = {a1} AND item_id = 'x.1'")
            and scalar(c, f"SELECT changed_by = session_user AND old_value IS NULL AND new_value = 'yes' AND via = 'sql' FROM {S}.answer_history WHERE case_id = {a1} AND item_id = 'x.1'")
            and scalar(c, f"SELECT n FROM {S}.item_tally WHERE audit_id = {V} AND item_id = 'x.1' AND value = 'yes'") == 1
            and scalar(c, f"SELECT answered FROM {S}.audit_case WHERE id = {a1}") == n.get("answered_a1", -1) + 1,
        ),
        Probe("an answer names its case's own audit", "ann", f"INSERT INTO {S}.answer (audit_id, case_id, item_id, value, note, updated_at, updated_by) VALUES ({M}, {a1}, 'x.2', 'yes', '', now(), 'x')"),
        Probe("an answer names an audit that exists (no foreign key: the policy)", "ann", f"INSERT INTO {S}.answer (audit_id, case_id, item_id, value, note, updated_at, updated_by) VALUES (2147483647, {a1}, 'x.2', 'yes', '', now(), 'x')"),
        Probe("an auditor cannot answer someone else's case", "ann", f"INSERT INTO {S}.answer (audit_id, case_id, item_id, value, note, updated_at, updated_by) VALUES ({V}, {b2}, 'x.1', 'yes', '', now(), 'x')"),
        Probe(
            "an auditor changes their answer; the server keeps the old value", "ann",
            f"UPDATE {S}.answer SET value = 'no' WHERE case_id = {a1} AND item_id = '2.2.1.a'",
            expect=ALLOWED,
            check=lambda c: scalar(c, newest("answer_history", "old_value || '>' || new_value || '>' || changed_by", f"case_id = {a1}")) == f"yes>no>{me(c)}"
            and scalar(c, f"SELECT n FROM {S}.item_tally WHERE audit_id = {V} AND item_id = '2.2.1.a' AND value = 'no'") == n.get("tally_221a_no", -1) + 1,
        ),
        Probe("an auditor cannot change someone else's answers", "ann", f"UPDATE {S}.answer SET value = 'no' WHERE case_id = {b2}"),
        Probe("nobody changes a signed-off case's answers", "ann", f"UPDATE {S}.answer SET value = 'no' WHERE case_id = {a2}"),
        Probe("a viewer changes no answer", "vic", f"UPDATE {S}.answer SET value = 'no'"),
        Probe("a locked audit's answers never change", "lead", lock() + f"UPDATE {S}.answer SET value = 'no' WHERE case_id = {a1}"),
        Probe(
            "no login claims an answer changed by moderation", "ann",
            "SELECT set_config('audit_tui.via', 'moderation', true);"
            f"UPDATE {S}.answer SET value = 'no' WHERE case_id = {a1} AND item_id = '2.2.2'",
        ),
        Probe("an answer never moves to another case, even for the owner", "owner", f"UPDATE {S}.answer SET case_id = {b2} WHERE case_id = {a1} AND item_id = '2.2.1'"),
        Probe("no login writes history", "ann", f"INSERT INTO {S}.answer_history (case_id, item_id, old_value, new_value, changed_at, changed_by, via) VALUES ({a1}, '2.2.1', 'no', 'yes', now(), 'x', 'tui')"),
        Probe("history never changes, even for the owner", "owner", f"UPDATE {S}.answer_history SET new_value = 'yes' WHERE case_id = {a1}"),
        Probe("history is never deleted, even by the owner", "owner", f"DELETE FROM {S}.answer_history WHERE case_id = {a1}"),
        # ---- judgements --------------------------------------------------------------------------
        Probe(
            "the lead judges a standard; stamped, with history", "lead",
            f"INSERT INTO {S}.judgement (audit_id, standard_id, rating, strengths, improvements, updated_at, updated_by) VALUES ({V}, '1.2', 'Good', '', '', '2000-01-01', 'ann')",
            expect=ALLOWED,
            check=lambda c: scalar(c, f"SELECT updated_by = session_user FROM {S}.judgement WHERE audit_id = {V} AND standard_id = '1.2'")
            and stamped("judgement_history", "changed_by", f"audit_id = {V}")(c),
        ),
        Probe("an auditor cannot judge", "ann", f"INSERT INTO {S}.judgement (audit_id, standard_id, rating, strengths, improvements, updated_at, updated_by) VALUES ({V}, '1.3', 'Good', '', '', now(), 'x')"),
        Probe(
            "the lead changes a judgement; the server keeps the old rating", "lead",
            f"UPDATE {S}.judgement SET rating = 'Outstanding' WHERE audit_id = {V}", expect=ALLOWED,
            check=lambda c: scalar(c, newest("judgement_history", "old_rating || '>' || new_rating", f"audit_id = {V}")) == "Good>Outstanding",
        ),
        Probe("an auditor cannot change a judgement", "ann", f"UPDATE {S}.judgement SET rating = 'Outstanding' WHERE audit_id = {V}"),
        Probe("a judgement never moves, even for the owner", "owner", f"UPDATE {S}.judgement SET audit_id = {M} WHERE audit_id = {V}"),
        Probe("judgement history never changes, even for the owner", "owner", f"UPDATE {S}.judgement_history SET new_rating = 'Good' WHERE audit_id = {V}"),
        # ---- the event log -----------------------------------------------------------------------
        Probe("no login writes the log", "lead", f"INSERT INTO {S}.audit_event (audit_id, audit_name, at, \"by\", event, detail) VALUES ({V}, 'x', now(), 'x', 'lock', '')"),
        Probe("the log never changes, even for the owner", "owner", f"UPDATE {S}.audit_event SET detail = 'nothing happened' WHERE audit_id = {V}"),
        Probe("the log is never deleted, even by the owner", "owner", f"DELETE FROM {S}.audit_event WHERE audit_id = {V}"),
        Probe("a viewer logs an export, stamped by the server", "vic", f"SELECT {S}.log_event({V}, 'export', 'md to x')", expect=ALLOWED, check=event_by_me("export")),
        Probe("a viewer cannot log a lock", "vic", f"SELECT {S}.log_event({V}, 'lock', '')"),
        Probe("an auditor cannot log the lead's events", "ann", f"SELECT {S}.log_event({V}, 'member', 'x added as lead')"),
        Probe("someone in no audit logs nothing there", "eve", f"SELECT {S}.log_event({V}, 'export', 'x')"),
        Probe("nobody calls the server's own event writer", "lead", f"SELECT {S}.write_event({V}, 'lock', '')"),
        # ---- kept counts -------------------------------------------------------------------------
        Probe("no login writes a kept count", "lead", f"UPDATE {S}.item_tally SET n = n + 10 WHERE audit_id = {V}"),
        Probe("no login adds a kept count", "lead", f"INSERT INTO {S}.item_tally (audit_id, item_id, value, n) VALUES ({V}, 'q', 'yes', 5)"),
        Probe("a count never moves to another audit, even for the owner", "owner", f"UPDATE {S}.item_tally SET audit_id = {M} WHERE audit_id = {V}"),
        Probe("the lead has the counts counted again", "lead", f"SELECT {S}.recount({V}, 'check')", expect=ALLOWED),
        Probe("an auditor cannot", "ann", f"SELECT {S}.recount({V}, 'check')"),
        # ---- moderation --------------------------------------------------------------------------
        Probe(
            "the lead starts a round, stamped as theirs", "lead",
            f"INSERT INTO {S}.moderation_round (audit_id, number, marker, rule, created_at, created_by) VALUES ({V}, 3, '{login['vic']}', 'by hand', '2000-01-01', 'x')",
            expect=ALLOWED, check=stamped("moderation_round", "created_by", f"audit_id = {V}"),
        ),
        Probe("an auditor cannot start a round", "ann", f"INSERT INTO {S}.moderation_round (audit_id, number, marker, rule, created_at, created_by) VALUES ({V}, 3, 'x', 'x', now(), 'x')"),
        Probe("a round never changes, even for the owner", "owner", f"UPDATE {S}.moderation_round SET marker = 'x' WHERE audit_id = {V}"),
        Probe("the lead puts a case in a round", "lead", f"INSERT INTO {S}.moderation_case (round_id, case_id, first_marker) SELECT round_id, {a1}, '{login['ann']}' FROM {S}.moderation_case WHERE id = {r2}", expect=ALLOWED),
        Probe("a round takes cases of its own audit only", "lead", f"INSERT INTO {S}.moderation_case (round_id, case_id, first_marker) SELECT round_id, {m1}, 'x' FROM {S}.moderation_case WHERE id = {r2}"),
        Probe("an auditor cannot choose cases for moderation", "ann", f"INSERT INTO {S}.moderation_case (round_id, case_id, first_marker) SELECT round_id, {b2}, 'x' FROM {S}.moderation_case WHERE id = {r2}"),
        Probe(
            "the second marker completes their case; the server keeps the first marks", "kim",
            f"UPDATE {S}.moderation_case SET completed_at = '2000-01-01', completed_by = 'x' WHERE id = {r2}",
            expect=ALLOWED,
            check=lambda c: scalar(c, f"SELECT completed_by = session_user FROM {S}.moderation_case WHERE id = {r2}")
            and scalar(c, f"SELECT count(*) FROM {S}.moderation_first_mark WHERE moderation_case_id = {r2}") == n.get("answers_b1", -1),
        ),
        Probe("nobody completes someone else's second marking", "ann", f"UPDATE {S}.moderation_case SET completed_at = now() WHERE id = {r2}"),
        Probe("a completed marking is never reopened, even by the owner", "owner", f"UPDATE {S}.moderation_case SET completed_at = NULL WHERE id = {r1}"),
        Probe("a moderated case never moves, even for the owner", "owner", f"UPDATE {S}.moderation_case SET case_id = {b2} WHERE id = {r2}"),
        Probe("no login writes first marks", "lead", f"INSERT INTO {S}.moderation_first_mark (moderation_case_id, item_id, value, note) VALUES ({r1}, 'q', 'yes', '')"),
        Probe("first marks as moderated never change, even for the owner", "owner", f"UPDATE {S}.moderation_first_mark SET value = 'na' WHERE moderation_case_id = {r1}"),
        Probe(
            "the second marker marks their case, stamped, with history", "kim",
            f"INSERT INTO {S}.second_answer (moderation_case_id, item_id, value, note, updated_at, updated_by) VALUES ({r2}, '2.2.2', 'no', '', '2000-01-01', 'x')",
            expect=ALLOWED,
            check=lambda c: scalar(c, f"SELECT updated_by = session_user FROM {S}.second_answer WHERE moderation_case_id = {r2} AND item_id = '2.2.2'")
            and stamped("second_answer_history", "changed_by", f"moderation_case_id = {r2} AND item_id = '2.2.2'")(c),
        ),
        Probe("the second marker changes a mark", "kim", f"UPDATE {S}.second_answer SET value = 'yes' WHERE moderation_case_id = {r2}", expect=ALLOWED),
        Probe("nobody else marks a second marker's case", "ann", f"INSERT INTO {S}.second_answer (moderation_case_id, item_id, value, note, updated_at, updated_by) VALUES ({r2}, '2.2.3', 'no', '', now(), 'x')"),
        Probe("a completed marking's marks never change", "bob", f"UPDATE {S}.second_answer SET value = 'yes' WHERE moderation_case_id = {r1}"),
        Probe("a second mark never moves, even for the owner", "owner", f"UPDATE {S}.second_answer SET moderation_case_id = {r1} WHERE moderation_case_id = {r2}"),
        Probe("second marks' history never changes, even for the owner", "owner", f"UPDATE {S}.second_answer_history SET new_value = 'yes' WHERE moderation_case_id = {r1}"),
        Probe(
            "the lead settles again; the agreed answer becomes the audit's, via moderation", "lead",
            "SELECT set_config('audit_tui.via', 'tui', true);"
            f"UPDATE {S}.settlement SET agreed_value = 'yes', reason = 'on reflection' WHERE moderation_case_id = {r1}",
            expect=ALLOWED,
            check=lambda c: scalar(c, f"SELECT value FROM {S}.answer WHERE case_id = {a1} AND item_id = '2.2.1'") == "yes"
            and scalar(c, newest("answer_history", "via || '>' || reason", f"case_id = {a1}")) == "moderation>on reflection",
        ),
        Probe(
            "the lead settles a disagreement, stamped as theirs", "lead",
            f"INSERT INTO {S}.settlement (moderation_case_id, item_id, first_value, second_value, agreed_value, reason, settled_at, settled_by) VALUES ({r1}, '2.2.2', 'no', 'no', 'no', 'agreed in supervision', '2000-01-01', 'x')",
            expect=ALLOWED,
            check=lambda c: scalar(c, f"SELECT first_value || second_value || (settled_by = session_user) || (settled_at > '2020-01-01') FROM {S}.settlement WHERE moderation_case_id = {r1} AND item_id = '2.2.2'") == "yesnotruetrue",
        ),
        Probe("nobody settles what the markers agreed on", "lead", f"INSERT INTO {S}.settlement (moderation_case_id, item_id, first_value, second_value, agreed_value, reason, settled_at, settled_by) VALUES ({r1}, '2.2.3', 'yes', 'no', 'no', 'x', now(), 'x')"),
        Probe(
            "a marker's settlement records the marks as the server reads them", "bob",
            f"UPDATE {S}.settlement SET first_value = 'no', second_value = 'no', settled_by = 'x' WHERE moderation_case_id = {r1}",
            expect=ALLOWED,
            check=lambda c: scalar(c, f"SELECT first_value || second_value || (settled_by = session_user) FROM {S}.settlement WHERE moderation_case_id = {r1}") == "yesnotrue",
        ),
        Probe("a viewer settles nothing", "vic", f"UPDATE {S}.settlement SET agreed_value = 'yes' WHERE moderation_case_id = {r1}"),
        Probe("a marker of another case settles nothing", "kim", f"UPDATE {S}.settlement SET agreed_value = 'yes' WHERE moderation_case_id = {r1}"),
        Probe("a settlement never moves, even for the owner", "owner", f"UPDATE {S}.settlement SET item_id = '2.2.2' WHERE moderation_case_id = {r1} AND item_id = '2.2.1'"),
        # ---- sampling ----------------------------------------------------------------------------
        Probe("a drawn audit's caseload stays as it was drawn", "lead", f"INSERT INTO {S}.caseload_case (audit_id, case_ref, position, attributes, start_date) VALUES ({V}, 'X-1', 99, '{{}}', '2026-01-01')"),
        Probe("a lead imports a caseload into an audit not yet drawn", "mal", f"INSERT INTO {S}.caseload_case (audit_id, case_ref, position, attributes, start_date) VALUES ({M}, 'X-1', 99, '{{}}', '2026-01-01')", expect=ALLOWED),
        Probe("a lead clears a caseload not yet drawn from", "mal", f"SELECT {S}.clear_caseload({M}) > 0; SELECT count(*) FROM {S}.caseload_case WHERE audit_id = {M}", expect=0),
        Probe("nobody clears the caseload a sample was drawn from", "lead", f"SELECT {S}.clear_caseload({V})", expect=0),
        Probe("no one clears a caseload by DELETE", "mal", f"DELETE FROM {S}.caseload_case WHERE audit_id = {M}"),
        Probe("a caseload row never changes, even for the owner", "owner", f"UPDATE {S}.caseload_case SET case_ref = 'X' WHERE audit_id = {V}"),
        Probe(
            "a lead records a draw, stamped as theirs", "mal",
            f"INSERT INTO {S}.sample_draw (audit_id, seed, size, strata, min_per_stratum, rule, plan, drawn_at, drawn_by) VALUES ({M}, 1, 1, '[]', 0, 'r', '{{}}', '2000-01-01', 'x')",
            expect=ALLOWED, check=stamped("sample_draw", "drawn_by", f"audit_id = {M}"),
        ),
        Probe("an auditor records no draw", "ann", f"INSERT INTO {S}.sample_draw (audit_id, seed, size, strata, min_per_stratum, rule, plan, drawn_at, drawn_by) VALUES ({M}, 1, 1, '[]', 0, 'r', '{{}}', now(), 'x')"),
        Probe("a draw never changes, even for the owner", "owner", f"UPDATE {S}.sample_draw SET seed = 1 WHERE audit_id = {V}"),
        Probe(
            "the lead records a replacement, stamped as theirs", "lead",
            f"INSERT INTO {S}.sample_replacement (audit_id, replaced, replacement, reason, at, \"by\") VALUES ({V}, 'V-99', NULL, 'x', '2000-01-01', 'x')",
            expect=ALLOWED, check=stamped("sample_replacement", '"by"', f"audit_id = {V}"),
        ),
        Probe("an auditor records no replacement", "ann", f"INSERT INTO {S}.sample_replacement (audit_id, replaced, reason, at, \"by\") VALUES ({V}, 'V-99', 'x', now(), 'x')"),
        Probe("a replacement never changes, even for the owner", "owner", f"UPDATE {S}.sample_replacement SET reason = 'x' WHERE audit_id = {V}"),
        # ---- feedback and actions ----------------------------------------------------------------
        Probe(
            "a reviewer writes feedback, stamped as theirs", "ann",
            f"INSERT INTO {S}.case_feedback (case_id, audit_id, strengths, improvements, updated_at, updated_by) VALUES ({a2}, {V}, 'x', '', '2000-01-01', 'x')",
            expect=ALLOWED, check=lambda c: scalar(c, f"SELECT updated_by = session_user FROM {S}.case_feedback WHERE case_id = {a2}"),
        ),
        Probe("a reviewer changes their feedback", "ann", f"UPDATE {S}.case_feedback SET strengths = 'y' WHERE case_id = {a1}", expect=ALLOWED),
        Probe("nobody writes feedback on another's case", "ann", f"INSERT INTO {S}.case_feedback (case_id, audit_id, strengths, improvements, updated_at, updated_by) VALUES ({b2}, {V}, 'x', '', now(), 'x')"),
        Probe("feedback names its case's own audit, even for the owner", "owner", f"INSERT INTO {S}.case_feedback (case_id, audit_id, strengths, improvements, updated_at, updated_by) VALUES ({a2}, {M}, 'x', '', now(), 'x')"),
        Probe("feedback names its case's own audit", "ann", f"INSERT INTO {S}.case_feedback (case_id, audit_id, strengths, improvements, updated_at, updated_by) VALUES ({a2}, {M}, 'x', '', now(), 'x')"),
        Probe("feedback never moves, even for the owner", "owner", f"UPDATE {S}.case_feedback SET case_id = {a2} WHERE case_id = {a1}"),
        Probe(
            "a reviewer agrees an action; stamped, with history", "ann",
            f"INSERT INTO {S}.case_action (audit_id, case_id, what, due, status, created_at, created_by, updated_at, updated_by) VALUES ({V}, {a1}, 'x', '2027-01-01', 'open', '2000-01-01', 'x', now(), 'x')",
            expect=ALLOWED,
            check=lambda c: stamped("case_action", "created_by", f"case_id = {a1}")(c)
            and stamped("case_action_history", "changed_by", f"audit_id = {V}")(c),
        ),
        Probe("an action is agreed open", "ann", f"INSERT INTO {S}.case_action (audit_id, case_id, what, due, status, created_at, created_by, updated_at, updated_by) VALUES ({V}, {a1}, 'x', '2027-01-01', 'done', now(), 'x', now(), 'x')"),
        Probe("an action names its case's own audit, even for the owner", "owner", f"INSERT INTO {S}.case_action (audit_id, case_id, what, due, status, created_at, created_by, updated_at, updated_by) VALUES ({M}, {a1}, 'x', '2027-01-01', 'open', now(), 'x', now(), 'x')"),
        Probe("an action names its case's own audit", "ann", f"INSERT INTO {S}.case_action (audit_id, case_id, what, due, status, created_at, created_by, updated_at, updated_by) VALUES ({M}, {a1}, 'x', '2027-01-01', 'open', now(), 'x', now(), 'x')"),
        Probe(
            "a reviewer marks their action done, with history", "ann",
            f"UPDATE {S}.case_action SET status = 'done' WHERE id = {act}", expect=ALLOWED,
            check=lambda c: scalar(c, newest("case_action_history", "old_status || '>' || new_status", f"action_id = {act}")) == "open>done",
        ),
        Probe("an action is dropped only saying why", "ann", f"UPDATE {S}.case_action SET status = 'dropped' WHERE id = {act}"),
        Probe("nobody follows up another's action", "bob", f"UPDATE {S}.case_action SET status = 'done' WHERE id = {act}"),
        Probe("an action never moves, even for the owner", "owner", f"UPDATE {S}.case_action SET case_id = {a2} WHERE id = {act}"),
        Probe("an action's history never changes, even for the owner", "owner", f"UPDATE {S}.case_action_history SET note = 'x' WHERE action_id = {act}"),
        # ---- the server's doors ------------------------------------------------------------------
        Probe("someone in no audit takes no write lock there", "eve", f"SELECT * FROM {S}.begin_write({V})"),
        Probe("an auditor takes the write lock", "ann", f"SELECT * FROM {S}.begin_write({V})", expect=ALLOWED),
        Probe("no login makes temporary objects to shadow names", "eve", "CREATE TEMP TABLE audit_member (audit_id int, user_name text, role text)"),
    ]  # fmt: skip
    return probes


def counts(conn: Conn, ids: Mapping[str, Any]) -> dict[str, int]:
    """The counts the reading probes expect, read by the owner."""
    V, a1, b1, b2 = ids["V"], ids["a1"], ids["b1"], ids["b2"]
    r1 = ids["round1_case"]
    q = {
        "members": f"SELECT count(*) FROM {S}.audit_member WHERE audit_id = {V}",
        "cases": f"SELECT count(*) FROM {S}.audit_case WHERE audit_id = {V}",
        "answers_a1": f"SELECT count(*) FROM {S}.answer WHERE case_id = {a1}",
        "answers_b1": f"SELECT count(*) FROM {S}.answer WHERE case_id = {b1} AND (value IS NOT NULL OR note <> '')",
        "answers_b2": f"SELECT count(*) FROM {S}.answer WHERE case_id = {b2} AND value IS NOT NULL",
        "answered_a1": f"SELECT answered FROM {S}.audit_case WHERE id = {a1}",
        "history_b1": f"SELECT count(*) FROM {S}.answer_history WHERE case_id = {b1}",
        "events": f"SELECT count(*) FROM {S}.audit_event WHERE audit_id = {V}",
        "tallies": f"SELECT count(*) FROM {S}.item_tally WHERE audit_id = {V}",
        "tally_total": f"SELECT sum(n) FROM {S}.item_tally WHERE audit_id = {V}",
        "tally_221a_no": f"SELECT coalesce(sum(n), 0) FROM {S}.item_tally WHERE audit_id = {V} AND item_id = '2.2.1.a' AND value = 'no'",
        "first_marks_r1": f"SELECT count(*) FROM {S}.moderation_first_mark WHERE moderation_case_id = {r1}",
        "seconds_r1": f"SELECT count(*) FROM {S}.second_answer WHERE moderation_case_id = {r1}",
    }  # fmt: skip
    return {key: int(scalar(conn, statement) or 0) for key, statement in q.items()}
