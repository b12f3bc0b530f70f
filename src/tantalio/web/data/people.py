"""Persons and the network: the explorer's graph, the person list and the person page."""

from __future__ import annotations

from typing import Any

from tantalio.store import CaseStore


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
