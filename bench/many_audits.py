"""Many audits in one database, fast: copies of one real audit (its cases, answers, kept counts
and judgements) made in SQL, so the audit list can be timed at 1,000 audits without importing
1,000 times. Every copy is a whole audit the app opens and scores like any other."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def clone_audits(db: Path, source: str, copies: int, *, pdus: int = 10) -> list[str]:
    """Add `copies` copies of the audit named `source`, spread over `pdus` PDUs; their names."""
    names = []
    with sqlite3.connect(db) as con:
        (src,) = con.execute("SELECT id FROM audit WHERE name = ?", (source,)).fetchone()
        audit_cols = [
            c[1]
            for c in con.execute("PRAGMA table_info(audit)")
            if c[1] not in ("id", "name", "pdu")
        ]
        case_cols = [
            c[1]
            for c in con.execute("PRAGMA table_info(audit_case)")
            if c[1] not in ("id", "audit_id")
        ]
        answer_cols = [
            c[1]
            for c in con.execute("PRAGMA table_info(answer)")
            if c[1] not in ("id", "audit_id", "case_id")
        ]
        a_cols = ", ".join(audit_cols)
        c_cols = ", ".join(case_cols)
        n_cols = ", ".join(f"a.{c}" for c in answer_cols)
        for i in range(copies):
            name = f"{source}-copy-{i:04d}"
            cur = con.execute(
                f"INSERT INTO audit (name, pdu, {a_cols}) SELECT ?, ?, {a_cols} FROM audit WHERE id = ?",
                (name, f"PDU {i % pdus:02d}", src),
            )
            new = cur.lastrowid
            con.execute(
                f"INSERT INTO audit_case (audit_id, {c_cols}) SELECT ?, {c_cols} FROM audit_case"
                " WHERE audit_id = ? ORDER BY id",
                (new, src),
            )
            con.execute(
                f"INSERT INTO answer (audit_id, case_id, {', '.join(answer_cols)})"
                f" SELECT ?, n.id, {n_cols} FROM answer a JOIN audit_case o ON o.id = a.case_id"
                " JOIN audit_case n ON n.audit_id = ? AND n.case_ref = o.case_ref"
                " WHERE o.audit_id = ?",
                (new, new, src),
            )
            con.execute(
                "INSERT INTO item_tally (audit_id, item_id, value, n)"
                " SELECT ?, item_id, value, n FROM item_tally WHERE audit_id = ?",
                (new, src),
            )
            con.execute(
                "INSERT INTO judgement (audit_id, standard_id, rating, strengths, improvements,"
                " updated_at, updated_by) SELECT ?, standard_id, rating, strengths, improvements,"
                " updated_at, updated_by FROM judgement WHERE audit_id = ?",
                (new, src),
            )
            con.execute(
                "INSERT INTO audit_member SELECT ?, user_name, role, added_at, added_by"
                " FROM audit_member WHERE audit_id = ?",
                (new, src),
            )
            names.append(name)
    return names
