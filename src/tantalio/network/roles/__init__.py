"""Behavioural roles, each with the evidence it rests on and a confidence derived from it.

Roles come from what a person did (NETWORK.md §2), never from centrality alone: in the toy test
PageRank and betweenness found none of the planted producers or admins. Each rule is a pure
function of :class:`~tantalio.network.facts.NetworkFacts`; where the evidence is insufficient
a person gets no role rather than a guess.

* producer, suspected_producer - :mod:`.production`
* distributor - :mod:`.distribution`
* administrator - :mod:`.administration`
* bridge - :mod:`.brokerage`
* consumer - a member of at least one group with no other role who posted little material
  (NETWORK.md §2 "Consumer / lurker": membership spells, few posts - upload quotas force some).
"""

from __future__ import annotations

from collections import Counter

from tantalio.network.evidence_text import evidence
from tantalio.network.facts import NetworkFacts, RoleFinding
from tantalio.network.roles.administration import administrators
from tantalio.network.roles.brokerage import bridges
from tantalio.network.roles.distribution import distributors
from tantalio.network.roles.production import CameraVerdict, camera_verdicts, producers, suspected_producers

ROLE_ORDER = ("producer", "suspected_producer", "distributor", "administrator", "bridge", "consumer")
CONSUMER_MAX_POSTS = 3

PersonRoles = dict[int, dict[str, RoleFinding]]


def consumers(facts: NetworkFacts, others: set[int]) -> dict[int, RoleFinding]:
    posted = Counter(p.person for p in facts.posts if p.material and p.person is not None)
    out = {}
    for person, groups in facts.groups_of.items():
        if person in others or not groups or posted[person] > CONSUMER_MAX_POSTS:
            continue
        out[person] = RoleFinding("consumer", 0.6 if posted[person] else 0.7, [evidence(
            "consumer.member", groups=len(groups), posts=posted[person], messages=facts.messages.get(person, 0))])
    return out


def assign_roles(facts: NetworkFacts) -> tuple[PersonRoles, list[CameraVerdict]]:
    """Every person's roles, and the verdict on each camera original (for the VID queue)."""
    verdicts = camera_verdicts(facts)
    found: PersonRoles = {}

    def add(findings: dict[int, RoleFinding]) -> None:
        for person, finding in findings.items():
            found.setdefault(person, {})[finding.role] = finding

    add(producers(facts, verdicts))
    add(suspected_producers(facts, {p for p, r in found.items() if "producer" in r}))
    add(distributors(facts))
    add(administrators(facts))
    add(bridges(facts))
    add(consumers(facts, set(found)))
    return found, verdicts
