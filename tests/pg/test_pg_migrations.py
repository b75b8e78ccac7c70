"""The migrations' SQL moved into versioned files (store/pg/sql) and nothing in the database
moved with it: a fresh database taken up one revision at a time, down to base and up again,
prints at every step the catalogue the migrations printed before the move (tests/golden/
pg-schema, recorded by tests/support/pg_catalogue.py from the migrations as they were).

Every step of an existing database's upgrade is one of these steps, so a database at any
revision upgrades to the same head as before; each downgrade that takes a function back a
version (0008 to 0006's answer and case guards, 0011 to all of 0006-0010's) is checked too.
"""

from __future__ import annotations

import pytest

from audit_tui.store import migrate
from tests.support.pg_catalogue import GOLDEN_DIR, app_engine, catalogue, fresh_database, step, walk

pytestmark = pytest.mark.postgres


def _index() -> dict[str, str]:
    lines = (GOLDEN_DIR / "index.txt").read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t") for line in lines)


def test_the_golden_walk_covers_every_revision_both_ways() -> None:
    index = _index()
    assert [s for s in index if s.startswith("up-")] == [f"up-{r}" for r in migrate.REVISIONS]
    assert f"down-{migrate.REVISIONS[0]}" in index and "down-base" in index
    assert index[f"again-{migrate.HEAD}"] == index[f"up-{migrate.HEAD}"]


def test_every_step_up_and_down_leaves_the_catalogue_recorded_before(pg_server_url: str) -> None:
    index = _index()
    states: list[str] = []
    with fresh_database(pg_server_url) as url:
        engine = app_engine(url)
        try:
            for state, dump in walk(engine):
                states.append(state)
                assert dump == _golden(index[state]), (
                    f"{state}: the catalogue differs from {index[state]}"
                )
        finally:
            engine.dispose()
    assert states == list(index)


@pytest.mark.parametrize("start", migrate.REVISIONS[:-1])
def test_a_database_at_any_revision_opens_at_the_same_head(pg_server_url: str, start: str) -> None:
    """As a user's database meets a new release: at `start`, then upgraded by the app in one go."""
    index = _index()
    with fresh_database(pg_server_url) as url:
        engine = app_engine(url)
        try:
            assert step(engine, "upgrade", start) == _golden(index[f"up-{start}"])
            migrate.upgrade(engine)
            with engine.begin() as conn:
                assert catalogue(conn) == _golden(index[f"up-{migrate.HEAD}"])
        finally:
            engine.dispose()


def _golden(name: str) -> str:
    return (GOLDEN_DIR / name).read_text(encoding="utf-8")


def test_an_audit_made_before_0015_gets_its_write_lock_row(
    pg_server_url: str, rubric_text: str
) -> None:
    """0015's upgrade makes the lock row of every audit already there (without one, a write
    to the audit is refused: `begin_write` and `begin_answer` write nothing unlocked)."""
    from sqlalchemy import text

    from audit_tui.domain.answers import Answer
    from audit_tui.store import answers, audits, cases
    from audit_tui.store.database import open_repository

    with fresh_database(pg_server_url) as url:
        engine = app_engine(url)
        try:
            step(engine, "upgrade", "0014")
            repo = open_repository(url)  # the app upgrades it to head: an audit is made there
            made = audits.create_audit(repo, "older", rubric_text)
            step(engine, "downgrade", "0014")  # ... and taken back to 0014, lock rows and all
            with engine.begin() as conn:
                assert conn.scalar(text("SELECT to_regclass('audit_tui.audit_write_lock')")) is None
            migrate.upgrade(engine)
            with engine.begin() as conn:
                rows = conn.execute(
                    text("SELECT audit_id, lock FROM audit_tui.audit_write_lock ORDER BY lock")
                ).all()
            assert [tuple(r) for r in rows] == [(made.info.id, "gate"), (made.info.id, "write")]
            cases.add_cases(repo, made, [("C-1", {"sentence_type": "community",
                                                  "has_psr": "no", "rosh": "low"})])  # fmt: skip
            older = audits.open_audit(repo, "older")
            (case,) = cases.list_cases(repo, older)
            assert answers.save_answer(repo, older, case, "2.2.1", Answer.YES).changed
            repo.engine.dispose()
        finally:
            engine.dispose()
