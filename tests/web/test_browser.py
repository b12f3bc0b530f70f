"""The UI in headless Chromium (Debian's /usr/bin/chromium driven by Playwright; skipped without it)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tantalio.store import CaseStore
from tests.web.casefixture import PASSWORD
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page_for(browser: Any, server: LiveServer) -> Iterator[Any]:
    contexts = []
    problems: list[str] = []

    def open_as(user: str | None) -> Any:
        context = browser.new_context(base_url=server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.problems = problems
        if user is not None:
            page.goto("/login")
            page.fill("#username", user)
            page.fill("#password", PASSWORD)
            page.click("#login-button")
            page.wait_for_url(f"{server.url}/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def _audit(server: LiveServer, action: str) -> list[tuple[str, dict[str, Any]]]:
    with CaseStore.open(server.case.folder, migrate=False) as store:
        rows = store.conn.execute("SELECT actor, details FROM audit_event WHERE action=? ORDER BY seq", (action,))
        return [(a, json.loads(d)) for a, d in rows.fetchall()]


def test_login_and_dashboard(page_for: Any) -> None:
    page = page_for(None)
    page.goto("/groups")
    assert "/login" in page.url
    page.fill("#username", "ana")
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url("**/groups")
    page.goto("/")
    assert page.locator("#synthetic-banner").inner_text().startswith("SYNTHETIC DEMO DATA")
    assert page.locator("svg#timeline rect").count() > 0
    assert page.problems == []


def test_network_explorer_renders_and_filters(page_for: Any, server: LiveServer) -> None:
    page = page_for("ana")
    page.goto("/network")
    page.wait_for_function("() => window.cy && typeof window.cy.nodes === 'function' && window.cy.nodes().length > 0")
    assert page.evaluate("cy.nodes().length") == 6
    assert page.evaluate("cy.edges().length") >= 5
    page.select_option("#filter-country", "US")
    shown = page.evaluate("cy.nodes('[kind = \"person\"]').filter(n => !n.hasClass('hidden')).map(n => n.data('label'))")
    assert sorted(shown) == ["P-003", "P-004"]
    page.select_option("#filter-country", "")
    page.select_option("#filter-role", "producer")
    shown = page.evaluate("cy.nodes('[kind = \"person\"]').filter(n => !n.hasClass('hidden')).map(n => n.data('label'))")
    assert shown == ["P-001"]
    page.evaluate("setTimeout(() => cy.getElementById('p1').emit('tap'), 0)")
    page.wait_for_url("**/persons/P-001")
    assert "Person P-001" in page.locator("h1").inner_text()
    assert page.problems == [], page.problems  # includes Content-Security-Policy violations


def test_review_reveal_is_audited_and_keys_categorise(page_for: Any, server: LiveServer) -> None:
    page = page_for("rev")
    page.goto("/review?status=unknown")
    cards = page.locator("figure.card")
    assert cards.count() == 3
    first = cards.nth(0)
    sha = first.get_attribute("data-sha256")
    assert sha is not None
    img = first.locator("img.thumb")
    assert "/preview" in (img.get_attribute("src") or "")
    before = len(_audit(server, "web.media_revealed"))
    with page.expect_response(lambda r: r.url.endswith(f"/media/{sha}/reveal")) as revealed:
        img.click()
    assert revealed.value.status == 200
    assert len(_audit(server, "web.media_revealed")) == before + 1
    assert ("rev", {"sha256": sha}) in _audit(server, "web.media_revealed")
    page.wait_for_function("() => document.getElementById('exposure-count').textContent !== '0'")
    # Revealing the next one hides the first again (one at a time).
    second = cards.nth(1).locator("img.thumb")
    with page.expect_response(lambda r: "/reveal" in r.url):
        second.click()
    assert "/preview" in (img.get_attribute("src") or "")
    # Keyboard: select the first card and press 1.
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowLeft")
    with page.expect_response(lambda r: r.url.endswith("/categorisation")) as saved:
        page.keyboard.press("1")
    assert saved.value.status == 200
    with CaseStore.open(server.case.folder, migrate=False) as store:
        row = store.conn.execute("SELECT category, user FROM categorisation WHERE sha256=? ORDER BY id DESC LIMIT 1",
                                 (sha,)).fetchone()
    assert tuple(row) == ("1", "rev")
    assert page.problems == [], page.problems


def test_browser_post_without_csrf_token_is_rejected(page_for: Any, server: LiveServer) -> None:
    page = page_for("rev")
    page.goto("/review")
    sha = server.case.media["d"]
    status = page.evaluate(
        """sha => fetch('/api/media/' + sha + '/categorisation', {method: 'POST',
               headers: {'Content-Type': 'application/json'}, body: JSON.stringify({category: '0'})}).then(r => r.status)""",
        sha)
    assert status == 403


def test_analyst_sees_no_media(page_for: Any, server: LiveServer) -> None:
    page = page_for("ana")
    page.goto("/groups/G-001")
    assert page.locator("img").count() == 0
    response = page.goto(f"/media/{server.case.media['a']}/reveal")
    assert response is not None and response.status == 403
