"""Web accounts and sessions, stored in the case (migrations 0003_web and 0013).

Passwords are hashed with scrypt from the standard library and must pass the policy of
passwords.py; session cookies are random tokens of which only a SHA-256 is stored, so a copy of
the case store does not hand out live sessions. Sessions end after SESSION_HOURS, or earlier
when idle. Every change to an account is audited, and an account able to view media (created,
or given such a role) is flagged to every admin at their next login.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tantalio.errors import UserError
from tantalio.store import CaseStore, utcnow
from tantalio.store.sqlite import current_actor
from tantalio.web import throttle
from tantalio.web.passwords import check_password

ROLES = ("admin", "analyst", "reviewer")
SESSION_HOURS = 12
IDLE_MINUTES = 30.0

# scrypt cost: 2**14 with r=8 takes ~50 ms and 16 MiB, the interactive-login setting of RFC 7914.
_N, _R, _P = 2**14, 8, 1


@dataclass(frozen=True, slots=True)
class WebUser:
    name: str
    role: str

    @property
    def sees_media(self) -> bool:
        """Only reviewers look at media (blurred previews, reveal, categorise)."""
        return self.role == "reviewer"

    @property
    def manages_users(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True, slots=True)
class WebSession:
    user: WebUser
    csrf_token: str
    token_hash: str
    last_seen: str = ""
    must_change_password: bool = False


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                                p=int(p), dklen=len(expected), maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):  # a malformed stored hash never matches
        return False
    return hmac.compare_digest(actual, expected)


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when the user does not exist, so that timing does not reveal names."""
    return hash_password(secrets.token_hex(8))


def add_user(store: CaseStore, name: str, role: str, password: str, actor: str | None = None) -> WebUser:
    """Create an account (password policy checked); an account that can see media is flagged to admins."""
    name = name.strip()
    _check_role(role)
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise UserError("a user name is 1-64 characters without spaces")
    check_password(password, name)
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM users WHERE name=?", (name,)).fetchone():
            raise UserError(f"user {name!r} already exists")
        now = utcnow()
        conn.execute("INSERT INTO users(name, role, password_hash, created_at, password_changed_at) "
                     "VALUES (?,?,?,?,?)", (name, role, hash_password(password), now, now))
        store.audit("web.user_added", {"user": name, "role": role}, actor=actor)
        if WebUser(name, role).sees_media:
            _notify_admins(store, actor, name, f"account {name} was created with the {role} role, which can view media")
    return WebUser(name, role)


def list_users(store: CaseStore) -> list[dict[str, object]]:
    conn = store.conn
    now = datetime.now(UTC)
    locked = throttle.locked_accounts(conn, now)
    last = dict(conn.execute("SELECT actor, max(at) FROM audit_event WHERE action='web.login' GROUP BY actor"))
    rows = conn.execute("SELECT name, role, created_at, disabled, must_change_password FROM users ORDER BY name")
    return [{"name": n, "role": r, "created_at": c, "disabled": bool(d), "must_change_password": bool(m),
             "locked_until": locked.get(n.casefold()), "last_login": last.get(n)} for n, r, c, d, m in rows]


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")


def _existing(conn: sqlite3.Connection, name: str) -> tuple[str, bool]:
    row = conn.execute("SELECT role, disabled FROM users WHERE name=?", (name,)).fetchone()
    if row is None:
        raise UserError(f"no user {name!r}")
    return row[0], bool(row[1])


def _keep_an_admin(conn: sqlite3.Connection, name: str) -> None:
    """Refuse to leave the case without an enabled admin (the CLI can always add one back)."""
    others = conn.execute("SELECT count(*) FROM users WHERE role='admin' AND disabled=0 AND name<>?",
                          (name,)).fetchone()[0]
    if not others:
        raise UserError(f"{name} is the last enabled admin; make another admin first")


def set_disabled(store: CaseStore, name: str, disabled: bool, actor: str | None = None) -> None:
    """Disable (sessions end at once) or enable an account; enabling also lifts a login lockout."""
    with store.transaction() as conn:
        role, was = _existing(conn, name)
        if disabled and role == "admin" and not was:
            _keep_an_admin(conn, name)
        conn.execute("UPDATE users SET disabled=? WHERE name=?", (int(disabled), name))
        lifted = False
        if disabled:
            conn.execute("DELETE FROM sessions WHERE user_name=?", (name,))
        else:
            lifted = throttle.clear_account(conn, name)
        store.audit("web.user_disabled" if disabled else "web.user_enabled",
                    {"user": name, "was_disabled": was, **({"lockout_lifted": True} if lifted else {})}, actor=actor)


def set_role(store: CaseStore, name: str, role: str, actor: str | None = None) -> None:
    _check_role(role)
    with store.transaction() as conn:
        old, disabled = _existing(conn, name)
        if old == role:
            return
        if old == "admin" and not disabled:
            _keep_an_admin(conn, name)
        conn.execute("UPDATE users SET role=? WHERE name=?", (role, name))
        conn.execute("DELETE FROM sessions WHERE user_name=?", (name,))
        store.audit("web.user_role_changed", {"user": name, "from": old, "to": role}, actor=actor)
        if WebUser(name, role).sees_media and not WebUser(name, old).sees_media:
            _notify_admins(store, actor, name, f"account {name} was given the {role} role, which can view media")


def reset_password(store: CaseStore, name: str, password: str, actor: str | None = None,
                   must_change: bool = True) -> None:
    """Set a new password (policy checked); the user must choose their own at next login."""
    check_password(password, name)
    with store.transaction() as conn:
        _existing(conn, name)
        conn.execute("UPDATE users SET password_hash=?, must_change_password=?, password_changed_at=? WHERE name=?",
                     (hash_password(password), int(must_change), utcnow(), name))
        conn.execute("DELETE FROM sessions WHERE user_name=?", (name,))
        throttle.clear_account(conn, name)
        store.audit("web.password_reset", {"user": name, "must_change": must_change}, actor=actor)


