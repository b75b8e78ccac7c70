"""A queued write reports back as a typed message to the node that asked (`StoreLink.write`):
`Committed` or the asker's own message once on disk, `WriteFailed` otherwise. A dialog says a
failure beside its fields; anything nobody nearer says, the app says (the one error path), even
when the dialog that asked has closed before the write failed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from audit_tui.domain.errors import AuditError
from audit_tui.store.repository import Repository
from audit_tui.tui.app import AuditApp, build_app
from audit_tui.tui.screens.dashboard import DashboardScreen
from audit_tui.tui.screens.form import FieldError
from audit_tui.tui.screens.import_dialog import ImportCasesDialog
from audit_tui.tui.store_link import Committed, WriteFailed
from tests.tui.helpers import settle, until
from tests.tui.test_data_path import SIZE


def notices(app: AuditApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


def refused(_repo: Repository) -> str:
    raise AuditError.at("cases.csv", "line 3: no such attribute 'tier'")


async def _import_dialog(app: AuditApp, pilot: object) -> ImportCasesDialog:
    dashboard = app.screen
    assert isinstance(dashboard, DashboardScreen) and dashboard.audit is not None
    dialog = ImportCasesDialog(dashboard.audit)
    app.push_screen(dialog)
    return dialog


async def test_a_dialog_says_its_failed_write_beside_its_fields_and_stays_open(
    two_case_db: str, tmp_path: Path
) -> None:
    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        dialog = await _import_dialog(app, pilot)
        await settle(pilot, app)
        app.store.write(dialog, refused)
        app.store.wait_idle()
        await settle(pilot, app)
        assert app.screen is dialog  # still open, to choose again
        said = str(dialog.query_one("#error-form", FieldError).render())
        assert "Nothing was imported" in said and "no such attribute 'tier'" in said
        assert not [n for n in notices(app) if "tier" in n]  # said once, in the dialog


async def test_a_failed_write_whose_dialog_has_closed_is_said_by_the_app(
    two_case_db: str,
) -> None:
    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    release = threading.Event()

    def slow_then_refused(repo: Repository) -> str:
        release.wait(30)
        return refused(repo)

    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        dialog = await _import_dialog(app, pilot)
        await settle(pilot, app)
        app.store.write(dialog, slow_then_refused, title="Cases not imported")
        app.pop_screen()  # Esc while it is written
        await until(pilot, lambda: not dialog.is_attached)  # (not `settle`: it awaits writes)
        release.set()
        app.store.wait_idle()
        await until(pilot, lambda: any("tier" in n for n in notices(app)))
        assert [n for n in notices(app) if "tier" in n] == [
            "Cases not imported: cases.csv: line 3: no such attribute 'tier'"
        ]


async def test_outcomes_arrive_typed_and_in_the_order_the_writes_were_given(
    two_case_db: str,
) -> None:
    app = build_app(two_case_db, open_audit="spo-check", poll_seconds=0)
    got: list[object] = []
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
        screen = app.screen
        original = screen.post_message

        def caught(message: object) -> bool:
            if isinstance(message, Committed | WriteFailed):
                got.append(message)
            return original(message)  # type: ignore[arg-type]

        screen.post_message = caught  # type: ignore[method-assign]

        def numbered(n: int) -> Callable[[Repository], int]:
            return lambda _repo: n

        for n in range(20):
            app.store.write(screen, numbered(n))
            if n == 9:
                app.store.write(screen, refused)
        app.store.wait_idle()
        await settle(pilot, app)
        results = [m.result if isinstance(m, Committed) else "failed" for m in got]
        assert results == [*range(10), "failed", *range(10, 20)]
        # the dashboard says nothing of its own: the failure went on to the app, said once
        assert len([n for n in notices(app) if "tier" in n]) == 1
