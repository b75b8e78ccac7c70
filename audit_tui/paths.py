"""Every filesystem location the app uses, in one place. Nothing here touches the disk at import."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "audit-tui"
PACKAGE_DIR = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    """Folders shipped in the wheel (`audit_tui/_shipped/NAME`), or the source tree's copy."""
    inside = PACKAGE_DIR / "_shipped" / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


def shipped_rubric_dir() -> Path:
    return _shipped("rubric")


def shipped_data_dir() -> Path:
    return _shipped("data")


def user_data_dir() -> Path:
    from platformdirs import user_data_path

    return Path(os.environ.get("AUDIT_TUI_DATA_DIR") or user_data_path(APP_NAME, appauthor=False))


def user_config_dir() -> Path:
    from platformdirs import user_config_path

    return Path(
        os.environ.get("AUDIT_TUI_CONFIG_DIR") or user_config_path(APP_NAME, appauthor=False)
    )


def user_rubric_dir() -> Path:
    """Extra or edited rubrics a user drops in; listed beside the shipped ones."""
    return user_config_dir() / "rubrics"


def user_state_file() -> Path:
    """What the app remembers between runs (the last export's format and folder): not settings a
    user edits, so beside the data, not in the config folder."""
    return user_data_dir() / "state.json"


def default_export_folder() -> Path:
    """Where an export goes before the user has chosen: Documents if there is one, else home."""
    home = Path.home()
    documents = home / "Documents"
    return documents if documents.is_dir() else home


def default_database() -> str:
    """`--db`, else AUDIT_TUI_DB, else a file in the user data directory."""
    return os.environ.get("AUDIT_TUI_DB") or str(user_data_dir() / "audits.db")
