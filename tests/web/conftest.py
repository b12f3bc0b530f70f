"""A live server on 127.0.0.1 (uvicorn in a thread) over the fixture case, and logged-in clients."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tantalio.web.app import create_app
from tests.web.casefixture import PASSWORD, FixtureCase, build_case

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@dataclass
class LiveServer:
    url: str
    case: FixtureCase


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def fixture_case(tmp_path_factory: pytest.TempPathFactory) -> FixtureCase:
    return build_case(tmp_path_factory.mktemp("webcase"))


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve `app` on a free loopback port in a thread; yields its base URL."""
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("web server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def server(fixture_case: FixtureCase) -> Iterator[LiveServer]:
    with serving(create_app(fixture_case.folder)) as url:
        yield LiveServer(url, fixture_case)


def login(client: httpx.Client, name: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token (from the page's meta tag)."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "login form has no CSRF token"
    r = client.post("/login", data={"username": name, "password": password, "csrf_token": token.group(1),
                                    "next": "/"})
    assert r.status_code == 303, r.text
    home = client.get("/")
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', home.text)
    assert csrf
    return csrf.group(1)


@pytest.fixture
def anon(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=20) as client:
        yield client


def _client(server: LiveServer, name: str) -> Iterator[tuple[httpx.Client, str]]:
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=20) as client:
        csrf = login(client, name)
        yield client, csrf


@pytest.fixture
def reviewer(server: LiveServer) -> Iterator[tuple[httpx.Client, str]]:
    yield from _client(server, "rev")


@pytest.fixture
def analyst(server: LiveServer) -> Iterator[tuple[httpx.Client, str]]:
    yield from _client(server, "ana")


@pytest.fixture
def admin(server: LiveServer) -> Iterator[tuple[httpx.Client, str]]:
    yield from _client(server, "ada")
