"""The headless core never imports Textual (checked in a clean interpreter, and by import-linter)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT

HEADLESS = [
    "audit_tui.domain.rubric",
    "audit_tui.domain.loader",
    "audit_tui.domain.registry",
    "audit_tui.scoring",
    "audit_tui.store.repository",
    "audit_tui.store.database",
    "audit_tui.io.imports",
    "audit_tui.reporting.render",
    "audit_tui.demo",
    "audit_tui.cli",
]


def test_headless_modules_do_not_load_textual() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in HEADLESS)
        + "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'audit_tui.tui')))\n"
        + "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_cli_import_does_not_load_the_database_layer() -> None:
    """Start-up stays fast: SQLAlchemy is imported by the commands that need it, not by the CLI."""
    code = "import sys, audit_tui.cli\nprint(any(m.startswith('sqlalchemy') for m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr


def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail(
            "lint-imports is not installed: install the test extra (pip install -e '.[test]')"
        )
    proc = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 2 kept, 0 broken." in proc.stdout
