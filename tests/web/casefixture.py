"""A small, benign, fully analysed case for the web UI tests, written straight into the store.

Invented people with fictional numbers (UK 07700 900xxx, US 555-01xx), two groups about gardening
and books, and procedurally drawn shapes as the "media" (saved as evidence files so the UI can
read them back, one of them inside a zip).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

from tantalio.store import CaseStore
from tantalio.web.accounts import add_user

PASSWORD = "correct-horse-battery"
USERS = {"ada": "admin", "ana": "analyst", "rev": "reviewer"}
NOW = "2024-01-01T00:00:00Z"
HOSTILE_TEXT = "<script>alert('x')</script> & <b>bold</b>"


@dataclass
class FixtureCase:
    folder: Path
    evidence: Path
    media: dict[str, str] = field(default_factory=dict)  # name -> sha256
    families: dict[str, list[str]] = field(default_factory=dict)
    messages: dict[str, int] = field(default_factory=dict)  # key (m1.., x1..) -> message id


def draw_shape(kind: str, colour: tuple[int, int, int], size: int = 200) -> bytes:
    img = Image.new("RGB", (size, size), (240, 240, 235))
    d = ImageDraw.Draw(img)
    if kind == "circle":
        d.ellipse((30, 30, size - 30, size - 30), fill=colour)
    elif kind == "square":
        d.rectangle((40, 40, size - 40, size - 40), fill=colour)
    elif kind == "triangle":
        d.polygon([(size // 2, 20), (20, size - 20), (size - 20, size - 20)], fill=colour)
    else:
        for i in range(0, size, 20):
            d.line((0, i, size, size - i), fill=colour, width=4)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def _digests(data: bytes) -> tuple[str, str, str]:
    return hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest(), hashlib.sha1(data).hexdigest()  # noqa: S324


def build_case(root: Path) -> FixtureCase:
    evidence = root / "evidence" / "EX-01"
    (evidence / "Media").mkdir(parents=True)
    store = CaseStore.create(root / "case", name="Fixture case", timezone="UTC")
    fx = FixtureCase(root / "case", evidence)
    conn = store.conn
    with store.transaction():
        store.set_meta("synthetic", "1")
        conn.execute("INSERT INTO exhibit(id, description, owner_phone, country, timezone, registered_at) "
                     "VALUES ('EX-01', 'Phone of P-001 (invented)', '+447700900123', 'GB', 'UTC', ?)", (NOW,))
        conn.execute("INSERT INTO exhibit_source(exhibit_id, location, kind, label) VALUES ('EX-01', ?, 'folder', '')",
                     (str(evidence.resolve()),))

        def add_file(path: str, data: bytes, mime: str) -> int:
            sha, md5, sha1 = _digests(data)
            cur = conn.execute(
                "INSERT INTO source_file(exhibit_id, path, size, sha256, md5, sha1, mime, status, hashed_at) "
                "VALUES ('EX-01', ?, ?, ?, ?, ?, ?, 'parsed', ?)", (path, len(data), sha, md5, sha1, mime, NOW))
            return int(cur.lastrowid or 0)

        # Media: four loose images and one inside a zip; a and b form one PDQ family.
        shapes = {"a": ("circle", (200, 40, 40)), "b": ("circle", (190, 50, 45)), "c": ("square", (40, 90, 200)),
                  "d": ("triangle", (40, 160, 60)), "z": ("lines", (90, 90, 90))}
        status = {"a": "unknown", "b": "unknown", "c": "known", "d": "ignorable", "z": "unknown"}
        family = {"a": "F-1", "b": "F-1", "c": "F-2", "d": "F-3", "z": "F-4"}
        files: dict[str, int] = {}
        zip_buffer = io.BytesIO()
        for name, (kind, colour) in shapes.items():
            data = draw_shape(kind, colour)
            sha, md5, sha1 = _digests(data)
            fx.media[name] = sha
            fx.families.setdefault(family[name], []).append(sha)
            if name == "z":
                with zipfile.ZipFile(zip_buffer, "w") as zf:
                    zf.writestr("IMG_z.png", data)
                path = "Media/box.zip!/IMG_z.png"
            else:
                path = f"Media/IMG_{name}.png"
                (evidence / path).write_bytes(data)
            files[name] = add_file(path, data, "image/png")
            conn.execute(
                "INSERT INTO media_item(sha256, md5, sha1, size, mime, width, height, pdq, pdq_quality, status, category, "
                "family, exif_make, exif_model, triaged_at) VALUES (?,?,?,?,?,200,200,?,100,?,?,?,?,?,?)",
                (sha, md5, sha1, len(data), "image/png", sha, status[name], "1" if status[name] == "known" else None,
                 family[name], "Fictocam" if name == "a" else None, "FC-1" if name == "a" else None, NOW))
        (evidence / "Media" / "box.zip").write_bytes(zip_buffer.getvalue())
        add_file("Media/box.zip", zip_buffer.getvalue(), "application/zip")
        chat_file = (b"[01/02/2023, 10:00:00] Ada Example: hello garden club\n")
        (evidence / "chat.txt").write_bytes(chat_file)
        chat_src = add_file("chat.txt", chat_file, "text/plain")

        # People: four invented persons with fictional numbers.
        people = [("P-001", "+447700900123", "GB", "Ada Example"), ("P-002", "+447700900456", "GB", "Bert Sample"),
                  ("P-003", "+12025550143", "US", "Cleo Test"), ("P-004", "+12025550178", "US", "Dev Placeholder")]
        person_id: dict[str, int] = {}
        ident: dict[str, int] = {}
        for label, phone, country, name in people:
            pid = int(conn.execute("INSERT INTO person(label, created_at) VALUES (?, ?)", (label, NOW)).lastrowid or 0)
            person_id[label] = pid
            ident[label] = int(conn.execute(
                "INSERT INTO identifier(kind, value, normalized, country, person_id) VALUES ('phone', ?, ?, ?, ?)",
                (phone, phone, country, pid)).lastrowid or 0)
            name_id = conn.execute("INSERT INTO identifier(kind, value, normalized, scope) VALUES "
                                   "('display_name', ?, ?, 'EX-01')", (name, name)).lastrowid
            conn.execute("INSERT INTO alias(identifier_id, name_id, name_kind, exhibit_id, source_file_id, location) "
                         "VALUES (?, ?, 'address_book', 'EX-01', ?, 'row 1')", (ident[label], name_id, chat_src))

        # Groups, as observed and as resolved.
        chats = {}
        for label, jid, name, creator in (("G-001", "120363000000000001@g.us", "Garden club", "P-001"),
                                          ("G-002", "120363000000000002@g.us", "Book swap", "P-003")):
            cid = int(conn.execute("INSERT INTO chat(label, platform, is_group, created_at, creator_person_id) "
                                   "VALUES (?, 'whatsapp', 1, '2023-01-01T09:00:00Z', ?)",
                                   (label, person_id[creator])).lastrowid or 0)
            obs = int(conn.execute(
                "INSERT INTO chat_obs(source_file_id, exhibit_id, chat_key, platform, is_group, jid, name, chat_id) "
                "VALUES (?, 'EX-01', ?, 'whatsapp', 1, ?, ?, ?)", (chat_src, jid, jid, name, cid)).lastrowid or 0)
            conn.execute("INSERT INTO chat_name(chat_id, name, first_seen, last_seen) VALUES (?, ?, ?, ?)",
                         (cid, name, "2023-01-01T09:00:00Z", "2023-06-01T09:00:00Z"))
            chats[label] = (cid, obs)
        events = [("G-001", "created", "P-001", None, "2023-01-01T09:00:00Z"),
                  ("G-001", "added", "P-002", "P-001", "2023-01-02T09:00:00Z"),
                  ("G-001", "joined_link", "P-003", None, "2023-02-01T09:00:00Z"),
                  ("G-001", "admin_granted", "P-002", "P-001", "2023-02-03T09:00:00Z"),
                  ("G-002", "created", "P-003", None, "2023-01-01T09:00:00Z"),
                  ("G-002", "added", "P-004", "P-003", "2023-03-01T09:00:00Z"),
                  ("G-002", "left", "P-004", None, "2023-05-01T09:00:00Z")]
        for group, kind, who, by, time in events:
            conn.execute("INSERT INTO group_event(chat_id, event, person_id, by_person_id, time, sources) "
                         "VALUES (?, ?, ?, ?, ?, '[]')",
                         (chats[group][0], kind, person_id[who], person_id[by] if by else None, time))

        # Messages, some carrying media.
        def add_message(obs: int, src: int, exhibit: str, key: str, who: str | None, time: str, text: str,
                        media: str | None, from_me: int = 0) -> int:
            mid = int(conn.execute(
                "INSERT INTO message(chat_obs_id, source_file_id, exhibit_id, message_key, location, "
                "sender_identifier_id, from_me, time, time_raw, text, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (obs, src, exhibit, key, f"line {key[1:]}", ident[who] if who else None, from_me, time, time, text,
                 "image" if media else "text")).lastrowid or 0)
            if media:
                sha = fx.media[media]
                conn.execute("INSERT INTO media_ref(message_id, source_file_id, exhibit_id, seen_as, path, sha256, mime, "
                             "location, name) VALUES (?, ?, ?, 'file', ?, ?, 'image/png', ?, ?)",
                             (mid, src, exhibit, f"Media/IMG_{media}.png", sha, f"line {key[1:]}", f"IMG_{media}.png"))
                conn.execute("INSERT INTO media_instance(sha256, exhibit_id, source_file_id, path, message_id, seen_as) "
                             "VALUES (?, ?, ?, ?, ?, 'file')", (sha, exhibit, files[media], f"Media/IMG_{media}.png", mid))
            return mid

        msgs = [("G-001", "P-001", "2023-02-01T10:00:00Z", "hello garden club", "a"),
                ("G-001", "P-002", "2023-02-02T10:00:00Z", HOSTILE_TEXT, "b"),
                ("G-001", "P-003", "2023-03-02T10:00:00Z", "tomatoes are early this year", "c"),
                ("G-002", "P-003", "2023-03-05T10:00:00Z", "anyone read this one?", "d"),
                ("G-002", "P-004", "2023-04-05T10:00:00Z", "swap on saturday", "z"),
                ("G-002", "P-004", "2023-04-06T10:00:00Z", "see you there", None)]
        posts: dict[str, int] = {}
        for n, (group, who, time, text, media) in enumerate(msgs, start=1):
            cid, obs = chats[group]
            mid = add_message(obs, chat_src, "EX-01", f"m{n}", who, time, text, media)
            fx.messages[f"m{n}"] = mid
            if media:
                sha = fx.media[media]
                post = int(conn.execute(
                    "INSERT INTO post(chat_id, person_id, time, sha256, family, forwarded, message_ids) "
                    "VALUES (?, ?, ?, ?, ?, 0, ?)",
                    (cid, person_id[who], time, sha, family[media], json.dumps([mid]))).lastrowid or 0)
                posts[media] = post
                if media in ("a", "c", "d", "z"):
                    conn.execute("INSERT INTO first_sighting(family, sha256, post_id, person_id, chat_id, time, "
                                 "origin) VALUES (?, ?, ?, ?, ?, ?, 'observed')",
                                 (family[media], sha, post, person_id[who], cid, time))
        # b re-posts a (same PDQ family) in the same group.
        conn.execute("INSERT INTO propagation_edge(post_id, parent_post_id, confidence, alternatives) VALUES (?, ?, 0.9, '[]')",
                     (posts["b"], posts["a"]))

        # A second phone (EX-02, Bert's) recorded G-001 too, its clock ten minutes fast: the same
        # messages must show once in the merged conversation, with both exhibits.
        conn.execute("INSERT INTO exhibit(id, description, owner_phone, country, timezone, registered_at) "
                     "VALUES ('EX-02', 'Phone of P-002 (invented)', '+447700900456', 'GB', 'UTC', ?)", (NOW,))
        second = b"[01/02/2023, 10:10:00] Ada Example: hello garden club\n"
        conn.execute("INSERT INTO source_file(exhibit_id, path, size, sha256, md5, sha1, mime, status, hashed_at) "
                     "VALUES ('EX-02', 'WhatsApp Chat - Garden club.txt', ?, ?, ?, ?, 'text/plain', 'parsed', ?)",
                     (len(second), *_digests(second), NOW))
        src2 = int(conn.execute("SELECT id FROM source_file WHERE exhibit_id='EX-02'").fetchone()[0])
        # as network analysis writes it: each exhibit's owner (here from --owner)
        conn.execute("INSERT INTO exhibit_owner(exhibit_id, person_id, basis) SELECT e.id, i.person_id, "
                     "'--owner ' || e.owner_phone FROM exhibit e JOIN identifier i ON i.kind = 'phone' "
                     "AND i.normalized = e.owner_phone AND i.person_id IS NOT NULL")
        g1, obs1 = chats["G-001"]
        obs2 = int(conn.execute(
            "INSERT INTO chat_obs(source_file_id, exhibit_id, chat_key, platform, is_group, jid, name, chat_id) "
            "VALUES (?, 'EX-02', 'Garden club', 'whatsapp', 1, NULL, 'Garden club', ?)", (src2, g1)).lastrowid or 0)
        conn.executemany("INSERT INTO chat_obs_alignment(chat_obs_id, chat_id, offset_s, reference_obs_id, matched) "
                         "VALUES (?, ?, ?, ?, ?)", [(obs1, g1, 0.0, obs1, 0), (obs2, g1, -600.0, obs1, 3)])
        fx.messages["x1"] = add_message(obs2, src2, "EX-02", "x1", "P-001", "2023-02-01T10:10:00Z", "hello garden club", "a")
        fx.messages["x2"] = add_message(obs2, src2, "EX-02", "x2", None, "2023-02-02T10:10:00Z", HOSTILE_TEXT, "b",
                                        from_me=1)
        fx.messages["x3"] = add_message(obs2, src2, "EX-02", "x3", None, "2023-02-20T21:40:00Z",
                                        "Buenas noches, José: the allotment gate code changed", None, from_me=1)
        conn.executemany("INSERT INTO membership_spell(chat_id, person_id, start, end, start_kind, end_kind) "
                         "VALUES (?, ?, ?, ?, ?, ?)", [
                             (g1, person_id["P-001"], "2023-01-01T09:00:00Z", None, "created", None),
                             (g1, person_id["P-002"], "2023-01-02T09:00:00Z", None, "added", None),
                             (g1, person_id["P-003"], "2023-02-01T09:00:00Z", None, "joined_link", None),
                             (chats["G-002"][0], person_id["P-003"], "2023-01-01T09:00:00Z", None, "created", None),
                             (chats["G-002"][0], person_id["P-004"], "2023-03-01T09:00:00Z", "2023-05-01T09:00:00Z",
                              "added", "left")])
        conn.executemany("INSERT INTO warning(exhibit_id, path, location, stage, message, at) VALUES (?,?,?,?,?,?)", [
            ("EX-01", "chat.txt", "line 7", "whatsapp_txt", "=HYPERLINK(\"x\") line has no date", NOW),
            ("EX-01", "chat.txt", "line 9", "whatsapp_txt", "unreadable date 31/02/2023", NOW),
            ("EX-02", "WhatsApp Chat - Garden club.txt", "line 2", "whatsapp_txt", "unknown system message", NOW)])
        # Person labels (network analysis): P-005 was merged into P-001.
        conn.execute("CREATE TABLE IF NOT EXISTS person_label (label TEXT PRIMARY KEY, number INTEGER NOT NULL UNIQUE, "
                     "status TEXT NOT NULL DEFAULT 'active', anchor_identifier_id INTEGER, issued_at TEXT NOT NULL, "
                     "split_from TEXT, merged_into TEXT, retired_at TEXT, retired_by TEXT, reason TEXT)")
        conn.execute("INSERT INTO person_label(label, number, status, issued_at, merged_into, retired_at, retired_by, "
                     "reason) VALUES ('P-005', 5, 'merged', ?, 'P-001', ?, 'analyze', 'same phone')", (NOW, NOW))
        # Group labels: G-009 was merged into G-001 (two recordings of one group joined by analysis).
        conn.execute("INSERT INTO chat_label(label, prefix, number, status, anchor, issued_at, merged_into, retired_at, "
                     "reason) VALUES ('G-009', 'G-', 9, 'merged', 'EX-02|garden', ?, 'G-001', ?, 'same group')",
                     (NOW, NOW))

        # A hash list that knows image c.
        lid = conn.execute("INSERT INTO hash_list(name, kind, format, path, sha256, scheme, imported_at, entry_count) "
                           "VALUES ('fixture-list', 'illegal', 'csv', 'list.csv', ?, 'projectvic', ?, 1)",
                           ("0" * 64, NOW)).lastrowid
        entry = conn.execute("INSERT INTO hash_entry(list_id, algorithm, value, category, line) "
                             "VALUES (?, 'sha256', ?, '1', 2)", (lid, fx.media["c"])).lastrowid
        conn.execute("INSERT INTO match(sha256, entry_id, algorithm, distance) VALUES (?, ?, 'sha256', 0)",
                     (fx.media["c"], entry))

        # Analysis results: roles with evidence, scores with communities.
        roles = [("P-001", "administrator"), ("P-001", "producer"), ("P-002", "distributor"),
                 ("P-003", "bridge"), ("P-004", "consumer")]
        for label, role in roles:
            evidence_json = json.dumps([{"text": f"{role} per fixture", "exhibit": "EX-01", "path": "chat.txt",
                                         "location": "line 1", "sha256": None, "chat": "G-001"}])
            conn.execute("INSERT INTO person_role(person_id, role, confidence, evidence) VALUES (?, ?, 0.9, ?)",
                         (person_id[label], role, evidence_json))
        for label, priority, community in (("P-001", 0.9, 1), ("P-002", 0.6, 1), ("P-003", 0.5, 2), ("P-004", 0.1, 2)):
            conn.execute("INSERT INTO person_score(person_id, priority, explanation, community, groups, messages) "
                         "VALUES (?, ?, '{\"terms\": []}', ?, 1, 1)", (person_id[label], priority, community))
    for name, role in USERS.items():
        add_user(store, name, role, PASSWORD, actor="fixture")
    store.close()
    return fx
