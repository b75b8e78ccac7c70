"""The repository on both engines: answers with history, judgements, cases; and the SQLite file rules."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from audit_tui.domain.answers import Answer, NoteTag
from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import Judgement, OpenAudit
from audit_tui.store import answers as answer_ops
from audit_tui.store import audits, judgements, migrate, scores
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.engine import make_engine
from audit_tui.store.repository import Repository


@pytest.fixture
def audit(repo: Repository, rubric_text: str) -> OpenAudit:
    a = audits.create_audit(
        repo, "spo-oversight-q3", rubric_text, pdu="Tameside", region="Greater Manchester"
    )
    case_ops.add_cases(
        repo,
        a,
        [
            ("C-1", {"sentence_type": "community", "has_psr": "yes", "rosh": "high"}),
            ("C-2", {"sentence_type": "licence", "has_psr": "no", "rosh": "low"}),
        ],
    )
    return audits.open_audit(repo, a.info.name)


def test_audit_snapshots_its_rubric(repo: Repository, audit: OpenAudit, rubric_text: str) -> None:
    import hashlib

    assert audit.rubric_text == rubric_text
    assert audit.info.rubric_hash == hashlib.sha256(rubric_text.encode()).hexdigest()
    assert audit.info.cases == 2
    [listed] = audits.list_audits(repo)
    assert (listed.name, listed.pdu, listed.cases) == ("spo-oversight-q3", "Tameside", 2)


def test_editing_the_rubric_file_does_not_change_an_audit(
    repo: Repository, audit: OpenAudit, rubric_text: str
) -> None:
    audits.create_audit(repo, "later", rubric_text.replace("min_percent = 65", "min_percent = 70"))
    assert audits.open_audit(repo, "spo-oversight-q3").rubric.scoring.bands[1].min_percent == 65
    assert audits.open_audit(repo, "later").rubric.scoring.bands[1].min_percent == 70


def test_save_answer_writes_history_and_counts(repo: Repository, audit: OpenAudit) -> None:
    c1, c2 = case_ops.list_cases(repo, audit)
    answer_ops.save_answer(repo, audit, c1, "2.2.1", Answer.YES)
    answer_ops.save_answer(repo, audit, c1, "2.2.1", Answer.NO)
    answer_ops.save_answer(
        repo, audit, c1, "2.2.1", note="Motivation not explored", note_tag=NoteTag.IMPROVEMENT
    )
    answer_ops.save_answer(repo, audit, c2, "2.2.1", Answer.NOT_APPLICABLE)
    answer_ops.save_answer(repo, audit, c2, "2.2.1", Answer.NOT_APPLICABLE)  # no change, no history
    stored = answer_ops.answers_for_case(repo, c1.id)["2.2.1"]
    assert (stored.value, stored.note, stored.note_tag, stored.updated_by) == (
        "no",
        "Motivation not explored",
        "improvement",
        repo.user,
    )
    history = answer_ops.answer_history(repo, c1.id, "2.2.1")
    assert [(h["old_value"], h["new_value"]) for h in history] == [
        (None, "yes"),
        ("yes", "no"),
        ("no", "no"),
    ]
    assert (
        history[2]["new_note"] == "Motivation not explored"
        and history[2]["changed_by"] == repo.user
    )
    assert len(answer_ops.answer_history(repo, c2.id, "2.2.1")) == 1
    cases, tallies = scores.tallies(repo, audit)
    assert cases == 2
    t = tallies["2.2.1"]
    assert (t.yes, t.no, t.not_applicable, t.applicable, t.unanswered) == (0, 1, 1, 2, 0)
    assert tallies["2.1.1"].applicable == 1  # court work: only C-1 has a PSR
    assert [n.note for n in answer_ops.tagged_notes(repo, audit)] == ["Motivation not explored"]


def test_report_tallies_agree_with_counting_by_hand(repo: Repository, rubric_text: str) -> None:
    """The report's one-read tallies (score and breakdowns) against a count done in Python."""
    import random

    rng = random.Random(7)
    audit = audits.create_audit(repo, "mixed", rubric_text)
    cases = []
    for i in range(40):
        attrs = {
            "sentence_type": rng.choice(["community", "licence"]),
            "has_psr": rng.choice(["yes", "no"]),
            "rosh": rng.choice(["low", "high"]),
        }
        if rng.random() < 0.7:  # the rest are "not recorded"
            attrs["gender"] = rng.choice(["male", "female"])
        cases.append((f"M-{i}", attrs))
    case_ops.add_cases(repo, audit, cases)
    audit = audits.open_audit(repo, "mixed")
    rubric = audit.rubric
    stored = case_ops.list_cases(repo, audit)
    given = {
        c.id: {
            item: rng.choice([Answer.YES, Answer.NO, Answer.NOT_APPLICABLE])
            for item in rubric.items
            if rubric.applies(item, c.attributes) and rng.random() < 0.8  # some left unanswered
        }
        for c in stored
    }
    answer_ops.import_answers(repo, audit, given)

    result, breakdowns = scores.score_with_breakdowns(repo, audit, ["gender", "rosh"])
    assert result == scores.score(repo, audit)
    female = [c for c in stored if c.attributes.get("gender") == "female"]
    not_recorded = [c for c in stored if "gender" not in c.attributes]
    counts, tallies = breakdowns["gender"]
    assert counts["female"] == len(female) and counts["not recorded"] == len(not_recorded)
    assert sum(counts.values()) == 40 == sum(breakdowns["rosh"][0].values())
    for item in ("2.1.1", "2.3.3", "2.3.3.b", "ind.oversight"):
        t = tallies["female"][item]
        answers = [given[c.id].get(item) for c in female if rubric.applies(item, c.attributes)]
        assert (t.yes, t.no, t.not_applicable, t.applicable) == (
            answers.count(Answer.YES),
            answers.count(Answer.NO),
            answers.count(Answer.NOT_APPLICABLE),
            len(answers),
        )


