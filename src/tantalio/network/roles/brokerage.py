"""Bridge: brokerage between communities of the group layer (NETWORK.md §2 "Recruiter / bridge":
participation coefficient over Leiden communities, betweenness; "remember Morselli: brokers hide
at low degree").

Communities are Leiden's on the group layer (:mod:`tantalio.network.communities`). A person's
groups fall into one or more of them. Bridge when either:

* their groups spread over three or more communities, evenly (participation coefficient
  ``1 − Σ share²`` at least ``MIN_PARTICIPATION``): they sit in several otherwise separate parts
  of the network;
* they are one of at most ``FEW_LINKS`` persons linking two communities that nothing else
  connects (in the graph of communities, their link is a cut edge): a low-degree broker between
  two clusters - two groups are enough.

Group count alone never makes a bridge: an admin of five groups of one cluster spans one
community; a member who also joined one foreign group among many such crossings is one link of
many. Betweenness and key-player rank are shown as support, not required.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations

from tantalio.network.evidence_text import evidence
from tantalio.network.facts import Evidence, NetworkFacts, RoleFinding

MIN_COMMUNITIES = 3
MIN_PARTICIPATION = 0.6
FEW_LINKS = 2


def _connected(edges: dict[int, set[int]], a: int, b: int, without: tuple[int, int]) -> bool:
    seen, stack = {a}, [a]
    while stack:
        node = stack.pop()
        for nxt in edges.get(node, ()):
            if {node, nxt} == set(without) or nxt in seen:
                continue
            if nxt == b:
                return True
            seen.add(nxt)
            stack.append(nxt)
    return False


def bridges(facts: NetworkFacts) -> dict[int, RoleFinding]:
    measures = facts.structure
    community = measures.group_community
    spread: dict[int, Counter[int]] = {}
    linkers: dict[tuple[int, int], set[int]] = defaultdict(set)
    for person, groups in facts.groups_of.items():
        counts = Counter(community[g] for g in groups if g in community)
        if len(counts) < 2:
            continue
        spread[person] = counts
        for a, b in combinations(sorted(counts), 2):
            linkers[(a, b)].add(person)
    edges: dict[int, set[int]] = defaultdict(set)
    for a, b in linkers:
        edges[a].add(b)
        edges[b].add(a)
    found: dict[int, list[Evidence]] = defaultdict(list)
    confidence: dict[int, float] = defaultdict(float)
    for (a, b), persons in sorted(linkers.items()):
        if len(persons) <= FEW_LINKS and not _connected(edges, a, b, (a, b)):
            for person in persons:
                found[person].append(evidence("bridge.sole_link", members=len(persons), a=a, b=b))
                confidence[person] = max(confidence[person], 0.85 if len(persons) == 1 else 0.75)
    for person, counts in spread.items():
        total = sum(counts.values())
        participation = 1.0 - sum((n / total) ** 2 for n in counts.values())
        if len(counts) >= MIN_COMMUNITIES and participation >= MIN_PARTICIPATION:
            found[person].append(evidence("bridge.spread", groups=total, communities=len(counts),
                                          participation=participation))
            confidence[person] = max(confidence[person], min(0.9, 0.6 + 0.1 * (len(counts) - MIN_COMMUNITIES)
                                                             + 0.3 * (participation - MIN_PARTICIPATION)))
    out = {}
    for person, items in found.items():
        rank, between = measures.kpp_rank.get(person), measures.betweenness.get(person)
        if rank is not None and between:
            items.append(evidence("bridge.key_player_betweenness", rank=int(rank), betweenness=float(between)))
        elif rank is not None:
            items.append(evidence("bridge.key_player", rank=int(rank)))
        elif between:
            items.append(evidence("bridge.betweenness", betweenness=float(between)))
        out[person] = RoleFinding("bridge", round(confidence[person], 3), items)
    return out
