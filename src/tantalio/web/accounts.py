"""Web accounts and sessions, stored in the case (migration 0003_web).

Passwords are hashed with scrypt from the standard library; session cookies are random tokens
of which only a SHA-256 is stored, so a copy of the case store does not hand out live sessions.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tantalio.errors import UserError
from tantalio.store import CaseStore, utcnow

ROLES = ("admin", "analyst", "reviewer")
SESSION_HOURS = 12
MIN_PASSWORD = 8

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
    name = name.strip()
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise UserError("a user name is 1-64 characters without spaces")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password has at least {MIN_PASSWORD} characters")
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM users WHERE name=?", (name,)).fetchone():
            raise UserError(f"user {name!r} already exists")
        conn.execute("INSERT INTO users(name, role, password_hash, created_at) VALUES (?,?,?,?)",
                     (name, role, hash_password(password), utcnow()))
        store.audit("web.user_added", {"user": name, "role": role}, actor=actor)
    return WebUser(name, role)


def list_users(store: CaseStore) -> list[dict[str, object]]:
    rows = store.conn.execute("SELECT name, role, created_at, disabled FROM users ORDER BY name").fetchall()
    return [{"name": n, "role": r, "created_at": c, "disabled": bool(d)} for n, r, c, d in rows]


def authenticate(store: CaseStore, name: str, password: str) -> WebUser | None:
    row = store.conn.execute("SELECT role, password_hash, disabled FROM users WHERE name=?", (name,)).fetchone()
    if row is None:
        verify_password(password, _dummy_hash())
        return None
    role, stored, disabled = row
    if not verify_password(password, stored) or disabled:
        return None
    return WebUser(name, role)


def start_session(store: CaseStore, user: WebUser) -> tuple[str, WebSession]:
    """Create a session; returns the cookie value (only its hash is stored) and the session."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with store.transaction() as conn:
        conn.execute("DELETE FROM sessions WHERE expires_at < ?", (_iso(now),))
        conn.execute("INSERT INTO sessions(token_hash, user_name, csrf_token, created_at, expires_at) "
                     "VALUES (?,?,?,?,?)",
                     (_token_hash(token), user.name, csrf, _iso(now), _iso(now + timedelta(hours=SESSION_HOURS))))
    return token, WebSession(user, csrf, _token_hash(token))


def find_session(store: CaseStore, token: str) -> WebSession | None:
    row = store.conn.execute(
        "SELECT u.name, u.role, s.csrf_token, s.expires_at, u.disabled FROM sessions s "
        "JOIN users u ON u.name = s.user_name WHERE s.token_hash=?", (_token_hash(token),)
    ).fetchone()
    if row is None:
        return None
    name, role, csrf, expires_at, disabled = row
    if disabled or expires_at < _iso(datetime.now(UTC)):
        return None
    return WebSession(WebUser(name, role), csrf, _token_hash(token))


def end_session(store: CaseStore, session: WebSession) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM sessions WHERE token_hash=?", (session.token_hash,))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds").replace("+00:00", "Z")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
