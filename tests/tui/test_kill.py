"""Killing the app (SIGKILL, no chance to clean up) loses nothing it showed as saved.

The real command runs in a pseudo-terminal, driven by keystrokes as a user would (a burst of them
at once, as a practised auditor types); the database is then read by another connection.
"""

from __future__ import annotations

import sqlite3
import sys

import pytest

from audit_tui.store import audits, cases
from tests.tui.terminal import Terminal


def answers(db: str) -> list[tuple[str, str, str]]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return conn.execute(
            "SELECT c.case_ref, a.item_id, a.value FROM answer a JOIN audit_case c ON c.id = a.case_id"
            " ORDER BY a.id"
        ).fetchall()


def walk_order(db: str, case_ref: str) -> list[str]:
    """The items of a case in the order the walk visits them (the ones that apply)."""
    from tests.tui.conftest import reopen

    repo = reopen(db)
    audit = audits.open_audit(repo, "spo-check")
    case = next(c for c in cases.list_cases(repo, audit) if c.case_ref == case_ref)
    repo.engine.dispose()
    rubric = audit.rubric
    sections = [s for s in rubric.standards if s.method == "cases"]
    order = [i.id for st in sections for kq in st.key_questions for i in (*kq.prompts, kq)]
    order += [i.id for i in rubric.indicators]
    return [i for i in order if rubric.applies(i, case.attributes)]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_a_burst_typed_in_a_real_terminal_lands_one_answer_per_item(two_case_db: str) -> None:
    """24 keys in one write to the terminal, as a practised auditor types them."""
    keys = "ynaynaynaynaynaynaynayna"
    term = Terminal("--db", two_case_db)
    try:
        term.wait_for("spo-check")
        term.keys("\r")
        term.wait_for("QA-002")
        term.keys("\r")
        term.wait_for("0/65 answered")
        term.keys(keys)
        term.wait_for(f"{len(keys)}/65 answered")
    finally:
        term.kill()
    words = {"y": "yes", "n": "no", "a": "na"}
    expected = [
        ("QA-001", item, words[key])
        for item, key in zip(walk_order(two_case_db, "QA-001"), keys, strict=False)
    ]
    assert answers(two_case_db) == expected


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_sigkill_after_saving_loses_nothing(two_case_db: str) -> None:
    term = Terminal("--db", two_case_db)
    try:
        term.wait_for("spo-check")
        term.keys("\r")
        term.wait_for("QA-002")
        term.keys("\r")
        term.wait_for("0/65 answered")
        term.keys("y")
        term.wait_for("1/65 answered")  # the header counts only what is committed
        term.keys("n")
        term.wait_for("2/65 answered")
        term.keys("a")
        term.wait_for("3/65 answered")
    finally:
        term.kill()
    assert answers(two_case_db) == [
        ("QA-001", "2.2.1.a", "yes"),
        ("QA-001", "2.2.1.b", "no"),
        ("QA-001", "2.2.1.c", "na"),
    ]
