"""Labels seen in a conversation, resolved with what the same device says elsewhere.

A sender or member written as a name ("Carlos", "~ Raúl ✌") is stored per exhibit *and chat*
(``identifier.context`` = the chat's key), because one device can show two people under one
label in two chats: two contacts both saved as "Carlos", two strangers with the same push name.
Each chat label is resolved on its own evidence (:mod:`tantalio.network.identities`); this
module adds the two kinds of evidence that come from the rest of the same device:

* its address book and push names, which apply to every chat: a chat label equal to the name
  the device gives exactly one hard identifier is that identifier; equal to the names of two
  or more, it is a clash and stays unresolved unless other evidence decides;
* the same label in another chat of the device, already resolved there: a lead only. Two
  contacts can share a name, and the rule is never to merge on a display name alone (on the
  demo, following such leads blindly was wrong half the time), so the lead is written to the
  warning log for the analyst to confirm with ``tantalio persons merge``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tantalio.network.identities import Identifier

DeviceNames = dict[tuple[str, str], dict[int, set[str]]]   # (exhibit, name) -> hard identifier -> name kinds


def chat_labels(identifiers: dict[int, Identifier]) -> list[int]:
    return [i for i in sorted(identifiers) if identifiers[i].kind == "display_name" and identifiers[i].context]


def device_name_votes(identifiers: dict[int, Identifier], device_names: DeviceNames,
                      weights: dict[str, float]) -> tuple[list[tuple[int, int, float, dict[str, Any]]],
                                                          dict[int, list[int]]]:
    """Votes (label, hard identifier, weight, evidence) for chat labels that equal the name the
    device gives exactly one hard identifier, and the clashes: label -> the several it names."""
    votes: list[tuple[int, int, float, dict[str, Any]]] = []
    clashes: dict[int, list[int]] = {}
    for label in chat_labels(identifiers):
        ident = identifiers[label]
        named = device_names.get((ident.scope, ident.normalized))
        if not named:
            continue
        if len(named) > 1:
            clashes[label] = sorted(named)
            continue
        ((hard, kinds),) = named.items()
        votes.append((label, hard, sum(weights.get(k, 1.0) for k in kinds),
                      {"kind": "device name", "name_kinds": sorted(kinds), "exhibit": ident.scope,
                       "chat": ident.context}))
    return votes, clashes


def same_device_links(identifiers: dict[int, Identifier], find: Callable[[int], int], resolved_roots: set[int],
                      clashes: dict[int, list[int]]) -> tuple[list[tuple[int, int, dict[str, Any]]],
                                                              list[dict[str, Any]]]:
    """Links (unresolved label, a resolved label of the same name on the same device, evidence),
    and ambiguities where the resolved chats disagree. ``find`` gives a label's current person
    root, ``resolved_roots`` the roots holding a hard identifier (a snapshot: decided at once)."""
    by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
    for label in chat_labels(identifiers):
        ident = identifiers[label]
        by_name[(ident.scope, ident.normalized)].append(label)
    links: list[tuple[int, int, dict[str, Any]]] = []
    ambiguous: list[dict[str, Any]] = []
    for (exhibit, _name), labels in sorted(by_name.items()):
        resolved: dict[int, list[int]] = defaultdict(list)     # person root -> its labels here
        for label in labels:
            if find(label) in resolved_roots:
                resolved[find(label)].append(label)
        if not resolved:
            continue
        for label in labels:
            if find(label) in resolved_roots or label in clashes:
                continue
            if len(resolved) > 1:
                ambiguous.append({"identifier": label, "candidates": sorted(resolved), "weights": {},
                                  "reason": "the same label names different people in other chats of the device"})
                continue
            ((_root, seen),) = resolved.items()
            links.append((label, seen[0], {"kind": "same label in another chat of the device", "exhibit": exhibit,
                                           "chats": sorted(identifiers[s].context for s in seen)}))
    return links, ambiguous
