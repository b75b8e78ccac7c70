"""User keymaps: `[keymap]` in the user config file maps binding ids to keys (Posting's way)."""

from __future__ import annotations

import tomllib
from pathlib import Path


def config_file() -> Path:
    from audit_tui.paths import user_config_dir

    return user_config_dir() / "config.toml"


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """(binding id -> keys, problems). A broken config file never stops the app: it is reported."""
    path = path or config_file()
    if not path.exists():
        return {}, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, [f"{path}: keymap not loaded: {exc}"]
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        return {}, [f'{path}: [keymap] must be a table of binding id = "keys"']
    good = {k: v for k, v in keymap.items() if isinstance(v, str) and v.strip()}
    problems = [
        f"{path}: keymap.{k}: keys must be a non-empty string" for k in keymap if k not in good
    ]
    return good, problems
