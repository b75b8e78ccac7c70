"""The counts every write keeps (answered items per case, answers per item and value) never drift
from the answers themselves, whatever the sequence of saves, imports, attribute changes and
removals, on both engines; and the migration that introduces them counts an old database right."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from sqlalchemy import func, select

from audit_tui.domain.answers import Answer
from audit_tui.domain.records import OpenAudit
from audit_tui.store import aggregates, answers, audits, counts, migrate, scores
from audit_tui.store import cases as case_ops
from audit_tui.store.database import open_repository
from audit_tui.store.engine import make_engine
from audit_tui.store.models import AnswerRow, table_of
from audit_tui.store.repository import Repository

ANSWER = table_of(AnswerRow)
VALUES: list[Answer | None] = [Answer.YES, Answer.NO, Answer.NOT_APPLICABLE, None]
GIVEN = [Answer.YES, Answer.NO, Answer.NOT_APPLICABLE]


def assert_counts_hold(repo: Repository, audit: OpenAudit) -> None:
    with repo.engine.connect() as conn:
        kept = counts.answered_by_value(conn, audit.info.id)
        counted = aggregates.counted_answers(conn, audit.info.id)
        per_case: dict[int, int] = dict(
            conn.execute(
                select(ANSWER.c.case_id, func.count())
                .where(ANSWER.c.value.is_not(None))
                .group_by(ANSWER.c.case_id)
            ).all()
        )
    assert kept == counted
    for case in case_ops.list_cases(repo, audit):
        assert case.answered == per_case.get(case.id, 0), case.case_ref


def test_the_kept_counts_follow_every_kind_of_write(repo: Repository, rubric_text: str) -> None:
    rng = random.Random(2026)
    audit = audits.create_audit(repo, "counted", rubric_text)
    case_ops.add_cases(repo,
        audit,
        [
            (f"K-{i:02d}", {"sentence_type": "community", "has_psr": rng.choice(["yes", "no"]),
                            "rosh": "low"})
            for i in range(12)
        ],
    )  # fmt: skip
    audit = audits.open_audit(repo, "counted")
    items = list(audit.rubric.items)
    for step in range(60):
        cases = case_ops.list_cases(repo, audit)
        case = rng.choice(cases)
        applying = [i for i in items if audit.rubric.applies(i, case.attributes)]
        kind = step % 6
        if kind in (0, 1, 2):
            answers.save_answer(repo, audit, case, rng.choice(applying), rng.choice(VALUES))
        elif kind == 3:
            answers.import_answers(
                repo,
                audit,
                {
                    c.id: {
                        i: rng.choice(GIVEN)
                        for i in rng.sample(
                            [i for i in items if audit.rubric.applies(i, c.attributes)], 5
                        )
                    }
                    for c in rng.sample(cases, 3)
                },
            )
        elif kind == 4:  # a PSR changed, the answers it strands cleared
            flipped = "no" if case.attributes["has_psr"] == "yes" else "yes"
            case_ops.update_case(
                repo, audit, case.id, {**case.attributes, "has_psr": flipped}, clear_stranded=True
            )
        elif len(cases) > 4:
            case_ops.remove_case(repo, audit, case.case_ref, f"step {step}")
        assert_counts_hold(repo, audit)
    assert scores.live_score(repo, audit).result(audit.rubric, "counted") == scores.score(
        repo, audit
    )


def test_the_migration_counts_an_older_database(tmp_path: Path, rubric_text: str) -> None:
    """A database at 0003 (no kept counts) with answers and a removed case, opened by this
    release: the counts come out as the answers say."""
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    for later in (scripts / "versions").glob("*.py"):
        if later.name[:4].isdigit() and later.name[:4] > "0003":
            later.unlink()
    path = tmp_path / "old.db"
    engine = make_engine(str(path))
    migrate.upgrade(engine, scripts)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO audit (id, name, pdu, region, rubric_id, rubric_version, rubric_hash,"
            " rubric_snapshot, created_at, created_by, revision) VALUES (1, 'old', '', '',"
            " 'hmip-probation-pdu-2021', '2021.1', 'x', ?, '2026-01-01', 't', 0)",
            (rubric_text,),
        )
        for cid, ref, removed in ((1, "O-1", None), (2, "O-2", None), (3, "O-3", "2026-02-01")):
            conn.exec_driver_sql(
                "INSERT INTO audit_case (id, audit_id, case_ref, position, attributes, created_at,"
                " removed_at) VALUES (?, 1, ?, ?, ?, '2026-01-01', ?)",
                (cid, ref, cid, '{"sentence_type": "community", "has_psr": "no", "rosh": "low"}',
                 removed),
            )  # fmt: skip
        for cid, item, value in ((1, "2.2.1", "yes"), (1, "2.2.2", "no"), (2, "2.2.1", "yes"),
                                 (2, "2.2.3", None), (3, "2.2.1", "no")):  # fmt: skip
            conn.exec_driver_sql(
                "INSERT INTO answer (case_id, item_id, value, note, updated_at, updated_by)"
                " VALUES (?, ?, ?, '', '2026-01-01', 't')",
                (cid, item, value),
            )
    engine.dispose()
    repo = open_repository(str(path))
    audit = audits.open_audit(repo, "old")
    assert [c.answered for c in case_ops.list_cases(repo, audit)] == [2, 1]
    with repo.engine.connect() as conn:
        assert counts.answered_by_value(conn, 1) == {"2.2.1": {"yes": 2}, "2.2.2": {"no": 1}}
    assert_counts_hold(repo, audit)
    repo.engine.dispose()


def test_reports_count_the_answers_not_the_kept_counts(repo: Repository, rubric_text: str) -> None:
    """Anyone who may answer can move the kept counts (on PostgreSQL they are not guarded): a
    report must not believe them."""
    from sqlalchemy import update

    audit = audits.create_audit(repo, "counted", rubric_text)
    case_ops.add_cases(repo, audit, [("C-1", {"sentence_type": "community", "has_psr": "no"})])
    case = case_ops.list_cases(repo, audit)[0]
    answers.save_answer(repo, audit, case, "2.2.1", Answer.YES)
    before = scores.score(repo, audit)
    assert before == scores.score(repo, audit, exact=False)
    with repo.engine.begin() as conn:
        conn.execute(update(counts.TALLY).values(n=counts.TALLY.c.n + 100))
    assert scores.score(repo, audit) == before
    assert scores.score(repo, audit, exact=False) != before  # the app's live figure does read them
