"""`make demo` on a fresh clone installs the app alone: a newcomer's first command waits for
neither pytest, mypy, Playwright nor statsmodels (`make test` adds them to the same .venv).

Slow (a new venv, then pip from its cache): about half a minute for the app, the test tools'
upgrade a few minutes more. The seconds each step took are printed (`pytest -s`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.paths import ROOT

pytestmark = pytest.mark.slow  # a new venv and pip installs: minutes

TEST_TOOLS = {"pytest", "mypy", "playwright", "statsmodels", "hypothesis", "ruff"}
"""What `make test` needs and the app does not: none may come with `make demo`."""


def _tracked_copy(into: Path) -> Path:
    """The checkout as a fresh clone holds it: the tracked files only, as they are now (so an
    uncommitted change is tested too), no .venv, no caches."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to clone")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    clone = into / "clone"
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is not in the clone
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    return clone


def _installed(clone: Path) -> set[str]:
    listed = subprocess.run(
        [str(clone / ".venv/bin/python"), "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {package["name"].lower() for package in json.loads(listed)}


def _venv(clone: Path, mode: str) -> float:
    began = time.monotonic()
    done = subprocess.run(
        ["bash", "scripts/venv.sh", mode], cwd=clone, capture_output=True, text=True, timeout=1800
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return time.monotonic() - began


def test_make_demo_installs_the_app_alone_and_make_test_adds_the_tools(tmp_path: Path) -> None:
    clone = _tracked_copy(tmp_path)
    app_seconds = _venv(clone, "app")
    installed = _installed(clone)
    print(f"\nfresh clone, app-only set-up (make demo): {app_seconds:.1f} s")
    assert "audit-tui" in installed and "textual" in installed
    assert not installed & TEST_TOOLS, sorted(installed & TEST_TOOLS)
    assert "psycopg" not in installed  # the demo is SQLite: no PostgreSQL driver either
    demo = subprocess.run(
        [str(clone / ".venv/bin/audit-tui"), "--db", str(tmp_path / "d.db"), "demo", "--no-tui"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert demo.returncode == 0 and "28 cases" in demo.stdout, demo.stderr
    again = _venv(clone, "app")  # a second `make demo` installs nothing
    print(f"second set-up: {again:.1f} s")
    assert (clone / ".venv/.audit-tui-installed").read_text().strip() == "app"

    test_seconds = _venv(clone, "test")  # `make test` on the same venv adds the tools
    print(f"then the test tools (make test): {test_seconds:.1f} s")
    assert _installed(clone) >= TEST_TOOLS and "psycopg" in _installed(clone)
    assert (clone / ".venv/.audit-tui-installed").read_text().split() == ["postgres", "test"]
    _venv(clone, "app")  # and `make demo` after it keeps them
    assert _installed(clone) >= TEST_TOOLS
