"""`report AUDIT --section moderation`: the moderation section alone, in any report format."""

from __future__ import annotations

import json

from audit_tui.domain.errors import AuditError
from audit_tui.domain.records import OpenAudit
from audit_tui.scoring.moderation import Moderation


def render_moderation(
    audit: OpenAudit, moderation: Moderation | None, fmt: str, include_notes: bool = False
) -> str | bytes:
    if moderation is None:
        raise AuditError.at(
            "moderation",
            f'audit "{audit.info.name}" has no moderation round yet'
            f" (audit-tui moderate {audit.info.name} --sample 10% --marker USER)",
        )
    if fmt == "json":
        from audit_tui.reporting.moderation_json import moderation_dict

        body = {
            "audit": audit.info.name,
            "moderation": moderation_dict(moderation, include_notes=include_notes),
        }
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    raise AuditError.at("moderation", f"the moderation section in {fmt} is not written yet")
