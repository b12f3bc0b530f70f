"""Resolving device-specific names to persons.

Phone numbers, JIDs and Telegram ids are hard identifiers: global, one per person. A display
name ("Pepe BCN", "~ Pepe") is only what one device calls someone, so it is scoped to its
exhibit and is linked to a hard identifier only on evidence:

* the device itself says so (address book, push name: ``alias`` rows);
* a label seen in a chat (kept per chat: one device can show two people under one label in two
  chats) equals the address-book or push name of exactly one hard identifier on that device;
  equal to the names of two or more, it stays unresolved unless other evidence decides
  (:mod:`tantalio.network.chat_labels`);
* a push name (``~ Pepe`` in an iOS export) recorded with exactly one number by the databases
  of the case (:mod:`tantalio.network.push_names`): a push name is what the user calls
  themself, the same on every phone;
* the same group recorded by another device shows the same messages or membership events,
  where that device names the sender (or subject, or actor) by a hard identifier
  (:mod:`tantalio.network.align`);
* weakest, applied last: the same label on the same device resolved in its other chats, all to
  one person (lower confidence; never when the device gives that name to several contacts).

A shared display name alone never merges anything (names in two exhibits are different
identifiers), two different phone numbers are never merged automatically, and a label that
points at two different numbers stays unresolved. Every merge is logged in ``person_merge``
with its evidence and confidence; manual merges and splits there are replayed on every run.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tantalio.network.chat_labels import device_name_votes, same_device_links
from tantalio.network.device_owner import (
    Account,
    OwnerFinding,
    evidence_accounts,
    resolve_owner,
    sync_owner_merges,
)
from tantalio.network.device_owner import warn as warn_owner
from tantalio.network.groups import ChatResolution
from tantalio.network.push_names import push_name_votes
from tantalio.network.unionfind import DisjointSets

SOFT_KINDS = frozenset({"display_name", "owner"})
ANCHOR_KINDS = frozenset({"phone", "telegram_id"})   # never two different ones in one person
ANALYZE_ACTOR = "analyze"
ALIAS_WEIGHT = {"address_book": 3.0, "export_label": 3.0, "push_name": 2.0, "telegram_name": 2.0, "profile": 1.0}
MIN_SHARE = 0.75        # share of a label's evidence that must point at one identifier
MIN_SOFT_PAIRS = 2      # matched messages needed to link two labels when no number is involved


@dataclass(slots=True)
class Identifier:
    id: int
    kind: str
    normalized: str
    scope: str
    context: str = ""      # chat_key of a label seen in one chat; "" for device-wide names


@dataclass(slots=True)
class MergeRecord:
    identifiers: tuple[int, int]
    reason: str
    confidence: float
    evidence: dict[str, Any]


@dataclass(slots=True)
class PersonResolution:
    identifiers: dict[int, Identifier]
    person_of: dict[int, int] = field(default_factory=dict)       # identifier id -> person root
    merges: list[MergeRecord] = field(default_factory=list)
    ambiguous: list[dict[str, Any]] = field(default_factory=list)


def owner_identifiers(conn: sqlite3.Connection) -> dict[str, OwnerFinding]:
    """Each exhibit's owner as an identifier: the ``--owner`` phone (created if unseen), else the
    "owner of EX" identifier of its ``from_me`` rows, with what shows it. The accounts the
    evidence names as the device's own are made the same person through merges by the evidence
    (:mod:`tantalio.network.device_owner`)."""
    out: dict[str, OwnerFinding] = {}
    accounts = evidence_accounts(conn)
    wanted: list[tuple[str, int, Account]] = []
    for ex, phone, country in conn.execute("SELECT id, owner_phone, country FROM exhibit ORDER BY id").fetchall():
        owner, pairs, problem = resolve_owner(conn, ex, phone, country, accounts.get(ex, []))
        if problem:
            warn_owner(conn, ex, problem)
        if owner is not None:
            out[ex] = owner
        wanted.extend((ex, o, account) for o, account in pairs)
    sync_owner_merges(conn, wanted)
    return out


class _Constrained:
    """Disjoint sets that refuse unions joining two anchors or crossing an analyst's split."""

    def __init__(self, identifiers: dict[int, Identifier], cannot: list[tuple[int, int]], detached: set[int]):
        self.sets = DisjointSets(identifiers)
        self.anchor: dict[int, tuple[str, str]] = {
            i.id: (i.kind, i.normalized) for i in identifiers.values() if i.kind in ANCHOR_KINDS}
        self.cannot = cannot
        self.detached = detached

    def allowed(self, a: int, b: int) -> bool:
        ra, rb = self.sets.find(a), self.sets.find(b)
        if ra == rb:
            return True
        if ra in self.anchor and rb in self.anchor:
            return False
        for x in self.detached:
            if self.sets.find(x) in (ra, rb):
                return False
        for x, y in self.cannot:
            if {self.sets.find(x), self.sets.find(y)} == {ra, rb}:
                return False
        return True

    def union(self, a: int, b: int, force: bool = False) -> bool:
        if not force and not self.allowed(a, b):
            return False
        ra, rb = self.sets.find(a), self.sets.find(b)
        if ra == rb:
            return False
        anchor = self.anchor.get(ra) or self.anchor.get(rb)
        root = self.sets.union(a, b)
        if anchor:
            self.anchor[root] = anchor
        return True


