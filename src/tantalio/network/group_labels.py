"""Stable group and chat labels: ``G-001`` (groups) and ``C-0001`` (one-to-one chats), once
issued, keep naming the same conversation after re-analysis with new exhibits.

Reports, packages and the case export cite ``G-004``; numbering the groups afresh on every run
(oldest first) moved every label when an exhibit brought an older group (DESIGN.md "Anything cited
outside the case keeps its meaning", as for person labels in :mod:`tantalio.network.labels`).
Each label is anchored on one key of the conversation it was issued for, ``chat_label.anchor``:

* ``jid:…@g.us`` - a WhatsApp group's JID, the same on every member's phone;
* ``telegram:<chat id>`` - a Telegram group's or channel's id, the same in every member's export;
* ``EX-01|<chat key>`` - one exhibit's recording of it (a chat export without a JID, a
  one-to-one chat, whose JID or id is the other party's and so differs from phone to phone);
* ``EX-01|<file>|<chat key>`` - one file's recording, when the exhibit holds several.

A label is anchored on the strongest key no other conversation holds (two members' exports of
one Telegram channel whose messages do not overlap may not be resolved as one conversation: they
share its id, and each keeps its own label, anchored on its own recording, until they are).

A resolved conversation holding a label's anchor keeps that label; one holding several labels'
anchors is a merge: the oldest label stays, the others are retired as merged into it; one
holding none gets the next number (never reused). An anchor moves only to a better key (one
exhibit's key to the group's JID or Telegram id once a recording shows it; a shared key to one
the conversation holds alone). :func:`plan_chat_labels`
is pure; :func:`chat_labels` reads and writes ``chat_label``.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from tantalio.network.groups import Observation

PREFIXES = {True: ("G-", 3), False: ("C-", 4)}      # is_group -> prefix, digits


def label_text(prefix: str, number: int) -> str:
    return f"{prefix}{number:0{dict(PREFIXES.values())[prefix]}d}"


def anchor_keys(o: Observation) -> list[tuple[int, str]]:
    """The keys that name this recording's conversation, strongest first: (strength, key)."""
    keys = [(2, f"{o.exhibit}|{o.chat_key}"), (3, f"{o.exhibit}|{o.source_path}|{o.chat_key}")]
    if o.is_group and o.jid:
        keys.append((0, f"jid:{o.jid}"))
    tail = o.chat_key.removeprefix("telegram:")
    if o.is_group and o.platform == "telegram" and tail != o.chat_key and tail.lstrip("-").isdigit():
        keys.append((1, f"telegram:{tail}"))
    return sorted(keys)


class IssuedChatLabel(NamedTuple):
    label: str
    prefix: str
    number: int
    anchor: str


@dataclass(slots=True)
class ChatLabelPlan:
    labels: list[str] = field(default_factory=list)                  # per conversation, in the given order
    anchors: dict[str, str] = field(default_factory=dict)            # label -> anchor (new or moved)
    issued: list[tuple[str, str, int]] = field(default_factory=list)  # new: label, prefix, number
    merged: list[tuple[str, str]] = field(default_factory=list)      # label, merged into
    retired: list[str] = field(default_factory=list)                 # anchor no longer in any conversation


