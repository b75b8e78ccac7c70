"""What the command modules share beyond the store: the settings `cli._run` built, the rubric
catalogue they name, and comma lists. Light on purpose: imported when the CLI starts."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from audit_tui.domain.cases import canonical_refs

if TYPE_CHECKING:
    from audit_tui.domain.registry import RubricCatalogue
    from audit_tui.settings import Settings
    from audit_tui.store.repository import Repository

RepoOf = Callable[[argparse.Namespace], "Repository"]
"""How a command module opens the store: `cli` hands each one its own `_repo`."""


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings `cli._run` built for this command."""
    settings: Settings = args.settings
    return settings


def catalogue(args: argparse.Namespace) -> RubricCatalogue:
    """The shipped rubrics, the settings' rubric folder, and each `--rubric-file`."""
    from audit_tui.domain.registry import discover
    from audit_tui.paths import shipped_rubric_dir

    return discover([shipped_rubric_dir(), settings_of(args).rubric_dir], args.rubric_file)


def names(text: str) -> list[str]:
    """`--auditors A,B,C`, `--strata A,B`: the names, blanks dropped."""
    return [part.strip() for part in text.split(",") if part.strip()]


def refs(text: str) -> list[str]:
    """`--cases REF,REF`: each reference canonical (`cl-1` is `CL-1`)."""
    return canonical_refs(text.split(","))
