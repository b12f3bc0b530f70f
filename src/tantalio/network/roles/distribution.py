"""Distributor, from the cascade (NETWORK.md §2 "(Super-)distributor", "Importer / first
distributor"; §3.4 cascade trees).

A distributor moves material on: they re-post families someone else brought into the network,
into several groups, and their posts are where later copies came from. Volume alone is a weak
signal (groups with upload quotas make everyone post, NETWORK.md §1 [S19]), so the rule reads the
propagation edges, never a quantile of post counts:

* re-posts: their image/video posts of families first posted by someone else;
* reach: the distinct groups those re-posts went into;
* downstream: later posts by others that descend (through the propagation edges) from theirs;
* imported: families they were the first to post in the network whose material came from
  outside it - known to a hash list, or already forwarded when first seen (the "importer /
  first distributor" of NETWORK.md §2: posting into a group hands it to every member).

Distributor when they moved at least ``MIN_FAMILIES`` families (re-posted or imported) into at
least ``MIN_GROUPS`` groups, passing them on quickly - the median latency of their re-posts (from
the propagation edges) at most ``FAST_LATENCY_S``: distributors pass material on fast, NETWORK.md
§2 - or importing at least ``MIN_IMPORTS`` of them, or moving many (``MANY_FAMILIES``) whatever
the pace. Members who re-post now and then, slowly,
are not distributors, nor is a producer forwarding their own picture into a second group (it
re-posts nothing someone else introduced). Unknown material first posted unforwarded is not
shown to come from outside (that is the suspected-producer rule's question).
"""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from tantalio.network.evidence_text import evidence
from tantalio.network.facts import NetworkFacts, PostFact, RoleFinding

MIN_FAMILIES = 3
MIN_GROUPS = 2
MANY_FAMILIES = 8
FAST_LATENCY_S = 12 * 3600.0
MIN_PACE_SAMPLES = 2        # re-posts with a known parent needed to judge the pace
MIN_IMPORTS = 2
MIN_EDGE_CONFIDENCE = 0.3   # below: the poster was in none of the groups where it had appeared


def _descendants(children: dict[int, list[int]], roots: list[int], by_id: dict[int, PostFact],
                 person: int) -> int:
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return sum(1 for p in seen if by_id[p].person != person)


def distributors(facts: NetworkFacts) -> dict[int, RoleFinding]:
    by_id = {p.id: p for p in facts.posts if p.material}
    children: dict[int, list[int]] = defaultdict(list)
    for link in facts.cascade.values():
        if link.confidence >= MIN_EDGE_CONFIDENCE and link.post in by_id and link.parent in by_id:
            children[link.parent].append(link.post)
    reposted: dict[int, set[str]] = defaultdict(set)
    reached: dict[int, set[int]] = defaultdict(set)
    latency: dict[int, list[float]] = defaultdict(list)
    own_posts: dict[int, list[int]] = defaultdict(list)
    for post in by_id.values():
        if post.person is None:
            continue
        own_posts[post.person].append(post.id)
        first = facts.first_sightings.get(post.family)
        if first is not None and first.post != post.id and first.person != post.person:
            reposted[post.person].add(post.family)
            reached[post.person].add(post.chat)
            edge = facts.cascade.get(post.id)
            parent = by_id.get(edge.parent) if edge is not None and edge.confidence >= MIN_EDGE_CONFIDENCE else None
            if parent is not None and parent.time is not None and post.time is not None:
                latency[post.person].append(post.time - parent.time)
    imported: dict[int, set[str]] = defaultdict(set)
    for family, first in facts.first_sightings.items():
        if first.person is not None and (facts.status(family) == "known" or first.origin == "forwarded"):
            imported[first.person].add(family)
            reached[first.person].add(first.chat)
    out = {}
    for person in sorted(set(reposted) | set(imported)):
        moved, groups, brought = reposted[person] | imported[person], reached[person], imported[person]
        fast = median(latency[person]) if len(latency[person]) >= MIN_PACE_SAMPLES else None
        if len(moved) < MIN_FAMILIES or len(groups) < MIN_GROUPS:
            continue
        if not ((fast is not None and fast <= FAST_LATENCY_S) or len(brought) >= MIN_IMPORTS
                or len(moved) >= MANY_FAMILIES):
            continue
        downstream = _descendants(children, sorted(own_posts[person]), by_id, person)
        labels = sorted(facts.chat_labels.get(g, str(g)) for g in groups)
        items = [evidence("distributor.moved", families=len(moved), groups=len(groups), labels=labels,
                          reposted=len(reposted[person]), imported=len(brought))]
        confidence = 0.5 + 0.06 * min(5, len(moved) - MIN_FAMILIES + 1) + 0.05 * min(2, len(groups) - 1)
        if fast is not None:
            items.append(evidence("distributor.latency", hours=fast / 3600, reposts=len(latency[person])))
            confidence += 0.05 if fast <= FAST_LATENCY_S else 0.0
        if downstream:
            items.append(evidence("distributor.downstream", posts=downstream))
            confidence += min(0.1, 0.02 * downstream)
        out[person] = RoleFinding("distributor", round(min(0.95, confidence), 3), items)
    return out
