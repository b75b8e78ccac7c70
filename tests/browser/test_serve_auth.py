"""Who may use `audit-tui serve`: the token (one person), the sign-in (a team on PostgreSQL), and
the Origin check, seen from outside as a browser, another site or another local user would.

The team test needs a server that really checks passwords: `scripts/pg-cluster.sh` makes
members of the group role `needs_password` give theirs over TCP (everyone else, the owner
included, is trusted); on a server that lets them in without one, it skips, saying so.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from audit_tui.cli import main
from audit_tui.domain.errors import UsageError
from audit_tui.store import answers as answer_ops
from audit_tui.store import audits, cases, team
from audit_tui.store.database import open_repository
from audit_tui.web import pipe
from tests.conftest import PG_URL_VAR
from tests.support.cli import run
from tests.support.serving import (
    CHROMIUM,
    PageScreen,
    Server,
    answer_until,
    process_text,
    serving,
    tab,
    wait_until,
)

pytestmark = pytest.mark.slow  # servers and Chromium

FOREIGN = "http://evil.example"


@pytest.fixture
def one_case(tmp_path: Path, rubric_text: str) -> str:
    """A SQLite database holding one audit of one case, led by `tester` (who serves it)."""
    db = str(tmp_path / "served.db")
    repo = open_repository(db, user="tester")
    audit = audits.create_audit(repo, "token-check", rubric_text)
    cases.add_cases(repo, audit, [("T-1", {"sentence_type": "community", "has_psr": "no"})])
    repo.engine.dispose()
    return db


@pytest.fixture
def server(one_case: str) -> Iterator[Server]:
    with serving(one_case) as served:
        yield served


def _token(server: Server) -> str:
    printed = urlsplit(server.printed)
    assert (printed.scheme, printed.hostname, printed.port, printed.path) == (
        "http",
        "127.0.0.1",
        server.port,
        "/",
    )
    [token] = parse_qs(printed.query)["token"]
    assert len(token) >= 40  # 32 random bytes
    return token


async def test_the_page_needs_the_token_then_a_cookie_keeps_it(server: Server) -> None:
    token = _token(server)
    cookie = f"audit-tui-token-{server.port}"
    async with aiohttp.ClientSession() as http:
        for query in ("", "?token=", f"?token={token[:-1]}x"):
            async with http.get(f"{server.base}/{query}", allow_redirects=False) as r:
                assert r.status == 403 and "printed" in await r.text()
        async with http.get(f"{server.base}/download/anything", allow_redirects=False) as r:
            assert r.status == 403
        async with http.get(server.printed + "&fontsize=14", allow_redirects=False) as r:
            # the token is swapped for a cookie, and leaves the address bar
            assert (r.status, r.headers["Location"]) == (303, "/?fontsize=14")
            set_cookie = r.headers["Set-Cookie"]
        assert set_cookie.startswith(f"{cookie}={token};")
        assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
        async with http.get(server.base + "/", headers={"Cookie": f"{cookie}={token}"}) as r:
            page = await r.text()
            assert r.status == 200 and r.headers["X-Frame-Options"] == "DENY"
        assert f'data-session-websocket-url="ws://127.0.0.1:{server.port}/ws"' in page
        assert "fonts.googleapis" not in page and token not in page
        wrong = f"{cookie}={token[:-1]}x"
        async with http.get(server.base + "/", headers={"Cookie": wrong}) as r:
            assert r.status == 403
        # a page under another name for this machine (DNS rebinding) is refused, token or not
        async with http.get(server.printed, headers={"Host": f"evil.example:{server.port}"}) as r:
            assert r.status == 403
        async with http.get(f"{server.base}/static/js/textual.js") as r:
            assert r.status == 200  # the page's script holds no data


async def test_a_websocket_needs_the_token_and_the_pages_own_origin(server: Server) -> None:
    token = _token(server)
    ws = f"{server.base}/ws?width=80&height=24"
    refused = {
        "foreign origin": {"url": f"{ws}&token={token}", "origin": FOREIGN},
        "a similar origin": {"url": f"{ws}&token={token}", "origin": "http://127.0.0.1"},
        "no origin": {"url": f"{ws}&token={token}"},
        "no token": {"url": ws, "origin": server.base},
        "a wrong token": {"url": f"{ws}&token={token[:-1]}x", "origin": server.base},
        "a token in a foreign page's cookie": {
            "url": ws,
            "origin": FOREIGN,
            "headers": {"Cookie": f"audit-tui-token-{server.port}={token}"},
        },
    }
    async with aiohttp.ClientSession() as http:
        for why, how in refused.items():
            with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
                await http.ws_connect(**how)  # type: ignore[arg-type]
            assert caught.value.status == 403, why
    assert server.apps() == []  # nothing was started for any of them
    async with tab(server.base, query=f"&token={token}") as (_, by_token):
        await by_token.drawn()
        assert len(server.apps()) == 1  # one tab, one app
    cookie = f"audit-tui-token-{server.port}={token}"
    async with tab(server.base, cookie=cookie) as (_, by_cookie):
        await by_cookie.drawn()
        for pid in server.apps():
            cmdline, env = process_text(pid)
            assert token not in cmdline and token not in str(env)
            assert "served.db" not in cmdline + str(env)  # the target went down the pipe
            assert env["AUDIT_TUI_SETTINGS_FD"].isdigit()
    cmdline, env = process_text(server.proc.pid)
    assert token not in cmdline and token not in str(env)
    wait_until(lambda: not server.apps(), 30, "every app ends with its tab")


async def test_the_printed_address_answers_an_item(server: Server, one_case: str) -> None:
    """The whole path a person takes, with the WebSocket standing in for the browser's script
    (test_serve.py does it in Chromium)."""
    token = _token(server)

    def answered() -> bool:
        repo = open_repository(one_case)
        case = cases.list_cases(repo, audits.open_audit(repo, "token-check"))[0]
        found = [
            (a.value, a.updated_by) for a in answer_ops.answers_for_case(repo, case.id).values()
        ]
        repo.engine.dispose()
        # the keys are sent again until one lands, so more than one item may be answered
        return ("yes", "tester") in found and {by for _, by in found} == {"tester"}

    async with tab(server.base, query=f"&token={token}") as (_, opened):
        await opened.drawn()
        await answer_until(opened, "y", answered)


def test_team_is_for_postgresql_with_no_password_in_db(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "none.db")
    code, out, err = run(capsys, "--db", db, "serve", "--team")
    assert (code, out) == (2, "") and len(err.splitlines()) == 1
    assert "serve --team is for PostgreSQL" in err
    assert not Path(db).exists()
    url = "postgresql://owner:s3cret-pw@127.0.0.1:1/audits"
    code, out, err = run(capsys, "--db", url, "serve", "--team")
    assert (code, out) == (2, "") and len(err.splitlines()) == 1
    assert "leave the password out of --db" in err and "s3cret-pw" not in err
    code, _, err = run(capsys, "--db", db, "serve", "--team", "--host", "0.0.0.0")
    assert code == 2 and "only the sign-in protects the page" in err and "in clear" in err


def test_public_warns_what_protects_the_page(one_case: str) -> None:
    with serving(one_case, "--host", "0.0.0.0", "--public") as server:
        wait_until(lambda: any("warning" in line for line in server.output), 10, "a warning")
        warning = next(line for line in server.output if "warning" in line)
        assert "only the token in the printed address protects the page" in warning
        assert "without TLS in front" in warning and "in clear" in warning
        assert "127.0.0.1" not in server.printed and "0.0.0.0" not in server.printed
        token = parse_qs(urlsplit(server.printed).query)["token"][0]
        asyncio.run(_statuses(server, token))


async def _statuses(server: Server, token: str) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(server.base + "/", allow_redirects=False) as r:
            assert r.status == 403
        async with http.get(f"{server.base}/?token={token}", allow_redirects=False) as r:
            assert r.status == 303


def test_the_settings_pipe_is_read_once_and_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    fd = pipe.send({"db": "t.db", "password": "pw-é-1"})
    monkeypatch.setenv(pipe.SETTINGS_FD, str(fd))
    given = pipe.receive()
    password = given.password
    assert (given.db, given.user) == ("t.db", None)
    assert password == "pw-é-1" and repr(password) == "'***'" and f"{password!r}" == "'***'"
    assert "pw-é-1" not in repr(given)
    assert pipe.SETTINGS_FD not in os.environ
    with pytest.raises(OSError):
        os.fstat(fd)  # closed
    assert pipe.receive() == pipe.Given()
    for bad in ("0", "1", "x", "99999"):
        monkeypatch.setenv(pipe.SETTINGS_FD, bad)
        with pytest.raises(UsageError):
            pipe.receive()


# ---- a team on PostgreSQL ------------------------------------------------------------------


@dataclass
class Login:
    name: str
    password: str


@dataclass
class Team:
    url: str
    """The team's database, as the owner (no password: the test server trusts the owner)."""
    ann: Login
    bob: Login


