"""Each role rule on small hand-made facts: no store, no generator."""

from __future__ import annotations

from tantalio.network.communities import NetworkMeasures
from tantalio.network.facts import (
    CameraFile,
    CascadeEdge,
    Creation,
    FirstSighting,
    GroupEvent,
    ListedRank,
    MediaFamilyFacts,
    NetworkFacts,
    PostFact,
)
from tantalio.network.roles import assign_roles, consumers
from tantalio.network.roles.administration import administrators
from tantalio.network.roles.brokerage import bridges
from tantalio.network.roles.distribution import distributors
from tantalio.network.roles.production import camera_verdicts, producers, suspected_producers

H = 3600.0
DAY = 24 * H
PRODUCER, MEMBER, OTHER = 1, 2, 3


def posts_facts(*posts: PostFact, status: dict[str, str] | None = None) -> NetworkFacts:
    """Facts with these posts; first sightings are each family's earliest post, origin from its
    forward flag (None: undetermined)."""
    facts = NetworkFacts(posts=list(posts))
    for post in sorted(posts, key=lambda p: (p.time or 0.0, p.id)):
        if post.material and post.family not in facts.first_sightings:
            origin = "undetermined" if post.forwarded is None else "forwarded" if post.forwarded else "observed"
            facts.first_sightings[post.family] = FirstSighting(post.family, post.sha256, post.id, post.person,
                                                               post.chat, post.time, origin)
    facts.families = {f: MediaFamilyFacts(s) for f, s in (status or {}).items()}
    return facts


def post(pid: int, person: int | None, family: str, t: float, chat: int = 10, forwarded: bool | None = False,
         material: bool = True) -> PostFact:
    return PostFact(pid, chat, person, t, f"{family}-sha", family, forwarded, material)


def camera(person: int, family: str, path: str = "sdcard/DCIM/Camera/IMG_1.jpg", taken: float | None = 0.0,
           make: str | None = "samsung", serial: str | None = "R58M") -> CameraFile:
    from tantalio.network.camera import folder_kind

    return CameraFile(f"{family}-orig", family, "EX-01", path, person, make, "SM-G930F" if make else None, serial,
                      taken, "exif" if taken is not None else None, folder_kind(path))


# -- producer ---------------------------------------------------------------------------------

def test_camera_original_posted_by_its_owner_makes_a_producer() -> None:
    facts = posts_facts(post(1, PRODUCER, "F1", 1 * H), post(2, MEMBER, "F1", 5 * H, forwarded=True))
    facts.camera_files = [camera(PRODUCER, "F1", taken=0.0)]
    found = producers(facts, camera_verdicts(facts))
    assert set(found) == {PRODUCER}
    evidence = found[PRODUCER].evidence[0]
    assert evidence["camera_original"] and not evidence["known_series"] and evidence["path"].startswith("sdcard/DCIM")
    assert 0.8 < found[PRODUCER].confidence <= 0.99


def test_camera_original_received_as_a_document_makes_no_producer() -> None:
    """The recipient holds the sender's EXIF in WhatsApp Documents and re-posts the picture."""
    facts = posts_facts(post(1, PRODUCER, "F1", 1 * H), post(2, MEMBER, "F1", 5 * H))
    facts.camera_files = [camera(MEMBER, "F1", path="sdcard/WhatsApp/Media/WhatsApp Documents/IMG_2017.jpg"),
                          camera(MEMBER, "F1", path="sdcard/Download/IMG_2017.jpg")]
    verdicts = camera_verdicts(facts)
    assert not producers(facts, verdicts)
    assert all("received" in v.reason for v in verdicts)


def test_camera_original_needs_the_owner_to_post_it_and_to_predate_the_first_post() -> None:
    facts = posts_facts(post(1, OTHER, "F1", 1 * H), post(2, PRODUCER, "F2", 1 * H))
    facts.camera_files = [camera(PRODUCER, "F1", taken=0.0),          # never posted by the owner
                          camera(PRODUCER, "F2", taken=3 * H),        # taken after its first post
                          camera(PRODUCER, "F3", taken=0.0),          # never posted at all
                          camera(PRODUCER, "F2", path="Pictures/IMG.jpg", make=None, serial=None)]  # no camera sign
    verdicts = camera_verdicts(facts)
    assert not producers(facts, verdicts)
    assert [v.supports for v in verdicts] == [False] * 4


