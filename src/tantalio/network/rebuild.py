"""Rebuild every network-analysis table from the raw observations: persons (stable labels),
groups and their history, posts and first sightings, structure, roles and priority.

Idempotent: the derived tables are rebuilt from nothing; manual merges and splits in
``person_merge`` are replayed; person labels and chat rows are kept where the result holds.
Computed on a read snapshot and published in one short write transaction
(:mod:`tantalio.network.workspace`), so web users keep writing while it runs. Media triage
(media items, matches, PDQ families) runs before this: ``tantalio analyze`` does both
(:func:`tantalio.analysis.run.analyze`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import chain
from typing import Any

import numpy as np

from tantalio.ingest.pipeline import Progress
from tantalio.network.attribution import build_posts, first_sightings, propagation
from tantalio.network.communities import measure
from tantalio.network.device_owner import OwnerFinding, write_exhibit_owners
from tantalio.network.group_labels import register_existing as register_existing_chat_labels
from tantalio.network.groups import resolve_chats
from tantalio.network.history import write_chats, write_history
from tantalio.network.identities import PersonResolution, owner_identifiers, resolve_persons, write_merge_log
from tantalio.network.labels import assign_labels
from tantalio.network.priority import scores
from tantalio.network.queries import read_facts
from tantalio.network.role_tables import write_camera_originals, write_roles, write_scores
from tantalio.network.roles import assign_roles
from tantalio.network.roles.administration import admin_actions
from tantalio.network.workspace import publish, read_snapshot
from tantalio.store.sqlite import CaseStore, utcnow

STEPS = ("chats", "persons", "history", "media", "structure", "roles")
# SQLite's default page cache (2 MB) is far smaller than the indexes analysis fills and the temp
# B-trees its GROUP BY/UNION queries sort: past a few hundred thousand rows every insert then
# misses the cache and time grows faster than the case. A fixed budget, restored afterwards.
ANALYZE_CACHE_KIB = 131_072

Warning_ = tuple[str, str, str | None]       # stage, message, exhibit


def rebuild_network(store: CaseStore, progress: Progress | None = None) -> dict[str, Any]:
    """Resolve persons and groups, attribute media, assign roles and scores. Returns a summary
    (``seconds``: time per step; ``write_lock_seconds``: how long the case was locked)."""
    conn = store.conn
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now
        if progress is not None:
            progress.advance(1, 0)

    if progress is not None:
        progress.phase("analyze", len(STEPS), 0)
    with store.transaction():       # a moment: an owner's identifier is created if no record named it yet
        owners = owner_identifiers(conn)
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-ANALYZE_CACHE_KIB}")
    warnings: list[Warning_] = []
    try:
        with read_snapshot(conn):
            summary = _compute(conn, owners, step, warnings)

        def finish() -> None:
            for stage, message, exhibit in warnings:
                store.warn(stage, message, exhibit)
            store.audit("analyze.network", {**summary, "seconds": timings})

        summary["write_lock_seconds"] = round(publish(conn, finish), 3)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
    if progress is not None:
        progress.done()
    summary["seconds"] = timings
    return summary


def _compute(conn: Any, owner_findings: dict[str, OwnerFinding], step: Callable[[str], None],
             warnings: list[Warning_]) -> dict[str, Any]:
    now = utcnow()
    owners = {ex: finding.identifier for ex, finding in owner_findings.items()}
    register_existing_chat_labels(conn, now)     # a case analysed before group labels were kept
    conn.execute("UPDATE chat SET creator_person_id = NULL")
    conn.execute("UPDATE chat_obs SET chat_id = NULL")
    chats = resolve_chats(conn, owners)
    step("chats")
    persons = resolve_persons(conn, chats, owners)
    person_id = assign_labels(conn, persons, now)
    write_merge_log(conn, persons, person_id, now)
    owner_person = {ex: person_id[persons.person_of[ident]] for ex, ident in owners.items()
                    if ident in persons.person_of}
    write_exhibit_owners(conn, owner_person, owner_findings)
    step("persons")
    write_chats(conn, chats, now)
    write_history(conn, chats, owner_person)
    step("history")
    posts = build_posts(conn, chats.offsets, owner_person)
    first_sightings(conn, posts)
    propagation(conn, posts)
    step("media")
    # straight into an array: a list of millions of tuples costs ~10× the memory
    memberships = np.fromiter(chain.from_iterable(conn.execute(
        "SELECT DISTINCT person_id, chat_id FROM membership_spell")), dtype=np.int64).reshape(-1, 2)
    measures = measure(memberships)
    del memberships
    step("structure")
    facts = read_facts(conn, owner_person, measures)
    roles, verdicts = assign_roles(facts)
    write_roles(conn, roles)
    write_camera_originals(conn, verdicts)
    write_scores(conn, facts, scores(facts, roles, admin_actions(facts)))
    step("roles")
    warnings.extend(_ambiguity_warnings(persons))
    role_counts: dict[str, int] = {}
    for found in roles.values():
        for role in found:
            role_counts[role] = role_counts.get(role, 0) + 1
    return {
        "persons": len(set(person_id.values())),
        "automatic_merges": len(persons.merges),
        "ambiguous_labels": len(persons.ambiguous),
        "labels_retired": conn.execute("SELECT count(*) FROM person_label WHERE retired_at = ?", (now,)).fetchone()[0],
        "groups": conn.execute("SELECT count(*) FROM chat WHERE is_group = 1").fetchone()[0],
        "group_events": conn.execute("SELECT count(*) FROM group_event").fetchone()[0],
        "posts": len(posts),
        "first_sightings": len(facts.first_sightings),
        "roles": dict(sorted(role_counts.items())),
        "communities": len(set(measures.group_community.values())),
        "modularity": None if measures.modularity is None else round(measures.modularity, 4),
        "key_players": len(measures.kpp_rank),
    }


def _ambiguity_warnings(persons: PersonResolution) -> list[Warning_]:
    out: list[Warning_] = []
    for amb in persons.ambiguous:
        ident = persons.identifiers[amb["identifier"]]
        where = f" in chat {ident.context!r}" if ident.context else ""
        if "lead" in amb:
            out.append(("analyze", f"label {ident.normalized!r}{where} left unresolved: {amb['reason']}",
                        ident.scope or None))
            continue
        out.append(("analyze", f"label {ident.normalized!r}{where} points at {len(amb['candidates'])} different"
                               f" identifiers ({amb['reason']}); left unresolved", ident.scope or None))
    return out
