"""schemathesis against the API's own OpenAPI spec, logged in: no input makes the server fail."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import LiveServer, login

schemathesis = pytest.importorskip("schemathesis")
requests = pytest.importorskip("requests")


def _session(server: LiveServer, user: str) -> Any:
    with httpx.Client(base_url=server.url, follow_redirects=False) as client:
        csrf = login(client, user)
        cookie = client.cookies["tantalio_session"]
    session = requests.Session()
    session.cookies.set("tantalio_session", cookie, domain="127.0.0.1", path="/")
    session.headers["X-CSRF-Token"] = csrf
    return session


def test_api_spec_has_no_server_errors(server: LiveServer) -> None:
    sessions = {"rev": _session(server, "rev"), "ada": _session(server, "ada")}
    spec = sessions["rev"].get(f"{server.url}/api/openapi.json", timeout=20)
    assert spec.status_code == 200
    schema = schemathesis.openapi.from_dict(spec.json())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    # Real values too, so generated requests reach past the 404s.
    known = {"label": ["P-001", "G-001"], "sha256": list(server.case.media.values()), "family": ["F-1"]}

    for operation in operations:
        _run(operation, sessions["ada" if operation.path.startswith("/api/users") else "rev"], server, known)


def _run(operation: Any, session: Any, server: LiveServer, known: dict[str, list[str]]) -> None:
    @settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck),
              derandomize=True)
    @given(case=operation.as_strategy(), data=st.data())
    def check(case: Any, data: st.DataObject) -> None:
        for name in list(case.path_parameters or {}):
            if name in known and data.draw(st.booleans()):
                case.path_parameters[name] = data.draw(st.sampled_from(known[name]))
        response = case.call(base_url=server.url, session=session, timeout=20)
        assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text[:300])

    check()
