"""`analyze`: rebuild every network-analysis table from the raw observations, in one transaction.

Idempotent: derived tables are emptied and rebuilt; manual merges and splits in
``person_merge`` are replayed; person and chat rows are reused by label so ids stay put when
the result does not change. Media triage (which fills media_item and match) runs before this.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import chain
from typing import Any, Protocol

import numpy as np

from tantalio.network.attribution import build_posts, fill_families, first_sightings, propagation
from tantalio.network.communities import measure
from tantalio.network.groups import resolve_chats
from tantalio.network.history import write_chats, write_history
from tantalio.network.identities import owner_identifiers, resolve_persons, write_merge_log, write_persons
from tantalio.network.priority import write_scores
from tantalio.network.roles import assign_roles, collect_facts, write_roles
from tantalio.store.sqlite import CaseStore, utcnow

DERIVED = ("propagation_edge", "first_sighting", "post", "group_event", "chat_name", "person_role", "person_score",
           "membership_spell", "chat_obs_alignment")
STEPS = ("chats", "persons", "history", "media", "structure", "roles")
# SQLite's default page cache (2 MB) is far smaller than the indexes analyze fills and the temp
# B-trees its GROUP BY/UNION queries sort: past a few hundred thousand rows every insert then
# misses the cache and time grows faster than the case. A fixed budget, restored afterwards.
ANALYZE_CACHE_KIB = 131_072


class Progress(Protocol):
    def phase(self, name: str, total_files: int, total_bytes: int) -> None: ...

    def advance(self, files: int, nbytes: int) -> None: ...

    def done(self) -> None: ...


def run(store: CaseStore, progress: Progress | None = None) -> dict[str, Any]:
    """Resolve persons and groups, attribute media, assign roles and scores. Returns a summary."""
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
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-ANALYZE_CACHE_KIB}")
    try:
        summary = _run(store, step, timings)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
    if progress is not None:
        progress.done()
    summary["seconds"] = timings
    return summary


def _run(store: CaseStore, step: Callable[[str], None], timings: dict[str, float]) -> dict[str, Any]:
    conn = store.conn
    now = utcnow()
    with store.transaction():
        for table in DERIVED:
            conn.execute(f"DELETE FROM {table}")  # noqa: S608  (table names are our constants)
        conn.execute("UPDATE chat SET creator_person_id = NULL")
        conn.execute("UPDATE chat_obs SET chat_id = NULL")
        owners = owner_identifiers(conn)
        chats = resolve_chats(conn, owners)
        step("chats")
        persons = resolve_persons(conn, chats, owners)
        person_id = write_persons(conn, persons, now)
        write_merge_log(conn, persons, person_id, now)
        owner_person = {ex: person_id[persons.person_of[ident]] for ex, ident in owners.items()}
        step("persons")
        write_chats(conn, chats)
        write_history(conn, chats, owner_person)
        step("history")
        families = fill_families(conn)
        posts = build_posts(conn, chats.offsets, owner_person)
        first_sightings(conn, posts)
        propagation(conn, posts)
        step("media")
        # straight into an array: a list of millions of tuples costs ~10× the memory
        memberships = np.fromiter(chain.from_iterable(conn.execute(
            "SELECT DISTINCT person_id, chat_id FROM membership_spell")), dtype=np.int64).reshape(-1, 2)
        measures = measure(memberships)
        step("structure")
        facts = collect_facts(conn, owner_person)
        assign_roles(conn, facts, owner_person, measures)
        write_roles(conn, facts)
        write_scores(conn, sorted(set(person_id.values())), facts, measures)
        step("roles")
        summary = {
            "persons": len(set(person_id.values())),
            "automatic_merges": len(persons.merges),
            "ambiguous_labels": len(persons.ambiguous),
            "groups": conn.execute("SELECT count(*) FROM chat WHERE is_group = 1").fetchone()[0],
            "group_events": conn.execute("SELECT count(*) FROM group_event").fetchone()[0],
            "posts": len(posts),
            "families_filled": families,
            "first_sightings": conn.execute("SELECT count(*) FROM first_sighting").fetchone()[0],
            "roles": dict(conn.execute("SELECT role, count(*) FROM person_role GROUP BY role ORDER BY role")),
            "communities": len(set(measures.group_community.values())),
            "modularity": None if measures.modularity is None else round(measures.modularity, 4),
            "key_players": len(measures.kpp_rank),
        }
        for amb in persons.ambiguous:
            ident = persons.identifiers[amb["identifier"]]
            where = f" in chat {ident.context!r}" if ident.context else ""
            if "lead" in amb:
                store.warn("analyze", f"label {ident.normalized!r}{where} left unresolved: {amb['reason']}",
                           ident.scope or None)
                continue
            store.warn("analyze", f"label {ident.normalized!r}{where} points at {len(amb['candidates'])} different"
                                  f" identifiers ({amb['reason']}); left unresolved", ident.scope or None)
        store.audit("analyze.network", {**summary, "seconds": timings})
    return summary
