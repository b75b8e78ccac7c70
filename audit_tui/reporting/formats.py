"""The report formats, in ONE table: per format its suffix, media type, the export dialog's words
and the renderer of each document it has. The CLI's `--format` choices, the app's export dialogs
and the README's lists are derived from it (tests/reports/test_format_registry.py checks the
README). Light to import (the CLI builds its parser from it): renderers load when first called.

As Harlequin's export module keeps a frozen `_FileFormat(exporter, suffix, ...)` per name in one
dict, and names its choices from that dict's keys, so does this one."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Flag, auto
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from audit_tui.reporting.feedback_sheet import Sheet
    from audit_tui.reporting.gather import ReportRecord
    from audit_tui.reporting.region import RegionRecord
    from audit_tui.scoring.compare import Comparison


class Reads(Flag):
    """What a document reads (`gather`): each format says, so a CSV of 10,000 cases does not pay
    for breakdowns it never prints."""

    NOTHING = 0
    REPORT = auto()
    """`build_report`: cases with progress, score with breakdowns, moderation, sample, period,
    the lead's summary, the previous audit (md, html, xlsx)."""
    SCORE = auto()
    MODERATION = auto()
    SAMPLE = auto()
    CASES = auto()
    """The live cases without progress (csv; json once its sample was drawn)."""
    VALUES = auto()
    """Every answer's value, and with notes every answer (csv, xlsx)."""
    TITLE = auto()
    """The moderation section's title (its months come from the sample and period)."""


SECTION_READS = Reads.MODERATION | Reads.TITLE
"""What `--section moderation` reads, in every format."""

Renderer = Callable[["ReportRecord"], "str | bytes"]


def _documents(name: str, module_name: str = "documents") -> Renderer:
    """A renderer of a `reporting` module, imported when first called (openpyxl is heavy)."""

    def render(record: ReportRecord) -> str | bytes:
        module = importlib.import_module(f"audit_tui.reporting.{module_name}")
        found: Renderer = getattr(module, name)
        return found(record)

    render.__name__ = name
    return render


def _sheet(name: str) -> Callable[[Sheet], str]:
    def render(sheet: Sheet) -> str:
        module = importlib.import_module("audit_tui.reporting.feedback_sheet")
        found: Callable[[Sheet], str] = getattr(module, name)
        return found(sheet)

    return render


def _compare(name: str) -> Callable[[Comparison], str]:
    def render(comparison: Comparison) -> str:
        module = importlib.import_module("audit_tui.reporting.compare_report")
        found: Callable[[Comparison], str] = getattr(module, name)
        return found(comparison)

    return render


def _region(name: str, module_name: str) -> Callable[[RegionRecord], str | bytes]:
    def render(record: RegionRecord) -> str | bytes:
        module = importlib.import_module(f"audit_tui.reporting.{module_name}")
        found: Callable[[RegionRecord], str | bytes] = getattr(module, name)
        return found(record)

    return render


@dataclass(frozen=True)
class Format:
    """One format and the documents it renders (None: that document has no such format)."""

    name: str
    suffix: str
    media_type: str
    words: str
    """How the app's export dialog names it."""
    reads: Reads
    """What its full report reads."""
    report: Renderer
    moderation: Renderer
    """`report AUDIT --section moderation`."""
    sheet: Callable[[Sheet], str] | None = None
    """`report AUDIT --case REF`: the practitioner's feedback sheet."""
    compare: Callable[[Comparison], str] | None = None
    """`compare A B [C ...]`."""
    region: Callable[[RegionRecord], str | bytes] | None = None
    """`region REGION`: the regional view."""

    @property
    def binary(self) -> bool:
        return not (self.media_type.startswith("text/") or self.media_type.endswith("json"))


REGISTRY: tuple[Format, ...] = (
    Format(
        "json", ".json", "application/json", "JSON (for scripts)",
        Reads.SCORE | Reads.MODERATION | Reads.SAMPLE | Reads.CASES,
        _documents("report_json"), _documents("section_json", "moderation_section"),
        compare=_compare("compare_json"), region=_region("region_json_text", "region"),
    ),
    Format(
        "md", ".md", "text/markdown; charset=utf-8", "Markdown report (text)", Reads.REPORT,
        _documents("report_markdown"), _documents("section_markdown", "moderation_section"),
        sheet=_sheet("sheet_markdown"), compare=_compare("compare_markdown"),
        region=_region("region_markdown", "region"),
    ),
    Format(
        "html", ".html", "text/html; charset=utf-8",
        "HTML report (opens in a browser, prints on A4)", Reads.REPORT,
        _documents("report_html"), _documents("section_html", "moderation_section"),
        sheet=_sheet("sheet_html"), compare=_compare("compare_html"),
        region=_region("region_html", "region_html"),
    ),
    Format(
        "csv", ".csv", "text/csv; charset=utf-8", "Case data (CSV: one row per case)",
        Reads.CASES | Reads.VALUES,
        _documents("report_csv"), _documents("section_csv", "moderation_section"),
    ),
    Format(
        "xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Workbook (Excel, LibreOffice)", Reads.REPORT | Reads.VALUES,
        _documents("report_xlsx"), _documents("section_xlsx", "moderation_section"),
        region=_region("region_xlsx", "region_xlsx"),
    ),
)  # fmt: skip
BY_NAME = {f.name: f for f in REGISTRY}

FORMATS = tuple(f.name for f in REGISTRY)
"""`report --format` (and the app's export dialog)."""
SHEET_FORMATS = tuple(f.name for f in REGISTRY if f.sheet is not None)
COMPARE_FORMATS = tuple(
    sorted((f.name for f in REGISTRY if f.compare is not None), key=lambda name: name == "json")
)
"""`compare --format`: its default (md) first, as its usage has always listed them."""
REGION_FORMATS = tuple(
    sorted(
        (f.name for f in REGISTRY if f.region is not None), key=lambda name: (name != "md", name)
    )
)
"""`region --format`: its default (md) first, then by name."""
BINARY = frozenset(f.name for f in REGISTRY if f.binary)
EXPORT_WORDS = {f.name: f.words for f in REGISTRY}
