"""Stable person labels: a label, once issued, always names the same person.

Dossiers and packages cite ``P-0012`` abroad, so re-analysis after a new exhibit must never
move a label to someone else (DESIGN.md "Anything cited outside the case keeps its meaning").
Each label is anchored on the strongest identifier of the person it was issued for (a phone
before a JID, LID, Telegram id, username; a display name only when nothing else is known) and
follows that identifier:

* a person whose cluster holds one issued label's anchor keeps that label;
* a cluster holding the anchors of several labels is a merge: the oldest label (lowest number)
  stays, the others are retired as "merged into" it, with when and by what (analysis, or the
  analyst whose manual merge caused it) - resolvable with ``tantalio persons show``;
* a cluster holding no anchor gets a new label (numbers continue after the highest ever issued;
  none is reused); if its identifiers belonged to a label that stays elsewhere, it is a split
  and the new label says which label it was split from;
* a label whose anchor no longer makes a person (an analyst detached it and it is only a name)
  is retired.

An anchor moves only up in strength (a name-anchored label gains the phone found for it), so a
later split keeps the label with the phone. :func:`plan_labels` is pure; the store side reads
and writes ``person_label`` and ``person``.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from tantalio.network.identities import Identifier, PersonResolution, person_sort_key

ANCHOR_STRENGTH = {"phone": 0, "jid": 1, "lid": 2, "telegram_id": 3, "username": 4, "owner": 5, "display_name": 6}


def label_text(number: int) -> str:
    return f"P-{number:04d}"


def strongest(members: list[Identifier]) -> Identifier:
    """The identifier a label is anchored on: the strongest kind, then a stable order."""
    return min(members, key=lambda i: (ANCHOR_STRENGTH.get(i.kind, 9), i.normalized, i.scope, i.context, i.id))


class IssuedLabel(NamedTuple):
    label: str
    number: int
    anchor: int | None            # identifier id


class Retirement(NamedTuple):
    label: str
    merged_into: str | None       # None: retired without a successor
    by: str
    reason: str


@dataclass(slots=True)
class LabelPlan:
    label_of: dict[int, str] = field(default_factory=dict)          # person root -> label
    anchors: dict[str, int] = field(default_factory=dict)           # label -> anchor identifier (new or moved)
    issued: list[tuple[str, int, str | None]] = field(default_factory=list)   # new: label, number, split_from
    retired: list[Retirement] = field(default_factory=list)


# (merged label's previous identifiers, kept label's previous identifiers) -> (by, reason)
MergeCause = Callable[[set[int], set[int]], tuple[str, str]]


def plan_labels(clusters: dict[int, list[Identifier]], issued: list[IssuedLabel],
                previous: dict[int, str], cause: MergeCause, highest: int = 0) -> LabelPlan:
    """Labels for this run's person clusters (root -> identifiers), given every label issued so
    far that is still active, the label each identifier had in the previous run, and the highest
    number ever issued (retired numbers are never reused)."""
    plan = LabelPlan()
    root_of = {ident.id: root for root, members in clusters.items() for ident in members}
    by_id = {ident.id: ident for members in clusters.values() for ident in members}
    claims: dict[int, list[IssuedLabel]] = {}
    for item in sorted(issued, key=lambda i: i.number):
        root = root_of.get(item.anchor) if item.anchor is not None else None
        if root is None:
            plan.retired.append(Retirement(item.label, None, "analyze",
                                           "its anchor identifier no longer makes a person"))
            continue
        claims.setdefault(root, []).append(item)
    held_before: dict[str, set[int]] = {}
    for ident, label in previous.items():
        held_before.setdefault(label, set()).add(ident)
    for root, labels in claims.items():
        keep, *others = labels                       # sorted by number: the oldest stays
        plan.label_of[root] = keep.label
        for other in others:
            by, reason = cause(held_before.get(other.label, set()), held_before.get(keep.label, set()))
            plan.retired.append(Retirement(other.label, keep.label, by, reason))
        best = strongest(clusters[root])
        current = by_id.get(keep.anchor) if keep.anchor is not None else None
        if current is None or ANCHOR_STRENGTH.get(best.kind, 9) < ANCHOR_STRENGTH.get(current.kind, 9):
            plan.anchors[keep.label] = best.id
    top = max([highest, *(i.number for i in issued)])
    fresh = sorted((r for r in clusters if r not in plan.label_of), key=lambda r: person_sort_key(clusters[r]))
    staying = set(plan.label_of.values())
    for root in fresh:
        top += 1
        label = label_text(top)
        before = Counter(previous[i.id] for i in clusters[root] if i.id in previous)
        split_from = next((lab for lab, _ in before.most_common() if lab in staying), None)
        plan.label_of[root] = label
        plan.anchors[label] = strongest(clusters[root]).id
        plan.issued.append((label, top, split_from))
    return plan


def _issued(conn: sqlite3.Connection, now: str) -> list[IssuedLabel]:
    """Active labels. A case analysed before labels were registered has person rows only: their
    labels are registered here, anchored on each person's current strongest identifier."""
    if conn.execute("SELECT count(*) FROM person_label").fetchone()[0] == 0:
        kinds = {r[0]: r[1:] for r in conn.execute("SELECT id, kind, normalized, scope, context FROM identifier")}
        held: dict[int, list[Identifier]] = {}
        for ident, pid in conn.execute("SELECT id, person_id FROM identifier WHERE person_id IS NOT NULL"):
            held.setdefault(pid, []).append(Identifier(ident, *kinds[ident]))
        rows = []
        for pid, label, created in conn.execute("SELECT id, label, created_at FROM person ORDER BY id").fetchall():
            number = int(label.split("-")[-1]) if label.split("-")[-1].isdigit() else None
            if number is not None:
                anchor = strongest(held[pid]).id if held.get(pid) else None
                rows.append((label, number, anchor, created or now))
        conn.executemany("INSERT OR IGNORE INTO person_label(label, number, anchor_identifier_id, issued_at)"
                         " VALUES (?,?,?,?)", rows)
    return [IssuedLabel(*r) for r in conn.execute(
        "SELECT label, number, anchor_identifier_id FROM person_label WHERE status = 'active' ORDER BY number")]


