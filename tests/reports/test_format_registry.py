"""The format table (reporting/formats.py) is the one list of formats: the CLI's choices, the
export dialogs and the README's usage lines all say what it says."""

from __future__ import annotations

import re

from audit_tui.cli import build_parser
from audit_tui.reporting.formats import (
    BINARY,
    COMPARE_FORMATS,
    EXPORT_WORDS,
    FORMATS,
    REGION_FORMATS,
    REGISTRY,
    SHEET_FORMATS,
)
from audit_tui.tui.screens.export_dialog import FORMAT_WORDS
from audit_tui.tui.screens.feedback import SHEET_FORMATS as DIALOG_SHEET_FORMATS
from tests.support.paths import ROOT


def _usage(pattern: str) -> list[str]:
    """The `--format a|b|c` of the README's usage line matching `pattern`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(pattern + r".*?\[--format ([a-z|]+)\]", readme)
    assert found, pattern
    return found.group(1).split("|")


def test_the_readme_lists_the_formats_of_the_table() -> None:
    assert _usage(r"\n  report AUDIT ") == list(FORMATS)
    assert _usage(r"\n  report AUDIT --case REF") == list(SHEET_FORMATS)
    assert _usage(r"\n  compare AUDIT_A") == list(COMPARE_FORMATS)
    assert _usage(r"\n  region REGION") == list(REGION_FORMATS)


def test_the_cli_and_the_dialogs_offer_the_formats_of_the_table() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    choices = {
        name: next(a.choices for a in p._actions if a.dest == "format")
        for name, p in sub.choices.items()  # type: ignore[union-attr]
        if name in ("report", "compare", "region")
    }
    assert tuple(choices["report"]) == FORMATS
    assert tuple(choices["compare"]) == COMPARE_FORMATS
    assert tuple(choices["region"]) == REGION_FORMATS == ("md", "html", "json", "xlsx")
    assert FORMAT_WORDS == EXPORT_WORDS and set(FORMAT_WORDS) == set(FORMATS)
    assert set(DIALOG_SHEET_FORMATS) == set(SHEET_FORMATS)
    assert {"xlsx"} == BINARY
    assert [f.suffix for f in REGISTRY] == [f".{f.name}" for f in REGISTRY]
