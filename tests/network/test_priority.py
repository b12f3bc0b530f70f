"""The documented order of concern holds whatever the amounts (network/priority.py)."""

from __future__ import annotations

from tantalio.network.facts import RoleFinding
from tantalio.network.priority import TIER_WEIGHTS, PersonCounts, priority, tier_shares

HUGE = 10**6


def role(name: str, families: int = 1, known: bool = False) -> RoleFinding:
    return RoleFinding(name, 0.9, [{"family": f"F{i}", "camera_original": True, "known_series": known}
                                   for i in range(families)])


def score(roles: list[RoleFinding], counts: PersonCounts | None = None, admin_actions: int = 0, groups: int = 0,
          participation: float = 0.0, kpp: int | None = None) -> float:
    return priority(tier_shares({r.role: r for r in roles}, counts or PersonCounts(), admin_actions, groups,
                                participation, kpp))


def everything_below(tier: str) -> float:
    """A person with every lower tier at its most."""
    order = list(TIER_WEIGHTS)
    below = order[order.index(tier) + 1:]
    roles = [role(r, HUGE) for r, t in (("suspected_producer", "suspected_production"), ("distributor", "unknown_media"),
                                        ("administrator", "known_media_and_administration"), ("bridge", "reach"))
             if t in below]
    counts = PersonCounts(media_posted=HUGE, known_posted=HUGE if "known_media_and_administration" in below else 0,
                          unknown_posted=HUGE if "unknown_media" in below else 0, known_weighted=float(HUGE))
    return score(roles, counts, admin_actions=HUGE, groups=HUGE, participation=0.999999, kpp=1)


def test_least_evidence_at_each_tier_outranks_everything_below_it() -> None:
    least = {
        "production": score([role("producer")]),
        "suspected_production": score([role("suspected_producer")]),
        "unknown_media": score([], PersonCounts(media_posted=1, unknown_posted=1)),
        "known_media_and_administration": score([], PersonCounts(media_posted=1, known_posted=1, known_weighted=0.6)),
    }
    for tier, value in least.items():
        assert value > everything_below(tier), tier


def test_roles_and_categories_count_within_a_tier() -> None:
    plain = PersonCounts(media_posted=3, known_posted=3, known_weighted=3 * 0.6)
    severe = PersonCounts(media_posted=3, known_posted=3, known_weighted=3 * 1.0)
    assert score([], severe) > score([], plain)
    assert score([role("distributor")], plain) > score([], plain)
    assert score([role("administrator")], plain) > score([], plain)
    assert score([role("bridge")], groups=2) > score([], groups=2)
    assert score([role("producer", 1, known=True)]) > score([role("producer", 1)])
    assert score([role("producer", 3)]) > score([role("producer", 1)])


def test_a_voice_note_and_one_add_do_not_outrank_a_distributor() -> None:
    """Issue 12: one voice note plus adding a friend made a consumer rank #1. Voice notes are not
    material (no counts), and an add by a non-admin is no role."""
    lurker = score([], PersonCounts(), admin_actions=0, groups=1)
    reposter = score([role("distributor")], PersonCounts(media_posted=12, unknown_posted=12), groups=2)
    assert reposter > lurker
