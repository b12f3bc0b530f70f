"""Write what the role rules found: ``person_role``, ``camera_original`` and ``person_score``."""

from __future__ import annotations

import json
import sqlite3

from tantalio.network import figures
from tantalio.network.align import iso_s
from tantalio.network.facts import NetworkFacts
from tantalio.network.roles import PersonRoles
from tantalio.network.roles.production import CameraVerdict

MAX_EVIDENCE = 25


def write_roles(conn: sqlite3.Connection, roles: PersonRoles) -> None:
    conn.executemany(
        "INSERT INTO person_role(person_id, role, confidence, evidence) VALUES (?,?,?,?)",
        [(person, role, finding.confidence,
          json.dumps([{k: v for k, v in e.items() if v is not None} for e in finding.evidence[:MAX_EVIDENCE]],
                     ensure_ascii=False, sort_keys=True))
         for person in sorted(roles) for role, finding in sorted(roles[person].items())])


def write_camera_originals(conn: sqlite3.Connection, verdicts: list[CameraVerdict]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO camera_original(sha256, family, person_id, exhibit_id, path, make, model, serial, taken,"
        " taken_from, folder, status, known_series, series, supports_producer, verdict)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(v.file.sha256, v.file.family, v.file.person, v.file.exhibit, v.file.path, v.file.make, v.file.model,
          v.file.serial, iso_s(v.file.taken), v.file.taken_from, v.file.folder, v.status, int(v.status == "known"),
          v.series, int(v.supports), v.reason) for v in verdicts])


def write_scores(conn: sqlite3.Connection, facts: NetworkFacts,
                 scored: dict[int, tuple[float, dict[str, float]]]) -> None:
    """Scores, with the person's figures as every report shows them (:mod:`tantalio.network.figures`;
    the score's own counts weigh material only)."""
    measures = facts.structure
    posted = figures.posted_counts(conn)
    rows = []
    for person in sorted(scored):
        score, shares = scored[person]
        counts = posted.get(person, figures.PostedCounts())
        rows.append((person, score, json.dumps(shares, sort_keys=True), measures.community.get(person),
                     round(measures.betweenness[person], 3) if person in measures.betweenness else None,
                     measures.kpp_rank.get(person), len(facts.groups_of.get(person, ())),
                     facts.messages.get(person, 0), counts.media_posted, counts.known_posted, counts.unknown_posted,
                     counts.first_posts))
    conn.executemany(
        "INSERT INTO person_score(person_id, priority, explanation, community, betweenness, kpp_rank, groups, messages,"
        " media_posted, known_posted, unknown_posted, first_posts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
