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