def change_own_password(store: CaseStore, session: WebSession, old: str, new: str) -> None:
    """A user replacing their own password; other sessions of theirs end."""
    name = session.user.name
    row = store.conn.execute("SELECT password_hash FROM users WHERE name=?", (name,)).fetchone()
    if row is None or not verify_password(old, row[0]):
        raise UserError("the current password is wrong")
    if old == new:
        raise UserError("the new password must differ from the current one")
    check_password(new, name)
    with store.transaction() as conn:
        conn.execute("UPDATE users SET password_hash=?, must_change_password=0, password_changed_at=? WHERE name=?",
                     (hash_password(new), utcnow(), name))
        conn.execute("DELETE FROM sessions WHERE user_name=? AND token_hash<>?", (name, session.token_hash))
        store.audit("web.password_changed", {"user": name}, actor=name)


def _notify_admins(store: CaseStore, actor: str | None, subject: str, text: str) -> None:
    who = actor or current_actor()
    store.conn.execute("INSERT INTO admin_notice(at, actor, subject, text) VALUES (?,?,?,?)",
                       (utcnow(), who, subject, f"{text} (by {who})"))


def take_notices(store: CaseStore, admin: str) -> list[dict[str, str]]:
    """Notices this admin has not seen yet; marks them seen and audits that they were shown."""
    with store.transaction() as conn:
        rows = conn.execute(
            "SELECT id, at, actor, subject, text FROM admin_notice n WHERE NOT EXISTS (SELECT 1 FROM admin_notice_seen s "
            "WHERE s.notice_id=n.id AND s.admin=?) ORDER BY id", (admin,)).fetchall()
        if rows:
            now = utcnow()
            conn.executemany("INSERT INTO admin_notice_seen(notice_id, admin, seen_at) VALUES (?,?,?)",
                             [(r[0], admin, now) for r in rows])
            store.audit("web.admin_notified", {"admin": admin, "notices": [r[0] for r in rows]}, actor=admin)
    return [{"id": i, "at": at, "actor": a, "subject": s, "text": t} for i, at, a, s, t in rows]


def authenticate(store: CaseStore, name: str, password: str) -> WebUser | None:
    row = store.conn.execute("SELECT role, password_hash, disabled FROM users WHERE name=?", (name,)).fetchone()
    if row is None:
        verify_password(password, _dummy_hash())
        return None
    role, stored, disabled = row
    if not verify_password(password, stored) or disabled:
        return None
    return WebUser(name, role)


def must_change_password(store: CaseStore, name: str) -> bool:
    row = store.conn.execute("SELECT must_change_password FROM users WHERE name=?", (name,)).fetchone()
    return bool(row and row[0])


def start_session(store: CaseStore, user: WebUser, client: str | None = None,
                  idle_minutes: float = IDLE_MINUTES) -> tuple[str, WebSession]:
    """Create a session; returns the cookie value (only its hash is stored) and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with store.transaction() as conn:
        prune_sessions(conn, now, idle_minutes)
        conn.execute("INSERT INTO sessions(token_hash, user_name, csrf_token, created_at, expires_at, last_seen_at, "
                     "client) VALUES (?,?,?,?,?,?,?)",
                     (_token_hash(token), user.name, csrf, _iso(now), _iso(now + timedelta(hours=SESSION_HOURS)),
                      _iso(now), client))
    return token, WebSession(user, csrf, _token_hash(token), _iso(now))


def find_session(store: CaseStore, token: str, idle_minutes: float = IDLE_MINUTES) -> WebSession | None:
    """The live session of a cookie: not expired, not idle for longer than `idle_minutes`, user enabled."""
    row = store.conn.execute(
        "SELECT u.name, u.role, s.csrf_token, s.expires_at, u.disabled, s.last_seen_at, s.created_at, "
        "u.must_change_password FROM sessions s "
        "JOIN users u ON u.name = s.user_name WHERE s.token_hash=?", (_token_hash(token),)
    ).fetchone()
    if row is None:
        return None
    name, role, csrf, expires_at, disabled, last_seen, created, must_change = row
    now = datetime.now(UTC)
    if disabled or expires_at < _iso(now) or (last_seen or created) < _iso(now - timedelta(minutes=idle_minutes)):
        return None
    return WebSession(WebUser(name, role), csrf, _token_hash(token), last_seen or created, bool(must_change))


def touch_session(store: CaseStore, session: WebSession, every_s: float = 60.0) -> bool:
    """Move the idle clock on, at most once every `every_s` (a write per request would queue on the lock)."""
    now = datetime.now(UTC)
    if session.last_seen > _iso(now - timedelta(seconds=every_s)):
        return False
    with store.transaction() as conn:
        conn.execute("UPDATE sessions SET last_seen_at=? WHERE token_hash=?", (_iso(now), session.token_hash))
    return True


def prune_sessions(conn: sqlite3.Connection, now: datetime, idle_minutes: float = IDLE_MINUTES) -> int:
    """Delete expired and idle sessions (inside the caller's transaction)."""
    idle = _iso(now - timedelta(minutes=idle_minutes))
    return conn.execute("DELETE FROM sessions WHERE expires_at < ? OR coalesce(last_seen_at, created_at) < ?",
                        (_iso(now), idle)).rowcount


def end_session(store: CaseStore, session: WebSession) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM sessions WHERE token_hash=?", (session.token_hash,))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds").replace("+00:00", "Z")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
