"""Shared fixtures: the shipped rubric, and repositories on SQLite and on a real PostgreSQL server.

PostgreSQL tests need AUDIT_TUI_TEST_PG_URL (`.ci/run` and `make test` start a private cluster and
set it); without it they skip, saying so.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from audit_tui.demo import load_demo
from audit_tui.domain.loader import parse_rubric
from audit_tui.domain.rubric import Rubric
from audit_tui.paths import shipped_rubric_dir
from audit_tui.store.database import open_repository
from audit_tui.store.repository import Repository
from audit_tui.store.roles import grant

RUBRIC_PATH = shipped_rubric_dir() / "hmip-probation-pdu-2021.toml"
PG_URL_VAR = "AUDIT_TUI_TEST_PG_URL"
Person = Callable[[str], Repository]
"""`people("ann")`: a repository acting as ann."""


def is_pg(target: str) -> bool:
    return target.startswith("postgresql")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On xdist's workers (scripts/test.sh) the slow tests are handed out first, so that no
    worker is still in a minutes-long one when the others have finished everything else."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test may touch the real user's data or config folders."""
    isolate_user_dirs(monkeypatch, tmp_path_factory.mktemp("home"))


def isolate_user_dirs(monkeypatch: pytest.MonkeyPatch, base: Path) -> None:
    """The environment every test runs in (and session fixtures that build for tests)."""
    monkeypatch.setenv("AUDIT_TUI_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("AUDIT_TUI_CONFIG_DIR", str(base / "config"))
    monkeypatch.delenv("AUDIT_TUI_DB", raising=False)
    monkeypatch.setenv("AUDIT_TUI_USER", "tester")
    # a repository a test opens itself, with no name, acts as the CLI does with the line above
    # (the store reads no environment variable: without a name it takes the account's)
    monkeypatch.setattr("audit_tui.domain.identity.account_name", lambda: "tester")


@pytest.fixture(scope="session")
def rubric_text() -> str:
    return RUBRIC_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def rubric(rubric_text: str) -> Rubric:
    return parse_rubric(rubric_text, str(RUBRIC_PATH))


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A throwaway database on the test server, dropped at the end of the session."""
    url = os.environ.get(PG_URL_VAR)
    if not url:
        pytest.skip(f"no PostgreSQL server: set {PG_URL_VAR} (make test starts one)")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"audit_tui_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, built once a session (a worker): seconds a build, and a hundred tests want it.
    Only ever copied, never opened by a test."""
    target = tmp_path_factory.mktemp("demo-template") / "demo.db"
    with pytest.MonkeyPatch.context() as monkeypatch:  # built as each test would build it
        isolate_user_dirs(monkeypatch, tmp_path_factory.mktemp("home"))
        repo = open_repository(str(target))
        load_demo(repo)
        repo.engine.dispose()
    assert not target.with_name("demo.db-wal").exists()  # all of it is in the one file
    return target


@pytest.fixture
def sqlite_target(tmp_path: Path) -> str:
    return str(tmp_path / "audits.db")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database target on each engine; the PostgreSQL one is emptied after each test."""
    if request.param == "sqlite":
        yield str(tmp_path / "audits.db")
        return
    url = request.getfixturevalue("pg_server_url")
    yield url
    empty_pg(url)


def empty_pg(url: str) -> None:
    """Every audit gone, whoever leads it and locked or not: TRUNCATE passes the row triggers
    that keep the team rules (the test server's login owns the tables)."""
    from sqlalchemy import text

    repo = open_repository(url)
    with repo.engine.begin() as conn:
        conn.execute(text("TRUNCATE audit RESTART IDENTITY CASCADE"))
    repo.engine.dispose()


@pytest.fixture
def repo(db_target: str) -> Iterator[Repository]:
    repository = open_repository(db_target)
    yield repository
    repository.engine.dispose()


@pytest.fixture
def sqlite_repo(sqlite_target: str) -> Iterator[Repository]:
    repository = open_repository(sqlite_target)
    yield repository
    repository.engine.dispose()


@pytest.fixture
def people(db_target: str) -> Iterator[Person]:
    """`people("ann")`: a repository acting as ann (a login of its own on PostgreSQL)."""
    opened: list[Repository] = []
    roles: list[str] = []
    suffix = uuid.uuid4().hex[:6]
    owner = open_repository(db_target)

    def person(name: str) -> Repository:
        if not is_pg(db_target):
            repo = open_repository(db_target, user=name)
        else:
            role = f"{name}_{suffix}"
            if role not in roles:
                with owner.engine.begin() as conn:
                    conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
                grant(owner.engine, role)
                roles.append(role)
            url = make_url(db_target).set(username=role, password=None)
            repo = open_repository(url.render_as_string(hide_password=False))
        opened.append(repo)
        return repo

    yield person
    for repo in opened:
        repo.engine.dispose()
    if roles:
        with owner.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit RESTART IDENTITY CASCADE"))
            for role in roles:
                conn.execute(text(f'DROP OWNED BY "{role}"'))
                conn.execute(text(f'DROP ROLE "{role}"'))
    owner.engine.dispose()
