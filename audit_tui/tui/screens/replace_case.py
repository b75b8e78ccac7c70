"""Replacing a drawn case that cannot be audited, with the reason kept in the audit's log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit_tui.domain.safe_text import one_line
from audit_tui.tui.screens.operations import ReasonDialog
from audit_tui.tui.workers import audit_app

if TYPE_CHECKING:
    from audit_tui.domain.records import OpenAudit
    from audit_tui.store.repository import Repository


class ReplaceCaseDialog(ReasonDialog):
    """Why a drawn case cannot be audited; the store brings in the next case of its stratum."""

    SUBMIT_LABEL = "Replace the case"
    LABEL = "Reason (e.g. 'transferred out before the audit period'; no names)"
    EMPTY = "Say why the case cannot be audited"

    def __init__(self, audit: OpenAudit, case_ref: str, stratum: str) -> None:
        super().__init__()
        self.audit, self.case_ref = audit, case_ref
        self.HEADLINE = (
            f"Case {one_line(case_ref)} leaves the sample (kept in the audit's log with your"
            f" reason). The next case of its stratum ({one_line(stratum)}) in the draw's recorded"
            " random order comes in,"
            " or none when the stratum has no case left."
        )

    def title_text(self) -> str:
        return f"Replace case {self.case_ref} in {self.audit.info.name}"

    def write(self, reason: str) -> None:
        audit, ref = self.audit, self.case_ref

        def run(repo: Repository) -> str:
            from audit_tui.store.sampling import replace_case

            done = replace_case(repo, audit, ref, reason)
            if done.replacement is None:
                return f"Case {ref} left the sample: its stratum has no case left to replace it"
            return f"Case {ref} replaced by {done.replacement}, the next of its stratum"

        self.say("Saving…")
        audit_app(self).store.write(self, run)
