"""The settings: one object from defaults, the environment, the config file and the command line,
each overriding the one before; the headless core reads no environment variable."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from audit_tui import cli
from audit_tui import settings as settings_module
from audit_tui.cli import main
from audit_tui.domain.errors import AuditError
from audit_tui.settings import WAIT_SECONDS, load
from tests.support.paths import ROOT

HEADLESS = ("domain", "scoring", "store", "io", "reporting")
"""The packages that are handed their settings and read none."""


def _environ(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "AUDIT_TUI_DATA_DIR": str(tmp_path / "data"),
        "AUDIT_TUI_CONFIG_DIR": str(tmp_path / "config"),
        **extra,
    }


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_nothing_is_given(tmp_path: Path) -> None:
    s = load(_environ(tmp_path))
    assert s.wait == WAIT_SECONDS
    assert s.database == str(tmp_path / "data" / "audits.db")
    assert s.config_file == tmp_path / "config" / "config.toml"
    assert s.rubric_dir == tmp_path / "config" / "rubrics"
    assert s.state_file == tmp_path / "data" / "state.json"
    assert not s.as_given


def test_the_environment_overrides_the_defaults(tmp_path: Path) -> None:
    s = load(_environ(tmp_path, AUDIT_TUI_DB="env.db", AUDIT_TUI_USER="eve", AUDIT_TUI_WAIT="7"))
    assert (s.db, s.user, s.wait) == ("env.db", "eve", 7)
    assert s.user_from == "AUDIT_TUI_USER or your login (give --as NAME)"


@pytest.mark.parametrize("wait", ["0", "3601", "ten", "-5", ""])
def test_a_wait_out_of_range_in_the_environment_keeps_the_default(
    tmp_path: Path, wait: str
) -> None:
    """As before the settings object: $AUDIT_TUI_WAIT counts only as 1 to 3600 seconds."""
    assert load(_environ(tmp_path, AUDIT_TUI_WAIT=wait)).wait == WAIT_SECONDS


def test_the_config_file_overrides_the_environment(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        'db = "file.db"\nuser = "fay"\nwait = 9\ndata_dir = "~/elsewhere"\n'
        '[keymap]\nanswer_yes = "j"\n',
    )
    s = load(_environ(tmp_path, AUDIT_TUI_DB="env.db", AUDIT_TUI_USER="eve", AUDIT_TUI_WAIT="7"))
    assert (s.db, s.user, s.wait) == ("file.db", "fay", 9)
    assert s.data_dir == Path("~/elsewhere").expanduser()
    assert s.user_from == f"{path}: user"


def test_the_command_line_overrides_the_config_file(tmp_path: Path) -> None:
    _config(tmp_path, 'db = "file.db"\nuser = "fay"\n')
    s = load(_environ(tmp_path, AUDIT_TUI_DB="env.db"), db="cli.db", user="cy")
    assert (s.db, s.user, s.user_from) == ("cli.db", "cy", "--as")
    assert s.as_given


def test_a_config_file_with_only_a_keymap_changes_no_setting(tmp_path: Path) -> None:
    environ = _environ(tmp_path, AUDIT_TUI_DB="env.db", AUDIT_TUI_WAIT="7")
    path = _config(tmp_path, '[keymap]\nanswer_yes = "j"\n')
    with_keymap = load(environ)
    path.unlink()
    assert with_keymap == load(environ)
    assert (with_keymap.db, with_keymap.wait) == ("env.db", 7)


@pytest.mark.parametrize(
    ("text", "key", "says"),
    [
        ("wait = 0\n", "wait", "whole number of seconds from 1 to 3600"),
        ('wait = "30"\n', "wait", "whole number of seconds"),
        ("wait = true\n", "wait", "whole number of seconds"),
        ("db = 3\n", "db", "non-empty string"),
        ('user = ""\n', "user", "non-empty string"),
        ("data_dir = []\n", "data_dir", "non-empty string"),
        ("wiat = 5\n", "wiat", "not a setting"),
    ],
)
def test_a_bad_value_in_the_config_file_names_the_file_and_key(
    tmp_path: Path, text: str, key: str, says: str
) -> None:
    path = _config(tmp_path, text)
    with pytest.raises(AuditError) as info:
        load(_environ(tmp_path))
    [problem] = info.value.problems
    assert str(problem).startswith(f"{path}: {key}") and says in str(problem)


def test_a_bad_config_file_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config"
    monkeypatch.setenv("AUDIT_TUI_CONFIG_DIR", str(config))
    path = _config(tmp_path, "wait = -1\n")
    assert main(["rubrics"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"audit-tui: error: {path}: wait: must be a whole number of seconds from 1 to 3600"
    ]


def test_a_config_file_toml_cannot_parse_is_left_to_the_keymap(tmp_path: Path) -> None:
    """As before: the app starts and shows the keymap's problem (test_bounded_inputs.py)."""
    _config(tmp_path, "db = \n[keymap\n")
    assert load(_environ(tmp_path)).db is None


