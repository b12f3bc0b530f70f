"""What every report reads: the ``tantalio.case/1`` document plus read-only lookups in the store.

Reports never write to the store. The case document (``tantalio.export``) is the contract for
persons, groups and media; when its analysis sections are still empty (network analysis not run,
or its export hook not installed) the same shapes are derived here from the analysis tables, so a
report of a half-analysed case still says what is known instead of showing nothing.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from tantalio.export import build_case_document
from tantalio.network import sightings
from tantalio.store.sqlite import CaseStore

SYNTHETIC_BANNER = "SYNTHETIC DEMO DATA"


@dataclass(frozen=True, slots=True)
class EvidenceRef:
    """Where one fact was read: exhibit, file inside it, line or row, and the file's SHA-256."""

    exhibit: str | None
    path: str | None
    location: str | None
    file_sha256: str | None
    media_sha256: str | None = None
    chat: str | None = None


class CaseView:
    """Read-only access to one case for report building (one instance per report run)."""

    def __init__(self, store: CaseStore) -> None:
        self.store = store
        self.conn: sqlite3.Connection = store.conn
        self.doc: dict[str, Any] = build_case_document(store)
        self.synthetic = store.meta("synthetic") == "1"
        self.problems: list[str] = []   # damaged analysis values met while reading
        self.case_name = store.meta("name") or store.folder.name
        self.person_ids = {label: pid for pid, label in self.conn.execute("SELECT id, label FROM person")}
        self.person_labels = {pid: label for label, pid in self.person_ids.items()}
        self.chat_labels = {cid: label for cid, label in self.conn.execute("SELECT id, label FROM chat")}
        self.chat_ids = {label: cid for cid, label in self.chat_labels.items()}
        if not self.doc["persons"] and self.person_ids:
            self.doc["persons"] = self._persons_from_tables()
        if not self.doc["groups"] and self.chat_labels:
            self.doc["groups"] = self._groups_from_tables()
        if not self.doc["media"]:
            self.doc["media"] = self._media_from_tables()
        self.persons: dict[str, dict[str, Any]] = {p["id"]: p for p in self.doc["persons"]}
        self.groups: dict[str, dict[str, Any]] = {g["id"]: g for g in self.doc["groups"]}
        self.media: dict[str, dict[str, Any]] = {m["sha256"]: m for m in self.doc["media"]}

    # -- lookups -------------------------------------------------------------------------------
    def has_table(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() \
            is not None

    def person_label(self, person_id: int | None) -> str | None:
        return None if person_id is None else self.person_labels.get(person_id, f"P-{person_id}")

    def chat_label(self, chat_id: int | None) -> str | None:
        return None if chat_id is None else self.chat_labels.get(chat_id, f"chat-{chat_id}")

    def group_name(self, label: str | None) -> str:
        """The latest name a group was seen with (its label when it never had one)."""
        group = self.groups.get(label or "")
        names = group.get("names") if group else None
        return str(names[-1]) if names else (label or "")

    def message_ref(self, message_id: int) -> EvidenceRef | None:
        row = self.conn.execute(
            "SELECT m.exhibit_id, f.path, m.location, f.sha256 FROM message m "
            "JOIN source_file f ON f.id = m.source_file_id WHERE m.id=?", (message_id,)).fetchone()
        return EvidenceRef(*row) if row else None

    def membership_event_ref(self, event_id: int) -> EvidenceRef | None:
        row = self.conn.execute(
            "SELECT e.exhibit_id, f.path, e.location, f.sha256 FROM membership_event e "
            "JOIN source_file f ON f.id = e.source_file_id WHERE e.id=?", (event_id,)).fetchone()
        return EvidenceRef(*row) if row else None

    def file_sha256(self, exhibit: str | None, path: str | None) -> str | None:
        if not exhibit or not path:
            return None
        row = self.conn.execute("SELECT sha256 FROM source_file WHERE exhibit_id=? AND path=?",
                                (exhibit, path)).fetchone()
        return row[0] if row else None

    def json_list(self, text: str | None, where: str) -> list[Any]:
        """A JSON list column (evidence, sources, message ids). A damaged value costs that value
        and is named in the report's problems section rather than passing as "no evidence"."""
        if not text:
            return []
        try:
            value = json.loads(text)
        except ValueError:
            self.problems.append(f"{where}: not valid JSON")
            return []
        if not isinstance(value, list):
            self.problems.append(f"{where}: expected a JSON list")
            return []
        return value

    def categorisations(self) -> list[dict[str, Any]]:
        """Analysts' categorisations (web UI, migration 0003); empty when that table is absent."""
        if not self.has_table("categorisation"):
            return []
        rows = self.conn.execute(
            "SELECT sha256, category, scheme, user, at FROM categorisation ORDER BY sha256, at, rowid").fetchall()
        return [dict(zip(("sha256", "category", "scheme", "user", "at"), r, strict=True)) for r in rows]

    # -- fallbacks with the case-document shapes -------------------------------------------------
    def _persons_from_tables(self) -> list[dict[str, Any]]:
        c = self.conn
        idents: dict[int, list[tuple[str, str, str | None]]] = defaultdict(list)
        for pid, kind, norm, country in c.execute(
                "SELECT person_id, kind, normalized, country FROM identifier WHERE person_id IS NOT NULL"):
            idents[pid].append((kind, norm, country))
        roles: dict[int, list[str]] = defaultdict(list)
        for pid, role in c.execute("SELECT person_id, role FROM person_role ORDER BY role"):
            roles[pid].append(role)
        scores = {r[0]: r[1:] for r in c.execute(
            "SELECT person_id, priority, messages, media_posted, known_posted, unknown_posted, first_posts "
            "FROM person_score")}
        groups: dict[int, set[int]] = defaultdict(set)
        for pid, chat in c.execute("SELECT person_id, chat_id FROM group_event WHERE person_id IS NOT NULL "
                                   "UNION SELECT person_id, chat_id FROM post WHERE person_id IS NOT NULL"):
            groups[pid].add(chat)
        exhibits: dict[int, set[str]] = defaultdict(set)
        for pid, ex in c.execute(
                "SELECT i.person_id, m.exhibit_id FROM message m JOIN identifier i ON i.id = m.sender_identifier_id "
                "WHERE i.person_id IS NOT NULL UNION SELECT i.person_id, a.exhibit_id FROM alias a "
                "JOIN identifier i ON i.id = a.identifier_id WHERE i.person_id IS NOT NULL"):
            exhibits[pid].add(ex)
        owners: dict[str, list[str]] = defaultdict(list)
        for ex, phone in c.execute("SELECT id, owner_phone FROM exhibit WHERE owner_phone IS NOT NULL ORDER BY id"):
            owners[phone].append(ex)
        persons = []
        for pid, label in sorted(self.person_labels.items(), key=lambda kv: kv[1]):
            phones = sorted({n for k, n, _ in idents[pid] if k == "phone"})
            owned = sorted({ex for ph in phones for ex in owners.get(ph, [])})
            score = scores.get(pid, (0.0, 0, 0, 0, 0, 0))
            persons.append({
                "id": label, "phones": phones,
                "names": sorted({n for k, n, _ in idents[pid] if k in ("display_name", "username")}),
                "countries": sorted({cc for k, _, cc in idents[pid] if k == "phone" and cc}),
                "exhibits": sorted(exhibits[pid] | set(owned)), "owner_of": owned,
                "groups": sorted(self.chat_label(g) or "" for g in groups[pid]), "roles": roles[pid],
                "messages": score[1], "media_posted": score[2], "known_posted": score[3],
                "unknown_posted": score[4], "first_posts": score[5], "priority": score[0],
            })
        return persons

    def _groups_from_tables(self) -> list[dict[str, Any]]:
        c = self.conn
        out = []
        for cid, label, platform, created, creator in c.execute(
                "SELECT id, label, platform, created_at, creator_person_id FROM chat WHERE is_group=1 ORDER BY label"
        ).fetchall():
            names = [n for (n,) in c.execute(
                "SELECT name FROM chat_name WHERE chat_id=? ORDER BY coalesce(first_seen, ''), name", (cid,))]
            jids = sorted({j for (j,) in c.execute(
                "SELECT jid FROM chat_obs WHERE chat_id=? AND jid IS NOT NULL", (cid,))})
            admins: set[int] = {creator} if creator else set()
            members: set[int] = set()
            for kind, pid in c.execute("SELECT kind, person_id FROM group_event WHERE chat_id=? "
                                       "ORDER BY coalesce(time, ''), id", (cid,)):
                if pid is None:
                    continue
                members.add(pid)
                if kind == "admin_granted":
                    admins.add(pid)
                elif kind == "admin_revoked":
                    admins.discard(pid)
            out.append({"id": label, "platform": platform, "jids": jids, "names": names, "created": created,
                        "creator": self.person_label(creator),
                        "admins": sorted(self.person_label(a) or "" for a in admins),
                        "members": sorted(self.person_label(m) or "" for m in members)})
        return out

    def _media_from_tables(self) -> list[dict[str, Any]]:
        c = self.conn
        first = {sha: (s.person_id, s.chat_id, s.time) for sha, s in sightings.of_items(c).items()}
        posts = dict(c.execute("SELECT sha256, count(*) FROM post WHERE sha256 IS NOT NULL GROUP BY sha256").fetchall())
        instances = dict(c.execute("SELECT sha256, count(*) FROM media_instance GROUP BY sha256").fetchall())
        matches: dict[str, dict[str, Any]] = {}
        for sha, lst, algo, dist in c.execute(
                "SELECT m.sha256, l.name, m.algorithm, m.distance FROM match m JOIN hash_entry e ON e.id = m.entry_id "
                "JOIN hash_list l ON l.id = e.list_id ORDER BY m.distance, l.name DESC"):
            matches[sha] = {"list": lst, "algorithm": algo, "distance": dist}
        out = []
        for sha, md5, pdq, status, cat, make, model, serial, lat, lon in c.execute(
                "SELECT sha256, md5, pdq, status, category, exif_make, exif_model, exif_serial, gps_lat, gps_lon "
                "FROM media_item ORDER BY sha256"):
            fs = first.get(sha)
            exif = None
            if make or model or serial or lat is not None:
                exif = {"make": make, "model": model, "serial": serial,
                        "gps": [lat, lon] if lat is not None and lon is not None else None}
            out.append({"sha256": sha, "md5": md5, "pdq": pdq, "status": status, "category": cat,
                        "match": matches.get(sha),
                        "first_seen": {"person": self.person_label(fs[0]), "group": self.chat_label(fs[1]),
                                       "time": fs[2]} if fs else None,
                        "posts": posts.get(sha, 0), "instances": instances.get(sha, 0), "exif": exif})
        return out


