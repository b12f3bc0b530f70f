"""The UI in headless Chromium (Debian's /usr/bin/chromium driven by Playwright; skipped without it)."""

from __future__ import annotations

import csv
import io
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
        context = browser.new_context(base_url=server.url, accept_downloads=True)
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
            page.wait_for_load_state()
            if "/admin/notices" in page.url:
                page.click("#continue")
            page.wait_for_url(f"{server.url}/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def _audit(server: LiveServer, action: str) -> list[tuple[str, dict[str, Any]]]:
    with CaseStore.open(server.case.folder, migrate=False) as store:
        rows = store.conn.execute("SELECT actor, details FROM audit_event WHERE action=? ORDER BY seq", (action,))
        return [(a, json.loads(d)) for a, d in rows.fetchall()]


def _visible_labels(page: Any) -> list[str]:
    return sorted(page.evaluate("cy.nodes().filter(n => !n.hasClass('hidden')).map(n => n.data('label'))"))


def _node_point(page: Any, node_id: str) -> tuple[float, float]:
    box = page.locator("#network-graph").bounding_box()
    pos = page.evaluate(f"cy.getElementById('{node_id}').renderedPosition()")
    return box["x"] + pos["x"], box["y"] + pos["y"]


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


def test_network_explorer(page_for: Any, server: LiveServer) -> None:
    page = page_for("ana")
    page.goto("/network")
    page.wait_for_function("() => window.graphReady === true")
    assert page.evaluate("cy.nodes().length") == 6
    kinds = page.evaluate("cy.edges().map(e => e.data('kind'))")
    assert {"member", "added_by", "reposted_from"} <= set(kinds)
    assert page.evaluate("cy.getElementById('p1').data('caption')") == "P-001 · Ada Example"   # names on labels
    positions = page.evaluate("cy.nodes().map(n => [n.id(), n.position()])")
    page.reload()
    page.wait_for_function("() => window.graphReady === true")
    assert page.evaluate("cy.nodes().map(n => [n.id(), n.position()])") == positions          # same layout
    # Hover shows the name.
    x, y = _node_point(page, "p3")
    page.mouse.move(x, y)
    page.wait_for_function("() => !document.getElementById('graph-tip').hidden")
    assert "Cleo Test" in page.locator("#graph-tip").inner_text()
    # Filtering re-fits the view on what is left.
    zoom_all = page.evaluate("[cy.zoom(), cy.pan()]")
    page.select_option("#filter-country", "US")
    assert _visible_labels(page) == ["G-001", "G-002", "P-003", "P-004"]
    inside = page.evaluate("""() => { const e = cy.extent();
        return cy.nodes().filter(n => !n.hasClass('hidden')).every(n => { const p = n.position();
          return p.x >= e.x1 && p.x <= e.x2 && p.y >= e.y1 && p.y <= e.y2; }); }""")
    assert inside and page.evaluate("[cy.zoom(), cy.pan()]") != zoom_all
    page.select_option("#filter-country", "")
    # Find a node by name, then its ego network of one hop.
    page.fill("#find", "bert")
    page.press("#find", "Enter")
    assert page.evaluate("cy.nodes(':selected').map(n => n.data('label'))") == ["P-002"]
    link = page.locator("#open-node")
    assert link.get_attribute("target") == "_blank" and link.get_attribute("href") == "/persons/P-002"
    page.click("#ego")
    assert _visible_labels(page) == ["G-001", "P-001", "P-002"]        # member of G-001, added by and re-posted from P-001
    page.select_option("#ego-hops", "2")
    assert _visible_labels(page) == ["G-001", "P-001", "P-002", "P-003"]
    page.click("#reset")
    # Edge kinds toggle.
    page.uncheck("input.edge-kind[value='member']")
    assert page.evaluate("cy.edges(\"[kind = 'member']\").every(e => e.hasClass('hidden'))")
    page.check("input.edge-kind[value='member']")
    # A click selects without leaving the page; a double-click opens the node in a new tab.
    x, y = _node_point(page, "p1")
    page.mouse.click(x, y)
    assert page.url.endswith("/network") and "P-001" in page.locator("#node-info").inner_text()
    with page.context.expect_page() as opened:
        page.mouse.dblclick(x, y)
    new = opened.value
    new.wait_for_load_state()
    assert new.url.endswith("/persons/P-001")
    assert page.problems == [], page.problems  # includes Content-Security-Policy violations


def test_search_hit_opens_the_message_in_its_conversation(page_for: Any, server: LiveServer) -> None:
    page = page_for("ana")
    page.fill("header input[name='q']", "buenas noches")
    page.press("header input[name='q']", "Enter")
    page.wait_for_url("**/search?q=*")
    assert page.locator("#hits-messages mark").count() == 2
    page.click("#hits-messages a.open-message")
    page.wait_for_url("**/groups/G-001?message=*")
    row = page.locator("tr.focus")
    assert row.count() == 1 and "José" in row.inner_text() and row.is_visible()
    # Filters narrow it; accents and case do not matter.
    page.goto("/search?q=JOSE&exhibit=EX-01")
    assert "Messages (0)" in page.locator("#hits-messages h2").inner_text()
    page.select_option("select[name='exhibit']", "EX-02")
    page.click("#search-form button[type='submit']")
    page.wait_for_url("**exhibit=EX-02**")
    assert "Messages (1)" in page.locator("#hits-messages h2").inner_text()
    # Both phones recorded "hello garden club": one hit, naming both exhibits.
    page.goto("/search?q=hello+garden")
    assert "Messages (1)" in page.locator("#hits-messages h2").inner_text()
    hits = page.locator("#hits-messages tr.hit")
    assert hits.count() == 1 and hits.locator(".copy").all_inner_texts() == ["EX-01", "EX-02"]
    assert page.problems == [], page.problems


def test_conversation_date_navigation_and_members(page_for: Any) -> None:
    page = page_for("ana")
    page.goto("/groups/G-001")
    rows = page.locator("table.messages tbody tr")
    assert rows.count() == 4
    copies = page.locator("table.messages tbody tr").nth(1).locator(".copy")
    assert copies.all_inner_texts() == ["EX-01", "EX-02"]
    page.fill("#date-nav input[name='date']", "2023-03-01")
    page.click("#date-nav button")
    page.wait_for_url("**date=2023-03-01**")
    page.goto("/groups/G-002?at=2023-04-01")
    assert "Members on 2023-04-01 (2)" in page.locator("#members h2").inner_text()


def test_tables_sort_filter_page_and_export(page_for: Any) -> None:
    page = page_for("ana")
    page.goto("/persons")
    page.click("#persons-table th a[data-sort='id']")
    page.wait_for_url("**sort=id**")
    first = page.locator("#persons-table tbody tr").first.locator("td").first.inner_text()
    assert first == "P-001"
    page.click("#persons-table th a[data-sort='id']")     # again: descending
    page.wait_for_url("**dir=desc**")
    assert page.locator("#persons-table tbody tr").first.locator("td").first.inner_text() == "P-004"
    page.fill("input[name='f_countries']", "us")
    page.press("input[name='f_countries']", "Enter")
    page.wait_for_url("**f_countries=us**")
    assert page.locator("#persons-table tbody tr").count() == 2
    with page.expect_download() as download:
        page.click("a.csv")
    text = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[2:]] == ["P-004", "P-003"] and rows[2][2].startswith("'+1")
    page.goto("/evidence?limit=25")
    assert page.locator("#evidence-table tbody tr").count() == 8
    page.goto("/warnings")
    assert "EX-01" in page.locator("#warning-summary").inner_text()
    assert page.problems == [], page.problems


