"""ground_truth.json: everything a scorer needs, straight from the planted operation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import images
from .devices import DeviceReport
from .observation import Exhibit, View
from .scenario import Operation, Post

PDQ_THRESHOLD = 31


def iso(when: datetime | None) -> str | None:
    return None if when is None else when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _post_ref(op: Operation, post: Post) -> dict[str, Any]:
    return {"person": post.sender, "phone": op.persons[post.sender].phone, "group": post.group,
            "group_jid": op.groups[post.group].jid, "time": iso(post.time), "key_id": post.key_id,
            "forwarded": post.forwarded, "forward_score": post.forward_score}


def _hamming(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def build(op: Operation, exhibits: list[Exhibit], views: dict[str, View],
          reports: dict[str, DeviceReport]) -> dict[str, Any]:
    owners = {e.owner.id: e.id for e in exhibits}
    observed: dict[int, Post] = {p.seq: p for v in views.values() for p in v.posts}
    by_id = {e.id: e for e in exhibits}
    # seen with its media: a database (its hash survives a deleted file) or an export with attachments
    with_media = {p.seq for ex, v in views.items() for p in v.posts
                  if by_id[ex].kind == "android_extraction" or not by_id[ex].media_omitted}
    evident = observable_roles(op, exhibits, views, reports)
    persons = []
    for pid in sorted(op.persons):
        person = op.persons[pid]
        books = {}
        for exhibit in exhibits:
            view = views[exhibit.id]
            if any(pid in op.groups[g].spells for g in view.groups) and pid != exhibit.owner.id:
                books[exhibit.id] = exhibit.contacts.get(pid)
        persons.append({
            "id": pid, "phones": [person.phone], "country": person.country, "push_name": person.push_name,
            "given_name": person.given_name, "family_name": person.family_name,
            "roles": sorted(person.roles), "confounders": sorted(person.confounders), "cluster": person.cluster,
            "observable_roles": sorted(evident.get(pid, set()) & person.roles),
            "address_book": books, "exhibit": owners.get(pid),
            "groups": sorted(g.id for g in op.groups.values() if pid in g.spells),
        })
    groups = []
    for gid in sorted(op.groups):
        group = op.groups[gid]
        groups.append({
            "id": gid, "jid": group.jid, "cluster": group.cluster, "created": iso(group.created),
            "names": [{"since": iso(t), "name": n} for t, n in group.names], "creator": group.creator,
            "admins": sorted(group.admins), "members": sorted(group.spells),
            "observed_by": sorted(e.id for e in exhibits if gid in views[e.id].groups),
            "events": [{"kind": e.kind, "person": e.person, "actor": e.actor, "time": iso(e.time),
                        **({"old_subject": e.old_subject, "new_subject": e.new_subject}
                           if e.kind in ("created", "subject_changed") else {})}
                       for e in sorted(group.events, key=lambda e: (e.time, e.seq))],
        })
    first: dict[str, Post] = {}
    first_seen: dict[str, Post] = {}
    first_with_media: dict[str, Post] = {}
    counts: dict[str, int] = {}
    for post in op.posts:
        if post.media is None:
            continue
        first.setdefault(post.media, post)
        counts[post.media] = counts.get(post.media, 0) + 1
        if post.seq in observed:
            first_seen.setdefault(post.media, post)
        if post.seq in with_media:
            first_with_media.setdefault(post.media, post)
    media = []
    for sha in sorted(op.files, key=lambda s: (first[s].seq if s in first else 0, s)):
        file = op.files[sha]
        family = op.families[file.family]
        known: dict[str, Any] | None = None
        if family.in_known_list:
            if sha == family.original_sha256:
                known = {"how": "exact", "distance": 0}
            else:
                pdq, _ = images.pdq_hex(file.data)
                distance = _hamming(pdq, family.pdq or "0")
                known = {"how": "perceptual" if distance <= PDQ_THRESHOLD else "missed", "distance": distance}
        media.append({
            "sha256": sha, "md5": file.md5, "sha1": file.sha1, "family": family.id, "origin": family.origin,
            "kind": file.kind, "mime": file.mime,
            "derivation": file.derivation, "width": file.width, "height": file.height,
            "first_post": _post_ref(op, first[sha]) if sha in first else None,
            "first_observed": _post_ref(op, first_seen[sha]) if sha in first_seen else None,
            "first_observed_with_media": _post_ref(op, first_with_media[sha]) if sha in first_with_media else None,
            "first_copy_forwarded": first[sha].forwarded if sha in first else None,
            "posts": counts.get(sha, 0), "known": known,
        })
    families = []
    for fid in sorted(op.families):
        family = op.families[fid]
        family_first = next((p for p in op.posts if p.media in family.files), None)
        families.append({
            "id": fid, "origin": family.origin, "introducer": family.introducer,
            # what the family is: pictures (image material), or chatter sent as a voice note, sticker, document
            "kind": "image" if family.origin != "chatter" else op.files[family.files[0]].kind,
            "in_known_list": family.in_known_list, "circulates_unchanged": family.circulates_unchanged,
            "original_sha256": family.original_sha256, "pdq": family.pdq, "series": family.series,
            "files": family.files, "first_post": _post_ref(op, family_first) if family_first else None,
        })
    camera = []
    for exhibit in exhibits:
        for path, fid in sorted(reports[exhibit.id].camera_files.items()):
            family = op.families[fid]
            assert family.camera is not None
            camera.append({
                "sha256": family.original_sha256, "family": fid, "path": path, "exhibit": exhibit.id,
                "owner": family.camera_owner, "make": family.camera.make, "model": family.camera.model,
                "serial": family.camera.serial, "taken": iso(family.taken), "gps": family.gps,
            })
    unseized = [f for f in op.families.values() if f.origin == "produced" and f.camera_owner not in owners]
    decoys = [{"md5": images.digests(d.original).md5, "sha1": images.digests(d.original).sha1,
               "sha256": images.digests(d.original).sha256, "pdq": d.pdq, "series": d.series} for d in op.decoys]
    return {
        "schema": "tantalio.demo.truth/1",
        "synthetic": True,
        "period": {"start": iso(op.period_start), "end": iso(op.period_end)},
        "pdq_threshold": PDQ_THRESHOLD,
        "persons": persons,
        "groups": groups,
        "media": media,
        "families": families,
        "camera_originals": camera,
        "camera_originals_not_seized": sorted(f.original_sha256 for f in unseized),
        "decoys": decoys,
        "exhibits": [{
            "id": e.id, "owner": e.owner.id, "owner_phone": e.owner.phone, "kind": e.kind, "schema": e.schema,
            "locale": e.locale, "timezone": e.timezone, "dcim": e.dcim, "media_omitted": e.media_omitted,
            "history_start": iso(e.history_start), "groups": views[e.id].groups,
            "files": reports[e.id].files, "deleted_media": sorted(set(reports[e.id].deleted)),
            "written": {path: counts.to_json() for path, counts in sorted(reports[e.id].written.items())},
        } for e in exhibits],
        "posts": [{"seq": p.seq, "key_id": p.key_id, "group": p.group, "sender": p.sender, "time": iso(p.time),
                   "media": p.media, "text": p.text, "forwarded": p.forwarded, "forward_score": p.forward_score}
                  for p in op.posts],
    }


def observable_roles(op: Operation, exhibits: list[Exhibit], views: dict[str, View],
                     reports: dict[str, DeviceReport]) -> dict[str, set[str]]:
    """Per person, the planted roles whose evidence is in the seized data at all (the observation
    model hides the rest): a scorer's "observable recall" counts only these. Identity resolution
    is not excused: evidence that names someone only by a label still counts as there.

    * producer: a camera original on their seized phone, and a post of that material by them
      on some seized phone with its media (a database hash or the file);
    * distributor: visible posts by them (with media) moving at least three families (re-posts of
      others' material, or known material they brought in) into at least two groups;
    * administrator: their group's creation, their admin grant (a database records everyone's; an
      export only the owner's), a removal by them, or an admin rank in a group database;
    * bridge: groups of theirs seen by seized phones in three or more clusters, or they are one of
      at most two seen members linking two clusters nothing else seen connects;
    * consumer: a group of theirs seen by a seized phone.
    """
    by_id = {e.id: e for e in exhibits}
    with_media: set[int] = set()
    seen_groups: set[str] = set()
    found: dict[str, set[str]] = {}
    for ex_id, view in views.items():
        exhibit = by_id[ex_id]
        seen_groups.update(view.groups)
        if exhibit.kind == "android_extraction" or not exhibit.media_omitted:
            with_media.update(p.seq for p in view.posts if p.media)
        for event in view.events:
            database = exhibit.kind == "android_extraction"
            if event.kind == "created" or (event.kind == "admin_granted" and (database or event.person == exhibit.owner.id)):
                found.setdefault(event.person, set()).add("administrator")
            if event.kind == "removed" and event.actor:
                found.setdefault(event.actor, set()).add("administrator")
        if exhibit.kind == "android_extraction":
            for gid in view.groups:
                group = op.groups[gid]
                found.setdefault(group.creator, set()).add("administrator")     # wa.db creator_jid
                if group.spells[exhibit.owner.id].end is None:                  # current participant list
                    for pid in group.admins:
                        if group.spells.get(pid) and group.spells[pid].end is None:
                            found.setdefault(pid, set()).add("administrator")
    producers_posted = {p.sender for p in op.posts if p.seq in with_media and p.media
                        and op.families[op.files[p.media].family].camera_owner == p.sender}
    for ex_id, report in reports.items():
        owner = by_id[ex_id].owner.id
        if report.camera_files and owner in producers_posted:
            found.setdefault(owner, set()).add("producer")
    moved: dict[str, set[str]] = {}
    groups: dict[str, set[str]] = {}
    for post in op.posts:
        if post.seq not in with_media or not post.media or op.files[post.media].kind == "sticker":
            continue
        family = op.families[op.files[post.media].family]
        if family.origin == "chatter" or (family.introducer == post.sender and family.origin != "known"):
            continue
        moved.setdefault(post.sender, set()).add(family.id)
        groups.setdefault(post.sender, set()).add(post.group)
    for pid, families in moved.items():
        if len(families) >= 3 and len(groups[pid]) >= 2:
            found.setdefault(pid, set()).add("distributor")
    spans: dict[str, set[int]] = {}
    for pid in op.persons:
        mine = [g for g in seen_groups if pid in op.groups[g].spells]
        if mine:
            found.setdefault(pid, set()).add("consumer")
        spans[pid] = {op.groups[g].cluster for g in mine}
    for pid in _brokers(spans):
        found.setdefault(pid, set()).add("bridge")
    return found


def _brokers(spans: dict[str, set[int]]) -> set[str]:
    """Members whose seen groups lie in three or more clusters, or who are one of at most two seen
    members linking two clusters that nothing else seen connects."""
    out = {pid for pid, clusters in spans.items() if len(clusters) >= 3}
    linkers: dict[tuple[int, int], set[str]] = {}
    for pid, clusters in spans.items():
        for a in clusters:
            for b in clusters:
                if a < b:
                    linkers.setdefault((a, b), set()).add(pid)
    for (a, b), persons in linkers.items():
        if len(persons) > 2:
            continue
        reach, frontier = {a}, [a]
        while frontier:
            node = frontier.pop()
            for (x, y) in linkers:
                if (x, y) == (a, b) or node not in (x, y):
                    continue
                other = y if node == x else x
                if other not in reach:
                    reach.add(other)
                    frontier.append(other)
        if b not in reach:
            out |= persons
    return out
