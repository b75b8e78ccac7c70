"""Every setting the app reads, in one typed object built once (`cli.main`) and passed down.

Sources, each overriding the one before: defaults, environment variables, the config file
(`config.toml` in the config folder, beside `[keymap]`), the command line. The one module that
reads the app's settings from the environment (`web/pipe.py` reads only the number of the pipe
`serve` hands a tab's app); the store reads none (`tests/unit/test_settings.py`).

A bad value in the config file is one line naming the file and the key (exit 1, a data error);
a bad value in the environment keeps its old meaning (`$AUDIT_TUI_WAIT` that is not a number of
seconds is ignored; `$AUDIT_TUI_USER` is checked where it is used, on SQLite only). A config file
that cannot be read or parsed is left to the keymap loader, which reports it in the app as before.

A frozen dataclass rather than pydantic-settings: four sources in an order of our own (the file
above the environment), errors worded as the rest of the CLI words them, and no pydantic import
on every command's start.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from audit_tui.domain.errors import AuditError

APP_NAME = "audit-tui"
WAIT_SECONDS = 30
"""Default seconds a write waits for another writer; the store's own default too."""
LONGEST_WAIT = 3600
CONFIG_NAME = "config.toml"
MAX_CONFIG_BYTES = 1024 * 1024
"""Largest config file read (1 MiB; a real one is a few hundred bytes)."""
FILE_KEYS = frozenset({"db", "user", "wait", "data_dir", "keymap"})
"""Top-level keys the config file may hold (`keymap` is read by `tui/keymap.py`)."""

ENV_DB = "AUDIT_TUI_DB"
ENV_USER = "AUDIT_TUI_USER"
ENV_WAIT = "AUDIT_TUI_WAIT"
ENV_DATA_DIR = "AUDIT_TUI_DATA_DIR"
ENV_CONFIG_DIR = "AUDIT_TUI_CONFIG_DIR"
LOGIN = "AUDIT_TUI_USER or your login (give --as NAME)"
"""How a name from the environment or the login is called in an error about it."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    """The user data folder: the default database and what the app remembers."""
    config_dir: Path
    """The config folder: `config.toml` and extra rubrics."""
    db: str | None = None
    """The database target given (--db, config `db`, $AUDIT_TUI_DB); None: `database` default."""
    user: str | None = None
    """Who the user is on SQLite (on PostgreSQL the login is); None: the store's account name."""
    user_from: str = LOGIN
    """Where `user` came from, as an error about it names it ("--as" from the command line)."""
    wait: int = WAIT_SECONDS
    """Seconds a write waits for another writer before it gives up."""
    password: str | None = field(default=None, repr=False)
    """A PostgreSQL password given apart from the URL (only `serve`'s channel gives one)."""

    @property
    def database(self) -> str:
        return self.db or str(self.data_dir / "audits.db")

    @property
    def config_file(self) -> Path:
        return self.config_dir / CONFIG_NAME

    @property
    def rubric_dir(self) -> Path:
        """Extra or edited rubrics a user drops in; listed beside the shipped ones."""
        return self.config_dir / "rubrics"

    @property
    def state_file(self) -> Path:
        """What the app remembers between runs: beside the data, not in the config folder."""
        return self.data_dir / "state.json"

    def claim(self, user: str | None) -> tuple[str | None, str]:
        """Who the person says they are on SQLite and where they said it, as an error names
        it: `user` (--as, given to this command or app) first, else the settings' own."""
        return (user, "--as") if user else (self.user, self.user_from)

    @property
    def as_given(self) -> bool:
        """Whether the user was claimed on the command line (`--as`, refused on PostgreSQL)."""
        return self.user is not None and self.user_from == "--as"


def defaults(environ: Mapping[str, str]) -> Settings:
    """Defaults overridden by the environment (the config folder can come from nowhere else)."""
    from platformdirs import user_config_path, user_data_path

    wait = environ.get(ENV_WAIT, "")
    return Settings(
        data_dir=Path(environ.get(ENV_DATA_DIR) or user_data_path(APP_NAME, appauthor=False)),
        config_dir=Path(environ.get(ENV_CONFIG_DIR) or user_config_path(APP_NAME, appauthor=False)),
        db=environ.get(ENV_DB) or None,
        user=environ.get(ENV_USER) or _login(),
        wait=int(wait) if wait.isdigit() and 1 <= int(wait) <= LONGEST_WAIT else WAIT_SECONDS,
    )


def _login() -> str | None:
    """The login name, the user when nothing else names one."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers: the store uses the account's
        return None


def from_file(settings: Settings, path: Path) -> Settings:
    """`settings` overridden by the config file's keys; a bad value is an AuditError naming the
    file and key. A missing, unreadable or unparsable file changes nothing (see the module)."""
    import tomllib

    from audit_tui.domain.files import FileRefused, TomlTooDeep, load_toml, read_regular_file

    try:
        data = load_toml(read_regular_file(path, MAX_CONFIG_BYTES).decode("utf-8"))
    except (FileRefused, UnicodeDecodeError, tomllib.TOMLDecodeError, TomlTooDeep):
        return settings
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key not in FILE_KEYS:
            known = ", ".join(sorted(FILE_KEYS))
            raise AuditError.at(f"{path}: {key}", f"not a setting (the settings are: {known})")
        if key == "keymap":
            continue
        changes.update(_file_value(path, key, value))
    return replace(settings, **changes)


def _file_value(path: Path, key: str, value: object) -> dict[str, Any]:
    where = f"{path}: {key}"
    if key == "wait":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= LONGEST_WAIT:
            raise AuditError.at(
                where, f"must be a whole number of seconds from 1 to {LONGEST_WAIT}"
            )
        return {"wait": value}
    if not isinstance(value, str) or not value.strip():
        raise AuditError.at(where, "must be a non-empty string")
    if key == "data_dir":
        return {"data_dir": Path(value).expanduser()}
    if key == "user":
        return {"user": value, "user_from": where}
    return {"db": value}


def from_command_line(
    settings: Settings,
    *,
    db: str | None = None,
    user: str | None = None,
    password: str | None = None,
) -> Settings:
    """`settings` overridden by the options given (`--db`, `--as`; what `serve` hands a browser
    tab's app on its pipe counts as these, with the password that has no option)."""
    changes: dict[str, Any] = {"password": password}
    if db:
        changes["db"] = db
    if user is not None:
        changes.update(user=user, user_from="--as")
    return replace(settings, **changes)


def load(
    environ: Mapping[str, str] | None = None,
    *,
    db: str | None = None,
    user: str | None = None,
    password: str | None = None,
) -> Settings:
    """Defaults, then the environment, then the config file, then the command line."""
    settings = defaults(os.environ if environ is None else environ)
    settings = from_file(settings, settings.config_file)
    return from_command_line(settings, db=db, user=user, password=password)


_current: Settings | None = None


@contextmanager
def installed(settings: Settings) -> Iterator[Settings]:
    """`settings` as the process's own while a command runs, for the app's helpers that are not
    handed them (what it remembers between runs): Posting's SETTINGS context variable, kept as
    a plain global because the app reads it from worker threads too."""
    global _current
    before, _current = _current, settings
    try:
        yield settings
    finally:
        _current = before


def current() -> Settings:
    """The installed settings, else built now from the environment and config file (an app
    started by a test rather than `cli.main`; a bad config file leaves the file out)."""
    if _current is not None:
        return _current
    try:
        return load()
    except AuditError:
        return defaults(os.environ)
