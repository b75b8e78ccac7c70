"""Every filesystem location the app uses, in one place. Nothing here touches the disk at import.

The user's folders come from the settings (`audit_tui/settings.py`), never straight from the
environment."""

from __future__ import annotations

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


def rubric_template() -> Path:
    """The commented starting rubric `rubric new` writes (inside the package, so the wheel has it)."""
    return PACKAGE_DIR / "templates" / "rubric-new.toml"


def user_data_dir() -> Path:
    from audit_tui.settings import current

    return current().data_dir


def user_config_dir() -> Path:
    from audit_tui.settings import current

    return current().config_dir


def user_rubric_dir() -> Path:
    """Extra or edited rubrics a user drops in; listed beside the shipped ones."""
    from audit_tui.settings import current

    return current().rubric_dir


def user_state_file() -> Path:
    """What the app remembers between runs (the last export's format and folder)."""
    from audit_tui.settings import current

    return current().state_file


def default_export_folder() -> Path:
    """Where an export goes before the user has chosen: Documents if there is one, else home."""
    home = Path.home()
    documents = home / "Documents"
    return documents if documents.is_dir() else home
