"""Administrator / gatekeeper (NETWORK.md §2: "Creator/admin flags; added/removed system
messages"; §1: admins removed members who did not upload).

What makes someone an administrator of a group:

* creating it (a creation event, or the group database's creator field) - a WhatsApp creator is
  an admin from the start;
* being granted admin ("X made Y an admin"; Android action 15, iOS event 10 in FORMATS.md
  §2-3), until a revocation (action 16 / event 11) ends it;
* being listed with an admin or creator rank by a group database (its state at extraction);
* removing a member: in WhatsApp and Telegram only admins can remove participants.

Adding a member is *not* by itself evidence: WhatsApp lets groups allow every member to add
others, and Telegram allows it by default. An add counts (as support) only when the actor is
known to be an admin of that group at that moment by one of the above.
"""

from __future__ import annotations

from collections import defaultdict

from tantalio.network.align import iso_s
from tantalio.network.evidence_text import evidence as coded
from tantalio.network.facts import Evidence, NetworkFacts, RoleFinding

NEG_INF = float("-inf")
POS_INF = float("inf")


def admin_spells(facts: NetworkFacts) -> dict[tuple[int, int], list[tuple[float, float]]]:
    """(group, person) -> the intervals they were known to be an admin (creation or grant until
    revocation). Times unknown: from the start, or to the end of the records."""
    opened: dict[tuple[int, int], float] = {}
    spells: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
    changes = [(c.time if c.time is not None else NEG_INF, 0, c.chat, c.person, "admin_granted")
               for c in facts.creations]
    changes += [(e.time if e.time is not None else NEG_INF, 1, e.chat, e.person, e.event) for e in facts.events
                if e.event in ("admin_granted", "admin_revoked") and e.person is not None]
    for t, _, chat, person, kind in sorted(changes, key=lambda c: (c[0], c[1], c[2], c[3] or 0, c[4])):
        assert person is not None
        key = (chat, person)
        if kind == "admin_granted":
            opened.setdefault(key, t)
        elif key in opened:
            spells[key].append((opened.pop(key), t))
    for key, start in opened.items():
        spells[key].append((start, POS_INF))
    return spells


def was_admin(spells: list[tuple[float, float]], t: float | None) -> bool:
    return t is not None and any(start <= t <= end for start, end in spells)


def administrators(facts: NetworkFacts) -> dict[int, RoleFinding]:
    spells = admin_spells(facts)
    evidence: dict[int, list[tuple[float, Evidence]]] = defaultdict(list)
    label = facts.chat_labels

    def note(person: int, confidence: float, item: Evidence) -> None:
        evidence[person].append((confidence, item))

    for c in facts.creations:
        created = coded("admin.created_at", time=iso_s(c.time)) if c.time else coded("admin.created")
        note(c.person, 0.95, {**created, "chat": label.get(c.chat)})
    revoked = {(e.chat, e.person): e.time for e in facts.events if e.event == "admin_revoked" and e.person is not None}
    for e in facts.events:
        if e.event == "admin_granted" and e.person is not None:
            ended = (e.chat, e.person) in revoked
            granted = coded("admin.granted_until_revoked", time=iso_s(e.time),
                            revoked=iso_s(revoked[(e.chat, e.person)])) if ended \
                else coded("admin.granted", time=iso_s(e.time))
            note(e.person, 0.8 if ended else 0.9, {**granted, "chat": label.get(e.chat)})
    for r in facts.ranks:
        rank = coded(f"admin.listed_{r.rank}") if r.rank in ("admin", "creator") \
            else coded("admin.listed", rank=r.rank)
        note(r.person, 0.9, {**rank, "chat": label.get(r.chat), "exhibit": r.exhibit, "location": r.location})
    removals: dict[int, int] = defaultdict(int)
    for e in facts.events:
        if e.event == "removed" and e.by is not None and e.by != e.person:
            removals[e.by] += 1
            note(e.by, min(0.9, 0.7 + 0.05 * removals[e.by]),
                 {**coded("admin.removed_member", time=iso_s(e.time)), "chat": label.get(e.chat)})
    adds = _admin_adds(facts, spells)
    out = {}
    for person, items in evidence.items():
        items.sort(key=lambda ci: -ci[0])
        listed = [item for _, item in items]
        confidence = items[0][0]
        if adds.get(person):
            listed.append(coded("admin.added_members", members=adds[person]))
            confidence = min(0.98, confidence + 0.02)
        out[person] = RoleFinding("administrator", round(confidence, 3), listed)
    return out


def _admin_adds(facts: NetworkFacts, spells: dict[tuple[int, int], list[tuple[float, float]]]) -> dict[int, int]:
    """Members each person added while known to be an admin of that group."""
    out: dict[int, int] = defaultdict(int)
    for e in facts.events:
        if e.event == "added" and e.by is not None and e.by != e.person \
                and was_admin(spells.get((e.chat, e.by), []), e.time):
            out[e.by] += 1
    return out


def admin_actions(facts: NetworkFacts) -> dict[int, int]:
    """Members removed, plus members added while known to be admin: for the priority score."""
    out = _admin_adds(facts, admin_spells(facts))
    for e in facts.events:
        if e.event == "removed" and e.by is not None and e.by != e.person:
            out[e.by] += 1
    return out
