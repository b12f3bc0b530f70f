"""The priority score for arrest and safeguarding, tier by tier.

The order of concern is fixed, and the score keeps it whatever the amounts: evidence of
production (a child is being abused now) outranks suspected production, which outranks
distribution of unknown material (possibly new abuse), which outranks distribution of known
material and administration (running the groups), which outrank mere reach. Each tier gives a
share ``s`` in [0, 1): half of it for having any evidence at that tier at all, the rest growing
with the amount and never reaching 1; tier weights grow tenfold. So the least evidence at a
tier (0.5 × its weight) is worth more than everything below it together (< 1.12 × the next
weight down), and no volume of a lower tier can overtake a higher one (tested).

    production  10000   producer (camera original): 0.5 + 0.5·sat(families shot − 1 + known series)
    suspected    1000   suspected_producer: 0.5 + 0.5·sat(unknown families first posted − 1)
    unknown       100   unknown images/videos posted: 0.5 + 0.3·sat(posts − 1) + 0.2·distributor
    known/admin    10   known material posted (weighted by the hash list's category) or a role of
                        distributor/administrator: 0.5 + 0.15·sat(weighted known posts)
                        + 0.15·distributor + 0.1·administrator + 0.1·sat(removals and admin adds)
    reach           1   0.3·bridge + 0.25·sat(groups) + 0.25·participation + 0.2 / key-player rank
                        (strictly below 1: participation < 1, sat < 1)

``sat(x) = x / (x + 3)``. Every tier's share is stored beside the score
(``person_score.explanation``) so an analyst can see why.
"""

from __future__ import annotations

from dataclasses import dataclass

from tantalio.network.facts import NetworkFacts, RoleFinding

TIER_WEIGHTS = {"production": 10000.0, "suspected_production": 1000.0, "unknown_media": 100.0,
                "known_media_and_administration": 10.0, "reach": 1.0}
# Severity of a known item by the hash list's category code, for the known-material tier. Category
# meanings depend on the list's profile (media/hashlists/categories.py; HASHING.md §3): the most
# severe codes of the shipped profiles weigh 1, other illegal categories 0.6.
CATEGORY_SEVERITY = {"1": 1.0, "A": 1.0, "2": 0.8, "B": 0.8}
OTHER_CATEGORY_SEVERITY = 0.6


def sat(x: float) -> float:
    return x / (x + 3.0) if x > 0 else 0.0


@dataclass(slots=True)
class PersonCounts:
    """What a person posted, for the score and the export."""

    media_posted: int = 0
    known_posted: int = 0
    unknown_posted: int = 0
    known_weighted: float = 0.0
    first_posts: int = 0


def person_counts(facts: NetworkFacts) -> dict[int, PersonCounts]:
    out: dict[int, PersonCounts] = {}
    for post in facts.posts:
        if post.person is None or not post.material:
            continue
        c = out.setdefault(post.person, PersonCounts())
        c.media_posted += 1
        family = facts.families.get(post.family)
        status = family.status if family else "unknown"
        if status == "known":
            c.known_posted += 1
            category = family.category if family else None
            c.known_weighted += CATEGORY_SEVERITY.get((category or "").strip().upper(), OTHER_CATEGORY_SEVERITY)
        elif status == "unknown":
            c.unknown_posted += 1
    for first in facts.first_sightings.values():
        if first.person is not None:
            out.setdefault(first.person, PersonCounts()).first_posts += 1
    return out


def tier_shares(roles: dict[str, RoleFinding], counts: PersonCounts, admin_actions: int, groups: int,
                participation: float, kpp_rank: int | None) -> dict[str, float]:
    """Each tier's share in [0, 1) for one person (see the module doc)."""
    shares = dict.fromkeys(TIER_WEIGHTS, 0.0)
    producer = roles.get("producer")
    if producer is not None:
        families = {e.get("family") for e in producer.evidence if e.get("camera_original")}
        known = any(e.get("known_series") for e in producer.evidence)
        shares["production"] = 0.5 + 0.5 * sat(len(families) - 1 + (1 if known else 0))
    suspected = roles.get("suspected_producer")
    if suspected is not None:
        firsts = sum(1 for e in suspected.evidence if e.get("family"))
        shares["suspected_production"] = 0.5 + 0.5 * sat(firsts - 1)
    distributor = "distributor" in roles
    if counts.unknown_posted:
        shares["unknown_media"] = 0.5 + 0.3 * sat(counts.unknown_posted - 1) + (0.2 if distributor else 0.0)
    administrator = "administrator" in roles
    if counts.known_posted or distributor or administrator:
        shares["known_media_and_administration"] = (
            0.5 + 0.15 * sat(counts.known_weighted) + (0.15 if distributor else 0.0)
            + (0.1 if administrator else 0.0) + 0.1 * sat(admin_actions))
    shares["reach"] = (0.3 if "bridge" in roles else 0.0) + 0.25 * sat(groups) + 0.25 * min(participation, 0.9999) \
        + (0.2 / kpp_rank if kpp_rank else 0.0)
    return {k: round(v, 6) for k, v in shares.items()}


def priority(shares: dict[str, float]) -> float:
    return round(sum(TIER_WEIGHTS[k] * v for k, v in shares.items()), 3)


def scores(facts: NetworkFacts, roles: dict[int, dict[str, RoleFinding]],
           admin_actions: dict[int, int]) -> dict[int, tuple[float, dict[str, float]]]:
    """person -> (priority, tier shares) for every person of the case."""
    counts = person_counts(facts)
    measures = facts.structure
    out = {}
    for person in facts.persons:
        c = counts.get(person) or PersonCounts()
        shares = tier_shares(roles.get(person, {}), c, admin_actions.get(person, 0),
                             len(facts.groups_of.get(person, ())), measures.participation.get(person, 0.0),
                             measures.kpp_rank.get(person))
        out[person] = (priority(shares), shares)
    return out