def test_timeline_zooms(page_for: Any) -> None:
    page = page_for("ana")
    page.goto("/timeline")
    assert "per month" in page.locator("p.sub").inner_text()
    page.locator("a.zoom[data-key='2023-02'] rect.messages").click()
    page.wait_for_url("**from=2023-02-01**")
    assert "per day" in page.locator("p.sub").inner_text()
    page.click("#zoom-out")
    page.wait_for_load_state()
    assert "per day" in page.locator("p.sub").inner_text() or "per month" in page.locator("p.sub").inner_text()
    page.goto("/persons/P-004/timeline")
    assert "left" in page.locator("table.list").inner_text()


def test_review_by_family_with_the_keyboard(page_for: Any, server: LiveServer) -> None:
    page = page_for("rev")
    page.goto("/review?status=unknown")
    cards = page.locator("figure.card")
    assert cards.count() == 2                                    # F-1 (two items) and F-4
    family = cards.nth(0)
    assert family.get_attribute("data-family") == "F-1" and "×2" in family.inner_text()
    previews = len(_audit(server, "web.media_previewed"))
    assert previews >= 2                                         # the queue's previews were logged
    page.keyboard.press("Enter")
    page.wait_for_selector("#viewer:not([hidden])")
    context = page.locator("#viewer-context")
    context.locator("text=First sighting").wait_for()
    text = context.inner_text()
    assert "G-001" in text and "P-001" in text and "Fictocam" in text and "Posts (2)" in text
    before = len(_audit(server, "web.media_revealed"))
    with page.expect_response(lambda r: "/reveal?grant=" in r.url) as revealed:
        page.keyboard.press("r")
    assert revealed.value.status == 200
    assert len(_audit(server, "web.media_revealed")) == before + 1
    page.wait_for_function("() => document.getElementById('exposure-count').textContent !== '0'")
    page.keyboard.press("n")                                     # next member: the reveal is hidden
    assert "blurred" in (page.locator("#viewer-img").get_attribute("class") or "")
    assert page.locator("#viewer-pos").inner_text() == "2 / 2"
    with page.expect_response(lambda r: r.url.endswith("/families/F-1/categorisation")) as saved:
        page.keyboard.press("2")
    assert saved.value.status == 200
    with CaseStore.open(server.case.folder, migrate=False) as store:
        cats = store.conn.execute(
            "SELECT sha256 FROM categorisation WHERE category='2' AND user='rev'").fetchall()
    assert {s for (s,) in cats} >= set(server.case.families["F-1"])
    page.keyboard.press("Escape")
    assert page.locator("#viewer").is_hidden()
    assert page.problems == [], page.problems


