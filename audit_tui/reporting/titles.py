"""A report's title in words: whose audit (its PDU) and which months, never the audit's id,
shared by the full report and the sections printed alone."""

from __future__ import annotations

from audit_tui.domain.records import AuditInfo


def report_title(info: AuditInfo, when: str, part: str = "") -> str:
    """`Tameside PDU: case audit, January to March 2024`, or with `part` ("moderation")
    `Tameside PDU: moderation of the case audit, ...`: the PDU and months, not the audit's id."""
    what = "management oversight" if info.oversight else "case audit"
    what = f"{part} of the {what}" if part else what
    return f"{info.pdu or info.name}: {what}" + (f", {when}" if when else "")
