"""Login throttling per account and per client address: a growing delay, then a lockout.

OWASP's authentication guidance: count failures per account *and* per source, slow guessing
down with a delay that grows with each failure, lock after a threshold for a fixed time, and
log it. An attempt that arrives inside its delay or lockout is refused without checking the
password (so it teaches the guesser nothing) and is audited. A successful login clears the
account's count; a client address's count ages out after the window. Several analysts on one
machine share the loopback address, so the address thresholds are higher than the account's.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True, slots=True)
class Threshold:
    free: int                # failures allowed before any delay
    lock_at: int             # failures that lock
    base_delay_s: float      # delay after the first failure past `free`; doubles after each
    max_delay_s: float
    lock_minutes: float
    window_minutes: float    # a count whose last failure is older than this starts again


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    account: Threshold = Threshold(free=3, lock_at=10, base_delay_s=1.0, max_delay_s=60.0, lock_minutes=15.0,
                                   window_minutes=60.0)
    address: Threshold = Threshold(free=10, lock_at=50, base_delay_s=1.0, max_delay_s=60.0, lock_minutes=15.0,
                                   window_minutes=15.0)


@dataclass(frozen=True, slots=True)
class Refusal:
    key: str                 # 'user:NAME' or 'addr:IP'
    until: datetime
    locked: bool

    def retry_after(self, now: datetime) -> int:
        return max(1, int((self.until - now).total_seconds() + 0.999))


def keys(user: str, client: str | None) -> dict[str, str]:
    out = {"account": f"user:{user.strip().casefold()}"}
    if client:
        out["address"] = f"addr:{client}"
    return out


def refusal(conn: sqlite3.Connection, user: str, client: str | None, now: datetime) -> Refusal | None:
    """Whether an attempt now must be refused unchecked (the longest wait if several apply)."""
    worst: Refusal | None = None
    for key in keys(user, client).values():
        row = conn.execute("SELECT next_allowed, locked_until FROM login_throttle WHERE key=?", (key,)).fetchone()
        if row is None:
            continue
        for value, locked in ((row[1], True), (row[0], False)):
            if value and _parse(value) > now and (worst is None or _parse(value) > worst.until):
                worst = Refusal(key, _parse(value), locked)
    return worst


def record_failure(conn: sqlite3.Connection, policy: ThrottlePolicy, user: str, client: str | None,
                   now: datetime) -> list[Refusal]:
    """Count a failed login (inside the caller's transaction); returns the locks it started."""
    started = []
    for which, key in keys(user, client).items():
        rule: Threshold = getattr(policy, which)
        row = conn.execute("SELECT failures, last_failure FROM login_throttle WHERE key=?", (key,)).fetchone()
        failures = 1
        if row is not None and now - _parse(row[1]) <= timedelta(minutes=rule.window_minutes):
            failures = int(row[0]) + 1
        next_allowed = locked_until = None
        if failures >= rule.lock_at:
            locked_until = now + timedelta(minutes=rule.lock_minutes)
            if failures == rule.lock_at:
                started.append(Refusal(key, locked_until, True))
        elif failures > rule.free:
            delay = min(rule.base_delay_s * 2 ** (failures - rule.free - 1), rule.max_delay_s)
            next_allowed = now + timedelta(seconds=delay)
        conn.execute(
            "INSERT INTO login_throttle(key, failures, last_failure, next_allowed, locked_until) VALUES (?,?,?,?,?) "
            "ON CONFLICT(key) DO UPDATE SET failures=excluded.failures, last_failure=excluded.last_failure, "
            "next_allowed=excluded.next_allowed, locked_until=excluded.locked_until",
            (key, failures, _iso(now), _iso(next_allowed), _iso(locked_until)))
    return started


def record_success(conn: sqlite3.Connection, user: str) -> None:
    conn.execute("DELETE FROM login_throttle WHERE key=?", (keys(user, None)["account"],))


def clear_account(conn: sqlite3.Connection, user: str) -> bool:
    """Lift an account's delay or lockout (an admin re-enabling it); True when there was one."""
    return conn.execute("DELETE FROM login_throttle WHERE key=?", (keys(user, None)["account"],)).rowcount > 0


def locked_accounts(conn: sqlite3.Connection, now: datetime) -> dict[str, str]:
    """Account key's user name -> locked until (ISO), for the admin page."""
    return {key.split(":", 1)[1]: until for key, until in conn.execute(
        "SELECT key, locked_until FROM login_throttle WHERE key LIKE 'user:%' AND locked_until > ?", (_iso(now),))}


def prune(conn: sqlite3.Connection, now: datetime, keep_hours: float = 24.0) -> int:
    cutoff = _iso(now - timedelta(hours=keep_hours))
    return conn.execute("DELETE FROM login_throttle WHERE last_failure < ? AND coalesce(locked_until, '') < ?",
                        (cutoff, _iso(now))).rowcount


def _iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