def test_reveal_outside_the_flow_is_refused(page_for: Any, server: LiveServer) -> None:
    page = page_for("rev")
    response = page.goto(f"/media/{server.case.media['a']}/reveal")
    assert response is not None and response.status == 403
    assert page.locator("nav").count() == 1                      # the error page has the navigation bar


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


def test_admin_pages(page_for: Any, server: LiveServer) -> None:
    page = page_for("ada")
    page.goto("/admin/users")
    page.fill("form.adduser input[name='name']", "browser1")
    page.fill("form.adduser input[name='password']", "123456789012")
    page.click("form.adduser button")
    assert "sequence" in page.locator("#users-error").inner_text()
    page.fill("form.adduser input[name='name']", "browser1")
    page.fill("form.adduser input[name='password']", "amber-kettle-harbour")
    page.click("form.adduser button")
    page.wait_for_url("**/admin/users")
    page.locator("tr[data-user='browser1'] button[value='disable']").click()
    assert "disable done" in page.locator("#users-done").inner_text()
    assert "disabled" in page.locator("tr[data-user='browser1']").inner_text()
    page.goto("/admin/audit")
    assert "Hash chain intact" in page.locator("#chain-status").inner_text()
    page.fill("input[name='f_action']", "web.user_disabled")
    page.press("input[name='f_action']", "Enter")
    page.wait_for_url("**f_action=**")
    assert "browser1" in page.locator("#audit-table tbody").inner_text()
    assert [p for p in page.problems if "status of 422" not in p] == [], page.problems  # the refused password
