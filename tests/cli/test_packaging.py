"""The wheel carries the rubric, the demo data and the migrations with their SQL, and works from outside the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.paths import ROOT

pytestmark = pytest.mark.slow  # pip builds a wheel


def test_wheel_ships_rubrics_data_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("audit_tui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "audit_tui/_shipped/rubric/hmip-probation-pdu-2021.toml",
        "audit_tui/_shipped/data/demo-answers.csv",
        "audit_tui/_shipped/data/templates/answers.csv",
        "audit_tui/templates/rubric-new.toml",  # what `rubric new` writes
        "audit_tui/store/migrations/env.py",
        "audit_tui/store/migrations/versions/0001_first_schema.py",
        # the SQL the migrations install (store/pg/sql), read with importlib.resources
        "audit_tui/store/pg/sql/functions/refuse.v1.sql",
        "audit_tui/store/pg/sql/tables/audit.v1.sql",
        "audit_tui/store/pg/sql/guards/audit_tui_guard_answer.v2.sql",
    ):
        assert required in names, required
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    db = tmp_path / "w.db"
    code = (
        "import sys; from audit_tui.cli import main; import audit_tui.paths as p\n"
        f"assert str(p.shipped_rubric_dir()).startswith({str(site)!r}), p.shipped_rubric_dir()\n"
        "from audit_tui.store import pg\n"
        f"assert pg.__file__.startswith({str(site)!r}), pg.__file__\n"
        "assert 'audit_tui_need_answer' in pg.source('guards', 'audit_tui_guard_answer', 2)\n"
        f"sys.exit(main(['--db', {str(db)!r}, 'demo', '--no-tui']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    assert "score 7/27, Requires improvement" in proc.stdout