def manual_merge_cause(conn: sqlite3.Connection, auto: list[tuple[int, int, str]]) -> MergeCause:
    """Who merged two labels' persons: the analyst whose recorded merge names identifiers of
    both, else the analysis, with the automatic merge's reason when one joins them."""
    manual = [(set(int(x) for x in json.loads(ev or "{}").get("identifiers", [])), actor, reason, at)
              for actor, reason, ev, at in conn.execute(
                  "SELECT actor, reason, evidence, at FROM person_merge WHERE op = 'merge' AND actor != 'analyze'"
                  " AND undone_at IS NULL ORDER BY id")]

    def cause(merged: set[int], kept: set[int]) -> tuple[str, str]:
        for ids, actor, reason, at in reversed(manual):
            if ids & merged and ids & kept:
                return actor, f"manual merge at {at}: {reason}"
        for a, b, reason in auto:
            if (a in merged and b in kept) or (b in merged and a in kept):
                return "analyze", reason
        return "analyze", "its identifiers now resolve to the same person"
    return cause


def assign_labels(conn: sqlite3.Connection, result: PersonResolution, now: str) -> dict[int, int]:
    """Label every person of ``result`` (stable, see module doc), write ``person`` and
    ``identifier.person_id``; returns person root -> person id."""
    members: dict[int, list[Identifier]] = {}
    for ident, root in result.person_of.items():
        members.setdefault(root, []).append(result.identifiers[ident])
    issued = _issued(conn, now)
    label_ids = {label: pid for pid, label in conn.execute("SELECT id, label FROM person")}
    previous = {ident: label for ident, label in conn.execute(
        "SELECT i.id, p.label FROM identifier i JOIN person p ON p.id = i.person_id")}
    auto = [(m.identifiers[0], m.identifiers[1], m.reason) for m in result.merges]
    highest = conn.execute("SELECT coalesce(max(number), 0) FROM person_label").fetchone()[0]
    plan = plan_labels(members, issued, previous, manual_merge_cause(conn, auto), highest)
    conn.executemany("INSERT INTO person_label(label, number, anchor_identifier_id, issued_at, split_from)"
                     " VALUES (?,?,?,?,?)",
                     [(label, number, plan.anchors[label], now, split) for label, number, split in plan.issued])
    fresh = {label for label, _, _ in plan.issued}
    conn.executemany("UPDATE person_label SET anchor_identifier_id = ? WHERE label = ?",
                     [(anchor, label) for label, anchor in plan.anchors.items() if label not in fresh])
    conn.executemany("UPDATE person_label SET status = ?, merged_into = ?, retired_at = ?, retired_by = ?,"
                     " reason = ? WHERE label = ?",
                     [("merged" if r.merged_into else "retired", r.merged_into, now, r.by, r.reason, r.label)
                      for r in plan.retired])
    conn.execute("UPDATE identifier SET person_id = NULL")
    wanted = set(plan.label_of.values())
    conn.executemany("DELETE FROM person WHERE id = ?", [(pid,) for lab, pid in label_ids.items() if lab not in wanted])
    conn.executemany("INSERT INTO person(label, created_at) VALUES (?, ?)",
                     [(label, now) for label in sorted(wanted) if label not in label_ids])
    ids = {label: pid for pid, label in conn.execute("SELECT id, label FROM person")}
    person_id = {root: ids[label] for root, label in plan.label_of.items()}
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS person_map(identifier_id INTEGER PRIMARY KEY, person_id INTEGER)")
    conn.execute("DELETE FROM person_map")
    conn.executemany("INSERT INTO person_map VALUES (?, ?)",
                     ((ident, person_id[root]) for ident, root in result.person_of.items()))
    conn.execute("UPDATE identifier SET person_id = (SELECT person_id FROM person_map m WHERE m.identifier_id ="
                 " identifier.id)")
    return person_id


def current_label(conn: sqlite3.Connection, label: str) -> str | None:
    """The active label that now names the person ``label`` named (following merges), or None."""
    seen = set()
    while label not in seen:
        seen.add(label)
        row = conn.execute("SELECT status, merged_into FROM person_label WHERE label = ?", (label,)).fetchone()
        if row is None:
            return label if conn.execute("SELECT 1 FROM person WHERE label = ?", (label,)).fetchone() else None
        if row[0] == "active":
            return label
        if row[1] is None:
            return None
        label = row[1]
    return None
