"""The query layer: read the facts the role rules decide on from a case store.

Runs inside the analysis snapshot (after posts, first sightings, propagation edges and
membership spells were written), so every table here is the one this run built. The rules
themselves (:mod:`tantalio.network.roles`) never see SQL.
"""

from __future__ import annotations

import sqlite3

from tantalio.network import figures
from tantalio.network.align import epoch
from tantalio.network.camera import folder_kind, has_camera_exif, taken_epoch
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
from tantalio.network.material import is_material

ADMIN_EVENT_KINDS = ("created", "admin_granted", "admin_revoked", "added", "removed")


def family_facts(conn: sqlite3.Connection) -> dict[str, MediaFamilyFacts]:
    """Per family: known if any copy matched an illegal list, ignorable if every copy is, else
    unknown; the category and series of the best match."""
    out: dict[str, MediaFamilyFacts] = {}
    for family, status, category in conn.execute(
            "SELECT coalesce(family, sha256), status, category FROM media_item ORDER BY sha256"):
        found = out.setdefault(family, MediaFamilyFacts())
        if status == "known" and found.category is None:
            found.category = category
    for family, status in figures.family_status(conn).items():
        if family in out:
            out[family].status = status
    for family, series in conn.execute(
            "SELECT coalesce(mi.family, mi.sha256), e.series FROM match x JOIN media_item mi ON mi.sha256 = x.sha256"
            " JOIN hash_entry e ON e.id = x.entry_id WHERE e.series IS NOT NULL ORDER BY x.distance, e.id"):
        if family in out and out[family].series is None:
            out[family].series = series
    return out


def camera_files(conn: sqlite3.Connection, owner_person: dict[str, int]) -> list[CameraFile]:
    """Files on exhibits with a known owner that carry camera evidence or sit in a camera folder."""
    zones = dict(conn.execute("SELECT id, timezone FROM exhibit"))
    out = []
    for sha, family, exhibit, path, seen_as, make, model, serial, taken, mtime in conn.execute(
        "SELECT mi.sha256, coalesce(mi.family, mi.sha256), inst.exhibit_id, inst.path, inst.seen_as, mi.exif_make,"
        " mi.exif_model, mi.exif_serial, mi.exif_taken, sf.mtime FROM media_instance inst"
        " JOIN media_item mi ON mi.sha256 = inst.sha256 LEFT JOIN source_file sf ON sf.id = inst.source_file_id"
        " WHERE inst.path IS NOT NULL AND inst.seen_as IN ('file', 'export_attachment')"
        " AND (mi.exif_make IS NOT NULL OR mi.exif_model IS NOT NULL OR mi.exif_serial IS NOT NULL"
        "      OR lower(inst.path) LIKE '%dcim/%' OR lower(inst.path) LIKE '%pictures/camera/%'"
        "      OR lower(inst.path) LIKE '%camera roll/%')"
        " ORDER BY inst.exhibit_id, inst.path, mi.sha256"
    ):
        person = owner_person.get(exhibit)
        if person is None:
            continue
        folder = folder_kind(path, seen_as)
        if not has_camera_exif(make, model, serial) and folder != "camera":
            continue
        when = taken_epoch(taken, zones.get(exhibit))
        source = "exif" if when is not None else None
        if when is None and folder == "camera":
            when, source = epoch(mtime), "file_time" if mtime else None
        out.append(CameraFile(sha, family, exhibit, path, person, make, model, serial, when, source, folder))
    # one row per (exhibit, path): a file both on disk and referenced by a message is one file
    unique = {(c.exhibit, c.path, c.sha256): c for c in out}
    return [unique[k] for k in sorted(unique)]


def read_facts(conn: sqlite3.Connection, owner_person: dict[str, int], measures: NetworkMeasures) -> NetworkFacts:
    facts = NetworkFacts(structure=measures)
    facts.persons = [pid for (pid,) in conn.execute("SELECT id FROM person ORDER BY id")]
    facts.groups_of = figures.person_groups(conn)
    facts.messages = dict(figures.message_counts(conn, owner_person).by_sender)
    facts.chat_labels = dict(conn.execute("SELECT id, label FROM chat"))
    facts.families = family_facts(conn)
    facts.posts = [PostFact(pid, chat, person, epoch(time), sha, family or sha,
                            None if fwd is None else bool(fwd), is_material(kind))
                   for pid, chat, person, time, sha, family, fwd, kind in conn.execute(
                       "SELECT id, chat_id, person_id, time, sha256, family, forwarded, media_kind FROM post"
                       " ORDER BY id")]
    facts.first_sightings = {family: FirstSighting(family, sha, post, person, chat, epoch(time), origin)
                             for family, sha, post, person, chat, time, origin in conn.execute(
                                 "SELECT family, sha256, post_id, person_id, chat_id, time, origin FROM first_sighting")}
    facts.cascade = {post: CascadeEdge(post, parent, confidence) for post, parent, confidence in conn.execute(
        "SELECT post_id, parent_post_id, confidence FROM propagation_edge WHERE parent_post_id IS NOT NULL")}
    facts.camera_files = camera_files(conn, owner_person)
    marks = ",".join("?" * len(ADMIN_EVENT_KINDS))
    facts.events = [GroupEvent(chat, event, person, by, epoch(time)) for chat, event, person, by, time in conn.execute(
        f"SELECT chat_id, event, person_id, by_person_id, time FROM group_event WHERE event IN ({marks})"  # noqa: S608
        " ORDER BY time, id", ADMIN_EVENT_KINDS)]
    creations: dict[tuple[int, int], float | None] = {}
    for chat, person, created in conn.execute(
            "SELECT id, creator_person_id, created_at FROM chat WHERE is_group = 1 AND creator_person_id IS NOT NULL"):
        creations[(chat, person)] = epoch(created)
    for e in facts.events:
        if e.event == "created" and e.person is not None:
            known = creations.get((e.chat, e.person))
            creations[(e.chat, e.person)] = e.time if known is None else min(known, e.time or known)
    facts.creations = [Creation(chat, person, t) for (chat, person), t in sorted(creations.items())]
    facts.ranks = [ListedRank(chat, person, rank, exhibit, location) for chat, person, rank, exhibit, location in
                   conn.execute(
        "SELECT DISTINCT co.chat_id, i.person_id, gm.rank, co.exhibit_id, gm.location FROM group_member gm"
        " JOIN chat_obs co ON co.id = gm.chat_obs_id JOIN identifier i ON i.id = gm.identifier_id"
        " WHERE gm.rank IN ('admin', 'creator') AND i.person_id IS NOT NULL AND co.chat_id IS NOT NULL ORDER BY 1, 2, 3, 4, 5")]
    for exhibit, person in owner_person.items():
        facts.seized_from.setdefault(person, set()).add(exhibit)
    return facts