def test_the_user_from_the_config_file_is_who_the_cli_acts_as(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("AUDIT_TUI_CONFIG_DIR", str(tmp_path / "config"))
    db = str(tmp_path / "a.db")
    _config(tmp_path, f'db = "{db}"\nuser = "fay"\n')
    assert main(["new", "a1", "--rubric", "hmip-probation-pdu-2021"]) == 0
    assert main(["member", "a1", "list"]) == 0
    assert "fay\tlead" in capsys.readouterr().out
    path = _config(tmp_path, f'db = "{db}"\nuser = "f a y"\n')
    assert main(["member", "a1", "list"]) == 1
    assert f"{path}: user: 'f a y' has spaces" in capsys.readouterr().err


def test_the_wait_reaches_the_engine(tmp_path: Path) -> None:
    from sqlalchemy import text

    from audit_tui.store import engine
    from audit_tui.store.database import open_repository

    assert engine.WAIT_SECONDS == WAIT_SECONDS  # one default, said twice (the CLI loads no store)

    repo = open_repository(str(tmp_path / "w.db"), wait=4)
    try:
        with repo.engine.connect() as conn:
            assert conn.scalar(text("PRAGMA busy_timeout")) == 4000
        assert repo.wait == 4
    finally:
        repo.engine.dispose()


def test_main_installs_its_settings_only_while_the_command_runs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen = []

    def rubrics(args: object) -> int:
        seen.append(settings_module.current())
        return 0

    monkeypatch.setitem(cli.COMMANDS, "rubrics", rubrics)
    assert main(["--db", "x.db", "--as", "cy", "rubrics"]) == 0
    assert (seen[0].db, seen[0].user) == ("x.db", "cy")
    assert settings_module.current().db is None  # built from the environment again


def _reads_the_environment(tree: ast.AST) -> list[int]:
    """Lines that read or change the process environment, however `os` was imported."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in (
            "environ",
            "environb",
            "getenv",
            "getenvb",
            "putenv",
            "unsetenv",
        ):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module in ("os", "getpass"):
            if {a.name for a in node.names} & {"environ", "environb", "getenv", "getuser"}:
                lines.append(node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr == "getuser":
            lines.append(node.lineno)  # getpass.getuser() reads $LOGNAME, $USER…
    return lines


def test_the_headless_core_reads_no_environment_variable() -> None:
    found = {}
    files = [f for package in HEADLESS for f in (ROOT / "audit_tui" / package).rglob("*.py")]
    assert any(f.parts[-2:] == ("store", "engine.py") for f in files)
    for path in files:
        lines = _reads_the_environment(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            found[str(path.relative_to(ROOT))] = lines
    assert found == {}


def test_the_scan_finds_what_it_looks_for() -> None:
    """The scan above would see each way of reading the environment."""
    for code in (
        "import os\nos.environ.get('X')",
        "import os\nos.getenv('X')",
        "from os import environ",
        "import getpass\ngetpass.getuser()",
    ):
        assert _reads_the_environment(ast.parse(code)), code