def test_clearing_an_answer_keeps_it_in_history(repo: Repository, audit: OpenAudit) -> None:
    c1 = case_ops.list_cases(repo, audit)[0]
    answer_ops.save_answer(repo, audit, c1, "2.3.1", Answer.YES)
    answer_ops.save_answer(repo, audit, c1, "2.3.1", None)
    assert answer_ops.answers_for_case(repo, c1.id)["2.3.1"].value is None
    assert scores.tallies(repo, audit)[1]["2.3.1"].unanswered == 2
    assert [h["new_value"] for h in answer_ops.answer_history(repo, c1.id, "2.3.1")] == [
        "yes",
        None,
    ]
    assert case_ops.list_cases(repo, audit)[0].answered == 0


def test_answers_that_do_not_apply_or_do_not_exist_are_refused(
    repo: Repository, audit: OpenAudit
) -> None:
    c2 = case_ops.list_cases(repo, audit)[1]
    with pytest.raises(AuditError, match="2.1.1 does not apply to case C-2"):
        answer_ops.save_answer(repo, audit, c2, "2.1.1", Answer.YES)
    with pytest.raises(AuditError, match='"9.9.9" is not an item'):
        answer_ops.save_answer(repo, audit, c2, "9.9.9", Answer.YES)
    assert answer_ops.answers_for_case(repo, c2.id) == {}


def test_case_progress(repo: Repository, audit: OpenAudit, rubric_text: str) -> None:
    c1, c2 = case_ops.list_cases(repo, audit)
    assert c1.applicable == c2.applicable + 8  # court work: a key question and 7 prompts
    answer_ops.save_answer(repo, audit, c2, "2.2.1", Answer.YES)
    assert [c.answered for c in case_ops.list_cases(repo, audit)] == [0, 1]


def test_update_case_refuses_to_strand_answers(repo: Repository, audit: OpenAudit) -> None:
    c1 = case_ops.list_cases(repo, audit)[0]
    answer_ops.save_answer(repo, audit, c1, "2.1.1", Answer.YES)
    with pytest.raises(AuditError, match="would no longer apply; clear them first: 2.1.1"):
        case_ops.update_case(repo, audit, c1.id, {**c1.attributes, "has_psr": "no"})
    updated = case_ops.update_case(repo, audit, c1.id, {**c1.attributes, "rosh": "very high"})
    assert updated.attributes["rosh"] == "very high"


def test_duplicate_cases_are_refused_whole(repo: Repository, audit: OpenAudit) -> None:
    with pytest.raises(AuditError, match="already in the audit: C-1"):
        case_ops.add_cases(repo, audit, [("C-3", {}), ("C-1", {})])
    assert [c.case_ref for c in case_ops.list_cases(repo, audit)] == ["C-1", "C-2"]


def test_judgements_with_history(repo: Repository, audit: OpenAudit) -> None:
    judgements.save_judgements(repo, audit, [Judgement("1.1", "Good", "Visible leaders", "")])
    judgements.save_judgements(
        repo, audit, [Judgement("1.1", "Requires improvement", "Visible leaders", "Oversight")]
    )
    assert judgements.judgements(repo, audit)["1.1"] == Judgement(
        "1.1", "Requires improvement", "Visible leaders", "Oversight"
    )
    with pytest.raises(AuditError, match='"2.2" is not a judgement-rated standard'):
        judgements.save_judgements(repo, audit, [Judgement("2.2", "Good")])
    with pytest.raises(AuditError, match='"Excellent" is not a rating'):
        judgements.save_judgements(repo, audit, [Judgement("1.2", "Excellent")])


def test_import_answers_is_idempotent(repo: Repository, audit: OpenAudit) -> None:
    c1, c2 = case_ops.list_cases(repo, audit)
    first = answer_ops.import_answers(
        repo, audit, {c1.id: {"2.2.1": Answer.YES}, c2.id: {"2.2.1": Answer.NO}}
    )
    again = answer_ops.import_answers(
        repo, audit, {c1.id: {"2.2.1": Answer.YES}, c2.id: {"2.2.1": Answer.YES}}
    )
    assert (first.written, again.written, again.unchanged) == (2, 1, 1)
    from datetime import datetime

    stamp = answer_ops.answers_for_case(repo, c1.id)["2.2.1"].updated_at
    assert isinstance(stamp, datetime) and stamp.year >= 2024  # bulk writes read back as datetimes
    assert [h["new_value"] for h in answer_ops.answer_history(repo, c2.id, "2.2.1")] == [
        "no",
        "yes",
    ]


