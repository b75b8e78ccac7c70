"""Each PostgreSQL function, and each table's policies and triggers, said once per version in
store/pg/sql; the migrations name versions of them and load no other migration."""

from __future__ import annotations

import re
from importlib.resources import files
from types import ModuleType

import pytest
from alembic.script import ScriptDirectory

from audit_tui.store import migrate, pg
from audit_tui.store.pg.guards import Guards

SQL = files(pg.__name__) / "sql"
FILE = re.compile(r"(?P<name>\w+)\.v(?P<version>\d+)\.sql")
GUARDED_BY = ("0006", "0008", "0009", "0010")
"""The migrations that install hand-written guards (sql/guards); 0011 retires them."""


def _migration(revision: str) -> ModuleType:
    script = ScriptDirectory.from_config(migrate._config()).get_revision(revision)
    assert script is not None
    return script.module


def _versions(kind: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for entry in (SQL / kind).iterdir():
        match = FILE.fullmatch(entry.name)
        assert match, f"{kind}/{entry.name}: not NAME.vN.sql"
        found.setdefault(match["name"], []).append(int(match["version"]))
    return {name: sorted(versions) for name, versions in found.items()}


@pytest.mark.parametrize("kind", ["functions", "tables", "guards"])
def test_versions_run_from_1_without_a_gap(kind: str) -> None:
    for name, versions in _versions(kind).items():
        assert versions == list(range(1, len(versions) + 1)), name


def test_each_file_defines_the_one_function_it_is_named_for() -> None:
    for kind, qualified in (("functions", "audit_tui."), ("guards", "")):
        for name, versions in _versions(kind).items():
            for version in versions:
                text = pg.source(kind, name, version)
                defined = re.findall(r"CREATE OR REPLACE FUNCTION ([\w.]+)\(", text)
                assert defined == [f"{qualified}{name}"], f"{kind}/{name}.v{version}"


def test_the_guard_migrations_install_every_guard_file_and_no_other() -> None:
    installed = {
        entry for revision in GUARDED_BY for entry in _migration(revision).GUARDS.functions
    }
    files_ = {(name, v) for name, versions in _versions("guards").items() for v in versions}
    assert installed == files_


def test_0011_downgrade_restores_the_last_version_of_every_guard_0006_0010_installed() -> None:
    latest: dict[str, int] = {}
    triggers: list[tuple[str, str]] = []
    for revision in GUARDED_BY:
        step: Guards = _migration(revision).GUARDS
        latest.update(step.functions)
        triggers.extend(step.triggers)
    restored: Guards = _migration("0011").OLD_GUARDS
    assert dict(restored.functions) == latest and len(restored.functions) == len(latest)
    assert sorted(restored.triggers) == sorted(triggers)


STEPS = (pg.FUNCTIONS_0014, pg.FUNCTIONS_0015)
"""The migrations that move functions on one version each, oldest first."""


def test_0011_to_0015_install_a_file_for_every_function_and_table_they_name() -> None:
    first = {n for n, v in _versions("functions").items() if 1 in v}
    new = (pg.FUNCTIONS_V1, pg.FUNCTIONS_0013_NEW, pg.FUNCTIONS_0015_NEW)
    assert set().union(*new) == first and sum(map(len, new)) == len(first)
    tables = {n for n, v in _versions("tables").items() if 1 in v}
    assert set(pg.TABLES_V1) | set(pg.TABLES_0012) | set(pg.TABLES_0015) == tables
    assert len(pg.TABLES_V1) + len(pg.TABLES_0012) + len(pg.TABLES_0015) == len(tables)
    second = {n for n, v in _versions("functions").items() if 2 in v}
    second -= {name for step in STEPS for name, version in step if version == 2}  # 0014, 0015
    assert set(pg.FUNCTIONS_0012) | set(pg.FUNCTIONS_0013) == second
    assert not set(pg.FUNCTIONS_0012) & set(pg.FUNCTIONS_0013)
    later = {n for n, v in _versions("functions").items() if max(v) > 2}
    assert later == {name for step in STEPS for name, version in step if version > 2}


def test_0014_and_0015_move_each_function_one_version_on_the_last_to_its_newest() -> None:
    versions = _versions("functions")
    newest: dict[str, int] = {}
    for step in STEPS:
        for name, version in step:
            assert version in versions[name] and version - 1 in versions[name], name
            assert version > newest.get(name, 0), name  # a later step moves it on again
            newest[name] = version
    for name, version in newest.items():
        assert max(versions[name]) == version, name


def test_no_migration_loads_another_or_holds_a_function_body() -> None:
    for script in ScriptDirectory.from_config(migrate._config()).walk_revisions():
        assert script.path is not None
        with open(script.path, encoding="utf-8") as source:
            text = source.read()
        assert "importlib" not in text and "spec_from_file_location" not in text, script.path
        assert "CREATE OR REPLACE FUNCTION" not in text, script.path
        assert "$$" not in text, script.path
