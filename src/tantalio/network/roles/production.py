"""Producer and suspected producer (NETWORK.md §2 "Producer", §3.5 "Producer evidence").

A *producer* rests on a camera original on the person's own phone: a file with camera evidence
(camera EXIF make/model/serial, or the camera-roll folder) on an exhibit seized from them, not in
a received-media, documents or downloads folder (a camera original received as a document keeps
its EXIF: NETWORK.md §3.5, :mod:`tantalio.network.camera`), taken before the material's first
post in the network, and posted (itself or a near copy, its PDQ family) by that person. A camera
original of *known* material still counts, flagged ``known_series``: the device that shot a
known series is the strongest victim-identification lead there is.

A *suspected producer* is only the earliest poster of unknown image/video material whose origin
was observed (the earliest copy's own record says it was not forwarded, §3.3): an importer
bringing in material new to the network looks the same, so one who first posted several
unknown families while no camera original of them is on their seized phone is named an
importer in the evidence.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, NamedTuple

from tantalio.network.align import iso_s
from tantalio.network.camera import has_camera_exif
from tantalio.network.evidence_text import evidence as coded
from tantalio.network.evidence_text import part, render
from tantalio.network.facts import CameraFile, Evidence, NetworkFacts, RoleFinding

TAKEN_TOLERANCE_S = 120.0     # camera and server clocks: the capture may read a little after the post
IMPORTER_MIN_FAMILIES = 3     # unknown families first posted, with no camera original of any on own phones
_TAKEN_FROM = {"exif": part("camera.taken_exif"), "file_time": part("camera.taken_file_time")}


class CameraVerdict(NamedTuple):
    file: CameraFile
    status: str                   # of the material: unknown | known | ignorable
    series: str | None
    supports: bool
    reason: str
    confidence: float
    notes: tuple[dict[str, Any], ...] = ()   # the supporting notes of ``reason`` as coded parts


def camera_verdicts(facts: NetworkFacts) -> list[CameraVerdict]:
    """Each camera-evidence file on a seized exhibit, and whether it supports its owner as producer."""
    posted: dict[int, set[str]] = defaultdict(set)
    for post in facts.posts:
        if post.person is not None and post.material:
            posted[post.person].add(post.family)
    serial_exhibits: dict[str, set[str]] = defaultdict(set)
    for cam in facts.camera_files:
        if cam.serial and cam.folder != "received":
            serial_exhibits[cam.serial].add(cam.exhibit)
    out = []
    for cam in sorted(facts.camera_files, key=lambda c: (c.exhibit, c.path)):
        fam = facts.families.get(cam.family)
        status, series = (fam.status, fam.series) if fam else ("unknown", None)
        exif = has_camera_exif(cam.make, cam.model, cam.serial)
        first = facts.first_sightings.get(cam.family)
        reason = ""
        if cam.folder == "received":
            reason = "in a received-media, documents or downloads folder: received, not shot on this device"
        elif not exif and cam.folder != "camera":
            reason = "no camera EXIF and not in the camera folder"
        elif status == "ignorable":
            reason = "the material is on an ignorable (non-pertinent) list"
        elif first is None:
            reason = "the material was never seen posted in a group"
        elif cam.family not in posted[cam.person]:
            reason = "the exhibit's owner was never seen posting this material"
        elif cam.taken is None:
            reason = "no capture time (EXIF or file time) to set against the first post"
        elif first.time is not None and cam.taken > first.time + TAKEN_TOLERANCE_S:
            reason = f"taken after the material's first post ({iso_s(first.time)})"
        if reason:
            out.append(CameraVerdict(cam, status, series, False, reason, 0.0))
            continue
        confidence = 0.6
        notes = []
        if exif:
            confidence += 0.15
            notes.append(part("camera.exif", camera=" ".join(x for x in (cam.make, cam.model) if x)))
        if cam.folder == "camera":
            confidence += 0.1
            notes.append(part("camera.folder"))
        if cam.serial:
            confidence += 0.03
            notes.append(part("camera.serial", serial=cam.serial))
            if len(serial_exhibits[cam.serial]) > 1:
                confidence += 0.05
                notes.append(part("camera.serial_on_exhibits", exhibits=len(serial_exhibits[cam.serial])))
        if cam.taken_from == "exif":
            confidence += 0.02
        if first is not None and first.person == cam.person and first.origin == "observed":
            confidence += 0.05
            notes.append(part("camera.owner_first_poster"))
        out.append(CameraVerdict(cam, status, series, True, "; ".join(render(n["code"], n["params"]) for n in notes),
                                 round(min(0.98, confidence), 3), tuple(notes)))
    return out


def producers(facts: NetworkFacts, verdicts: list[CameraVerdict]) -> dict[int, RoleFinding]:
    found: dict[int, list[CameraVerdict]] = defaultdict(list)
    for v in verdicts:
        if v.supports:
            found[v.file.person].append(v)
    out = {}
    for person, items in found.items():
        evidence: list[Evidence] = []
        for v in items:
            known = v.status == "known"
            cam = v.file
            code = ("producer.camera_original_known_series" if v.series else "producer.camera_original_known") \
                if known else "producer.camera_original"
            params: dict[str, Any] = {"series": v.series} if known and v.series else {}
            params.update(taken=iso_s(cam.taken), taken_from=_TAKEN_FROM.get(cam.taken_from or "", cam.taken_from),
                          reasons=list(v.notes))
            evidence.append({
                **coded(code, **params),
                "exhibit": cam.exhibit, "path": cam.path, "sha256": cam.sha256, "family": cam.family,
                "camera_original": True, "known_series": known, "series": v.series if known else None,
                "serial": cam.serial})
        families = {v.file.family for v in items}
        confidence = min(0.99, max(v.confidence for v in items) + 0.02 * (len(families) - 1))
        out[person] = RoleFinding("producer", round(confidence, 3), evidence)
    return out


def suspected_producers(facts: NetworkFacts, producers_found: set[int]) -> dict[int, RoleFinding]:
    firsts: dict[int, list[str]] = defaultdict(list)
    for family, seen in sorted(facts.first_sightings.items(), key=lambda kv: (kv[1].time or 0.0, kv[0])):
        if seen.person is None or seen.person in producers_found or seen.origin != "observed":
            continue
        if facts.status(family) == "unknown":
            firsts[seen.person].append(family)
    own_originals: dict[int, set[str]] = defaultdict(set)
    for cam in facts.camera_files:
        if cam.folder != "received":
            own_originals[cam.person].add(cam.family)
    out = {}
    for person, families in firsts.items():
        evidence: list[Evidence] = []
        for family in families:
            seen = facts.first_sightings[family]
            evidence.append({**coded("suspected_producer.first_observed", time=iso_s(seen.time)),
                             "sha256": seen.sha256, "family": family, "chat": facts.chat_labels.get(seen.chat)})
        confidence = 0.5 + 0.05 * min(3, len(families) - 1)
        seized = facts.seized_from.get(person)
        if len(families) >= IMPORTER_MIN_FAMILIES and seized and not own_originals.get(person):
            confidence = 0.35
            evidence.insert(0, {**coded("suspected_producer.importer", families=len(families), exhibits=sorted(seized)),
                                "importer": True})
        out[person] = RoleFinding("suspected_producer", round(confidence, 3), evidence)
    return out