def plan_chat_labels(conversations: list[tuple[str, list[tuple[int, str]]]], issued: list[IssuedChatLabel],
                     highest: dict[str, int]) -> ChatLabelPlan:
    """Labels for this run's conversations, each (prefix, its anchor keys), given in the order new
    labels are numbered (oldest first); ``issued``: the active labels; ``highest``: the highest
    number ever issued per prefix (retired numbers are never reused)."""
    plan = ChatLabelPlan()
    holder: dict[tuple[str, str], int] = {}
    holders: Counter[tuple[str, str]] = Counter()
    for n, (prefix, keys) in enumerate(conversations):
        for _, key in keys:
            holder.setdefault((prefix, key), n)
            holders[(prefix, key)] += 1
    claims: dict[int, list[IssuedChatLabel]] = {}
    for item in sorted(issued, key=lambda i: (i.prefix, i.number)):
        held = holder.get((item.prefix, item.anchor))
        if held is None:
            plan.retired.append(item.label)
        else:
            claims.setdefault(held, []).append(item)
    top: dict[str, int] = dict(highest)
    for item in issued:
        top[item.prefix] = max(top.get(item.prefix, 0), item.number)
    for n, (prefix, keys) in enumerate(conversations):
        # the best anchor: a key no other conversation holds (two recordings of one Telegram group
        # not (yet) resolved as one share its id), then the strongest
        strength = {key: s for s, key in keys}

        def rank(key: str, prefix: str = prefix, strength: dict[str, int] = strength) -> tuple[bool, int, str]:
            return holders[(prefix, key)] > 1, strength.get(key, 9), key

        best = min(strength, key=rank)
        if n in claims:
            keep, *others = claims[n]
            plan.merged.extend((other.label, keep.label) for other in others)
            if rank(best) < rank(keep.anchor):
                plan.anchors[keep.label] = best
            plan.labels.append(keep.label)
        else:
            top[prefix] = top.get(prefix, 0) + 1
            label = label_text(prefix, top[prefix])
            plan.issued.append((label, prefix, top[prefix]))
            plan.anchors[label] = best
            plan.labels.append(label)
    return plan


def register_existing(conn: sqlite3.Connection, now: str) -> None:
    """A case analysed before group labels were registered has chat rows only: their labels are
    registered, anchored on the strongest key of the recordings the last analysis gave them (run
    before this analysis clears ``chat_obs.chat_id``)."""
    if conn.execute("SELECT count(*) FROM chat_label").fetchone()[0] or \
            not conn.execute("SELECT count(*) FROM chat").fetchone()[0]:
        return
    keys: dict[int, list[tuple[int, str]]] = {}
    for cid, ex, is_group, platform, jid, key, path in conn.execute(
            "SELECT o.chat_id, o.exhibit_id, o.is_group, o.platform, o.jid, o.chat_key, s.path FROM chat_obs o"
            " JOIN source_file s ON s.id = o.source_file_id WHERE o.chat_id IS NOT NULL"):
        o = Observation(0, ex, bool(is_group), platform, (jid or "").strip().lower() or None, None, None, None,
                        chat_key=key, source_path=path)
        keys.setdefault(cid, []).extend(anchor_keys(o))
    holders = Counter(key for held in keys.values() for key in {k for _, k in held})
    rows = []
    for cid, label in conn.execute("SELECT id, label FROM chat ORDER BY id").fetchall():
        prefix, _, digits = label.rpartition("-")
        if digits.isdigit() and f"{prefix}-" in dict(PREFIXES.values()) and keys.get(cid):
            anchor = min(keys[cid], key=lambda k: (holders[k[1]] > 1, k))[1]
            rows.append((label, f"{prefix}-", int(digits), anchor, now))
    conn.executemany("INSERT OR IGNORE INTO chat_label(label, prefix, number, anchor, issued_at) VALUES (?,?,?,?,?)",
                     rows)


