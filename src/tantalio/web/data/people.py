"""Persons and the network: the explorer's graph, the person list and the person page."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

from tantalio.store import CaseStore
from tantalio.web.data import latest_chat_names

# Who took part in which group, from every kind of evidence analysis leaves: merged membership
# history, de-duplicated media posts, message senders and database member lists.
_PARTICIPATION = """
SELECT person_id, chat_id FROM group_event WHERE person_id IS NOT NULL
UNION SELECT actor_person_id, chat_id FROM group_event WHERE actor_person_id IS NOT NULL
UNION SELECT person_id, chat_id FROM post WHERE person_id IS NOT NULL
UNION SELECT i.person_id, o.chat_id FROM message m JOIN chat_obs o ON o.id=m.chat_obs_id
      JOIN identifier i ON i.id=m.sender_identifier_id WHERE i.person_id IS NOT NULL AND o.chat_id IS NOT NULL
UNION SELECT i.person_id, o.chat_id FROM group_member g JOIN chat_obs o ON o.id=g.chat_obs_id
      JOIN identifier i ON i.id=g.identifier_id WHERE i.person_id IS NOT NULL AND o.chat_id IS NOT NULL
"""


def _roles(conn: sqlite3.Connection) -> dict[int, list[str]]:
    roles: dict[int, list[str]] = defaultdict(list)
    for pid, role in conn.execute("SELECT person_id, role FROM person_role ORDER BY person_id, role"):
        roles[pid].append(role)
    return roles


def _countries(conn: sqlite3.Connection) -> dict[int, list[str]]:
    countries: dict[int, set[str]] = defaultdict(set)
    for pid, country in conn.execute(
        "SELECT person_id, country FROM identifier WHERE person_id IS NOT NULL AND country IS NOT NULL"
    ):
        countries[pid].add(country)
    return {pid: sorted(cs) for pid, cs in countries.items()}


def _names(conn: sqlite3.Connection) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    for pid, value in conn.execute(
        "SELECT DISTINCT h.person_id, n.value FROM alias a JOIN identifier h ON h.id=a.identifier_id "
        "JOIN identifier n ON n.id=a.name_id WHERE h.person_id IS NOT NULL "
        "UNION SELECT person_id, value FROM identifier WHERE kind IN ('display_name','username') "
        "AND person_id IS NOT NULL ORDER BY 2"
    ):
        if value not in names[pid]:
            names[pid].append(value)
    return names


def persons(store: CaseStore) -> list[dict[str, Any]]:
    """The person list; its figures are the reports' (tantalio.report.figures), so they agree."""
    from tantalio.report.figures import case_figures

    people = sorted(case_figures(store.conn).persons.values(), key=lambda p: (-p.priority, p.person))
    return [{"id": p.person, "phones": list(p.phones), "names": list(p.names), "countries": list(p.countries),
             "roles": list(p.roles), "priority": p.priority, "community": p.community, "messages": p.messages,
             "media_posted": p.media_posted, "groups": list(p.groups)} for p in people]


def network_graph(store: CaseStore) -> dict[str, Any]:
    """Cytoscape.js elements: persons and groups as nodes, participation as edges."""
    conn = store.conn
    roles, countries, names = _roles(conn), _countries(conn), _names(conn)
    scores = {pid: (pr, com) for pid, pr, com in conn.execute("SELECT person_id, priority, community FROM person_score")}
    nodes: list[dict[str, Any]] = []
    for pid, label in conn.execute("SELECT id, label FROM person ORDER BY id"):
        priority, community = scores.get(pid, (None, None))
        first_name = (names.get(pid) or [""])[0]
        nodes.append({"data": {
            "id": f"p{pid}", "kind": "person", "label": label, "name": first_name,
            "caption": f"{label} {first_name}".strip(), "roles": roles.get(pid, []),
            "countries": countries.get(pid, []), "community": community,
            "priority": priority or 0.0, "href": f"/persons/{label}",
        }})
    group_names = latest_chat_names(conn)
    for cid, label, platform in conn.execute("SELECT id, label, platform FROM chat WHERE is_group=1 ORDER BY id"):
        name = group_names.get(cid, "")
        nodes.append({"data": {"id": f"g{cid}", "kind": "group", "label": label, "name": name,
                               "caption": f"{label} {name}".strip(), "platform": platform,
                               "href": f"/groups/{label}"}})
    group_ids = {cid for (cid,) in conn.execute("SELECT id FROM chat WHERE is_group=1")}
    edges = [
        {"data": {"id": f"e{pid}-{cid}", "source": f"p{pid}", "target": f"g{cid}"}}
        for pid, cid in sorted(conn.execute(_PARTICIPATION).fetchall())
        if cid in group_ids
    ]
    facets = {
        "roles": sorted({r for rs in roles.values() for r in rs}),
        "countries": sorted({c for cs in countries.values() for c in cs}),
        "communities": sorted({c for _, c in scores.values() if c is not None}),
    }
    return {"elements": {"nodes": nodes, "edges": edges}, "facets": facets}


def live_dossier(store: CaseStore, label: str) -> dict[str, Any] | None:
    """The reports' dossier view model of one person (report/dossier.py), as plain data.

    The person page shows the same dossier a report prints; None when the person does not exist.
    """
    from dataclasses import asdict

    from tantalio.report.caseview import CaseView
    from tantalio.report.dossier import build_dossier

    view = CaseView(store)
    if label not in view.person_ids:
        return None
    return asdict(build_dossier(view, label))
