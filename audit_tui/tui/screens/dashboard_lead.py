"""The dashboard's keys for the audit's lead: allocate, sign off, lock and unlock, start a
moderation round, sample. Each is refused on screen, in words, before anything is asked when the
user may not do it (the store checks again when writing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit_tui.domain.words import plural
from audit_tui.tui.workers import audit_app

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.screen import Screen

    from audit_tui.domain.access import Access
    from audit_tui.domain.records import CaseInfo, OpenAudit
    from audit_tui.store.repository import Repository

    _Screen = Screen[None]
else:
    _Screen = object


class LeadActions(_Screen):
    """Mixed into `DashboardScreen` (a plain class at run time, so Textual's CSS and bindings
    see the dashboard as before)."""

    audit_name: str
    audit: OpenAudit | None
    access: Access | None

    if TYPE_CHECKING:

        def current_case(self) -> CaseInfo | None: ...

    def _team_done(self, said: str) -> None:
        """A team operation committed (by a dialog): the app says so and counts again."""
        from audit_tui.tui.messages import AuditChanged

        self.app.post_message(AuditChanged(self.audit_name, said))

    def _team_write(self, run: Callable[[Repository], object], said: str) -> None:
        """A team operation; once committed the app says `said` and counts the audit again."""
        from audit_tui.tui.messages import AuditChanged

        app, name = audit_app(self), self.audit_name
        app.store.write(app, run, lambda _r: AuditChanged(name, said))

    def _refused(self, check: Callable[[], None]) -> bool:
        """Said on screen before asking anything, when the user may not do it (the store checks
        again when writing)."""
        from audit_tui.domain.errors import AuditError

        try:
            check()
        except AuditError as exc:
            self.notify(exc.problems[0].message, severity="warning", markup=False)
            return True
        return False

    def action_allocate_case(self) -> None:
        case, access = self.current_case(), self.access
        if self.audit is None or case is None or access is None:
            return
        if self._refused(lambda: access.lead("allocate")):
            return
        from audit_tui.tui.screens.team_dialogs import AllocateDialog

        def done(name: str | None) -> None:
            if name:
                self._team_done(f"Case {case.case_ref} allocated to {name}")

        self.app.push_screen(AllocateDialog(self.audit, case), callback=done)

    def action_sign_off(self) -> None:
        case, access, audit = self.current_case(), self.access, self.audit
        if audit is None or case is None or access is None:
            return
        if self._refused(lambda: access.lead("sign-off")):
            return
        if case.signed_off:
            self.notify(f"Case {case.case_ref} is signed off already", markup=False)
            return
        if not case.complete:
            left = case.applicable - case.answered
            self.notify(f"Case {case.case_ref} has {plural(left, 'item')} still to answer",
                        severity="warning", markup=False)  # fmt: skip
            return
        from audit_tui.store import team
        from audit_tui.tui.screens.confirm import ConfirmDialog

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._team_write(
                    lambda repo: team.sign_off(repo, audit, case.case_ref),
                    f"Case {case.case_ref} signed off",
                )

        self.app.push_screen(
            ConfirmDialog(f"Sign case {case.case_ref} off? Its answers become final.", "Sign off"),
            callback=confirmed,
        )

    def action_lock_audit(self) -> None:
        access, audit = self.access, self.audit
        if audit is None or access is None:
            return
        if self._refused(lambda: access.lead("lock", while_locked=True)):
            return
        from audit_tui.store import team

        if access.locked_at is not None:
            from audit_tui.tui.screens.team_dialogs import UnlockDialog

            def unlocked(reason: str | None) -> None:
                if reason:
                    self._team_done(f"{audit.info.name} unlocked")

            self.app.push_screen(UnlockDialog(audit), callback=unlocked)
            return
        from audit_tui.tui.screens.confirm import ConfirmDialog

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._team_write(
                    lambda repo: team.lock_audit(repo, audit), f"{audit.info.name} locked"
                )

        self.app.push_screen(
            ConfirmDialog(
                f"Lock {audit.info.name}? Nothing in it can change until it is unlocked.", "Lock"
            ),
            callback=confirmed,
        )

    def action_moderate(self) -> None:
        case, access, audit = self.current_case(), self.access, self.audit
        if audit is None or access is None:
            return
        if self._refused(lambda: access.lead("moderate")):
            return
        from audit_tui.tui.screens.moderation import ModerateDialog

        def started(said: str | None) -> None:
            if said:
                self._team_done(said)

        self.app.push_screen(ModerateDialog(audit, case), callback=started)

    def action_sample(self) -> None:
        access, audit = self.access, self.audit
        if audit is None or access is None:
            return
        if self._refused(lambda: access.lead("sample", while_locked=True)):
            return
        from audit_tui.tui.screens.sampling import SamplingScreen

        self.app.push_screen(SamplingScreen(audit))
