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


TEXT_LENGTH = 4000
"""Feedback and actions: a few paragraphs at most, for a sheet that fits on one or two pages."""


def clean_text(value: str, what: str, *, required: bool = False, limit: int = TEXT_LENGTH) -> str:
    """Free text someone writes for a practitioner: lines and tabs are kept (it is prose), other
    control characters are refused, as in names, so the text prints as itself on every screen."""
    value = value.replace("\r\n", "\n").strip()
    if required and not value:
        raise AuditError.at(what, "cannot be empty")
    bad = next((ch for ch in value if ch not in "\n\t" and printable(ch) != ch), None)
    if bad is not None:
        raise AuditError.at(
            what,
            f"holds a control character ({printable(bad)}); use letters, digits, spaces,"
            " punctuation and new lines",
        )
    if len(value) > limit:
        raise AuditError.at(what, f"is {len(value):,} characters long (at most {limit:,})")
    return value
