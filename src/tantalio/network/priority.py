"""The priority score for arrest and safeguarding, term by term.

The order of concern is fixed: evidence of production (a child is being abused now) far
outweighs distribution of unknown material (possibly new abuse), which outweighs distribution
of known material and administration (running the groups), which outweigh mere reach. The
weights are chosen so that no amount of a lower term can overtake a higher one in practice:

    production      1000 × producer        + 100 × (camera-original families − 1), at most +500
    suspected        200 × suspected_producer + 20 × (unknown first posts − 1), at most +200
    unknown media     40 × log2(1 + unknown media posted)
    known media       10 × log2(1 + known media posted)
    administration    50 × administrator   + 5 × log2(1 + members added/removed)
    reach              5 × log2(1 + groups) + 10 × participation coefficient
                     + 20 / key-player rank (KPP-Neg: removal fragments the network)

Every term is stored beside the score (``person_score.explanation``) so an analyst can see why.
"""

from __future__ import annotations

import json
import math
import sqlite3

from tantalio.network.communities import NetworkMeasures
from tantalio.network.roles import PersonFacts


def terms(person: int, f: PersonFacts, measures: NetworkMeasures) -> dict[str, float]:
    produced = len({e.get("sha256") for e in f.roles.get("producer", [])})
    out = {
        "production": (1000.0 + min(500.0, 100.0 * (produced - 1))) if produced else 0.0,
        "suspected_production": (200.0 + min(200.0, 20.0 * (f.unknown_first_posts - 1)))
        if "suspected_producer" in f.roles else 0.0,
        "unknown_media": 40.0 * math.log2(1 + f.unknown_posted),
        "known_media": 10.0 * math.log2(1 + f.known_posted),
        "administration": (50.0 if "administrator" in f.roles else 0.0) + 5.0 * math.log2(1 + f.admin_actions),
        "reach": 5.0 * math.log2(1 + len(f.groups)) + 10.0 * measures.participation.get(person, 0.0)
        + (20.0 / measures.kpp_rank[person] if person in measures.kpp_rank else 0.0),
    }
    return {k: round(v, 3) for k, v in out.items()}


def write_scores(conn: sqlite3.Connection, persons: list[int], facts: dict[int, PersonFacts],
                 measures: NetworkMeasures) -> None:
    rows = []
    for person in sorted(persons):
        f = facts.get(person) or PersonFacts()
        t = terms(person, f, measures)
        rows.append((person, round(sum(t.values()), 3), json.dumps(t, sort_keys=True), measures.community.get(person),
                     round(measures.betweenness[person], 3) if person in measures.betweenness else None,
                     measures.kpp_rank.get(person), len(f.groups), f.messages, f.media_posted, f.known_posted,
                     f.unknown_posted, f.first_posts))
    conn.executemany(
        "INSERT INTO person_score(person_id, priority, explanation, community, betweenness, kpp_rank, groups, messages,"
        " media_posted, known_posted, unknown_posted, first_posts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