def _manual_ops(conn: sqlite3.Connection) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]], set[int]]:
    """An analyst's merges (all identifiers of a row into one person), forbidden pairs (an
    undone automatic merge) and detached identifiers (a split)."""
    merges: list[tuple[int, int, int]] = []
    cannot: list[tuple[int, int]] = []
    detached: set[int] = set()
    for row_id, op, evidence in conn.execute(
        "SELECT id, op, evidence FROM person_merge WHERE actor != ? AND undone_at IS NULL ORDER BY id",
        (ANALYZE_ACTOR,)
    ):
        facts = json.loads(evidence or "{}")
        ids = [int(x) for x in facts.get("identifiers", [])]
        # decisions replay in order: a later one overrides what an earlier one said of the same ids
        if op == "merge" and ids:
            merges.extend((row_id, ids[0], other) for other in ids[1:])
            detached.difference_update(ids)
            cannot = [(x, y) for x, y in cannot if not (x in ids and y in ids)]
        elif op == "split" and (facts.get("detach") or len(ids) == 1):
            detached.update(ids)
            merges = [(r, a, b) for r, a, b in merges if a not in ids and b not in ids]
        elif op == "split" and len(ids) == 2:
            cannot.append((ids[0], ids[1]))
            merges = [(r, a, b) for r, a, b in merges if {a, b} != set(ids)]
    return merges, cannot, detached