@pytest.fixture
def team_db(rubric_text: str) -> Iterator[Team]:
    """A database of its own with one audit of one case, led by two logins with passwords."""
    admin_url = os.environ.get(PG_URL_VAR)
    if not admin_url:
        pytest.skip(f"no PostgreSQL server: set {PG_URL_VAR} (make test starts one)")
    suffix = uuid.uuid4().hex[:8]
    name = f"audit_tui_serve_{suffix}"
    people = [Login(f"{who}_{suffix}", f"pw-{who}-{uuid.uuid4().hex}") for who in ("ann", "bob")]
    admin = create_engine(
        make_url(admin_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        conn.execute(
            text(
                "DO $$ BEGIN CREATE ROLE needs_password NOLOGIN;"  # cluster-wide, made once
                " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            )
        )
        for login in people:
            conn.execute(
                text(
                    f"CREATE ROLE \"{login.name}\" LOGIN PASSWORD '{login.password}'"
                    " IN ROLE needs_password"
                )
            )
    try:
        _skip_unless_passwords_are_checked(url, people[0].name)
        owner = open_repository(url)
        for login in people:
            assert main(["--db", url, "grant", login.name]) == 0
        audit = audits.create_audit(owner, "team-check", rubric_text)
        cases.add_cases(owner, audit, [("T-1", {"sentence_type": "community", "has_psr": "no"})])
        for login in people:
            team.set_member(owner, audit, login.name, "lead")
        owner.engine.dispose()
        yield Team(url, *people)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for login in people:
                conn.execute(text(f'DROP ROLE IF EXISTS "{login.name}"'))
        admin.dispose()


def _skip_unless_passwords_are_checked(url: str, login: str) -> None:
    import psycopg

    where = make_url(url)
    try:
        psycopg.connect(
            host=where.host,
            port=where.port,
            dbname=where.database,
            user=login,
            password="not-the-password",
        ).close()
    except psycopg.OperationalError:
        return
    pytest.skip(
        "the test PostgreSQL server lets logins in without their password, so no sign-in can be"
        " checked: scripts/pg-cluster.sh makes members of needs_password give one"
    )


def _stamps(url: str) -> tuple[set[tuple[str | None, str]], set[tuple[str | None, str]]]:
    """(value, updated_by) of every answer in the team's case, and (new value, changed_by) of
    every change to them."""
    repo = open_repository(url)
    case = cases.list_cases(repo, audits.open_audit(repo, "team-check"))[0]
    answers = answer_ops.answers_for_case(repo, case.id)
    now = {(a.value, a.updated_by) for a in answers.values()}
    changes = {
        (h["new_value"], h["changed_by"])
        for item in answers
        for h in answer_ops.answer_history(repo, case.id, item)
    }
    repo.engine.dispose()
    return now, changes


async def _sign_in(http: aiohttp.ClientSession, server: Server, login: str, password: str,
                   origin: str | None = None) -> aiohttp.ClientResponse:  # fmt: skip
    return await http.post(
        f"{server.base}/sign-in",
        data={"login": login, "password": password},
        headers={"Origin": origin or server.base},
        allow_redirects=False,
    )


@pytest.mark.postgres
async def test_a_team_signs_in_and_each_change_is_stamped_with_its_login(
    team_db: Team,
) -> None:
    ann, bob = team_db.ann, team_db.bob
    cookie = "audit-tui-session-{port}"

    with serving(team_db.url, "--team") as server:
        assert server.printed == f"{server.base}/" and "token" not in server.printed
        name = cookie.format(port=server.port)
        async with aiohttp.ClientSession() as http:
            async with http.get(server.base + "/") as r:
                assert r.status == 200 and 'action="/sign-in"' in await r.text()
            with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
                await http.ws_connect(f"{server.base}/ws", origin=server.base)
            assert caught.value.status == 403
            # a wrong password, an unknown login and a right one from another site: one answer
            for name_tried, password, origin in (
                (ann.name, bob.password, None),
                ("nobody_" + ann.name, ann.password, None),
                (ann.name, ann.password, FOREIGN),
            ):
                r = await _sign_in(http, server, name_tried, password, origin)
                assert "Set-Cookie" not in r.headers
                if origin is None:
                    assert r.status == 401 and "Sign-in failed." in await r.text()
                else:
                    assert r.status == 403
            sessions = {}
            for login in (ann, bob):
                r = await _sign_in(http, server, login.name, login.password)
                assert (r.status, r.headers["Location"]) == (303, "/")
                set_cookie = r.headers["Set-Cookie"]
                assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
                sessions[login.name] = set_cookie.split(";", 1)[0]
                assert sessions[login.name].startswith(f"{name}=")
            async with http.get(server.base + "/", headers={"Cookie": sessions[ann.name]}) as r:
                assert r.status == 200 and "data-session-websocket-url" in await r.text()

        for login, key, value in ((ann, "y", "yes"), (bob, "n", "no")):
            async with tab(server.base, cookie=sessions[login.name]) as (_, opened):
                await opened.drawn()
                for pid in server.apps():  # target and password went down the pipe, nowhere else
                    cmdline, env = process_text(pid)
                    assert login.password not in cmdline + str(env)
                    assert env["AUDIT_TUI_SETTINGS_FD"].isdigit()
                    assert "AUDIT_TUI_DB" not in cmdline + str(env)

                def stamped(v: str = value, n: str = login.name) -> bool:
                    return (v, n) in _stamps(team_db.url)[0]

                await answer_until(opened, key, stamped)
        cmdline, env = process_text(server.proc.pid)
        assert not any(p.password in cmdline + str(env) for p in (ann, bob))
        wait_until(lambda: not server.apps(), 30, "every app ends with its tab")
    now, changes = _stamps(
        team_db.url
    )  # each change stamped with the login that made it, none other
    assert changes == {("yes", ann.name), ("no", bob.name)}
    assert ("no", bob.name) in now and now <= changes
    assert not any(login.password in text for text in server.output for login in (ann, bob))


@pytest.mark.postgres
@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium binary on this machine")
def test_a_sign_in_in_chromium_opens_the_app_as_that_login(team_db: Team) -> None:
    from playwright.sync_api import sync_playwright

    ann = team_db.ann
    with serving(team_db.url, "--team") as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            screen = PageScreen(page)
            page.goto(server.printed)
            page.fill("#login", ann.name)
            page.fill("#password", team_db.bob.password)
            page.click("button[type=submit]")
            page.wait_for_selector("text=Sign-in failed.", timeout=30_000)
            page.fill("#login", ann.name)
            page.fill("#password", ann.password)
            page.click("button[type=submit]")
            page.wait_for_selector("canvas", timeout=30_000)
            screen.wait_for("team-check")  # the audit list
            page.locator("textarea").first.focus()  # the terminal's keyboard input
            screen.press("Enter", then="T-1")  # the audit's cases
            screen.press("Enter", then="Next blank")  # the case's items
            page.keyboard.press("y")
            deadline = time.monotonic() + 60
            while ("yes", ann.name) not in _stamps(team_db.url)[0]:
                assert time.monotonic() < deadline, "no answer reached the database"
                page.wait_for_timeout(50)
        finally:
            browser.close()
    assert _stamps(team_db.url)[1] == {("yes", ann.name)}


@pytest.mark.postgres
async def test_one_persons_password_in_db_reaches_the_app_by_the_pipe(team_db: Team) -> None:
    """`--db` with a password (the starter's choice, on their own command line): each tab's app
    gets the URL without it, and the password down the pipe."""
    ann = team_db.ann
    url = make_url(team_db.url).set(username=ann.name, password=ann.password)
    with serving(url.render_as_string(hide_password=False)) as server:
        token = _token(server)
        async with tab(server.base, query=f"&token={token}") as (_, opened):
            await opened.drawn()
            [app] = server.apps()
            cmdline, env = process_text(app)
            assert ann.password not in cmdline + str(env)
            assert "AUDIT_TUI_DB" not in env  # the target went down the pipe
            assert env["AUDIT_TUI_SETTINGS_FD"].isdigit()
            await answer_until(opened, "y", lambda: ("yes", ann.name) in _stamps(team_db.url)[0])
    assert not any(ann.password in line for line in server.output)
