"""User keymaps: `[keymap]` in the user config file maps binding ids to keys (Posting's way)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from audit_tui.domain.files import FileRefused, TomlTooDeep, load_toml, read_regular_file
from audit_tui.domain.safe_text import escape
from audit_tui.settings import MAX_CONFIG_BYTES as MAX_CONFIG_BYTES  # a test narrows it


def config_file() -> Path:
    """The config file the settings name (`settings.py` reads its other keys)."""
    from audit_tui.settings import current

    return current().config_file


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """(binding id -> keys, problems). A broken config file never stops the app: it is reported.

    The file is read like any user input: a pipe, device, oversized or too deeply nested file is
    a problem to show, never a hang or a traceback at start-up.
    """
    path = path or config_file()
    try:
        data = load_toml(read_regular_file(path, MAX_CONFIG_BYTES).decode("utf-8"))
    except FileRefused as exc:
        if exc.kind == "missing":
            return {}, []
        return {}, [f"{path}: keymap not loaded: {exc.reason}"]
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, TomlTooDeep) as exc:
        return {}, [f"{path}: keymap not loaded: {exc}"]
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        return {}, [f'{path}: [keymap] must be a table of binding id = "keys"']
    # keys are shown in the footer and the help: a control character in one is refused, as in
    # any name (the problem is shown escaped, like every notice)
    good = {k: v for k, v in keymap.items() if isinstance(v, str) and v.strip() and escape(v) == v}
    problems = [
        f"{path}: keymap.{k}: keys must be a non-empty string of key names"
        for k in keymap
        if k not in good
    ]
    return good, problems