def test_delete_audit_removes_everything(repo: Repository, audit: OpenAudit) -> None:
    c1 = case_ops.list_cases(repo, audit)[0]
    answer_ops.save_answer(repo, audit, c1, "2.2.1", Answer.YES)
    judgements.save_judgements(repo, audit, [Judgement("1.1", "Good")])
    assert audits.delete_audit(repo, audit.info.name) is True
    assert audits.list_audits(repo) == [] and audits.delete_audit(repo, audit.info.name) is False


def test_head_constant_matches_the_migration_scripts() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrate._config())
    assert scripts.get_current_head() == migrate.HEAD
    walked = [s.revision for s in scripts.walk_revisions()]
    assert tuple(reversed(walked)) == migrate.REVISIONS


def test_migrated_schema_matches_the_models(db_target: str) -> None:
    repo = open_repository(db_target)
    with repo.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        assert MigrationContext.configure(conn).get_current_revision() == migrate.HEAD
    repo.engine.dispose()
    if repo.engine.dialect.name == "postgresql":  # SQLite's alone (store/models.py LISTED)
        named = [
            (d[0], f"{d[1].parent.name}.{d[1].column_keys[0]} -> {d[1].referred_table.name}")
            if d[0] == "add_fk"
            else (d[0], d[1].name)
            for d in diff
        ]
        assert sorted(named) == [
            ("add_fk", "answer.audit_id -> audit"),  # not on PostgreSQL (migration 0013)
            ("add_index", "ix_audit_listed"),
            ("add_index", "ix_import_claim_run_id"),  # SQLite's alone (migration 0017)
            ("add_index", "ix_import_run_audit_id"),
            ("add_table", "audit_summary"),
            ("add_table", "import_claim"),
            ("add_table", "import_run"),
            ("remove_table", "audit_write_lock"),  # the server's alone (migration 0015)
        ]
    else:
        assert diff == []


# ---- SQLite file rules --------------------------------------------------------------------


def test_database_file_is_owner_only_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "new" / "audits.db"
    repo = open_repository(str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    with repo.engine.connect() as conn:
        pragmas = {
            p: conn.exec_driver_sql(f"PRAGMA {p}").scalar()
            for p in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
        }
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 2,
        "busy_timeout": 30_000,
    }
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and stat.S_IMODE(os.stat(wal).st_mode) == 0o600
    repo.engine.dispose()


def test_an_answer_shown_saved_is_on_disk(tmp_path: Path, rubric_text: str) -> None:
    """After save_answer returns, another process's view of the file has the answer."""
    path = tmp_path / "audits.db"
    repo = open_repository(str(path))
    audit = audits.create_audit(repo, "a", rubric_text)
    case_ops.add_cases(
        repo, audit, [("C-1", {"has_psr": "no", "sentence_type": "community", "rosh": "low"})]
    )
    answer_ops.save_answer(repo, audit, case_ops.list_cases(repo, audit)[0], "2.2.1", Answer.YES)
    with sqlite3.connect(path) as other:
        assert other.execute("select item_id, value from answer").fetchall() == [("2.2.1", "yes")]
    repo.engine.dispose()


def test_opening_an_older_database_upgrades_it_after_a_backup(
    tmp_path: Path, rubric_text: str
) -> None:
    """A database at the first schema, opened by a release with a second migration."""
    import shutil

    path = tmp_path / "old.db"
    repo = open_repository(str(path))
    audits.create_audit(repo, "keep-me", rubric_text)
    repo.engine.dispose()
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_test.py").write_text(
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = '9999'\ndown_revision = '{migrate.HEAD}'\nbranch_labels = None\n"
        "depends_on = None\n\n"
        "def upgrade():\n    op.add_column('audit', sa.Column('sample_window', sa.String(), nullable=True))\n"
    )
    os.chmod(path, 0o644)  # as an older release might have left it: the backup is owner-only anyway
    engine = make_engine(str(path))
    backup = migrate.upgrade(engine, scripts)
    assert migrate.current_revision(engine) == "9999"
    engine.dispose()
    assert backup is not None and backup.name.startswith(f"old.db.{migrate.HEAD}.")
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    with sqlite3.connect(backup) as conn:
        assert conn.execute("select name from audit").fetchall() == [("keep-me",)]
        assert conn.execute("select version_num from alembic_version").fetchall() == [
            (migrate.HEAD,)
        ]
    with sqlite3.connect(path) as conn:
        assert conn.execute("select name, sample_window from audit").fetchall() == [
            ("keep-me", None)
        ]


def test_a_current_database_is_not_backed_up_again(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    open_repository(str(path)).engine.dispose()
    engine = make_engine(str(path))
    assert migrate.upgrade(engine) is None
    engine.dispose()
    assert list(tmp_path.glob("*.bak")) == []
