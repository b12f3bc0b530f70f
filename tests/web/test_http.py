"""The web UI over real HTTP (uvicorn on 127.0.0.1): access control, CSRF, audit, headers, escaping."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from tantalio.store import CaseStore
from tests.web.casefixture import HOSTILE_TEXT
from tests.web.conftest import LiveServer, login

PAGES = ["/", "/network", "/persons", "/persons/P-001", "/groups", "/groups/G-001", "/search?q=ada", "/timeline",
         "/groups/G-001/timeline", "/persons/P-001/timeline", "/media", "/evidence", "/warnings", "/account",
         "/review", "/admin/users", "/admin/audit"]
API = ["/api/me", "/api/case", "/api/dashboard", "/api/graph", "/api/persons", "/api/groups", "/api/media",
       "/api/search?q=7700", "/api/groups/G-001/conversation", "/api/timeline", "/api/warnings", "/api/families",
       "/api/welfare", "/api/users", "/api/openapi.json"]
ADMIN_OR_REVIEWER = 3  # the last pages of PAGES are for reviewers and admins only
WEB = Path(__file__).resolve().parents[2] / "src" / "tantalio" / "web"


def audit_rows(server: LiveServer, action: str) -> list[tuple[str, dict[str, object]]]:
    with CaseStore.open(server.case.folder, migrate=False) as store:
        rows = store.conn.execute("SELECT actor, details FROM audit_event WHERE action=? ORDER BY seq", (action,))
        return [(actor, json.loads(details)) for actor, details in rows.fetchall()]


def test_everything_is_denied_without_login(anon: httpx.Client, server: LiveServer) -> None:
    for path in PAGES:
        r = anon.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
    for path in API:
        assert anon.get(path).status_code == 401, path
    sha = server.case.media["a"]
    for path in (f"/media/{sha}/preview", f"/media/{sha}/reveal", f"/media/{sha}/original",
                 "/static/vendor/cytoscape/cytoscape.min.js", "/static/review.js"):
        r = anon.get(path)
        assert r.status_code == 401 and b"PNG" not in r.content, path
    assert anon.post(f"/api/media/{sha}/categorisation", json={"category": "1"}).status_code == 401
    assert anon.get("/docs").status_code in (303, 401) and anon.get("/openapi.json").status_code in (303, 401)


def test_roles(analyst: tuple[httpx.Client, str], admin: tuple[httpx.Client, str], server: LiveServer) -> None:
    sha = server.case.media["a"]
    client, _ = analyst
    for path in PAGES[:-ADMIN_OR_REVIEWER]:
        assert client.get(path).status_code == 200, path
    for path in ("/review", "/admin/users", "/admin/audit", f"/media/{sha}/preview", f"/media/{sha}/reveal",
                 "/api/media", "/api/families", "/api/users"):
        assert client.get(path).status_code == 403, path
    page = client.get(f"/media/{sha}")
    assert page.status_code == 200 and "/preview" not in page.text  # facts, but no pixels for analysts
    client, _ = admin
    assert client.get("/admin/users").status_code == 200
    assert client.get(f"/media/{sha}/reveal").status_code == 403


def test_security_headers(reviewer: tuple[httpx.Client, str], server: LiveServer) -> None:
    client, _ = reviewer
    for path in ("/", "/api/graph", f"/media/{server.case.media['a']}/preview", "/static/app.css"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["cache-control"] == "no-store"
        assert "default-src 'self'" in r.headers["content-security-policy"]
    r = client.get(f"/media/{server.case.media['a']}/original")
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers["content-type"] == "application/octet-stream"


def test_login_is_audited_and_wrong_password_refused(anon: httpx.Client, server: LiveServer) -> None:
    with pytest.raises(AssertionError):
        login(anon, "ana", "not-the-password")
    assert any(d["user"] == "ana" for _, d in audit_rows(server, "web.login_failed"))
    login(anon, "ana")
    assert ("ana", ) in {(a,) for a, _ in audit_rows(server, "web.login")}


def test_login_form_needs_its_csrf_token(anon: httpx.Client) -> None:
    anon.get("/login")
    r = anon.post("/login", data={"username": "ana", "password": "correct-horse-battery", "csrf_token": "forged"})
    assert r.status_code == 403
    assert "tantalio_session" not in anon.cookies


def test_login_redirect_stays_on_site(anon: httpx.Client) -> None:
    page = anon.get("/login?next=//elsewhere.invalid/x")
    assert 'value="/"' in page.text and "elsewhere" not in page.text


def test_state_changes_need_the_csrf_token(reviewer: tuple[httpx.Client, str], server: LiveServer) -> None:
    client, csrf = reviewer
    url = f"/api/media/{server.case.media['d']}/categorisation"
    assert client.post(url, json={"category": "0"}).status_code == 403
    assert client.post(url, json={"category": "0"}, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert client.post("/logout").status_code == 403
    r = client.post(url, json={"category": "0"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["categorised"] == [server.case.media["d"]]


def test_categorise_and_bulk_family(reviewer: tuple[httpx.Client, str], server: LiveServer) -> None:
    client, csrf = reviewer
    headers = {"X-CSRF-Token": csrf}
    bad = client.post(f"/api/media/{server.case.media['a']}/categorisation", json={"category": "9"}, headers=headers)
    assert bad.status_code == 422
    r = client.post("/api/families/F-1/categorisation", json={"category": "2"}, headers=headers)
    assert r.status_code == 200
    assert sorted(r.json()["categorised"]) == sorted(server.case.families["F-1"])
    with CaseStore.open(server.case.folder, migrate=False) as store:
        rows = store.conn.execute("SELECT sha256, category, scheme, user FROM categorisation WHERE category='2'")
        assert {(s, u) for s, _, _, u in rows} == {(s, "rev") for s in server.case.families["F-1"]}
    events = audit_rows(server, "web.media_categorised")
    assert any(d.get("family") == "F-1" and actor == "rev" for actor, d in events)
    item = client.get(f"/api/media/{server.case.media['a']}").json()
    assert item["reviewer_category"] == "2"


def test_reveal_is_audited_and_counted(reviewer: tuple[httpx.Client, str], server: LiveServer) -> None:
    client, csrf = reviewer
    before = client.get("/api/me").json()["exposure_today"]
    sha = server.case.media["z"]  # the one read from inside a zip
    assert client.get(f"/media/{sha}/reveal").status_code == 403  # not outside the page's flow
    grant = client.post("/api/reveals", json={"sha256": sha}, headers={"X-CSRF-Token": csrf})
    assert grant.status_code == 200, grant.text
    url = grant.json()["url"]
    r = client.get(url)
    assert r.status_code == 200 and r.content.startswith(b"\x89PNG")
    assert r.headers["content-disposition"].startswith("attachment")
    assert client.get(url).status_code == 403  # a grant is used once
    assert client.get("/api/me").json()["exposure_today"] == before + 1
    assert ("rev", {"sha256": sha}) in audit_rows(server, "web.media_revealed")


def test_one_reveal_at_a_time_is_enforced_by_the_server(reviewer: tuple[httpx.Client, str], server: LiveServer) -> None:
    client, csrf = reviewer
    headers = {"X-CSRF-Token": csrf}
    first = client.post("/api/reveals", json={"sha256": server.case.media["a"]}, headers=headers).json()["url"]
    second = client.post("/api/reveals", json={"sha256": server.case.media["c"]}, headers=headers).json()["url"]
    assert client.get(first).status_code == 403      # revoked by the second grant
    assert client.get(second).status_code == 200
    assert client.post("/api/reveals", json={"sha256": server.case.media["a"]}).status_code == 403  # CSRF


def test_previews_are_audited(reviewer: tuple[httpx.Client, str], server: LiveServer) -> None:
    client, _ = reviewer
    sha = server.case.media["d"]
    assert client.get(f"/media/{sha}/preview").status_code == 200
    assert ("rev", {"sha256": sha}) in audit_rows(server, "web.media_previewed")
    assert client.get("/api/welfare").json()["previews_today"] >= 1


def test_soft_limit_asks_for_confirmation(anon: httpx.Client, admin: tuple[httpx.Client, str],
                                          server: LiveServer) -> None:
    client, csrf = admin
    assert client.post("/admin/welfare", data={"soft_limit": "1", "csrf_token": csrf}).status_code == 303
    try:
        csrf_rev = login(anon, "rev")
        headers = {"X-CSRF-Token": csrf_rev}
        sha = server.case.media["c"]
        url = anon.post("/api/reveals", json={"sha256": sha, "confirm_over_limit": True}, headers=headers).json()["url"]
        anon.get(url)
        over = anon.post("/api/reveals", json={"sha256": sha}, headers=headers)
        assert over.status_code == 409 and over.json()["welfare"]["over_limit"]
        assert "soft limit" in anon.get("/review").text
        ok = anon.post("/api/reveals", json={"sha256": sha, "confirm_over_limit": True}, headers=headers)
        assert ok.status_code == 200
        assert any(a == "rev" for a, _ in audit_rows(server, "web.exposure_limit_passed"))
    finally:
        client.post("/admin/welfare", data={"soft_limit": "200", "csrf_token": csrf})


def test_previews_are_small_greyscale(reviewer: tuple[httpx.Client, str], server: LiveServer) -> None:
    import io

    from PIL import Image

    client, _ = reviewer
    before = len(audit_rows(server, "web.media_revealed"))
    r = client.get(f"/media/{server.case.media['c']}/preview")
    img = Image.open(io.BytesIO(r.content))
    assert img.mode == "L" and max(img.size) <= 96
    assert len(audit_rows(server, "web.media_revealed")) == before  # a preview is not a reveal


def test_evidence_text_is_escaped(analyst: tuple[httpx.Client, str]) -> None:
    client, _ = analyst
    page = client.get("/groups/G-001").text
    assert HOSTILE_TEXT not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_every_page_says_synthetic(admin: tuple[httpx.Client, str], reviewer: tuple[httpx.Client, str],
                                   anon: httpx.Client) -> None:
    client, _ = admin
    assert "SYNTHETIC DEMO DATA" in anon.get("/login").text
    for path in ("/", "/network", "/persons", "/persons/P-001", "/groups", "/groups/G-001", "/search?q=x",
                 "/admin/users"):
        assert "SYNTHETIC DEMO DATA" in client.get(path).text, path
    missing = client.get("/persons/P-999")
    assert missing.status_code == 404 and "SYNTHETIC DEMO DATA" in missing.text
    client, _ = reviewer
    assert "SYNTHETIC DEMO DATA" in client.get("/review").text
    assert client.get("/api/me").json()["synthetic"] is True


def test_search_by_phone_name_and_hash(analyst: tuple[httpx.Client, str], server: LiveServer) -> None:
    client, _ = analyst
    hits = client.get("/api/search", params={"q": "buenas noches"}).json()
    assert [m["message"] for m in hits["messages"]] == [server.case.messages["x3"]]
    assert hits["messages"][0]["href"].startswith("/groups/G-001?message=")
    assert client.get("/api/search", params={"q": "JOSE"}).json()["counts"]["messages"] == 1  # accents, case
    assert client.get("/api/search", params={"q": "FC-1"}).json()["media"][0]["sha256"] == server.case.media["a"]
    assert client.get("/api/search", params={"q": "IMG_z"}).json()["counts"]["files"] == 1
    only = client.get("/api/search", params={"q": "garden", "exhibit": "EX-02", "from": "2023-02-01",
                                             "to": "2023-02-01"}).json()
    assert [m["message"] for m in only["messages"]] == [server.case.messages["x1"]]
    assert "files" in only["left_out"]  # a date range does not apply to evidence files
    assert client.get("/api/search", params={"q": "garden", "status": "bogus"}).status_code == 422
    assert "P-002" in {p["person"] for p in client.get("/api/search", params={"q": "07700 900456"}).json()["persons"]}
    assert "P-002" in {p["person"] for p in client.get("/api/search", params={"q": "+44 7700 900456"}).json()["persons"]}
    assert "P-003" in {p["person"] for p in client.get("/api/search", params={"q": "cleo"}).json()["persons"]}
    assert [m["sha256"] for m in client.get("/api/search", params={"q": server.case.media["c"][:10]}).json()["media"]] \
        == [server.case.media["c"]]
    assert "G-002" in {g["group"] for g in client.get("/api/search", params={"q": "book"}).json()["groups"]}


def test_graph_and_dashboard(analyst: tuple[httpx.Client, str]) -> None:
    client, _ = analyst
    graph = client.get("/api/graph").json()
    kinds = [n["data"]["kind"] for n in graph["elements"]["nodes"]]
    assert kinds.count("person") == 4 and kinds.count("group") == 2
    assert len(graph["elements"]["edges"]) >= 5
    assert graph["facets"]["countries"] == ["GB", "US"]
    board = client.get("/api/dashboard").json()
    assert board["counts"]["persons"] == 4 and board["timeline"]
    assert "<svg" in client.get("/").text
    assert client.get("/api/case").json()["schema"] == "tantalio.case/1"


def test_admin_adds_user(admin: tuple[httpx.Client, str]) -> None:
    client, csrf = admin
    r = client.post("/admin/users", data={"name": "newrev", "role": "reviewer", "password": "another-long-one",
                                          "csrf_token": csrf})
    assert r.status_code == 303
    assert "newrev" in {u["name"] for u in client.get("/api/users").json()}
    r = client.post("/api/users", json={"name": "x", "role": "root", "password": "another-long-one"},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 422
    weak = client.post("/admin/users", data={"name": "weak", "role": "analyst", "password": "12345678",
                                             "csrf_token": csrf})
    assert weak.status_code == 422 and "12 characters" in weak.text
    common = client.post("/api/users", json={"name": "weak", "role": "analyst", "password": "password1234!"},
                         headers={"X-CSRF-Token": csrf})
    assert common.status_code == 422 and "common" in common.json()["detail"]


def test_no_remote_urls_in_templates_or_static() -> None:
    remote = re.compile(r"""(?:src|href|action|url)\s*[=(]\s*["']?(?:https?:)?//""", re.IGNORECASE)
    for path in list((WEB / "templates").rglob("*")) + list((WEB / "static").rglob("*")):
        if path.is_file() and path.suffix in (".html", ".js", ".css"):
            text = path.read_text(encoding="utf-8")
            assert not remote.search(text), path
            if "vendor" not in path.parts:
                assert "http://" not in text and "https://" not in text, path
