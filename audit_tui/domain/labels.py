"""Names people give things (audits, PDUs, regions): shown on every screen and in every report,
so they must print as themselves. Control characters (a newline, an escape sequence) and
invisible direction overrides are refused rather than stored."""

from __future__ import annotations

from audit_tui.domain.errors import AuditError, printable

MAX_LENGTH = 80


def clean_label(value: str, what: str, *, required: bool = False) -> str:
    """`value` stripped, or an AuditError naming `what` and the problem."""
    value = value.strip()
    if required and not value:
        raise AuditError.at(what, "cannot be empty")
    bad = next((ch for ch in value if printable(ch) != ch), None)
    if bad is not None:
        raise AuditError.at(
            what,
            f"{printable(value)} holds a control character ({printable(bad)});"
            " use letters, digits, spaces and punctuation",
        )
    if len(value) > MAX_LENGTH:
        raise AuditError.at(what, f"is {len(value)} characters long (at most {MAX_LENGTH})")
    return value
