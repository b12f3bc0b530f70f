"""A small invented case written straight into the store tables, as ingest + triage + network
analysis would leave it. Benign throughout: fictional numbers (UK 07700 900xxx, a Spanish and a
German example number), abstract pictures, chat text that is only an injection probe.

Three countries: ES (Ana, Carla), GB (Ben, Dan), DE (Erik). Two exhibits: EX-01 seized from Ana
(ES) holding a camera original, EX-02 seized from Ben (GB). Group G-001 is named like a script tag
to prove escaping; one message is full of HTML.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from tantalio.store import CaseStore

INJECTION_NAME = "<script>alert(1)</script>"
INJECTION_TEXT = ('<img src=x onerror=alert(2)><a href="javascript:alert(3)">click</a>'
                  "<style>*{color:red}</style><iframe srcdoc='<b>x</b>'></iframe>&amp; done")

PHONES = {
    "P-001": ("+34639980001", "ES", "Ana"),
    "P-002": ("+447700900123", "GB", "Ben"),
    "P-003": ("+34639980002", "ES", "Carla"),
    "P-004": ("+447700900456", "GB", "Dan"),
    "P-005": ("+4915123456789", "DE", "Erik"),
}


@dataclass(frozen=True)
class FixtureCase:
    folder: Path
    evidence: Path          # folder holding EX-01's files (read-only use by thumbnails)
    camera_sha256: str      # the camera original on EX-01
    sha: dict[str, str]     # media key -> sha256


def picture_bytes(seed: int) -> bytes:
    """A small abstract JPEG: gradient plus shapes, nothing depicted."""
    img = Image.new("RGB", (96, 64), (20 * seed % 256, 80, 160))
    draw = ImageDraw.Draw(img)
    draw.ellipse((10 + seed, 8, 60, 50), fill=(230, 200, 40))
    draw.rectangle((50, 20, 90, 60), fill=(40, 160, 90))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def build_case(root: Path, synthetic: bool = False, categorisations: bool = False) -> FixtureCase:
    evidence = root / "evidence" / "EX-01"
    (evidence / "DCIM" / "Camera").mkdir(parents=True)
    camera_bytes = picture_bytes(3)
    (evidence / "DCIM" / "Camera" / "IMG_0001.jpg").write_bytes(camera_bytes)
    camera = hashlib.sha256(camera_bytes).hexdigest()
    sha = {"camera": camera, "near": _sha("near-copy"), "known": _sha("known-item"),
           "ignorable": _sha("sticker"), "spread": _sha("spread-item"), "gone": _sha("file-gone")}

    store = CaseStore.create(root / "case", "Operation Fixture", "Europe/Madrid")
    c = store.conn
    with store.transaction():
        if synthetic:
            store.set_meta("synthetic", "1")
        c.executemany("INSERT INTO exhibit VALUES (?,?,?,?,?,?)", [
            ("EX-01", "Phone seized from Ana", "+34639980001", "ES", "Europe/Madrid", "2017-03-01T09:00:00Z"),
            ("EX-02", "Phone seized from Ben", "+447700900123", "GB", "Europe/London", "2017-03-02T09:00:00Z"),
        ])
        c.execute("INSERT INTO exhibit_source VALUES ('EX-01', ?, 'folder', '')", (str(evidence),))
        files = [
            (1, "EX-01", "msgstore.db", _sha("msgstore"), "whatsapp_android"),
            (2, "EX-01", "DCIM/Camera/IMG_0001.jpg", camera, None),
            (3, "EX-02", "_chat.txt", _sha("chat.txt"), "whatsapp_txt"),
            (4, "EX-01", "WhatsApp/Media/IMG-gone.jpg", sha["gone"], None),
        ]
        c.executemany(
            "INSERT INTO source_file(id, exhibit_id, path, size, sha256, md5, sha1, format, parser, status, hashed_at)"
            " VALUES (?,?,?,100,?,'','',?,?,'parsed','2017-03-03T00:00:00Z')",
            [(i, ex, p, s, f, f) for i, ex, p, s, f in files])
        _people(store)
        # as network analysis writes it: each exhibit's owner (here from --owner)
        c.execute("INSERT INTO exhibit_owner(exhibit_id, person_id, basis) SELECT e.id, i.person_id, "
                  "'--owner ' || e.owner_phone FROM exhibit e JOIN identifier i ON i.kind = 'phone' "
                  "AND i.normalized = e.owner_phone AND i.person_id IS NOT NULL")
        _chats(store)
        _media(store, sha)
        _network(store, sha)
        if categorisations:
            # migration 0003 (web UI) creates the table; older stores may lack it
            c.execute("CREATE TABLE IF NOT EXISTS categorisation (id INTEGER PRIMARY KEY, sha256 TEXT, "
                      "category TEXT, scheme TEXT, user TEXT, at TEXT)")
            c.executemany("INSERT INTO categorisation(sha256, category, scheme, user, at) VALUES (?,?,?,?,?)", [
                (camera, "1", "projectvic", "analyst1", "2017-04-01T10:00:00Z"),
                (camera, "2", "projectvic", "analyst2", "2017-04-02T10:00:00Z"),   # the later decision wins
                (sha["near"], "not-a-number", "custom", "analyst1", "2017-04-01T11:00:00Z"),
            ])
    store.close()
    return FixtureCase(root / "case", evidence, camera, sha)


def _people(store: CaseStore) -> None:
    c = store.conn
    for n, (label, (phone, cc, name)) in enumerate(sorted(PHONES.items()), start=1):
        c.execute("INSERT INTO person(id, label, created_at) VALUES (?,?,'2017-03-03T00:00:00Z')", (n, label))
        c.execute("INSERT INTO identifier(id, kind, value, normalized, country, person_id) VALUES (?,?,?,?,?,?)",
                  (n, "phone", phone, phone, cc, n))
        c.execute("INSERT INTO identifier(id, kind, value, normalized, scope, person_id) VALUES (?,?,?,?,?,?)",
                  (100 + n, "display_name", name, name, "EX-01", n))
        c.execute("INSERT INTO alias(identifier_id, name_id, name_kind, exhibit_id, source_file_id, location) "
                  "VALUES (?,?,'address_book','EX-01',1,?)", (n, 100 + n, f"row {40 + n}"))
    # Ben is also known on EX-02 under a nickname, and that nickname carries markup.
    c.execute("INSERT INTO identifier(id, kind, value, normalized, scope, person_id) "
              "VALUES (200, 'display_name', 'B<b>en</b>', 'B<b>en</b>', 'EX-02', 2)")
    c.execute("INSERT INTO alias(identifier_id, name_id, name_kind, exhibit_id, source_file_id, location) "
              "VALUES (2, 200, 'export_label', 'EX-02', 3, 'line 4')")


def _chats(store: CaseStore) -> None:
    c = store.conn
    c.executemany("INSERT INTO chat VALUES (?,?,?,?,?,?)", [
        (1, "G-001", "whatsapp", 1, "2017-01-05T10:00:00Z", 1),
        (2, "G-002", "whatsapp", 1, "2017-01-20T18:00:00Z", 2),
    ])
    c.executemany("INSERT INTO chat_name VALUES (?,?,?,?)", [
        (1, "Garden club", "2017-01-05T10:00:00Z", "2017-01-30T00:00:00Z"),
        (1, INJECTION_NAME, "2017-02-01T00:00:00Z", "2017-02-28T00:00:00Z"),
        (2, "Book swap", "2017-01-20T18:00:00Z", "2017-02-28T00:00:00Z"),
    ])
    c.executemany("INSERT INTO chat_obs(id, source_file_id, exhibit_id, chat_key, platform, is_group, jid, name, "
                  "chat_id) VALUES (?,?,?,?,?,1,?,?,?)", [
        (1, 1, "EX-01", "g1", "whatsapp", "120363000000000001@g.us", INJECTION_NAME, 1),
        (2, 3, "EX-02", "g1", "whatsapp", None, INJECTION_NAME, 1),
        (3, 1, "EX-01", "g2", "whatsapp", "120363000000000002@g.us", "Book swap", 2),
    ])
    messages = [
        # id, chat_obs, file, exhibit, location, sender identifier, time, text, kind
        (1, 1, 1, "EX-01", "row 1001", 1, "2017-01-10T08:00:00Z", "", "image"),
        (2, 2, 3, "EX-02", "line 12", 1, "2017-01-10T08:00:00Z", "", "image"),
        (3, 1, 1, "EX-01", "row 1002", 2, "2017-01-12T09:30:00Z", "", "image"),
        (4, 3, 1, "EX-01", "row 1003", 2, "2017-01-25T20:00:00Z", "", "image"),
        (5, 1, 1, "EX-01", "row 1004", 3, "2017-01-26T20:00:00Z", INJECTION_TEXT, "text"),
        (6, 3, 1, "EX-01", "row 1005", 5, "2017-02-10T12:00:00Z", "", "image"),
        (7, 1, 1, "EX-01", "row 1006", 1, "2017-02-12T12:00:00Z", "", "image"),
        (8, 3, 1, "EX-01", "row 1007", 4, "2017-02-14T12:00:00Z", "", "image"),
    ]
    c.executemany("INSERT INTO message(id, chat_obs_id, source_file_id, exhibit_id, message_key, location, "
                  "sender_identifier_id, time, time_raw, text, kind) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                  [(i, co, f, ex, f"k{i}", loc, s, t, t, text, kind)
                   for i, co, f, ex, loc, s, t, text, kind in messages])
    events = [
        # id, chat_obs, file, exhibit, location, kind, subject, actor, time
        (1, 1, 1, "EX-01", "row 501", "created", 1, None, "2017-01-05T10:00:00Z"),
        (2, 1, 1, "EX-01", "row 502", "added", 2, 1, "2017-01-06T10:00:00Z"),
        (3, 2, 3, "EX-02", "line 3", "added", 2, 1, "2017-01-06T10:00:00Z"),
        (4, 1, 1, "EX-01", "row 503", "admin_granted", 2, 1, "2017-01-07T10:00:00Z"),
        (5, 1, 1, "EX-01", "row 504", "joined_link", 3, None, "2017-01-08T10:00:00Z"),
        (6, 3, 1, "EX-01", "row 601", "created", 2, None, "2017-01-20T18:00:00Z"),
        (7, 3, 1, "EX-01", "row 602", "added", 1, 2, "2017-01-21T18:00:00Z"),
        (8, 3, 1, "EX-01", "row 603", "added", 4, 2, "2017-01-21T18:05:00Z"),
        (9, 3, 1, "EX-01", "row 604", "added", 5, 2, "2017-01-22T18:05:00Z"),
        (10, 1, 1, "EX-01", "row 505", "left", 3, None, "2017-02-20T10:00:00Z"),
        (11, 1, 1, "EX-01", "row 506", "added", 4, 2, "2017-01-09T10:00:00Z"),
    ]
    c.executemany("INSERT INTO membership_event(id, chat_obs_id, source_file_id, exhibit_id, location, event, "
                  "person_identifier_id, by_identifier_id, time) VALUES (?,?,?,?,?,?,?,?,?)", events)
    merged = [  # group_event: chat, event, person, by, time, sources
        (1, 1, "created", 1, None, "2017-01-05T10:00:00Z", [1]),
        (2, 1, "added", 2, 1, "2017-01-06T10:00:00Z", [2, 3]),
        (3, 1, "admin_granted", 2, 1, "2017-01-07T10:00:00Z", [4]),
        (4, 1, "joined_link", 3, None, "2017-01-08T10:00:00Z", [5]),
        (5, 2, "created", 2, None, "2017-01-20T18:00:00Z", [6]),
        (6, 2, "added", 1, 2, "2017-01-21T18:00:00Z", [7]),
        (7, 2, "added", 4, 2, "2017-01-21T18:05:00Z", [8]),
        (8, 2, "added", 5, 2, "2017-01-22T18:05:00Z", [9]),
        (9, 1, "left", 3, None, "2017-02-20T10:00:00Z", [10]),
        (10, 1, "added", 4, 2, "2017-01-09T10:00:00Z", [11]),
    ]
    c.executemany("INSERT INTO group_event(id, chat_id, event, person_id, by_person_id, time, sources) "
                  "VALUES (?,?,?,?,?,?,?)", [(*row[:6], json.dumps(row[6])) for row in merged])
    c.executemany("INSERT INTO membership_spell(chat_id, person_id, start, end, start_kind, end_kind) "
                  "VALUES (?,?,?,?,?,?)", [
        (1, 1, "2017-01-05T10:00:00Z", None, "created", None),
        (1, 2, "2017-01-06T10:00:00Z", None, "added", None),
        (1, 3, "2017-01-08T10:00:00Z", "2017-02-20T10:00:00Z", "joined_link", "left"),
        (1, 4, "2017-01-09T10:00:00Z", None, "added", None),
        (2, 2, "2017-01-20T18:00:00Z", None, "created", None),
        (2, 1, "2017-01-21T18:00:00Z", None, "added", None),
        (2, 4, "2017-01-21T18:05:00Z", None, "added", None),
        (2, 5, "2017-01-22T18:05:00Z", None, "added", None),
    ])


def _media(store: CaseStore, sha: dict[str, str]) -> None:
    c = store.conn
    rows = [
        # sha, md5, status, category, family, serial, gps, taken
        (sha["camera"], "a" * 32, "unknown", None, "F-1", "SN-DEMO-0001", (40.4168, -3.7038), "2017-01-09T19:00:00Z"),
        (sha["near"], "b" * 32, "unknown", None, "F-1", None, None, None),
        (sha["known"], "c" * 32, "known", "1", "F-2", None, None, None),
        (sha["ignorable"], "d" * 32, "ignorable", "0", "F-3", None, None, None),
        (sha["spread"], "e" * 32, "unknown", None, "F-4", None, None, None),
        (sha["gone"], "f" * 32, "unknown", None, "F-5", "SN-DEMO-0001", None, "2017-02-01T10:00:00Z"),
    ]
    for s, md5, status, cat, fam, serial, gps, taken in rows:
        c.execute("INSERT INTO media_item(sha256, md5, sha1, size, mime, pdq, status, category, family, exif_make, "
                  "exif_model, exif_serial, exif_taken, gps_lat, gps_lon) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                  (s, md5, md5[:1] * 40, 1000, "image/jpeg", "0" * 64, status, cat, fam,
                   "DemoCam" if serial else None, "X1" if serial else None, serial, taken,
                   gps[0] if gps else None, gps[1] if gps else None))
    c.executemany("INSERT INTO media_instance(sha256, exhibit_id, source_file_id, path, message_id, seen_as) "
                  "VALUES (?,?,?,?,?,?)", [
        (sha["camera"], "EX-01", 2, "DCIM/Camera/IMG_0001.jpg", None, "file"),
        (sha["gone"], "EX-01", 4, "WhatsApp/Media/IMG-gone.jpg", None, "file"),
        (sha["near"], "EX-01", None, None, 1, "db_hash"),
        (sha["near"], "EX-02", None, None, 2, "export_attachment"),
        (sha["known"], "EX-01", None, None, 3, "db_hash"),
        (sha["spread"], "EX-01", None, None, 4, "db_hash"),
        (sha["spread"], "EX-01", None, None, 6, "db_hash"),
        (sha["ignorable"], "EX-01", None, None, 7, "db_hash"),
        (sha["spread"], "EX-01", None, None, 8, "db_hash"),
    ])
    c.execute("INSERT INTO hash_list(id, name, kind, format, path, sha256, scheme, imported_at) "
              "VALUES (1, 'demo-list', 'illegal', 'vics', 'list.json', ?, 'projectvic', '2017-03-01T00:00:00Z')",
              (_sha("list"),))
    c.execute("INSERT INTO hash_entry(id, list_id, algorithm, value, category) VALUES (1, 1, 'md5', ?, '1')",
              ("c" * 32,))
    c.execute("INSERT INTO match VALUES (?, 1, 'md5', 0)", (sha["known"],))


def _network(store: CaseStore, sha: dict[str, str]) -> None:
    c = store.conn
    posts = [  # id, chat, person, time, sha, family, forwarded, message ids
        (1, 1, 1, "2017-01-10T08:00:00Z", sha["near"], "F-1", 0, [1, 2]),
        (2, 1, 2, "2017-01-12T09:30:00Z", sha["known"], "F-2", 1, [3]),
        (3, 2, 2, "2017-01-25T20:00:00Z", sha["spread"], "F-4", 0, [4]),
        (4, 2, 5, "2017-02-10T12:00:00Z", sha["spread"], "F-4", 1, [6]),
        (5, 1, 1, "2017-02-12T12:00:00Z", sha["ignorable"], "F-3", 0, [7]),
        (6, 2, 4, "2017-02-14T12:00:00Z", sha["spread"], "F-4", 1, [8]),
    ]
    c.executemany("INSERT INTO post(id, chat_id, person_id, time, sha256, family, forwarded, message_ids) VALUES (?,?,?,?,?,?,?,?)", [(*p[:7], json.dumps(p[7])) for p in posts])
    c.executemany("INSERT INTO first_sighting VALUES (?,?,?,?,?,?,?,?)", [
        ("F-1", sha["near"], 1, 1, 1, "2017-01-10T08:00:00Z", "observed", "first copy unforwarded"),
        ("F-2", sha["known"], 2, None, 1, "2017-01-12T09:30:00Z", "forwarded", "origin not observed: first copy forwarded"),
        ("F-4", sha["spread"], 3, 2, 2, "2017-01-25T20:00:00Z", "observed", None),
    ])
    def ev(text: str, exhibit: str, path: str, location: str, sha256: str | None, chat: str | None) -> dict:
        return {"text": text, "exhibit": exhibit, "path": path, "location": location, "sha256": sha256, "chat": chat}
    roles = [
        (1, "producer", 0.9, [
            ev("camera original DCIM/Camera/IMG_0001.jpg on own phone (serial SN-DEMO-0001)", "EX-01",
               "DCIM/Camera/IMG_0001.jpg", "", sha["camera"], None),
            ev("first network-wide post of unknown family F-1, unforwarded", "EX-01", "msgstore.db", "row 1001",
               sha["near"], "G-001")]),
        (1, "administrator", 1.0, [ev("created G-001; added Ben", "EX-01", "msgstore.db", "row 501", None, "G-001")]),
        (2, "distributor", 0.7, [ev("posted F-4 into G-002, re-posted by 2 members", "EX-01", "msgstore.db",
                                    "row 1003", sha["spread"], "G-002")]),
        (2, "bridge", 0.6, [ev("added Dan and Erik across two groups <i>cross-community</i>", "EX-01",
                               "msgstore.db", "row 603", None, "G-002")]),
        (2, "administrator", 1.0, [ev("admin of G-001, creator of G-002", "EX-01", "msgstore.db", "row 503", None,
                                      "G-001")]),
        (3, "consumer", 0.5, [ev("member of G-001 for 43 days, no media posted", "EX-01", "msgstore.db",
                                 "row 504", None, "G-001")]),
        (4, "consumer", 0.5, [ev("member of G-002", "EX-01", "msgstore.db", "row 602", None, "G-002")]),
        (5, "consumer", 0.5, [ev("member of G-002", "EX-01", "msgstore.db", "row 604", None, "G-002")]),
    ]
    c.executemany("INSERT INTO person_role VALUES (?,?,?,?)", [(p, r, conf, json.dumps(e)) for p, r, conf, e in roles])
    scores = [  # person, priority, community, groups, messages, media, known, unknown, first
        (1, 0.92, 0, 2, 3, 2, 0, 1, 1), (2, 0.81, 1, 2, 2, 2, 1, 1, 1), (3, 0.20, 0, 1, 1, 0, 0, 0, 0),
        (4, 0.15, 1, 2, 1, 1, 0, 1, 0), (5, 0.12, 1, 1, 1, 1, 0, 1, 0),
    ]
    c.executemany("INSERT INTO person_score(person_id, priority, explanation, community, groups, messages, "
                  "media_posted, known_posted, unknown_posted, first_posts) VALUES (?,?,?,?,?,?,?,?,?,?)",
                  [(p, pr, json.dumps({"first_posts": f, "groups": g}), com, g, m, mp, k, u, f)
                   for p, pr, com, g, m, mp, k, u, f in scores])
