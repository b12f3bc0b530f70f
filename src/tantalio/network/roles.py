"""Behavioural roles, each with the evidence that supports it (NETWORK.md §2).

Roles come from what a person did, never from centrality (in the toy test PageRank and
betweenness found none of the planted producers or admins):

* producer — the camera original (camera EXIF) of unknown material is on an exhibit seized
  from the person, and that material (exact or PDQ-near) circulates in the groups;
* suspected_producer — only the earliest observed poster of unknown material, first copy not
  forwarded (an importer of new-to-network material looks the same: hence "suspected");
* distributor — re-posts media others introduced (≥ 5) into two or more groups, or is in the top
  tier by media posted;
* administrator — created a group, was granted admin, is listed as admin, or added/removed members;
* bridge — member of three or more groups spread evenly over three or more communities, or top
  brokerage (betweenness) spanning communities; admins and distributors of one cluster also sit
  in three groups, so group count alone is not brokerage;
* consumer — a member with little or no posting and no other role.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tantalio.network.communities import NetworkMeasures

DISTRIBUTOR_MIN_GROUPS = 2
DISTRIBUTOR_TOP_SHARE = 0.10       # top tier: the top 10 % of posters by media posted ...
DISTRIBUTOR_MIN_POSTS = 5          # ... who posted at least this many; also the re-posts needed
                                   # with ≥ 2 groups (a producer posting only their own is not one)
BRIDGE_MIN_GROUPS = 3
BRIDGE_MIN_COMMUNITIES = 3         # ... spread over three Leiden communities of the group layer
BRIDGE_MIN_PARTICIPATION = 0.6     # ... evenly (1 − Σ share²): a regular of one cluster is not a bridge
BRIDGE_TOP_SHARE = 0.05            # top 5 % by betweenness, with groups in two or more communities
CONSUMER_MAX_POSTS = 1
MAX_EVIDENCE = 25


@dataclass(slots=True)
class PersonFacts:
    groups: set[int] = field(default_factory=set)
    messages: int = 0
    media_posted: int = 0
    known_posted: int = 0
    unknown_posted: int = 0
    first_posts: int = 0
    unknown_first_posts: int = 0
    posted_groups: set[int] = field(default_factory=set)
    reposts: int = 0               # posts of material someone else was first seen posting
    admin_actions: int = 0
    roles: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, role: str, evidence: dict[str, Any]) -> None:
        items = self.roles.setdefault(role, [])
        if len(items) < MAX_EVIDENCE:
            items.append({k: v for k, v in evidence.items() if v is not None})


def family_status(conn: sqlite3.Connection) -> dict[str, str]:
    """known if any copy in the family is known; ignorable if every copy is; else unknown."""
    statuses: dict[str, set[str]] = defaultdict(set)
    for family, status in conn.execute("SELECT coalesce(family, sha256), status FROM media_item"):
        statuses[family].add(status)
    return {f: "known" if "known" in s else "ignorable" if s == {"ignorable"} else "unknown"
            for f, s in statuses.items()}


def collect_facts(conn: sqlite3.Connection, owner_person: dict[str, int]) -> dict[int, PersonFacts]:
    facts: dict[int, PersonFacts] = defaultdict(PersonFacts)
    for chat, person in conn.execute("SELECT DISTINCT chat_id, person_id FROM membership_spell"):
        facts[person].groups.add(chat)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS exhibit_owner(exhibit_id TEXT PRIMARY KEY, person_id INTEGER)")
    conn.execute("DELETE FROM exhibit_owner")
    conn.executemany("INSERT INTO exhibit_owner VALUES (?, ?)", sorted(owner_person.items()))
    # the same message on several phones counts once: key on group, minute and text
    for person, n in conn.execute(
        "SELECT p, count(DISTINCT k) FROM (SELECT coalesce(i.person_id, CASE WHEN m.from_me THEN eo.person_id END) p,"
        " co.chat_id || '|' || substr(m.time, 1, 16) || '|' || m.text k FROM message m"
        " JOIN chat_obs co ON co.id = m.chat_obs_id LEFT JOIN identifier i ON i.id = m.sender_identifier_id"
        " LEFT JOIN exhibit_owner eo ON eo.exhibit_id = m.exhibit_id"
        " WHERE m.kind NOT IN ('system', 'system_unknown')) WHERE p IS NOT NULL GROUP BY p"
    ):
        facts[person].messages = n
    status = family_status(conn)
    introducer = dict(conn.execute("SELECT family, person_id FROM first_sighting"))
    for person, chat, family in conn.execute("SELECT person_id, chat_id, family FROM post WHERE person_id IS NOT NULL"):
        f = facts[person]
        f.media_posted += 1
        f.posted_groups.add(chat)
        if introducer.get(family) != person:
            f.reposts += 1
        s = status.get(family, "unknown")
        if s == "known":
            f.known_posted += 1
        elif s == "unknown":
            f.unknown_posted += 1
    for person, family in conn.execute("SELECT person_id, family FROM first_sighting WHERE person_id IS NOT NULL"):
        facts[person].first_posts += 1
        if status.get(family, "unknown") == "unknown":
            facts[person].unknown_first_posts += 1
    return facts


def assign_roles(conn: sqlite3.Connection, facts: dict[int, PersonFacts], owner_person: dict[str, int],
                 measures: NetworkMeasures) -> None:
    labels = dict(conn.execute("SELECT id, label FROM chat"))
    status = family_status(conn)
    _producers(conn, facts, owner_person, status, labels)
    for person, sha, chat, time, family in conn.execute(
        "SELECT person_id, sha256, chat_id, time, family FROM first_sighting"
        " WHERE origin = 'observed' AND person_id IS NOT NULL ORDER BY time, family"
    ):
        if status.get(family, "unknown") == "unknown" and "producer" not in facts[person].roles:
            facts[person].add("suspected_producer", {
                "text": f"earliest observed poster of unknown material (not forwarded) at {time}",
                "sha256": sha, "chat": labels.get(chat)})
    _distributors(facts)
    _administrators(conn, facts, labels)
    _bridges(facts, measures)
    for f in facts.values():
        if f.groups and f.media_posted <= CONSUMER_MAX_POSTS and not f.roles:
            f.add("consumer", {"text": f"member of {len(f.groups)} group(s); {f.media_posted} media posted,"
                                       f" {f.messages} messages"})


def _producers(conn: sqlite3.Connection, facts: dict[int, PersonFacts], owner_person: dict[str, int],
               status: dict[str, str], labels: dict[int, str]) -> None:
    circulating = dict(conn.execute("SELECT family, count(*) FROM post GROUP BY family"))
    first_chat = dict(conn.execute("SELECT family, chat_id FROM first_sighting"))
    for sha, family, make, model, taken, exhibit, path in conn.execute(
        "SELECT mi.sha256, coalesce(mi.family, mi.sha256), mi.exif_make, mi.exif_model, mi.exif_taken,"
        " inst.exhibit_id, inst.path FROM media_item mi JOIN media_instance inst ON inst.sha256 = mi.sha256"
        " WHERE (mi.exif_make IS NOT NULL OR mi.exif_model IS NOT NULL) AND mi.status = 'unknown'"
        " ORDER BY inst.exhibit_id, inst.path"
    ):
        person = owner_person.get(exhibit)
        if person is None or status.get(family, "unknown") != "unknown" or not circulating.get(family):
            continue
        camera = " ".join(x for x in (make, model) if x)
        facts[person].add("producer", {
            "text": f"camera original ({camera}{', taken ' + taken if taken else ''}) of unknown material on the"
                    f" person's own exhibit; the material circulates in {circulating[family]} post(s)",
            "exhibit": exhibit, "path": path, "sha256": sha, "chat": labels.get(first_chat.get(family, -1))})


def _distributors(facts: dict[int, PersonFacts]) -> None:
    volumes = sorted((f.media_posted for f in facts.values() if f.media_posted), reverse=True)
    if not volumes:
        return
    cut = volumes[max(0, int(len(volumes) * DISTRIBUTOR_TOP_SHARE) - 1)]
    threshold = max(cut, DISTRIBUTOR_MIN_POSTS)
    for f in facts.values():
        if len(f.posted_groups) >= DISTRIBUTOR_MIN_GROUPS and f.reposts >= DISTRIBUTOR_MIN_POSTS:
            f.add("distributor", {"text": f"posted {f.media_posted} media into {len(f.posted_groups)} groups"
                                          f" ({f.reposts} re-posts of material others introduced;"
                                          f" {f.unknown_posted} unknown, {f.known_posted} known)"})
        elif f.media_posted >= threshold:
            f.add("distributor", {"text": f"posted {f.media_posted} media (top tier: at least {threshold})"})


def _administrators(conn: sqlite3.Connection, facts: dict[int, PersonFacts], labels: dict[int, str]) -> None:
    for chat, person, created in conn.execute(
        "SELECT id, creator_person_id, created_at FROM chat WHERE is_group = 1 AND creator_person_id IS NOT NULL"
    ):
        facts[person].add("administrator", {"text": f"created the group{' at ' + created if created else ''}",
                                            "chat": labels.get(chat)})
    for chat, person, actor, kind, time in conn.execute(
        "SELECT chat_id, person_id, actor_person_id, kind, time FROM group_event"
        " WHERE kind IN ('created', 'admin_granted', 'added', 'removed') ORDER BY time, id"
    ):
        if kind in ("created", "admin_granted") and person is not None:
            text = "created the group" if kind == "created" else "was granted admin"
            facts[person].add("administrator", {"text": f"{text} at {time}", "chat": labels.get(chat)})
        if kind in ("added", "removed") and actor is not None and actor != person:
            facts[actor].admin_actions += 1
            facts[actor].add("administrator", {"text": f"{kind} a member at {time}", "chat": labels.get(chat)})
    for chat, person, rank, exhibit, location in conn.execute(
        "SELECT DISTINCT co.chat_id, i.person_id, gm.rank, co.exhibit_id, gm.location FROM group_member gm"
        " JOIN chat_obs co ON co.id = gm.chat_obs_id JOIN identifier i ON i.id = gm.identifier_id"
        " WHERE gm.rank IN ('admin', 'creator') AND i.person_id IS NOT NULL ORDER BY 1, 2"
    ):
        facts[person].add("administrator", {"text": f"listed as group {rank} by the group database",
                                            "chat": labels.get(chat), "exhibit": exhibit, "location": location})


def _bridges(facts: dict[int, PersonFacts], measures: NetworkMeasures) -> None:
    ranked = sorted(measures.betweenness.items(), key=lambda kv: (-kv[1], kv[0]))
    top = {p for p, b in ranked[:max(1, int(len(ranked) * BRIDGE_TOP_SHARE))] if b > 0}
    # a network of only two communities cannot show a spread over three: ask for what it has
    need = max(2, min(BRIDGE_MIN_COMMUNITIES, len(set(measures.group_community.values()))))
    min_pc = min(BRIDGE_MIN_PARTICIPATION, 1.0 - 1.0 / need)
    for person, f in facts.items():
        spanned = measures.communities_spanned.get(person, 0)
        pc = measures.participation.get(person, 0.0)
        if len(f.groups) >= BRIDGE_MIN_GROUPS and spanned >= need and pc >= min_pc:
            f.add("bridge", {"text": f"member of {len(f.groups)} groups spread over {spanned} communities"
                                     f" (participation coefficient {pc:.2f})"})
        elif person in top and spanned >= 2 and pc >= min_pc:
            f.add("bridge", {"text": f"top brokerage (betweenness {measures.betweenness[person]:.1f}) between"
                                     f" {spanned} communities (participation coefficient {pc:.2f})"})


def write_roles(conn: sqlite3.Connection, facts: dict[int, PersonFacts]) -> None:
    confidence = {"producer": 0.95, "suspected_producer": 0.5, "distributor": 0.8, "administrator": 0.9,
                  "bridge": 0.7, "consumer": 0.6}
    conn.executemany("INSERT INTO person_role(person_id, role, confidence, evidence) VALUES (?,?,?,?)",
                     [(p, role, confidence[role], json.dumps(ev, ensure_ascii=False, sort_keys=True))
                      for p in sorted(facts) for role, ev in sorted(facts[p].roles.items())])