def test_camera_original_of_known_material_is_kept_and_flagged() -> None:
    facts = posts_facts(post(1, PRODUCER, "F1", 1 * H), status={"F1": "known"})
    facts.families["F1"].series = "Azul-1"
    facts.camera_files = [camera(PRODUCER, "F1")]
    found = producers(facts, camera_verdicts(facts))
    assert found[PRODUCER].evidence[0]["known_series"] is True and found[PRODUCER].evidence[0]["series"] == "Azul-1"


def test_camera_folder_without_exif_still_counts_with_its_file_time() -> None:
    facts = posts_facts(post(1, PRODUCER, "F1", 1 * H))
    facts.camera_files = [camera(PRODUCER, "F1", make=None, serial=None)._replace(taken_from="file_time")]
    assert set(producers(facts, camera_verdicts(facts))) == {PRODUCER}


# -- suspected producer ------------------------------------------------------------------------

def test_only_an_observed_origin_supports_a_suspected_producer() -> None:
    facts = posts_facts(post(1, MEMBER, "F1", 1 * H, forwarded=False), post(2, OTHER, "F2", 1 * H, forwarded=True),
                        post(3, PRODUCER, "F3", 1 * H, forwarded=None),
                        post(4, OTHER, "V1", 0.5 * H, forwarded=False, material=False))   # a voice note
    found = suspected_producers(facts, set())
    assert set(found) == {MEMBER}


def test_importer_without_camera_originals_is_named_in_the_evidence() -> None:
    facts = posts_facts(*(post(i, MEMBER, f"F{i}", i * H) for i in range(1, 5)))
    facts.seized_from = {MEMBER: {"EX-03"}}
    found = suspected_producers(facts, set())
    assert found[MEMBER].evidence[0].get("importer") and found[MEMBER].confidence < 0.5


def test_known_material_first_posted_is_no_suspected_production() -> None:
    facts = posts_facts(post(1, MEMBER, "F1", 1 * H), status={"F1": "known"})
    assert not suspected_producers(facts, set())


# -- distributor -------------------------------------------------------------------------------

def _cascade(facts: NetworkFacts, *edges: tuple[int, int]) -> None:
    facts.cascade = {child: CascadeEdge(child, parent, 0.9) for child, parent in edges}


def test_reposting_others_material_quickly_into_several_groups_makes_a_distributor() -> None:
    originals = [post(i, OTHER, f"F{i}", i * H) for i in range(1, 5)]
    reposts = [post(10 + i, MEMBER, f"F{i}", i * H + 2 * H, chat=20 + i % 2, forwarded=True) for i in range(1, 5)]
    facts = posts_facts(*originals, *reposts)
    _cascade(facts, *((10 + i, i) for i in range(1, 5)))
    found = distributors(facts)
    assert set(found) == {MEMBER}
    assert "moved 4 families" in found[MEMBER].evidence[0]["text"]


def test_a_producer_forwarding_their_own_pictures_and_occasional_reposts_are_not_distribution() -> None:
    own = [post(i, PRODUCER, f"F{i}", i * H) for i in range(1, 5)]
    forwards = [post(10 + i, PRODUCER, f"F{i}", i * H + H, chat=21, forwarded=True) for i in range(1, 5)]
    slow = [post(20 + i, MEMBER, f"F{i}", i * H + 3 * DAY, chat=22, forwarded=True) for i in range(1, 4)]
    facts = posts_facts(*own, *forwards, *slow)
    _cascade(facts, *((10 + i, i) for i in range(1, 5)), *((20 + i, 10 + i) for i in range(1, 4)))
    assert not distributors(facts)


def test_stickers_and_voice_notes_are_not_distributed_material() -> None:
    firsts = [post(i, OTHER, f"S{i}", i * H, material=False) for i in range(1, 6)]
    again = [post(10 + i, MEMBER, f"S{i}", i * H + H, chat=20 + i % 2, material=False) for i in range(1, 6)]
    facts = posts_facts(*firsts, *again)
    _cascade(facts, *((10 + i, i) for i in range(1, 6)))
    assert not distributors(facts)


