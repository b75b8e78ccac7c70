"""`make team-demo`, `make team-demo-join AS=bob`, `make team-demo-stop`, run as a newcomer
would, with a stand-in for the app (it records how it was started and closes at once): the URLs
shown one a line and kept in an owner-only file, a second person joining the running demo,
the server outliving the first app, and stopping."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from audit_tui.store import audits
from audit_tui.store.database import open_repository
from tests.support.paths import ROOT


def _server_binaries() -> bool:
    return any(Path("/usr/lib/postgresql").glob("*/bin/initdb")) or bool(shutil.which("pg_config"))


pytestmark = [
    pytest.mark.skipif(
        not _server_binaries() or shutil.which("make") is None,
        reason="needs make and PostgreSQL's server binaries (scripts/pg-cluster.sh)",
    ),
    pytest.mark.slow,  # a PostgreSQL server of its own, started and stopped
]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a demo kept in tmp_path, its app a stand-in that logs its arguments."""
    log = tmp_path / "apps.log"
    fake = tmp_path / "fake-app"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {log}\n')
    fake.chmod(0o755)
    env = {
        **os.environ,
        "AUDIT_TUI_TEAM_DEMO_DIR": str(tmp_path / "state"),
        "AUDIT_TUI_TEAM_DEMO_APP": str(fake),
    }
    env.pop("AS", None)
    yield env
    subprocess.run(["bash", "scripts/team-demo.sh", "stop"], cwd=ROOT, env=env, check=False)


def _make(env: dict[str, str], *target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "-s", *target], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _apps(env: dict[str, str]) -> list[str]:
    log = Path(env["AUDIT_TUI_TEAM_DEMO_APP"]).with_name("apps.log")
    return log.read_text().splitlines() if log.exists() else []


def test_a_second_person_joins_and_the_server_outlives_the_first_app(
    demo: dict[str, str],
) -> None:
    started = _make(demo, "team-demo")
    assert started.returncode == 0, started.stderr
    state = Path(demo["AUDIT_TUI_TEAM_DEMO_DIR"])
    urls = state / "urls"
    assert stat.S_IMODE(urls.stat().st_mode) == 0o600
    kept = {line.split("\t")[0]: line.split("\t")[2] for line in urls.read_text().splitlines()}
    assert list(kept) == ["lead", "ann", "bob"]
    for person, url in kept.items():  # shown plainly, one a line, whole
        assert any(line.split() == [person, f"({'lead' if person == 'lead' else 'auditor'})", url]
                   for line in started.stdout.splitlines()), started.stdout  # fmt: skip
    assert f"These are kept in {urls}." in started.stdout
    assert "make team-demo-join AS=bob" in started.stdout
    assert _apps(demo) == [f"--db {kept['ann']}"]  # the first app, as ann; now closed

    joined = _make(demo, "team-demo-join", "AS=bob")
    assert joined.returncode == 0, joined.stderr
    assert _apps(demo)[-1] == f"--db {kept['bob']}"
    bob = open_repository(kept["bob"])  # the server is still there for bob
    assert bob.user == "bob" and [a.name for a in audits.list_audits(bob)] == ["team-demo"]
    bob.engine.dispose()

    again = _make(demo, "team-demo", "AS=lead")  # a second `make team-demo` joins, not resets
    assert again.returncode == 0 and "already running" in again.stdout
    assert _apps(demo)[-1] == f"--db {kept['lead']}"
    assert {line.split("\t")[2] for line in urls.read_text().splitlines()} == set(kept.values())

    nobody = _make(demo, "team-demo-join", "AS=zed")
    assert nobody.returncode != 0
    assert 'no person "zed" in it (people: lead, ann, bob)' in nobody.stderr

    cluster = Path((state / "cluster").read_text().strip())
    stopped = _make(demo, "team-demo-stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert not state.exists() and not cluster.exists()
    port = make_url(kept["bob"]).port
    lost = subprocess.run(
        ["bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{port}"], capture_output=True, check=False
    )
    assert lost.returncode != 0  # nothing listens there any more

    late = _make(demo, "team-demo-join", "AS=bob")
    assert late.returncode != 0 and "none is running; start one with: make team-demo" in late.stderr
    assert _make(demo, "team-demo-stop").stdout == "No team demo is running.\n"
