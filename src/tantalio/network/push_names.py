"""Push names are evidence, not display names (issue 12 item 7).

A WhatsApp push name is the name a user sets for themself; every phone that receives their
messages sees the same one. An iOS chat export prints a sender who is not in the owner's address
book as ``~`` followed by that push name (``~ Pepe``; FORMATS.md §1), and app databases record push
names beside the number (Android ``wa.db`` ``wa_contacts.wa_name``, iOS ``ZWAPROFILEPUSHNAME``),
which ingest keeps as ``alias`` rows of kind ``push_name``. So, unlike an address-book name (what
one owner chose to call someone, never linked on its own), a ``~ name`` label can be tied to a
number recorded with that push name on *another* exhibit:

* exactly one hard identifier in the case carries the push name: the label is linked to it, with
  the recording exhibits as evidence; the confidence grows with the number of exhibits recording
  it and when that identifier is seen in the same group by another recording. Push names are not
  unique: a bare name recorded by one exhibit, with nothing else tying the two, gives the lowest
  confidence (0.5), and a stranger of the same name whose number no database records is then
  linked wrongly - measured on the demo variants, such links are right far more often than not
  (leaving them out lost more roles than they cost);
* several carry it: nothing is linked; the candidates go to the warning log as a lead.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from tantalio.identity import clean_label

if TYPE_CHECKING:
    from tantalio.network.groups import ChatResolution
    from tantalio.network.identities import Identifier

HARD_KINDS = frozenset({"phone", "jid", "lid"})


def push_name_of(label: str) -> str | None:
    """The push name in an export label ``~ Pepe`` (None for any other label)."""
    text = clean_label(label)
    if not text.startswith("~"):
        return None
    return clean_label(text[1:]) or None


def _group_members(conn: sqlite3.Connection, root_of: dict[int, int]) -> dict[int, set[int]]:
    """Chat cluster root -> identifiers any of its recordings names (senders, listed members,
    event subjects and actors); ``root_of``: recording -> its cluster root."""
    out: dict[int, set[int]] = defaultdict(set)
    for obs, ident in conn.execute(
        "SELECT chat_obs_id, sender_identifier_id FROM message WHERE sender_identifier_id IS NOT NULL"
        " UNION SELECT chat_obs_id, identifier_id FROM group_member"
        " UNION SELECT chat_obs_id, person_identifier_id FROM membership_event WHERE person_identifier_id IS NOT NULL"
        " UNION SELECT chat_obs_id, by_identifier_id FROM membership_event WHERE by_identifier_id IS NOT NULL"
    ):
        if obs in root_of:
            out[root_of[obs]].add(ident)
    return out


def push_name_votes(conn: sqlite3.Connection, identifiers: dict[int, Identifier], chats: ChatResolution
                    ) -> tuple[list[tuple[int, int, float, dict[str, Any]]], list[dict[str, Any]]]:
    """Votes (label, hard identifier, weight, evidence) and leads (ambiguous findings) for every
    ``~ name`` chat label of the case."""
    labels = [i for i in sorted(identifiers) if identifiers[i].kind == "display_name" and identifiers[i].context
              and push_name_of(identifiers[i].normalized)]
    if not labels:
        return [], []
    carriers: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for hard, name, exhibit in conn.execute(
        "SELECT a.identifier_id, n.normalized, a.exhibit_id FROM alias a JOIN identifier n ON n.id = a.name_id"
        " WHERE a.name_kind = 'push_name'"
    ):
        if hard in identifiers and identifiers[hard].kind in HARD_KINDS:
            carriers[clean_label(name)][hard].add(exhibit)
    obs_of = {(exhibit, key): oid for oid, exhibit, key in conn.execute("SELECT id, exhibit_id, chat_key FROM chat_obs")}
    root_of = {obs: root for root, members in chats.clusters.items() for obs in members}
    members = _group_members(conn, root_of)
    votes: list[tuple[int, int, float, dict[str, Any]]] = []
    leads: list[dict[str, Any]] = []
    for label in labels:
        ident = identifiers[label]
        name = push_name_of(ident.normalized) or ""
        found = carriers.get(name)
        if not found:
            continue
        root = root_of.get(obs_of.get((ident.scope, ident.context), -1))
        in_group = members.get(root, set()) if root is not None else set()
        if len(found) > 1:
            leads.append({"identifier": label, "candidates": sorted(found), "weights": {},
                          "lead": {"kind": "push name", "name": name},
                          "reason": f"the push name {name!r} is recorded with {len(found)} different numbers;"
                                    " not linked, confirm with `tantalio persons merge`"})
            continue
        ((hard, exhibits),) = found.items()
        same_group = hard in in_group
        weight = 1.0 + 0.5 * min(2, len(exhibits) - 1) + (1.0 if same_group else 0.0)
        votes.append((label, hard, weight, {"kind": "push name", "name": name, "exhibits": sorted(exhibits),
                                            "same_group": same_group}))
    return votes, leads
