"""Persons and the network: the explorer's graph, the person list and the person page."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

from tantalio.store import CaseStore


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


def _phones(conn: sqlite3.Connection) -> dict[int, list[str]]:
    phones: dict[int, list[str]] = defaultdict(list)
    for pid, value in conn.execute(
        "SELECT person_id, normalized FROM identifier WHERE kind='phone' AND person_id IS NOT NULL ORDER BY normalized"
    ):
        phones[pid].append(value)
    return phones


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
    conn = store.conn
    roles, countries, phones, names = _roles(conn), _countries(conn), _phones(conn), _names(conn)
    scores = {pid: (pr, com) for pid, pr, com in conn.execute("SELECT person_id, priority, community FROM person_score")}
    rows = []
    for pid, label in conn.execute("SELECT id, label FROM person ORDER BY label"):
        priority, community = scores.get(pid, (None, None))
        rows.append({"id": label, "phones": phones.get(pid, []), "names": names.get(pid, [])[:5],
                     "countries": countries.get(pid, []), "roles": roles.get(pid, []),
                     "priority": priority, "community": community})
    rows.sort(key=lambda r: (-(r["priority"] or 0.0), r["id"]))
    return rows


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
