"""Accounts over real HTTP: throttling and lockout, the Host allow-list, idle sessions, admin
operations (audited), the notice of media-capable accounts and forced password changes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from tantalio.store import CaseStore
from tantalio.web import accounts
from tantalio.web.throttle import ThrottlePolicy, record_failure, refusal
from tests.web.casefixture import PASSWORD
from tests.web.conftest import LiveServer, login


def _audit(server: LiveServer, action: str) -> list[dict[str, object]]:
    with CaseStore.open(server.case.folder, migrate=False) as store:
        return [json.loads(d) for (d,) in store.conn.execute(
            "SELECT details FROM audit_event WHERE action=? ORDER BY seq", (action,))]


def _post_login(client: httpx.Client, user: str, password: str) -> httpx.Response:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    return client.post("/login", data={"username": user, "password": password, "csrf_token": token.group(1)})


def test_thirty_wrong_passwords_then_the_right_one_does_not_log_in(server: LiveServer, anon: httpx.Client,
                                                                      admin: tuple[httpx.Client, str]) -> None:
    codes = [_post_login(anon, "ana", f"wrong-guess-{n:02d}").status_code for n in range(30)]
    assert codes[:3] == [401, 401, 401]            # the first failures are free
    assert 429 in codes                            # then the delay refuses attempts unchecked
    right = _post_login(anon, "ana", PASSWORD)
    assert right.status_code == 429 and int(right.headers["retry-after"]) >= 1
    assert "tantalio_session" not in anon.cookies
    assert any(d["user"] == "ana" for d in _audit(server, "web.login_throttled"))
    failed = [d for d in _audit(server, "web.login_failed") if d["user"] == "ana"]
    assert 4 <= len(failed) < 30                   # refused attempts were not even checked
    # An admin lifts it.
    client, csrf = admin
    assert client.post("/admin/users/ana", data={"action": "enable", "csrf_token": csrf}).status_code == 200
    assert _post_login(anon, "ana", PASSWORD).status_code == 303


def test_throttle_policy_grows_then_locks(tmp_path: Path) -> None:
    conn = CaseStore.create(tmp_path / "case").conn
    policy = ThrottlePolicy()
    now = datetime(2024, 1, 1, tzinfo=UTC)
    waits = []
    locks = []
    for _ in range(policy.account.lock_at):
        locks += record_failure(conn, policy, "mallory", "10.0.0.9", now)
        r = refusal(conn, "mallory", "10.0.0.9", now)
        waits.append(0 if r is None else r.retry_after(now))
    assert waits[:3] == [0, 0, 0] and waits[3:6] == [1, 2, 4]      # a delay that doubles
    assert locks and locks[0].locked and waits[-1] == 15 * 60       # then a 15-minute lockout
    later = now + timedelta(minutes=16)
    assert refusal(conn, "mallory", "10.0.0.9", later) is None


def test_host_header_must_be_allowed(server: LiveServer, anon: httpx.Client) -> None:
    assert anon.get("/login", headers={"Host": "evil.example"}).status_code == 400
    assert anon.get("/login", headers={"Host": "evil.example:8400"}).status_code == 400
    assert anon.get("/login", headers={"Host": "localhost:1234"}).status_code == 200
    assert anon.get("/login", headers={"Host": "[::1]:8400"}).status_code == 200


def test_login_keeps_the_query_of_the_page_asked_for(anon: httpx.Client) -> None:
    r = anon.get("/review?status=unknown")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/review%3Fstatus%3Dunknown"


def test_idle_session_expires(server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, follow_redirects=False) as client:
        login(client, "ana")
        assert client.get("/persons").status_code == 200
        with CaseStore.open(server.case.folder, migrate=False) as store, store.transaction() as conn:
            stale = (datetime.now(UTC) - timedelta(minutes=45)).isoformat(timespec="seconds").replace("+00:00", "Z")
            conn.execute("UPDATE sessions SET last_seen_at=? WHERE user_name='ana'", (stale,))
        r = client.get("/persons")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_admin_manages_accounts_and_every_change_is_audited(server: LiveServer, admin: tuple[httpx.Client, str],
                                                           anon: httpx.Client) -> None:
    client, csrf = admin
    assert client.post("/admin/users", data={"name": "temp", "role": "analyst", "password": "provisional-words-1",
                                             "csrf_token": csrf}).status_code == 303
    assert client.post("/admin/users/temp", data={"action": "disable", "csrf_token": csrf}).status_code == 200
    assert _post_login(anon, "temp", "provisional-words-1").status_code == 401
    assert client.post("/admin/users/temp", data={"action": "enable", "csrf_token": csrf}).status_code == 200
    assert client.post("/admin/users/temp", data={"action": "reset-password", "password": "short",
                                                  "csrf_token": csrf}).status_code == 422
    assert client.post("/admin/users/temp", data={"action": "reset-password", "password": "brand-new-secret-2",
                                                  "csrf_token": csrf}).status_code == 200
    # The user must choose their own password before anything else.
    r = _post_login(anon, "temp", "brand-new-secret-2")
    assert r.status_code == 303 and r.headers["location"].startswith("/account")
    assert anon.get("/persons").status_code == 303
    csrf_temp = re.search(r'name="csrf_token" value="([^"]+)"', anon.get("/account").text)
    assert csrf_temp
    done = anon.post("/account", data={"current": "brand-new-secret-2", "new": "my-own-choice-of-words",
                                       "again": "my-own-choice-of-words", "csrf_token": csrf_temp.group(1)})
    assert done.status_code == 303 and anon.get("/persons").status_code == 200
    r = client.patch("/api/users/temp", json={"role": "reviewer"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["role"] == "reviewer"
    assert client.patch("/api/users/nobody", json={"disabled": True}, headers={"X-CSRF-Token": csrf}).status_code == 404
    for action in ("web.user_added", "web.user_disabled", "web.user_enabled", "web.password_reset",
                   "web.password_changed", "web.user_role_changed"):
        assert any(d.get("user") == "temp" for d in _audit(server, action)), action
    # The last admin cannot be disabled.
    assert client.post("/admin/users/ada", data={"action": "disable", "csrf_token": csrf}).status_code == 422


def test_media_capable_account_is_flagged_to_every_admin(server: LiveServer, admin: tuple[httpx.Client, str]) -> None:
    client, csrf = admin
    with CaseStore.open(server.case.folder, migrate=False) as store:
        accounts.add_user(store, "ada2", "admin", "second-admin-password", actor="fixture")
    assert client.post("/admin/users", data={"name": "sneaky", "role": "reviewer", "password": "quiet-meadow-lantern",
                                             "csrf_token": csrf}).status_code == 303
    for name, password in (("ada", PASSWORD), ("ada2", "second-admin-password")):
        with httpx.Client(base_url=server.url, follow_redirects=False) as other:
            r = _post_login(other, name, password)
            assert r.status_code == 303 and r.headers["location"].startswith("/admin/notices"), name
            page = other.get(r.headers["location"])
            assert "sneaky" in page.text and "view media" in page.text
            again = _post_login(other, name, password)       # told once
            assert not again.headers["location"].startswith("/admin/notices")
    shown = _audit(server, "web.admin_notified")
    assert {d["admin"] for d in shown} >= {"ada", "ada2"}


def test_users_cli(server: LiveServer) -> None:
    from typer.testing import CliRunner

    from tantalio.cli import app

    runner = CliRunner()
    case = str(server.case.folder)
    r = runner.invoke(app, ["users", "add", case, "clirev", "--role", "analyst", "--password", "cli-analyst-pass"])
    assert r.exit_code == 0, r.output
    for args in (["disable", case, "clirev"], ["enable", case, "clirev"], ["set-role", case, "clirev", "reviewer"],
                 ["reset-password", case, "clirev", "--password", "cli-reset-password"]):
        r = runner.invoke(app, ["users", *args])
        assert r.exit_code == 0, (args, r.output)
    r = runner.invoke(app, ["users", "list", case])
    assert r.exit_code == 0 and "clirev" in r.output and "must change" in r.output
    r = runner.invoke(app, ["users", "set-role", case, "clirev", "root"])
    assert r.exit_code != 0
    with CaseStore.open(server.case.folder, migrate=False) as store:
        rows = store.conn.execute("SELECT action FROM audit_event WHERE details LIKE '%clirev%'").fetchall()
        assert {a for (a,) in rows} >= {"web.user_added", "web.user_disabled", "web.user_enabled",
                                        "web.user_role_changed", "web.password_reset"}
        assert store.conn.execute("SELECT count(*) FROM admin_notice WHERE subject='clirev'").fetchone()[0] == 1


def test_expired_and_idle_sessions_are_pruned(tmp_path: Path) -> None:
    store = CaseStore.create(tmp_path / "case")
    user = accounts.add_user(store, "pruned", "analyst", "pruning-shears-words")
    fresh, _ = accounts.start_session(store, user)
    idle, _ = accounts.start_session(store, user)
    old = (datetime.now(UTC) - timedelta(hours=2)).isoformat(timespec="seconds").replace("+00:00", "Z")
    with store.transaction() as conn:
        conn.execute("UPDATE sessions SET last_seen_at=? WHERE token_hash=?", (old, accounts._token_hash(idle)))
        assert accounts.prune_sessions(conn, datetime.now(UTC)) == 1
    assert accounts.find_session(store, fresh) is not None and accounts.find_session(store, idle) is None


def test_admins_see_each_reviewers_exposure(server: LiveServer, admin: tuple[httpx.Client, str]) -> None:
    with CaseStore.open(server.case.folder, migrate=False) as store:
        from tantalio.web.data.review import record_exposure

        record_exposure(store, "rev", server.case.media["a"], "web.media_revealed", 10.0)
    client, _ = admin
    table = client.get("/admin/users").text.split('id="exposure-table"', 1)[1]
    assert "<td>rev</td>" in table