def test_importing_known_material_into_several_groups_makes_a_distributor() -> None:
    imports = [post(i, MEMBER, f"K{i}", i * H, chat=20 + i % 2, forwarded=i % 2 == 0) for i in range(1, 4)]
    facts = posts_facts(*imports, status={f"K{i}": "known" for i in range(1, 4)})
    assert set(distributors(facts)) == {MEMBER}


# -- administrator -----------------------------------------------------------------------------

def test_adding_members_alone_is_no_administration() -> None:
    facts = NetworkFacts(events=[GroupEvent(10, "added", 5 + i, MEMBER, i * H) for i in range(6)])
    assert not administrators(facts)


def test_adds_count_only_while_known_to_be_admin_and_revocation_ends_it() -> None:
    facts = NetworkFacts(creations=[Creation(10, PRODUCER, 0.0)], events=[
        GroupEvent(10, "admin_granted", MEMBER, PRODUCER, 1 * H),
        GroupEvent(10, "added", 7, MEMBER, 2 * H),                       # while admin
        GroupEvent(10, "admin_revoked", MEMBER, PRODUCER, 3 * H),
        GroupEvent(10, "added", 8, MEMBER, 4 * H),                       # after revocation: not counted
        GroupEvent(11, "added", 9, OTHER, 4 * H),                        # never known to be admin
    ])
    found = administrators(facts)
    assert set(found) == {PRODUCER, MEMBER}
    texts = " ".join(e["text"] for e in found[MEMBER].evidence)
    assert "until revoked" in texts and "added 1 member(s) while known to be an admin" in texts
    assert found[PRODUCER].confidence > found[MEMBER].confidence


def test_removing_a_member_or_a_listed_rank_shows_an_admin() -> None:
    facts = NetworkFacts(events=[GroupEvent(10, "removed", 7, OTHER, 1 * H), GroupEvent(10, "left", 8, 8, 2 * H)],
                         ranks=[ListedRank(11, MEMBER, "admin", "EX-01", "group_participant_user:3")])
    assert set(administrators(facts)) == {OTHER, MEMBER}


# -- bridge ------------------------------------------------------------------------------------

def _layer(groups_of: dict[int, set[int]], community: dict[int, int]) -> NetworkFacts:
    return NetworkFacts(groups_of=groups_of, structure=NetworkMeasures(group_community=community))


def test_member_spread_evenly_over_three_communities_is_a_bridge() -> None:
    community = {10: 0, 11: 0, 20: 1, 21: 1, 30: 2, 31: 2}
    facts = _layer({1: {10, 20, 30}, 2: {10, 11}, 3: {20, 21}, 4: {30, 31}, 5: {11, 21}, 6: {21, 31}, 7: {10, 31}},
                   community)
    assert set(bridges(facts)) == {1}


def test_low_degree_broker_between_two_otherwise_separate_clusters_is_a_bridge() -> None:
    community = {10: 0, 11: 0, 20: 1, 21: 1}
    facts = _layer({1: {11, 20}, 2: {10, 11}, 3: {10, 11}, 4: {20, 21}, 5: {20, 21}}, community)
    found = bridges(facts)
    assert set(found) == {1} and "which nothing else connects" in found[1].evidence[0]["text"]


def test_group_count_or_one_crossing_among_many_is_not_brokerage() -> None:
    community = {10: 0, 11: 0, 12: 0, 13: 0, 20: 1, 21: 1}
    facts = _layer({1: {10, 11, 12, 13},                       # admin of four groups of one cluster
                    2: {10, 20}, 3: {11, 21}, 4: {12, 20}},    # three members each crossing once
                   community)
    assert not bridges(facts)


# -- consumer and the whole set ------------------------------------------------------------------

def test_consumer_is_a_member_with_no_other_role_and_few_posts() -> None:
    facts = posts_facts(*(post(i, MEMBER, f"F{i}", i * H) for i in range(1, 6)), post(9, OTHER, "F9", 1.0))
    facts.groups_of = {MEMBER: {10}, OTHER: {10}, PRODUCER: {10}}
    assert set(consumers(facts, set())) == {OTHER, PRODUCER}
    roles, _ = assign_roles(facts)
    assert "consumer" not in roles.get(MEMBER, {})      # five first posts: suspected producer, not a lurker
