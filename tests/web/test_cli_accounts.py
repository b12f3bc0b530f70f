"""`tantalio users add`, `tantalio serve` (without serving) and the account store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tantalio.cli import app
from tantalio.errors import UserError
from tantalio.store import CaseStore
from tantalio.web.accounts import (
    add_user,
    authenticate,
    find_session,
    hash_password,
    start_session,
    verify_password,
)


@pytest.fixture
def case(tmp_path: Path) -> Path:
    CaseStore.create(tmp_path / "case").close()
    return tmp_path / "case"


def test_users_add_with_password_and_prompt(case: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(app, ["users", "add", str(case), "ana", "--role", "analyst", "--password", "long-enough-1"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["users", "add", str(case), "rev", "--role", "reviewer"],
                      input="long-enough-2\nlong-enough-2\n")
    assert r.exit_code == 0, r.output
    assert "long-enough-2" not in r.output
    with CaseStore.open(case) as store:
        assert authenticate(store, "ana", "long-enough-1") is not None
        assert authenticate(store, "rev", "long-enough-2") is not None
        assert authenticate(store, "rev", "long-enough-1") is None
        stored = store.conn.execute("SELECT password_hash FROM users WHERE name='ana'").fetchone()[0]
        assert stored.startswith("scrypt$") and "long-enough-1" not in stored
        assert store.conn.execute("SELECT count(*) FROM audit_event WHERE action='web.user_added'").fetchone()[0] == 2


def test_bad_accounts_refused(case: Path) -> None:
    with CaseStore.open(case) as store:
        with pytest.raises(UserError):
            add_user(store, "x", "root", "long-enough-1")
        with pytest.raises(UserError):
            add_user(store, "x", "analyst", "short")
        add_user(store, "x", "analyst", "long-enough-1")
        with pytest.raises(UserError):
            add_user(store, "x", "reviewer", "long-enough-1")


def test_password_hash_and_sessions(case: Path) -> None:
    h = hash_password("pässwörd-long")
    assert verify_password("pässwörd-long", h) and not verify_password("password-long", h)
    assert not verify_password("x", "garbage")
    with CaseStore.open(case) as store:
        user = add_user(store, "ana", "analyst", "long-enough-1")
        token, session = start_session(store, user)
        found = find_session(store, token)
        assert found is not None and found.user == user and found.csrf_token == session.csrf_token
        assert find_session(store, token + "x") is None
        stored = store.conn.execute("SELECT token_hash FROM sessions").fetchone()[0]
        assert stored != token  # only a hash of the cookie is kept


def test_serve_binds_to_loopback_by_default(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(kw))
    r = CliRunner().invoke(app, ["serve", str(case)])
    assert r.exit_code == 0, r.output
    assert calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8400
