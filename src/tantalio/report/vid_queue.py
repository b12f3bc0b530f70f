"""The victim-identification queue: unknown material ranked for review, grouped into series.

Order (why: new production by a suspect is the strongest lead to a child still at risk):
1. items produced by a suspect with camera evidence — a person holding a producer role who
   posted the item, first posted it, or holds it on their own exhibit, where the item's series
   carries an EXIF camera serial linked to that person;
2. then wider spread (distinct groups, then posts, then instances);
3. then recency (latest post first).

A series joins items that are PDQ-near (same ``media_item.family``) or carry the same camera
serial. The VICS export carries analysts' categorisations back to hash-database maintainers.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tantalio.network import sightings
from tantalio.report.caseview import CaseView

PRODUCER_ROLES = ("producer", "suspected_producer")
VICS_CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/Default/$metadata#Media"


@dataclass(frozen=True, slots=True)
class QueueItem:
    rank: int
    sha256: str
    md5: str | None
    sha1: str | None
    series: str
    family: str | None
    camera: str | None             # "make model" as EXIF writes it
    camera_serial: str | None
    taken: str | None
    gps: tuple[float, float] | None
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
    items: tuple[str, ...]
    families: tuple[str, ...]
    serials: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VidQueue:
    case: str
    synthetic: bool
    items: tuple[QueueItem, ...]
    series: tuple[Series, ...]


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def build_queue(view: CaseView) -> VidQueue:
    c = view.conn
    items = {r[0]: r for r in c.execute(
        "SELECT sha256, md5, sha1, family, exif_make, exif_model, exif_serial, exif_taken, gps_lat, gps_lon "
        "FROM media_item WHERE status='unknown' ORDER BY sha256")}
    series_of = _series(view, items)
    producers = {pid for (pid,) in c.execute(
        f"SELECT DISTINCT person_id FROM person_role WHERE role IN ({','.join('?' * len(PRODUCER_ROLES))})",  # noqa: S608
        PRODUCER_ROLES)}
    serials_of = _person_serials(view)
    linked = _linked_persons(view)
    posts: dict[str, list[tuple[str | None, int]]] = defaultdict(list)
    for sha, time, chat in c.execute("SELECT sha256, time, chat_id FROM post WHERE sha256 IS NOT NULL"):
        posts[sha].append((time, chat))
    instances = dict(c.execute("SELECT sha256, count(*) FROM media_instance GROUP BY sha256").fetchall())
    first = {sha: (s.person_id, s.chat_id, s.time) for sha, s in sightings.of_items(c).items()}
    category = {}
    for row in view.categorisations():     # ordered by time: the latest decision wins
        category[row["sha256"]] = row["category"]
    series_serials = {s.id: set(s.serials) for s in series_of.values()}
    unranked = []
    for sha, (_, md5, sha1, family, make, model, serial, taken, lat, lon) in items.items():
        ser = series_of[sha]
        suspects = sorted(view.person_label(p) or "" for p in linked.get(sha, set())
                          if p in producers and serials_of.get(p, set()) & series_serials[ser.id])
        times = sorted(t for t, _ in posts[sha] if t)
        fs = first.get(sha)
        reasons = []
        if suspects:
            reasons.append(f"produced by suspect {', '.join(suspects)} with camera evidence")
        if serial:
            reasons.append(f"camera serial {serial}")
        if lat is not None and lon is not None:
            reasons.append("EXIF GPS")
        groups = len({ch for _, ch in posts[sha]})
        if groups > 1:
            reasons.append(f"spread over {groups} groups")
        unranked.append(QueueItem(
            0, sha, md5, sha1, ser.id, family, " ".join(x for x in (make, model) if x) or None, serial, taken,
            (lat, lon) if lat is not None and lon is not None else None, bool(suspects), tuple(suspects),
            view.person_label(fs[0]) if fs else None, view.chat_label(fs[1]) if fs else None,
            fs[2] if fs else None, times[-1] if times else None, groups, len(posts[sha]), instances.get(sha, 0),
            category.get(sha), tuple(reasons)))
    unranked.sort(key=lambda q: q.last_seen or "", reverse=True)      # recency, the last tie-breaker
    unranked.sort(key=lambda q: (not q.suspect_camera, -q.groups, -q.posts, -q.instances))
    ranked = tuple(_with_rank(q, n) for n, q in enumerate(unranked, start=1))
    return VidQueue(view.case_name, view.synthetic, ranked,
                    tuple(sorted(set(series_of.values()), key=lambda s: s.id)))


def _with_rank(item: QueueItem, rank: int) -> QueueItem:
    return QueueItem(rank, *[getattr(item, f) for f in QueueItem.__dataclass_fields__ if f != "rank"])


def _series(view: CaseView, items: dict[str, tuple[Any, ...]]) -> dict[str, Series]:
    union = _Union()
    by_family: dict[str, str] = {}
    by_serial: dict[str, str] = {}
    for sha, row in items.items():
        union.find(sha)
        family, serial = row[3], row[6]
        if family:
            union.join(sha, by_family.setdefault(family, sha))
        if serial:
            union.join(sha, by_serial.setdefault(serial, sha))
    members: dict[str, list[str]] = defaultdict(list)
    for sha in items:
        members[union.find(sha)].append(sha)
    out: dict[str, Series] = {}
    for n, root in enumerate(sorted(members), start=1):
        shas = sorted(members[root])
        s = Series(f"S-{n:03d}", tuple(shas), tuple(sorted({items[x][3] for x in shas if items[x][3]})),
                   tuple(sorted({items[x][6] for x in shas if items[x][6]})))
        for sha in shas:
            out[sha] = s
    return out


def _person_serials(view: CaseView) -> dict[int, set[str]]:
    """Camera serials linked to each person: originals on exhibits seized from them, or posted by them."""
    out: dict[int, set[str]] = defaultdict(set)
    for pid, serial in view.conn.execute(
            "SELECT i.person_id, m.exif_serial FROM media_item m JOIN media_instance n ON n.sha256 = m.sha256 "
            "JOIN exhibit e ON e.id = n.exhibit_id JOIN identifier i ON i.kind='phone' AND i.normalized = e.owner_phone "
            "WHERE m.exif_serial IS NOT NULL AND n.path IS NOT NULL AND i.person_id IS NOT NULL "
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
            "UNION SELECT n.sha256, i.person_id FROM media_instance n JOIN exhibit e ON e.id = n.exhibit_id "
            "JOIN identifier i ON i.kind='phone' AND i.normalized = e.owner_phone "
            "WHERE n.path IS NOT NULL AND i.person_id IS NOT NULL"):
        out[sha].add(pid)
    return out


CSV_COLUMNS = ("rank", "series", "sha256", "md5", "sha1", "family", "camera", "camera_serial", "taken", "gps_lat",
               "gps_lon", "suspect_camera", "suspects", "first_poster", "first_group", "first_seen", "last_seen",
               "groups", "posts", "instances", "categorisation", "reasons")


def queue_csv(queue: VidQueue) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if queue.synthetic:
        writer.writerow(["# SYNTHETIC DEMO DATA"])
    writer.writerow(CSV_COLUMNS)
    for q in queue.items:
        writer.writerow([q.rank, q.series, q.sha256, q.md5 or "", q.sha1 or "", q.family or "", q.camera or "",
                         q.camera_serial or "", q.taken or "", q.gps[0] if q.gps else "", q.gps[1] if q.gps else "",
                         "yes" if q.suspect_camera else "no", " ".join(q.suspects), q.first_poster or "",
                         q.first_group or "", q.first_seen or "", q.last_seen or "", q.groups, q.posts, q.instances,
                         q.categorisation or "", "; ".join(q.reasons)])
    return buf.getvalue()


def vics_export(view: CaseView, queue: VidQueue) -> str:
    """Project VIC (VICS 2.0) JSON of the analysts' categorisations, latest decision per item.
    Categories that are not VICS integers cannot be shared this way and are left out."""
    latest: dict[str, dict[str, Any]] = {}
    for row in view.categorisations():
        latest[row["sha256"]] = row
    series = {q.sha256: q.series for q in queue.items}
    media: list[dict[str, Any]] = []
    for sha in sorted(latest):
        try:
            category = int(str(latest[sha]["category"]).strip())
        except ValueError:
            continue
        row = view.conn.execute("SELECT md5, sha1, size, pdq FROM media_item WHERE sha256=?", (sha,)).fetchone()
        md5, sha1, size, pdq = row if row else (None, None, None, None)
        alternative = [{"HashName": "SHA256", "HashValue": sha.upper()}]
        if pdq:
            alternative.append({"HashName": "PDQ", "HashValue": pdq})
        media.append({"MediaID": len(media) + 1, "Category": category, "MD5": (md5 or "").upper(),
                      "SHA1": (sha1 or "").upper(), "Series": series.get(sha, ""), "MediaSize": size,
                      "IsDistributed": "true" if view.conn.execute(
                          "SELECT 1 FROM post WHERE sha256=? LIMIT 1", (sha,)).fetchone() else "false",
                      "AlternativeHashes": alternative})
    doc: dict[str, Any] = {"@odata.context": VICS_CONTEXT, "value": media}
    if queue.synthetic:
        doc["Comment"] = "SYNTHETIC DEMO DATA"
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n"