def chat_labels(conn: sqlite3.Connection, observations: dict[int, Observation],
                conversations: list[tuple[bool, list[int]]], now: str) -> list[str]:
    """The label of each conversation (is_group, member observation ids), in the given order;
    ``chat_label`` brought in step (new labels issued, anchors moved, merged and retired ones marked)."""
    issued = [IssuedChatLabel(*r) for r in conn.execute(
        "SELECT label, prefix, number, anchor FROM chat_label WHERE status = 'active' ORDER BY prefix, number")]
    highest = dict(conn.execute("SELECT prefix, max(number) FROM chat_label GROUP BY prefix").fetchall())
    plan = plan_chat_labels(
        [(PREFIXES[is_group][0], sorted({k for m in members for k in anchor_keys(observations[m])}))
         for is_group, members in conversations], issued, highest)
    conn.executemany("INSERT INTO chat_label(label, prefix, number, anchor, issued_at) VALUES (?,?,?,?,?)",
                     [(label, prefix, number, plan.anchors[label], now) for label, prefix, number in plan.issued])
    new = {label for label, _, _ in plan.issued}
    conn.executemany("UPDATE chat_label SET anchor = ? WHERE label = ?",
                     [(anchor, label) for label, anchor in sorted(plan.anchors.items()) if label not in new])
    conn.executemany("UPDATE chat_label SET status = 'merged', merged_into = ?, retired_at = ?, reason = ?"
                     " WHERE label = ?", [(into, now, "its recordings now resolve to the same conversation", label)
                                          for label, into in plan.merged])
    conn.executemany("UPDATE chat_label SET status = 'retired', retired_at = ?, reason = ? WHERE label = ?",
                     [(now, "its anchor no longer names a conversation", label) for label in plan.retired])
    return plan.labels


def retired_chat_labels(conn: sqlite3.Connection) -> list[dict[str, object]]:
    """Group and chat labels issued earlier that no longer name a conversation of their own:
    merged into another label (``now``: the label that names it today) or retired. A label
    cited abroad resolves through this (the case export's ``retired_groups``)."""
    rows = conn.execute("SELECT label, status, merged_into, retired_at, reason FROM chat_label"
                        " WHERE status != 'active' ORDER BY prefix, number").fetchall()
    into = {label: merged for label, _, merged, _, _ in rows}

    def now(label: str) -> str | None:
        seen = {label}
        while label in into:
            nxt = into[label]
            if nxt is None or nxt in seen:
                return None
            seen.add(nxt)
            label = nxt
        return label

    return [{"id": label, "status": status, "merged_into": merged, "now": now(label), "at": at, "reason": reason}
            for label, status, merged, at, reason in rows]


def show_group(conn: sqlite3.Connection, label: str) -> dict[str, Any]:
    """What a group or chat label names now (``tantalio groups show``): a merged label says which
    label names its conversation today, when and why; an active one gives its anchor, names,
    platform, creation and member count, and the labels merged into it."""
    wanted = label.strip().upper()
    row = conn.execute("SELECT label, status, anchor, issued_at, merged_into, retired_at, reason FROM chat_label"
                       " WHERE label = ?", (wanted,)).fetchone()
    if row is None:
        from tantalio.errors import UserError

        raise UserError(f"no group or chat label {label!r} was ever issued in this case")
    label, status, anchor, issued, merged_into, retired_at, reason = row
    out: dict[str, Any] = {"label": label, "status": status, "issued_at": issued, "anchor": anchor}
    if status != "active":
        now = {r["id"]: r["now"] for r in retired_chat_labels(conn)}.get(label)
        out.update({"merged_into": merged_into, "now": now, "at": retired_at, "reason": reason})
        return out
    chat = conn.execute("SELECT id, platform, is_group, created_at FROM chat WHERE label = ?", (label,)).fetchone()
    if chat is not None:
        cid, platform, is_group, created = chat
        out.update({
            "platform": platform, "group": bool(is_group), "created": created,
            "names": [n for (n,) in conn.execute("SELECT name FROM chat_name WHERE chat_id = ?"
                                                 " ORDER BY coalesce(first_seen, ''), name", (cid,))],
            "members": conn.execute("SELECT count(DISTINCT person_id) FROM membership_spell WHERE chat_id = ?",
                                    (cid,)).fetchone()[0],
            "recorded_by": [e for (e,) in conn.execute("SELECT DISTINCT exhibit_id FROM chat_obs WHERE chat_id = ?"
                                                       " ORDER BY exhibit_id", (cid,))],
        })
    out["merged_from"] = [{"label": m, "at": at, "reason": why} for m, at, why in conn.execute(
        "SELECT label, retired_at, reason FROM chat_label WHERE merged_into = ? ORDER BY prefix, number", (label,))]
    return out