def resolve_persons(conn: sqlite3.Connection, chats: ChatResolution, owners: dict[str, int]) -> PersonResolution:
    identifiers = {r[0]: Identifier(*r) for r in conn.execute(
        "SELECT id, kind, normalized, scope, context FROM identifier")}
    result = PersonResolution(identifiers)
    manual_merges, cannot, detached = _manual_ops(conn)
    sets = _Constrained(identifiers, cannot, detached)

    # votes[label][other identifier] = weight; why[label][other] = evidence entries
    votes: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    why: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)

    def vote(label: int, other: int, weight: float, evidence: dict[str, Any]) -> None:
        votes[label][other] += weight
        if len(why[(label, other)]) < 20:
            why[(label, other)].append(evidence)

    # device_names[(exhibit, name)][hard identifier] = the kinds of name the device gives it
    device_names: dict[tuple[str, str], dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for hard, name, name_kind, exhibit in conn.execute(
        "SELECT identifier_id, name_id, name_kind, exhibit_id FROM alias ORDER BY id"
    ):
        if hard in identifiers and name in identifiers and identifiers[hard].kind not in SOFT_KINDS:
            vote(name, hard, ALIAS_WEIGHT.get(name_kind, 1.0), {"kind": name_kind, "exhibit": exhibit})
            device_names[(exhibit, identifiers[name].normalized)][hard].add(name_kind)
    name_votes, clashes = device_name_votes(identifiers, device_names, ALIAS_WEIGHT)
    for label, hard, weight, evidence in name_votes:
        vote(label, hard, weight, evidence)
    pushed, push_leads = push_name_votes(conn, identifiers, chats)
    for label, hard, weight, evidence in pushed:
        vote(label, hard, weight, evidence)
    result.ambiguous.extend(push_leads)

    for obs_a, obs_b, al in chats.alignments:
        for x, y in al.pairs:
            for wx, wy in zip(x.who, y.who, strict=False):
                if wx is None or wy is None or wx == wy or wx not in identifiers or wy not in identifiers:
                    continue
                soft_x, soft_y = identifiers[wx].kind in SOFT_KINDS, identifiers[wy].kind in SOFT_KINDS
                if not (soft_x or soft_y):
                    continue
                what = "event" if x.key.startswith("ev:") else "message"
                ev = {"kind": f"same {what} in two recordings", "observations": [obs_a, obs_b],
                      "rows": [x.row, y.row], "offset_s": round(al.offset, 1)}
                if soft_x:
                    vote(wx, wy, 1.0, ev)
                if soft_y:
                    vote(wy, wx, 1.0, ev)

    # Labels to hard identifiers first: the strongest, most specific evidence.
    for label in sorted(votes):
        hard = {o: w for o, w in votes[label].items() if identifiers[o].kind not in SOFT_KINDS}
        if not hard:
            continue
        best = max(sorted(hard), key=lambda o: hard[o])
        total = sum(hard.values())
        share = hard[best] / total
        if share < MIN_SHARE:
            if identifiers[label].context:    # a device-wide name alone in nobody's chat: no finding
                result.ambiguous.append({"identifier": label, "candidates": sorted(hard), "weights": hard,
                                         "reason": "evidence points at several identifiers"})
            continue
        confidence = round(min(0.99, (1 - 0.5 ** hard[best])) * share, 3)
        if sets.union(label, best):
            result.merges.append(MergeRecord((best, label), "label linked to a hard identifier", confidence,
                                             {"weight": hard[best], "share": round(share, 3),
                                              "evidence": why[(label, best)]}))
    # Then labels to labels (a group seen only in exports, or a name-only member).
    for label in sorted(votes):
        for other in sorted(votes[label]):
            if identifiers[other].kind not in SOFT_KINDS or other < label:
                continue
            weight = min(votes[label][other], votes[other].get(label, 0.0))
            if weight < MIN_SOFT_PAIRS:
                continue
            if sets.union(label, other):
                result.merges.append(MergeRecord((label, other), "labels linked by aligned recordings",
                                                 round(min(0.9, 1 - 0.5 ** weight), 3),
                                                 {"weight": weight, "evidence": why[(label, other)]}))
    # The same label resolved in another chat of the device is only a lead: two contacts can share
    # a name, and we never merge on a shared display name alone. Say so, for the analyst to confirm
    # (`tantalio persons merge`), and leave the label unresolved.
    resolved = {sets.sets.find(i) for i, ident in identifiers.items() if ident.kind not in SOFT_KINDS}
    leads, disagreements = same_device_links(identifiers, sets.sets.find, resolved, clashes)
    for label, other, evidence in leads:
        result.ambiguous.append({"identifier": label, "candidates": [other], "weights": {}, "lead": evidence,
                                 "reason": "the same label is resolved in another chat of this device; not merged"
                                           " on a name alone, confirm with `tantalio persons merge`"})
    result.ambiguous.extend(disagreements)
    for label in sorted(clashes):
        if sets.sets.find(label) not in resolved and not any(
                identifiers[o].kind not in SOFT_KINDS for o in votes.get(label, {})):
            result.ambiguous.append({"identifier": label, "candidates": clashes[label], "weights": {},
                                     "reason": "the device gives this name to several contacts"})
    for _row_id, a, b in manual_merges:
        if a in identifiers and b in identifiers:
            sets.union(a, b, force=True)
    result.person_of = _persons_of(identifiers, sets.sets)
    return result


def _persons_of(identifiers: dict[int, Identifier], sets: DisjointSets) -> dict[int, int]:
    """identifier -> person root. A device-wide name (address book, push name) that stayed on its
    own names nobody in any conversation (chat labels are separate identifiers): it is no person."""
    roots = {i: sets.find(i) for i in identifiers}
    size: dict[int, int] = defaultdict(int)
    for root in roots.values():
        size[root] += 1
    return {i: root for i, root in roots.items()
            if not (size[root] == 1 and identifiers[i].kind == "display_name" and not identifiers[i].context)}


def person_sort_key(members: list[Identifier]) -> tuple[int, str, str]:
    """Order persons for labelling: with a phone first (by number), then other hard ids, names."""
    phones = sorted(i.normalized for i in members if i.kind == "phone")
    if phones:
        return (0, phones[0], "")
    hard = sorted(f"{i.kind}:{i.normalized}" for i in members if i.kind not in SOFT_KINDS)
    if hard:
        return (1, hard[0], "")
    return (2, min(f"{i.scope}|{i.kind}|{i.normalized}|{i.context}" for i in members), "")


def write_merge_log(conn: sqlite3.Connection, result: PersonResolution, person_id: dict[int, int], now: str) -> None:
    """Replace the automatic part of the merge log (manual rows stay)."""
    conn.execute("DELETE FROM person_merge WHERE actor = ?", (ANALYZE_ACTOR,))
    rows = []
    for m in result.merges:
        a, b = m.identifiers
        pid = person_id[result.person_of[a]]
        rows.append(("merge", pid, pid, a, m.reason, m.confidence,
                     json.dumps({"identifiers": [a, b], **m.evidence}, sort_keys=True, ensure_ascii=False),
                     ANALYZE_ACTOR, now))
    conn.executemany(
        "INSERT INTO person_merge(op, person_id, other_id, identifier_id, reason, confidence, evidence, actor, at)"
        " VALUES (?,?,?,?,?,?,?,?,?)", rows)
