"""What `serve` hands each tab's app: its target, identity and password down an inherited pipe,
none of them in the app's arguments (which every user sees in `ps`) or its environment, and
nothing written to disk. The app is a stand-in that reads the pipe as `audit-tui` does."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from audit_tui.web import pipe, server
from audit_tui.web.launch import Launch, for_login, for_starter

SECRET = "s3cret-pass-Word"
STAND_IN = (
    "import json, os, sys\n"
    "from audit_tui.web.pipe import SETTINGS_FD, receive\n"
    "fd = os.environ[SETTINGS_FD]\n"
    "given = receive()\n"
    "print(json.dumps({'db': given.db, 'user': given.user, 'password': given.password,"
    " 'fd': fd, 'fd_left': SETTINGS_FD in os.environ,"
    " 'still_open': os.path.exists(f'/proc/self/fd/{fd}')}), flush=True)\n"
    "sys.stdin.read()\n"  # until the test has looked at this process, then closes stdin
)


async def _nothing(*_args: object) -> None:
    return None


async def _launched(
    launch: Launch, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], str, str]:
    """(what the stand-in received, its /proc cmdline, its /proc environ)."""
    monkeypatch.setattr(server, "CHILD", ("-c", STAND_IN))
    app = server.LaunchedApp(
        launch,
        write_bytes=_nothing,
        write_str=_nothing,
        close=_nothing,
        download_manager=None,  # not used before the app speaks
    )
    process = await app._open_app_process()
    assert process.stdout is not None and process.stdin is not None
    line = await asyncio.wait_for(process.stdout.readline(), 60)
    proc = Path(f"/proc/{process.pid}")
    cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    environ = (proc / "environ").read_bytes().replace(b"\0", b"\n").decode()
    process.stdin.close()
    assert await asyncio.wait_for(process.wait(), 60) == 0
    return json.loads(line), cmdline, environ


async def test_one_persons_target_user_and_password_go_down_the_pipe_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AUDIT_TUI_DB", f"postgresql://me:{SECRET}@db.example/audits")
    launch = for_starter(f"postgresql://me:{SECRET}@db.example/audits", "me")
    assert SECRET not in repr(launch)
    got, cmdline, environ = await _launched(launch, monkeypatch)
    assert got["db"] == "postgresql://me@db.example/audits"
    assert (got["user"], got["password"]) == ("me", SECRET)
    assert not got["fd_left"] and not got["still_open"]  # read once, closed, unset
    for shown in (cmdline, environ):
        assert SECRET not in shown and "db.example" not in shown
    assert cmdline.split() == [sys.executable, "-c", *STAND_IN.split()]
    assert f"{pipe.SETTINGS_FD}={got['fd']}" in environ.splitlines()


async def test_a_signed_in_login_gets_its_own_target_and_not_the_starters_identity(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sqlalchemy.engine import make_url

    monkeypatch.setenv("AUDIT_TUI_USER", "starter")
    monkeypatch.setenv("PGPASSWORD", "starters-own")
    launch = for_login(make_url("postgresql+psycopg://db.example/team"), "ann", SECRET)
    got, cmdline, environ = await _launched(launch, monkeypatch)
    assert (got["db"], got["user"], got["password"]) == (
        "postgresql+psycopg://ann@db.example/team",
        None,
        SECRET,
    )
    for shown in (cmdline, environ):
        assert SECRET not in shown and "db.example" not in shown
    names = {line.split("=", 1)[0] for line in environ.splitlines()}
    assert not names & {"AUDIT_TUI_USER", "PGPASSWORD", "AUDIT_TUI_DB"}
    assert "starters-own" not in environ


async def test_the_server_keeps_no_copy_of_the_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[tuple[int, int]] = []
    send = pipe.send

    def recorded(settings: dict[str, str]) -> int:
        fd = send(settings)
        made.append((fd, os.fstat(fd).st_ino))
        return fd

    monkeypatch.setattr(pipe, "send", recorded)
    await _launched(for_starter("served.db", None), monkeypatch)
    [(fd, inode)] = made
    try:
        still = os.fstat(fd).st_ino == inode
    except OSError:
        still = False
    assert not still  # its end closed once the app had started


def test_a_tab_app_reads_its_settings_as_its_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`audit-tui` started with the pipe: its target and user are the pipe's, over the
    environment's and the config file's."""
    from audit_tui import cli, settings

    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text('db = "file.db"\nuser = "fay"\n', encoding="utf-8")
    monkeypatch.setenv("AUDIT_TUI_CONFIG_DIR", str(config))
    monkeypatch.setenv("AUDIT_TUI_DB", "env.db")
    seen: list[settings.Settings] = []

    def rubrics(args: argparse.Namespace) -> int:
        seen.append(args.settings)
        return 0

    monkeypatch.setitem(cli.COMMANDS, "rubrics", rubrics)
    fd = pipe.send({"db": str(tmp_path / "tab.db"), "user": "tab", "password": SECRET})
    monkeypatch.setenv(pipe.SETTINGS_FD, str(fd))
    assert cli.main(["rubrics"]) == 0
    [got] = seen
    assert (got.db, got.user, got.password) == (str(tmp_path / "tab.db"), "tab", SECRET)
    assert SECRET not in repr(got)
    with pytest.raises(OSError):
        os.fstat(fd)  # read and closed


def test_settings_that_are_not_the_pipes_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from audit_tui.domain.errors import UsageError

    for payload in (b"not json", b'["db"]', b'{"db": 3}', b'{"wait": "5"}'):
        read_end, write_end = os.pipe()
        os.write(write_end, payload)
        os.close(write_end)
        monkeypatch.setenv(pipe.SETTINGS_FD, str(read_end))
        with pytest.raises(UsageError, match=pipe.SETTINGS_FD):
            pipe.receive()
