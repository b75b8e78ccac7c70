"""Scopes through the command line and the app's own reads (the raw-SQL probes are in
test_pg_security): the database's owner makes a login a region lead or a PDU viewer; the login's
audit list then holds that region's or PDU's audits and no other; only the owner grants."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from audit_tui.store import audits
from audit_tui.store.database import open_repository
from audit_tui.store.listing import audit_summaries
from audit_tui.store.roles import grant
from tests.conftest import empty_pg
from tests.support.cli import run

pytestmark = pytest.mark.postgres


@pytest.fixture
def region_db(pg_server_url: str, rubric_text: str) -> Iterator[tuple[str, str]]:
    """(the owner's URL, a new login's URL): audits in two regions, the login in none."""
    role = f"reglead_{uuid.uuid4().hex[:6]}"
    admin = create_engine(
        make_url(pg_server_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    owner = open_repository(pg_server_url)
    for name, pdu, region in (("north-q1", "North Dale", "Demo North"),
                              ("north-q2", "Fellside", "Demo North"),
                              ("south-q1", "South Fen", "Demo South")):  # fmt: skip
        audits.create_audit(owner, name, rubric_text, pdu=pdu, region=region)
    grant(owner.engine, role)  # a login of the team's, in no audit yet
    owner.engine.dispose()
    login = make_url(pg_server_url).set(username=role, password=None)
    yield pg_server_url, login.render_as_string(hide_password=False)
    empty_pg(pg_server_url)
    with admin.connect() as conn:
        conn.execute(text("DELETE FROM audit_tui.scope_grant"))
        conn.execute(text(f'DROP OWNED BY "{role}"'))
        conn.execute(text(f'DROP ROLE "{role}"'))
    admin.dispose()


def _seen(url: str) -> list[str]:
    repo = open_repository(url)
    try:
        return [s.name for s in audit_summaries(repo)]
    finally:
        repo.engine.dispose()


def test_a_region_lead_reads_the_region_and_a_pdu_viewer_the_pdu(
    region_db: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    owner, login = region_db
    user = str(make_url(login).username)
    assert _seen(login) == []
    code, out, _ = run(capsys, "--db", owner, "scope", "grant", user, "--region", "Demo North")
    assert code == 0 and "every audit of region Demo North as region lead" in out
    assert _seen(login) == ["north-q1", "north-q2"]
    code, out, _ = run(capsys, "--db", login, "scope", "list")
    assert code == 0 and out.splitlines() == [f"{user}: region lead of Demo North (granted by"
                                              f" {make_url(owner).username})"]  # fmt: skip
    code, _, err = run(capsys, "--db", login, "scope", "grant", user, "--region", "Demo South")
    assert code == 1 and "only the database's owner grants and revokes scopes" in err
    assert run(capsys, "--db", owner, "scope", "revoke", user, "--region", "Demo North")[0] == 0
    assert run(capsys, "--db", owner, "scope", "grant", user, "--pdu", "South Fen")[0] == 0
    assert _seen(login) == ["south-q1"]
    code, _, err = run(capsys, "--db", owner, "scope", "revoke", user, "--region", "Demo North")
    assert code == 1 and "held no such scope" in err
    assert run(capsys, "--db", owner, "scope", "revoke", user, "--pdu", "South Fen")[0] == 0
    assert _seen(login) == []


def test_a_scope_needs_a_login_a_place_and_a_server(
    region_db: tuple[str, str], tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    owner, _ = region_db
    code, _, err = run(capsys, "--db", owner, "scope", "grant", "nobody_here", "--region", "X")
    assert code == 1 and "no login 'nobody_here'" in err
    code, _, err = run(capsys, "--db", owner, "scope", "grant", "x")
    assert code == 2 and "needs USER and --region REGION or --pdu PDU" in err
    code, _, err = run(capsys, "--db", owner, "scope", "grant", "x", "--region", "\x1b[31m")
    assert code == 1 and "control character" in err
    sqlite = str(tmp_path) + "/a.db"
    open_repository(sqlite).engine.dispose()
    code, _, err = run(capsys, "--db", sqlite, "scope", "grant", "x", "--region", "North")
    assert code == 2 and "scope grant is for PostgreSQL" in err
