"""The victim-identification queue: unknown material ranked for review, one row per PDQ family.

A family (``media_item.family``: PDQ-near copies, or one item alone) is what a reviewer looks at:
a camera original and the re-compressed copies that went round the groups are one picture. Each
row carries what any member of the family holds: camera make/model and serial, time taken, GPS,
series, first sighting, spread. A family where any copy matched a known-material list is known
material and not in the queue.

Order (why: new production is the strongest lead to a child still at risk, and camera and place
are what identification starts from):

1. **new material**: the family's first sighting in the network was observed as sent, not
   forwarded in from outside, or it was never posted at all (only found on a seized device);
2. **camera evidence**: first when the camera serial links it to a person holding a producer
   role, then any EXIF camera serial or make/model;
3. **GPS** in EXIF;
4. then wider spread (distinct groups, then posts, then instances), then recency (latest post first).

A series joins families that carry the same camera serial. The VICS export carries every queued
item with the analysts' categorisations back to hash-database maintainers (read back by
``tantalio hashlist import --format vics``).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tantalio.network import sightings
from tantalio.network.figures import family_status
from tantalio.report.caseview import CaseView
from tantalio.report.i18n import Translator
from tantalio.report.safe_csv import csv_text

PRODUCER_ROLES = ("producer", "suspected_producer")
VICS_CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media"


@dataclass(frozen=True, slots=True)
class QueueItem:
    rank: int
    family: str
    series: str
    sha256: str                    # the family's representative (camera original first)
    members: tuple[str, ...]       # every SHA-256 of the family
    md5: str | None
    sha1: str | None
    camera: str | None             # "make model" as EXIF writes it (every distinct one, "; ")
    camera_serial: str | None      # every distinct serial, "; "
    taken: str | None              # earliest EXIF time taken in the family
    gps: tuple[float, float] | None
    gps_points: int
    new_material: bool
    origin: str | None             # first sighting: observed | forwarded | undetermined
    suspect_camera: bool
    suspects: tuple[str, ...]      # producer-role persons linked to it with camera evidence
    first_poster: str | None
    first_group: str | None
    first_seen: str | None
    last_seen: str | None
    groups: int
    posts: int
    instances: int
    categorisation: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Series:
    id: str
    families: tuple[str, ...]
    items: tuple[str, ...]
    serials: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VidQueue:
    case: str
    synthetic: bool
    items: tuple[QueueItem, ...]
    series: tuple[Series, ...]


@dataclass(slots=True)
class _Member:
    sha256: str
    md5: str | None
    sha1: str | None
    make: str | None
    model: str | None
    serial: str | None
    taken: str | None
    gps: tuple[float, float] | None
    instances: int


def build_queue(view: CaseView, tr: Translator | None = None) -> VidQueue:
    tr = tr or Translator(view.context.lang)
    c = view.conn
    status = family_status(c)
    instances = dict(c.execute("SELECT sha256, count(*) FROM media_instance GROUP BY sha256").fetchall())
    families: dict[str, list[_Member]] = defaultdict(list)
    for sha, md5, sha1, family, make, model, serial, taken, lat, lon in c.execute(
            "SELECT sha256, md5, sha1, family, exif_make, exif_model, exif_serial, exif_taken, gps_lat, gps_lon "
            "FROM media_item ORDER BY sha256"):
        fam = family or sha
        if status.get(fam) != "unknown":
            continue
        families[fam].append(_Member(sha, md5, sha1, make, model, serial, taken,
                                     (lat, lon) if lat is not None and lon is not None else None, instances.get(sha, 0)))
    series = _series(families)
    producers = {pid for (pid,) in c.execute(
        f"SELECT DISTINCT person_id FROM person_role WHERE role IN ({','.join('?' * len(PRODUCER_ROLES))})",  # noqa: S608
        PRODUCER_ROLES)}
    serials_of = _person_serials(view)
    linked = _linked_persons(view)
    posts: dict[str, list[tuple[str | None, int]]] = defaultdict(list)
    for fam, sha, time, chat in c.execute("SELECT family, sha256, time, chat_id FROM post WHERE sha256 IS NOT NULL"):
        posts[fam or sha].append((time, chat))
    first = {fam: (s.person_id, s.chat_id, s.time, s.origin) for fam, s in sightings.by_family(c).items()}
    category: dict[str, tuple[str, str]] = {}
    for row in view.categorisations():     # ordered by time: the latest decision wins
        category[row["sha256"]] = (row["at"] or "", row["category"])
    unranked = []
    for fam, members in families.items():
        ser = series[fam]
        camera_serials = sorted({m.serial for m in members if m.serial})
        cameras = sorted({" ".join(x for x in (m.make, m.model) if x) for m in members if m.make or m.model})
        with_gps = [m for m in members if m.gps]
        with_gps.sort(key=lambda m: (m.taken or "9999", m.sha256))
        taken = min((m.taken for m in members if m.taken), default=None)
        rep = min(members, key=lambda m: (not m.serial, not m.gps, -m.instances, m.sha256))
        person_ids = set().union(*(linked.get(m.sha256, set()) for m in members))
        suspects = sorted(view.person_label(p) or "" for p in person_ids
                          if p in producers and serials_of.get(p, set()) & set(ser.serials))
        times = sorted(t for t, _ in posts[fam] if t)
        fs = first.get(fam)
        origin = fs[3] if fs else None
        new = origin == "observed" or not posts[fam]
        groups = len({ch for _, ch in posts[fam]})
        decisions = sorted(category[m.sha256] for m in members if m.sha256 in category)
        reasons = []
        if new:
            reasons.append(tr("first sighting observed as sent (not forwarded)") if posts[fam]
                           else tr("never posted: found only on a seized device"))
        if suspects:
            reasons.append(tr("camera serial linked to suspect %(persons)s", persons=", ".join(suspects)))
        if camera_serials:
            reasons.append(tr("camera serial %(serials)s", serials=", ".join(camera_serials)))
        elif cameras:
            reasons.append(tr("EXIF camera make/model"))
        if with_gps:
            reasons.append(tr("EXIF GPS"))
        if groups > 1:
            reasons.append(tr("spread over %(n)s groups", n=groups))
        unranked.append(QueueItem(
            0, fam, ser.id, rep.sha256, tuple(sorted(m.sha256 for m in members)), rep.md5, rep.sha1,
            "; ".join(cameras) or None, "; ".join(camera_serials) or None, taken,
            with_gps[0].gps if with_gps else None, len(with_gps), new, origin, bool(suspects), tuple(suspects),
            view.person_label(fs[0]) if fs else None, view.chat_label(fs[1]) if fs else None,
            fs[2] if fs else None, times[-1] if times else None, groups, len(posts[fam]),
            sum(m.instances for m in members), decisions[-1][1] if decisions else None, tuple(reasons)))
    unranked.sort(key=lambda q: (q.last_seen or "", q.family), reverse=True)      # recency, the last tie-breaker
    unranked.sort(key=lambda q: (not q.new_material, not q.suspect_camera, not (q.camera_serial or q.camera),
                                 q.gps is None, -q.groups, -q.posts, -q.instances))
    ranked = tuple(_with_rank(q, n) for n, q in enumerate(unranked, start=1))
    return VidQueue(view.case_name, view.synthetic, ranked,
                    tuple(sorted({s.id: s for s in series.values()}.values(), key=lambda s: s.id)))


def _with_rank(item: QueueItem, rank: int) -> QueueItem:
    return QueueItem(rank, *[getattr(item, f) for f in QueueItem.__dataclass_fields__ if f != "rank"])


def _series(families: dict[str, list[_Member]]) -> dict[str, Series]:
    """Families joined by shared camera serials. A series id is a digest of its content (families
    and serials), so it means the same thing in every run over the same material."""
    parent: dict[str, str] = {f: f for f in families}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_serial: dict[str, str] = {}
    for fam in sorted(families):
        for m in families[fam]:
            if m.serial:
                other = by_serial.setdefault(m.serial, fam)
                a, b = find(fam), find(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for fam in sorted(families):
        groups[find(fam)].append(fam)
    out: dict[str, Series] = {}
    for fams in groups.values():
        serials = tuple(sorted({m.serial for f in fams for m in families[f] if m.serial}))
        digest = hashlib.sha256(json.dumps([fams, serials]).encode("utf-8")).hexdigest()[:12]
        s = Series(f"S-{digest}", tuple(fams), tuple(sorted(m.sha256 for f in fams for m in families[f])), serials)
        for fam in fams:
            out[fam] = s
    return out


def _person_serials(view: CaseView) -> dict[int, set[str]]:
    """Camera serials linked to each person: originals on exhibits seized from them, or posted by them."""
    out: dict[int, set[str]] = defaultdict(set)
    for pid, serial in view.conn.execute(
            "SELECT i.person_id, m.exif_serial FROM media_item m JOIN media_instance n ON n.sha256 = m.sha256 "
            "JOIN exhibit_owner i ON i.exhibit_id = n.exhibit_id WHERE m.exif_serial IS NOT NULL AND n.path IS NOT NULL "
            "UNION SELECT p.person_id, m.exif_serial FROM post p JOIN media_item m ON m.sha256 = p.sha256 "
            "WHERE m.exif_serial IS NOT NULL AND p.person_id IS NOT NULL"):
        out[pid].add(serial)
    return out


def _linked_persons(view: CaseView) -> dict[str, set[int]]:
    """Persons tied to each item: posters, first posters, holders of the file on their own exhibit."""
    out: dict[str, set[int]] = defaultdict(set)
    for sha, seen in sightings.of_items(view.conn).items():
        if seen.person_id is not None:
            out[sha].add(seen.person_id)
    for sha, pid in view.conn.execute(
            "SELECT sha256, person_id FROM post WHERE person_id IS NOT NULL AND sha256 IS NOT NULL "
            "UNION SELECT n.sha256, o.person_id FROM media_instance n JOIN exhibit_owner o ON o.exhibit_id = n.exhibit_id "
            "WHERE n.path IS NOT NULL"):
        out[sha].add(pid)
    return out


CSV_COLUMNS = ("rank", "family", "series", "sha256", "members", "md5", "sha1", "camera", "camera_serial", "taken",
               "gps_lat", "gps_lon", "gps_points", "new_material", "origin", "suspect_camera", "suspects",
               "first_poster", "first_group", "first_seen", "last_seen", "groups", "posts", "instances",
               "categorisation", "reasons")


def queue_csv(queue: VidQueue) -> str:
    rows: list[list[object]] = []
    if queue.synthetic:
        rows.append(["# SYNTHETIC DEMO DATA"])
    rows.append(list(CSV_COLUMNS))
    for q in queue.items:
        rows.append([q.rank, q.family, q.series, q.sha256, " ".join(q.members), q.md5, q.sha1, q.camera,
                     q.camera_serial, q.taken, q.gps[0] if q.gps else None, q.gps[1] if q.gps else None, q.gps_points,
                     q.new_material, q.origin, q.suspect_camera, " ".join(q.suspects), q.first_poster, q.first_group,
                     q.first_seen, q.last_seen, q.groups, q.posts, q.instances, q.categorisation,
                     "; ".join(q.reasons)])
    return csv_text(rows)


def vics_export(view: CaseView, queue: VidQueue) -> str:
    """Project VIC (VICS 2.0) JSON of every queued item, with its series and the analysts' latest
    categorisation. A categorisation that is not a VICS integer cannot travel in ``Category`` and is
    left out (the item is exported uncategorised); an uncategorised item has no ``Category``
    (VICS 0 means "non-pertinent", which nobody decided)."""
    latest: dict[str, str] = {}
    for row in view.categorisations():
        latest[row["sha256"]] = str(row["category"]).strip()
    info = {r[0]: r[1:] for r in view.conn.execute("SELECT sha256, md5, sha1, size, pdq, mime FROM media_item")}
    distributed = {s for (s,) in view.conn.execute("SELECT DISTINCT sha256 FROM post WHERE sha256 IS NOT NULL")}
    media: list[dict[str, Any]] = []
    for q in queue.items:
        for sha in q.members:
            md5, sha1, size, pdq, mime = info.get(sha, (None, None, None, None, None))
            alternative = [{"HashName": "SHA256", "HashValue": sha.upper()}]
            if pdq:
                alternative.append({"HashName": "PDQ", "HashValue": pdq})
            record: dict[str, Any] = {"MediaID": len(media) + 1, "Series": q.series,
                                      "IsDistributed": sha in distributed, "AlternativeHashes": alternative}
            if md5:
                record["MD5"] = md5.upper()
            if sha1:
                record["SHA1"] = sha1.upper()
            if size is not None:
                record["MediaSize"] = size
            if mime:
                record["MimeType"] = mime
            if latest.get(sha, "").isdigit():
                record["Category"] = int(latest[sha])
            media.append(record)
    doc: dict[str, Any] = {"@odata.context": VICS_CONTEXT, "value": media}
    if queue.synthetic:
        doc["Comment"] = "SYNTHETIC DEMO DATA"
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
