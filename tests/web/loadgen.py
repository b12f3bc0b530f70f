"""A bounded loopback load test of the web UI: concurrent analyst and reviewer sessions while
another process writes to the case, as `analyze` or `ingest` do.

Used by tests/web/test_load.py (small) and bench/bench_web_load.py (long, with memory over
time). The server runs in its own process (`tantalio serve`) so its memory is its own; the
writer is a separate process holding SQLite's write lock in bursts.

Each session logs in and then loops over what analysts and reviewers do: pages, API reads, a
search, blurred previews, reveal grants and reveals, categorisations. Every answer is checked:
a 5xx other than 503, a 503 without Retry-After or a dropped connection is an error; successful
writes are counted so the case can be checked afterwards for lost writes and an intact audit chain.
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PASSWORD = "load-test-password-words"


@dataclass
class Totals:
    lock: threading.Lock = field(default_factory=threading.Lock)
    status: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    reveals: int = 0
    categorised: int = 0
    logins_failed: int = 0

    def add(self, status: int, seconds: float) -> None:
        with self.lock:
            self.status[status] += 1
            self.latencies.append(seconds)

    def error(self, text: str) -> None:
        with self.lock:
            if len(self.errors) < 50:
                self.errors.append(text)

    def summary(self, elapsed: float) -> dict[str, object]:
        lat = sorted(self.latencies)

        def pct(p: float) -> float:
            return round(1000 * lat[min(len(lat) - 1, int(p * len(lat)))], 1) if lat else 0.0

        return {"requests": len(lat), "seconds": round(elapsed, 1), "requests_per_s": round(len(lat) / elapsed, 1),
                "p50_ms": pct(0.5), "p95_ms": pct(0.95), "p99_ms": pct(0.99), "max_ms": pct(1.0),
                "status": dict(sorted(self.status.items())), "errors": len(self.errors), "reveals": self.reveals,
                "categorised": self.categorised, "failed_logins": self.logins_failed}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_users(case: Path, sessions: int) -> list[tuple[str, str]]:
    """Analysts and reviewers for the sessions (half each), created once."""
    from tantalio.store import CaseStore
    from tantalio.web.accounts import add_user

    users = [(f"load{n:02d}", "reviewer" if n % 2 else "analyst") for n in range(sessions)]
    with CaseStore.open(case) as store:
        existing = {r[0] for r in store.conn.execute("SELECT name FROM users")}
        for name, role in users:
            if name not in existing:
                add_user(store, name, role, PASSWORD, actor="load-test")
    return users


def start_server(case: Path, port: int, busy_timeout_s: float) -> subprocess.Popen[bytes]:
    code = ("import sys, uvicorn; from tantalio.web.app import create_app; "
            f"app = create_app(sys.argv[1], busy_timeout_s={busy_timeout_s}); "
            f"uvicorn.run(app, host='127.0.0.1', port={port}, log_level='error')")
    proc = subprocess.Popen([sys.executable, "-c", code, str(case)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def start_writer(case: Path, hold_s: float, pause_s: float) -> subprocess.Popen[bytes]:
    """Another process that holds the write lock `hold_s` at a time (like analyze/ingest transactions)."""
    code = ("import sqlite3, sys, time\n"  # noqa: S608 - a script, not SQL
            "conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)\n"
            "n = 0\n"
            "while True:\n"
            "    conn.execute('BEGIN IMMEDIATE')\n"
            "    conn.execute(\"INSERT OR IGNORE INTO meta(key, value) VALUES ('load_writer', '0')\")\n"
            "    conn.execute(\"UPDATE meta SET value=? WHERE key='load_writer'\", (str(n),))\n"
            f"    time.sleep({hold_s})\n"
            "    conn.execute('COMMIT')\n"
            "    n += 1\n"
            f"    time.sleep({pause_s})\n")
    return subprocess.Popen([sys.executable, "-c", code, str(case / "case.sqlite")])


def start_analyze_loop(case: Path) -> subprocess.Popen[bytes]:
    """The real competing writer: `tantalio analyze` over and over on the same case."""
    code = ("import subprocess, sys\n"
            "while True:\n"
            "    subprocess.run([sys.executable, '-c', 'from tantalio.cli import main; main()', 'analyze', sys.argv[1]], "
            "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n")
    return subprocess.Popen([sys.executable, "-c", code, str(case)], start_new_session=True)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Session:
    def __init__(self, url: str, user: str, role: str, totals: Totals, seed: int) -> None:
        self.client = httpx.Client(base_url=url, follow_redirects=False, timeout=60)
        self.user, self.role, self.totals = user, role, totals
        self.rng = random.Random(seed)
        self.csrf = ""
        self.media: list[str] = []
        self.families: list[str] = []
        self.groups: list[str] = []
        self.persons: list[str] = []

    def call(self, method: str, path: str, **kw: object) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            r = self.client.request(method, path, **kw)  # type: ignore[arg-type]
        except httpx.HTTPError as e:
            self.totals.error(f"{method} {path}: {type(e).__name__} {e}")
            return None
        self.totals.add(r.status_code, time.perf_counter() - started)
        if r.status_code >= 500 and not (r.status_code == 503 and r.headers.get("retry-after")):
            self.totals.error(f"{method} {path}: {r.status_code} {r.text[:200]}")
        return r

    def login(self) -> bool:
        for _ in range(20):
            page = self.call("GET", "/login")
            if page is None or page.status_code != 200:
                time.sleep(0.5)
                continue
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            r = self.call("POST", "/login", data={"username": self.user, "password": PASSWORD,
                                                  "csrf_token": token.group(1) if token else ""})
            if r is not None and r.status_code == 303:
                home = self.call("GET", "/")
                found = re.search(r'<meta name="csrf-token" content="([^"]+)"', home.text if home else "")
                self.csrf = found.group(1) if found else ""
                return True
            time.sleep(float(r.headers.get("retry-after", "1")) if r is not None else 1.0)
        return False

    def discover(self) -> None:
        persons = self.call("GET", "/api/persons")
        self.persons = [p["id"] for p in persons.json()][:50] if persons is not None and persons.status_code == 200 else []
        groups = self.call("GET", "/api/groups")
        self.groups = [g["id"] for g in groups.json()] if groups is not None and groups.status_code == 200 else []
        if self.role == "reviewer":
            fams = self.call("GET", "/api/families", params={"limit": 100})
            if fams is not None and fams.status_code == 200:
                cards = fams.json()["cards"]
                self.families = [c["family"] for c in cards]
                self.media = [c["sha256"] for c in cards if c["previewable"]]

    def step(self) -> None:
        rng = self.rng
        choice = rng.random()
        if choice < 0.15:
            self.call("GET", rng.choice(["/", "/persons", "/groups", "/media", "/warnings", "/timeline"]))
        elif choice < 0.30 and self.groups:
            self.call("GET", f"/groups/{rng.choice(self.groups)}")
        elif choice < 0.40 and self.persons:
            self.call("GET", f"/persons/{rng.choice(self.persons)}")
        elif choice < 0.50:
            self.call("GET", "/api/search", params={"q": rng.choice(["hola", "buenas noches", "IMG", "photo", "7700"])})
        elif choice < 0.55:
            self.call("GET", "/api/graph")
        elif self.role == "reviewer" and self.media and choice < 0.75:
            self.call("GET", f"/media/{rng.choice(self.media)}/preview")
        elif self.role == "reviewer" and self.media and choice < 0.90:
            sha = rng.choice(self.media)
            grant = self.call("POST", "/api/reveals", json={"sha256": sha, "confirm_over_limit": True},
                              headers={"X-CSRF-Token": self.csrf})
            if grant is not None and grant.status_code == 200:
                shown = self.call("GET", grant.json()["url"])
                if shown is not None and shown.status_code == 200:
                    with self.totals.lock:
                        self.totals.reveals += 1
        elif self.role == "reviewer" and self.families:
            r = self.call("POST", f"/api/families/{rng.choice(self.families)}/categorisation", json={"category": "0"},
                          headers={"X-CSRF-Token": self.csrf})
            if r is not None and r.status_code == 200:
                with self.totals.lock:
                    self.totals.categorised += len(r.json()["categorised"])
        else:
            self.call("GET", "/api/dashboard")

    def close(self) -> None:
        self.client.close()


def run(case: Path, sessions: int = 16, seconds: float = 30.0, busy_timeout_s: float = 10.0,
        writer: tuple[float, float] | None = (2.0, 1.0), max_requests: int | None = None,
        failed_logins: int = 5, on_sample: object = None, analyze: bool = False) -> dict[str, object]:
    """Run the load; returns figures. `writer` is (hold, pause) seconds of the competing writer;
    `analyze` runs `tantalio analyze` in a loop instead."""
    from tantalio.store import CaseStore

    users = prepare_users(case, sessions)
    with CaseStore.open(case) as store:
        cat_before = store.conn.execute("SELECT count(*) FROM categorisation").fetchone()[0]
        reveal_before = store.conn.execute(
            "SELECT count(*) FROM audit_event WHERE action='web.media_revealed'").fetchone()[0]
        failed_before = store.conn.execute(
            "SELECT count(*) FROM audit_event WHERE action='web.login_failed'").fetchone()[0]
        analyses_before = store.conn.execute(
            "SELECT count(*) FROM audit_event WHERE action='analyze.network'").fetchone()[0]
    port = free_port()
    server = start_server(case, port, busy_timeout_s)
    url = f"http://127.0.0.1:{port}"
    totals = Totals()
    memory: list[tuple[float, float, int]] = [(0.0, rss_mib(server.pid), 0)]
    writer_proc = start_analyze_loop(case) if analyze else (start_writer(case, *writer) if writer else None)
    stop = threading.Event()
    started = time.monotonic()

    def worker(n: int) -> None:
        name, role = users[n]
        session = Session(url, name, role, totals, seed=n)
        try:
            if not session.login():
                totals.error(f"{name} could not log in")
                return
            session.discover()
            while not stop.is_set():
                session.step()
                if max_requests is not None and len(totals.latencies) >= max_requests:
                    stop.set()
        finally:
            session.close()

    def bad_logins() -> None:
        # Failed logins while the writer holds the lock must still be audited.
        for n in range(failed_logins):
            s = Session(url, f"load{n % sessions:02d}", "analyst", totals, seed=1000 + n)
            page = s.call("GET", "/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text if page else "")
            r = s.call("POST", "/login", data={"username": s.user, "password": "not-the-password-at-all",
                                               "csrf_token": token.group(1) if token else ""})
            if r is not None and r.status_code in (401, 429):
                with totals.lock:
                    totals.logins_failed += 1
            s.close()
            time.sleep(seconds / (failed_logins + 1))

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(sessions)]
    threads.append(threading.Thread(target=bad_logins, daemon=True))
    for t in threads:
        t.start()
    try:
        while time.monotonic() - started < seconds and not stop.is_set():
            time.sleep(1.0)
            sample = (round(time.monotonic() - started, 1), round(rss_mib(server.pid), 1), len(totals.latencies))
            memory.append(sample)
            if callable(on_sample):
                on_sample(sample)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
        elapsed = time.monotonic() - started
        if writer_proc is not None:
            if analyze:
                os.killpg(writer_proc.pid, signal.SIGTERM)   # the loop and the analyze it runs
            else:
                writer_proc.send_signal(signal.SIGTERM)
            writer_proc.wait(timeout=30)
        time.sleep(min(25.0, busy_timeout_s + 3))   # the housekeeper writes what had to wait
        memory.append((round(time.monotonic() - started, 1), round(rss_mib(server.pid), 1), len(totals.latencies)))
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    with CaseStore.open(case, migrate=False) as store:
        cat_after = store.conn.execute("SELECT count(*) FROM categorisation").fetchone()[0]
        reveal_after = store.conn.execute(
            "SELECT count(*) FROM audit_event WHERE action='web.media_revealed'").fetchone()[0]
        failed_after = store.conn.execute(
            "SELECT count(*) FROM audit_event WHERE action='web.login_failed'").fetchone()[0]
        chain = store.verify_audit()
        analyses = store.conn.execute(
            "SELECT count(*) FROM audit_event WHERE action='analyze.network'").fetchone()[0] - analyses_before
    result = totals.summary(elapsed)
    result.update({
        "sessions": sessions, "writer": "tantalio analyze (loop)" if analyze else (
            f"lock held {writer[0]} s every {writer[0] + writer[1]} s" if writer else "none"),
        "busy_timeout_s": busy_timeout_s, "analyses_completed": analyses,
        "lost_categorisations": totals.categorised - (cat_after - cat_before),
        "unaudited_reveals": totals.reveals - (reveal_after - reveal_before),
        "unaudited_failed_logins": totals.logins_failed - (failed_after - failed_before),
        "audit_chain_intact": chain is None, "memory_mib": memory, "error_samples": totals.errors[:10],
        "pid": os.getpid(),
    })
    return result
