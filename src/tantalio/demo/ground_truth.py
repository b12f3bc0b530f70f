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
    counts: dict[str, int] = {}
    for post in op.posts:
        if post.media is None:
            continue
        first.setdefault(post.media, post)
        counts[post.media] = counts.get(post.media, 0) + 1
        if post.seq in observed:
            first_seen.setdefault(post.media, post)
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
            "derivation": file.derivation, "width": file.width, "height": file.height,
            "first_post": _post_ref(op, first[sha]) if sha in first else None,
            "first_observed": _post_ref(op, first_seen[sha]) if sha in first_seen else None,
            "first_copy_forwarded": first[sha].forwarded if sha in first else None,
            "posts": counts.get(sha, 0), "known": known,
        })
    families = []
    for fid in sorted(op.families):
        family = op.families[fid]
        family_first = next((p for p in op.posts if p.media in family.files), None)
        families.append({
            "id": fid, "origin": family.origin, "introducer": family.introducer,
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
