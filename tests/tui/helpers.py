"""Driving the app in tests: wait for workers and the write queue, never sleep."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot

from audit_tui.tui.app import AuditApp


async def settle(pilot: Pilot, app: AuditApp) -> None:
    """Let the store connect, workers finish and queued writes commit, then let the UI catch up."""
    for _ in range(50):
        await pilot.pause()
        await app.workers.wait_for_complete()
        if app.link is not None:
            await asyncio.to_thread(app.link.wait_idle)
        await pilot.pause()
        if (
            app.link is not None
            and not any(w.is_running for w in app.workers)
            and app.link.pending == 0
        ):
            return
    raise AssertionError("the app did not settle")
