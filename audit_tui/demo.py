"""The demo audit: a synthetic 28-case sample that reproduces the Tameside inspection's figures.

Loaded through the same importers a user's CSV files go through, so the demo exercises them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from audit_tui.domain.answers import NoteTag
from audit_tui.domain.loader import read_rubric_text
from audit_tui.domain.records import OVERSIGHT, OpenAudit
from audit_tui.io.csvfile import read_csv
from audit_tui.io.imports import (
    import_answers,
    import_cases,
    import_judgements,
    import_second_marks,
)
from audit_tui.paths import shipped_data_dir, shipped_rubric_dir
from audit_tui.store import answers, audits
from audit_tui.store import cases as case_ops
from audit_tui.store.follow_up import add_action, save_feedback, update_action
from audit_tui.store.repository import Repository

DEMO_AUDIT = "demo-tameside"
DEMO_RUBRIC = "hmip-probation-pdu-2021"
DEMO_REAUDIT = "demo-tameside-reaudit"
"""A later re-audit of the same PDU (synthetic): better on keeping people safe, so `compare` has
something real to show."""
DEMO_OVERSIGHT = "demo-oversight"
"""An SPO's management oversight of six cases of their team (synthetic): feedback and actions
for three practitioners, so the feedback sheet and the actions list have something to show."""
DEMO_DIPP = "demo-dipp-region"
DEMO_DIPP_RUBRIC = "hmip-dipp-2025"
"""A region's 56-case sample against HMIP's 2025 public-protection questions (synthetic): 50 cases
asked the core questions, 6 whose contact was suspended early asked the adjusted ones."""
DEMO_MODERATOR = "moderator"
"""Who second-marked twelve of the demo's cases (blind, from a spreadsheet)."""


def load_demo(repo: Repository) -> OpenAudit:
    """Create the demo audit, replacing any earlier copy (and whatever was changed in it)."""
    data = shipped_data_dir()
    text = read_rubric_text(shipped_rubric_dir() / f"{DEMO_RUBRIC}.toml")
    audits.delete_audit(repo, DEMO_AUDIT)
    audit = audits.create_audit(
        repo, DEMO_AUDIT, text, pdu="Tameside (synthetic demo)", region="Greater Manchester"
    )
    import_cases(repo, audit, data / "demo-cases.csv")
    import_answers(repo, audit, data / "demo-answers.csv")
    import_judgements(repo, audit, data / "demo-judgements.csv")
    _notes(repo, audit, data / "demo-notes.csv")
    import_second_marks(repo, audit, data / "demo-second-marks.csv", DEMO_MODERATOR)
    audits.delete_audit(repo, DEMO_REAUDIT)
    later = audits.create_audit(
        repo, DEMO_REAUDIT, text, pdu="Tameside (synthetic demo)", region="Greater Manchester"
    )
    import_cases(repo, later, data / "demo-reaudit-cases.csv")
    import_answers(repo, later, data / "demo-reaudit-answers.csv")
    import_judgements(repo, later, data / "demo-judgements.csv")
    load_oversight(repo, text)
    return audits.open_audit(repo, DEMO_AUDIT)


def load_dipp(repo: Repository) -> OpenAudit:
    """The DIPP demo: shares of cases and of assignments, no rating and no score."""
    data = shipped_data_dir()
    text = read_rubric_text(shipped_rubric_dir() / f"{DEMO_DIPP_RUBRIC}.toml")
    audits.delete_audit(repo, DEMO_DIPP)
    audit = audits.create_audit(repo, DEMO_DIPP, text, region="Greater Manchester")
    import_cases(repo, audit, data / "demo-dipp-cases.csv")
    import_answers(repo, audit, data / "demo-dipp-answers.csv")
    return audits.open_audit(repo, DEMO_DIPP)


def load_oversight(repo: Repository, text: str) -> OpenAudit:
    """The oversight demo: cases with practitioner and team codes, tagged notes, feedback, and
    actions in every state (one done with its note, one overdue, two open)."""
    data = shipped_data_dir()
    audits.delete_audit(repo, DEMO_OVERSIGHT)
    audit = audits.create_audit(
        repo, DEMO_OVERSIGHT, text, pdu="Tameside (synthetic demo)", kind=OVERSIGHT
    )
    import_cases(repo, audit, data / "demo-oversight-cases.csv")
    import_answers(repo, audit, data / "demo-oversight-answers.csv")
    _notes(repo, audit, data / "demo-oversight-notes.csv")
    for _, row in read_csv(data / "demo-oversight-feedback.csv").rows:
        save_feedback(
            repo,
            audit,
            row["case_ref"],
            strengths=row["strengths"],
            improvements=row["improvements"],
        )
    for _, row in read_csv(data / "demo-oversight-actions.csv").rows:
        action = add_action(
            repo, audit, row["case_ref"], row["what"], date.fromisoformat(row["due"])
        )
        if row["status"] != "open":
            update_action(repo, action.id, status=row["status"], note=row["note"])
    return audit


def _notes(repo: Repository, audit: OpenAudit, path: Path) -> None:
    cases = {c.case_ref: c for c in case_ops.list_cases(repo, audit)}
    for _, row in read_csv(path).rows:
        answers.save_answer(
            repo,
            audit,
            cases[row["case_ref"]],
            row["item_id"],
            note=row["note"],
            note_tag=NoteTag(row["tag"]),
            via="demo",
        )
