"""Small things the app remembers between runs (the last export's format and folder).

A JSON file in the user data folder, written whole (temporary file, then rename) and owner-only;
a missing or unreadable file is simply forgotten, never an error that stops the app.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from audit_tui.paths import user_state_file


def remembered(key: str) -> dict[str, Any]:
    try:
        data = json.loads(user_state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def remember(key: str, value: dict[str, Any]) -> None:
    path = user_state_file()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    data[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state.")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
        os.replace(tmp, path)
    except OSError:
        pass  # remembering is a convenience: failing to is not worth interrupting anyone


def safe_file_stem(name: str) -> str:
    """An audit name as a file name anyone can type and share: `Oldham Q2 (draft)` ->
    `oldham-q2-draft`."""
    kept = "".join(ch.lower() if ch.isalnum() else "-" for ch in name)
    stem = "-".join(part for part in kept.split("-") if part)
    return stem[:60] or "audit"


def existing_folder(text: str) -> Path | None:
    """The folder `text` names, if it is one ("" names none, not the current folder)."""
    if not text.strip():
        return None
    folder = Path(text.strip()).expanduser()
    return folder.resolve() if folder.is_dir() else None
