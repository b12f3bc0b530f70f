"""Writes one parser run's records for one source file into the case store.

Called inside the transaction that also marks the source file parsed, so a source is either
fully in the store or not at all. Keys local to the source (chat_key, message_key) become
row ids here; parties become identifiers (see :mod:`tantalio.identity`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from tantalio.identity import IdentifierKey, clean_label, identifier_for
from tantalio.model import (
    AliasRecord,
    ChatRecord,
    DeviceAccountRecord,
    FileReadRecord,
    IdentityLinkRecord,
    MediaRefRecord,
    MemberRecord,
    MembershipEventRecord,
    MessageRecord,
    MessageUpdateRecord,
    Party,
    RecordBatch,
    SourceRef,
)
from tantalio.store.evidence_links import record_account, record_link
from tantalio.store.sqlite import iso, utcnow


@dataclass(slots=True)
class ExhibitScope:
    id: str
    country: str | None
    owner_phone: str | None


def get_or_create_identifier(conn: sqlite3.Connection, key: IdentifierKey) -> int:
    """The identifier's id. Its ``value`` is the smallest spelling seen, not the first: exhibits
    ingested in parallel arrive in any order, and the case must not depend on it."""
    row = conn.execute(
        "SELECT id, value FROM identifier WHERE kind=? AND normalized=? AND scope=? AND context=?",
        (key.kind, key.normalized, key.scope, key.context),
    ).fetchone()
    if row:
        if key.value < row[1]:
            conn.execute("UPDATE identifier SET value=? WHERE id=?", (key.value, row[0]))
        return int(row[0])
    cur = conn.execute(
        "INSERT INTO identifier(kind, value, normalized, scope, context, country) VALUES (?,?,?,?,?,?)",
        (key.kind, key.value, key.normalized, key.scope, key.context, key.country),
    )
    return int(cur.lastrowid or 0)


def _location(ref: SourceRef) -> str:
    if ref.line is not None:
        return f"line {ref.line}"
    return ref.row or ""


_WRITE_ORDER: dict[type, int] = {ChatRecord: 0, MessageRecord: 1}


@dataclass
class BatchWriter:
    conn: sqlite3.Connection
    exhibit: ExhibitScope
    paths: dict[str, int] = field(default_factory=dict)  # exhibit path -> source_file id
    _ids: dict[tuple[Party, str], int] = field(default_factory=dict)

    def source_id(self, path: str) -> int | None:
        if path not in self.paths:
            row = self.conn.execute(
                "SELECT id FROM source_file WHERE exhibit_id=? AND path=?", (self.exhibit.id, path)
            ).fetchone()
            if row is None:
                return None
            self.paths[path] = int(row[0])
        return self.paths[path]

    def party(self, party: Party | None, chat_key: str = "") -> int | None:
        """The identifier of ``party``; ``chat_key`` is the conversation it was seen in (a label
        there is scoped to that chat), "" for device-wide facts such as the address book."""
        if party is None:
            return None
        context = chat_key if party.kind == "display_name" else ""
        if (party, context) not in self._ids:
            key = identifier_for(party, self.exhibit.id, self.exhibit.country, self.exhibit.owner_phone, context)
            self._ids[(party, context)] = get_or_create_identifier(self.conn, key)
        return self._ids[(party, context)]

    def write(self, source_file_id: int, batch: RecordBatch, stage: str) -> dict[str, int]:
        """Insert ``batch``; returns counts per record type."""
        chats: dict[str, int] = {}
        messages: dict[str, int] = {}
        counts: dict[str, int] = {}
        conn = self.conn

        def chat_id(ref: SourceRef, key: str, platform: str = "whatsapp", is_group: bool = False) -> int:
            if key not in chats:
                sid = self.source_id(ref.path) or source_file_id
                row = conn.execute("SELECT id FROM chat_obs WHERE source_file_id=? AND chat_key=?", (sid, key)).fetchone()
                if row is None:
                    cur = conn.execute(
                        "INSERT INTO chat_obs(source_file_id, exhibit_id, chat_key, platform, is_group) VALUES (?,?,?,?,?)",
                        (sid, self.exhibit.id, key, platform, int(is_group)),
                    )
                    chats[key] = int(cur.lastrowid or 0)
                else:
                    chats[key] = int(row[0])
            return chats[key]

        # chats and messages first: events and media point at them by key, in whatever order parsers emit
        ordered = sorted(batch.records, key=lambda r: _WRITE_ORDER.get(type(r), 9))
        for rec in ordered:
            name = type(rec).__name__
            counts[name] = counts.get(name, 0) + 1
            if isinstance(rec, ChatRecord):
                cid = chat_id(rec.ref, rec.chat_key, rec.platform, rec.is_group)
                conn.execute(
                    "UPDATE chat_obs SET platform=?, is_group=?, jid=?, name=?, created_at=?, creator_identifier_id=? WHERE id=?",
                    (rec.platform, int(rec.is_group), rec.jid, rec.name, iso(rec.created_at),
                     self.party(rec.creator, rec.chat_key), cid),
                )
            elif isinstance(rec, MessageRecord):
                cid = chat_id(rec.ref, rec.chat_key)
                cur = conn.execute(
                    "INSERT OR IGNORE INTO message(chat_obs_id, source_file_id, exhibit_id, message_key, location,"
                    " sender_identifier_id, from_me, time, time_raw, text, kind, forwarded, forward_score, key_id, raw)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (cid, self.source_id(rec.ref.path) or source_file_id, self.exhibit.id, rec.message_key,
                     _location(rec.ref), self.party(rec.sender, rec.chat_key), int(rec.from_me), iso(rec.time), rec.time_raw,
                     rec.text, rec.kind, None if rec.forwarded is None else int(rec.forwarded),
                     rec.forward_score, rec.key_id, rec.raw),
                )
                if cur.rowcount:
                    messages[rec.message_key] = int(cur.lastrowid or 0)
                else:
                    self._warn(rec.ref, stage, f"duplicate message key {rec.message_key!r}; first kept")
            elif isinstance(rec, MembershipEventRecord):
                cid = chat_id(rec.ref, rec.chat_key)
                conn.execute(
                    "INSERT INTO membership_event(chat_obs_id, source_file_id, exhibit_id, message_id, location, event,"
                    " person_identifier_id, by_identifier_id, time, time_raw, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (cid, self.source_id(rec.ref.path) or source_file_id, self.exhibit.id,
                     messages.get(rec.message_key or ""), _location(rec.ref), rec.event,
                     self.party(rec.person, rec.chat_key), self.party(rec.by, rec.chat_key), iso(rec.time), rec.time_raw, rec.detail),
                )
            elif isinstance(rec, MemberRecord):
                cid = chat_id(rec.ref, rec.chat_key)
                conn.execute(
                    "INSERT OR REPLACE INTO group_member(chat_obs_id, identifier_id, rank, source_file_id, location,"
                    " active) VALUES (?,?,?,?,?,?)",
                    (cid, self.party(rec.member, rec.chat_key), rec.rank, self.source_id(rec.ref.path) or source_file_id,
                     _location(rec.ref), int(rec.active)),
                )
            elif isinstance(rec, MediaRefRecord):
                mid = messages.get(rec.message_key)
                if mid is None:
                    self._warn(rec.ref, stage, f"media reference to unknown message {rec.message_key!r}")
                    continue
                sha = rec.sha256.lower() if rec.sha256 else None
                if sha is None and rec.path:
                    row = conn.execute("SELECT sha256 FROM source_file WHERE exhibit_id=? AND path=?",
                                       (self.exhibit.id, rec.path)).fetchone()
                    sha = row[0] if row else None
                conn.execute(
                    "INSERT INTO media_ref(message_id, source_file_id, exhibit_id, seen_as, path, sha256, mime, size,"
                    " name, caption, location) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (mid, self.source_id(rec.ref.path) or source_file_id, self.exhibit.id, rec.seen_as, rec.path,
                     sha, rec.mime, rec.size, rec.file_name, rec.caption, _location(rec.ref)),
                )
            elif isinstance(rec, AliasRecord):
                hard = self.party(rec.identifier)       # device-wide: the address book serves every chat
                label = clean_label(rec.alias)
                if not label or hard is None:
                    continue
                name_id = get_or_create_identifier(
                    conn, IdentifierKey("display_name", rec.alias, label, self.exhibit.id, None))
                conn.execute(
                    "INSERT OR IGNORE INTO alias(identifier_id, name_id, name_kind, exhibit_id, source_file_id, location)"
                    " VALUES (?,?,?,?,?,?)",
                    (hard, name_id, rec.name_kind, self.exhibit.id, self.source_id(rec.ref.path) or source_file_id,
                     _location(rec.ref)),
                )
            elif isinstance(rec, MessageUpdateRecord):
                target = messages.get(rec.message_key)
                if target is None:
                    self._warn(rec.ref, stage, f"{rec.update} recorded against unknown message {rec.message_key!r}")
                    continue
                conn.execute(
                    "INSERT INTO message_update(message_id, source_file_id, exhibit_id, kind, actor_identifier_id, time,"
                    " time_raw, detail, related_message_id, location) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (target, self.source_id(rec.ref.path) or source_file_id, self.exhibit.id, rec.update,
                     self.party(rec.actor, rec.chat_key), iso(rec.time), rec.time_raw, rec.detail,
                     messages.get(rec.related_key or ""), _location(rec.ref)),
                )
            elif isinstance(rec, DeviceAccountRecord):
                sid = self.source_id(rec.ref.path) or source_file_id
                for problem in record_account(conn, self.exhibit.id, sid, self.party(rec.account) or 0, rec,
                                              self.exhibit.owner_phone, self.exhibit.country):
                    self._warn(rec.ref, stage, problem)
            elif isinstance(rec, IdentityLinkRecord):
                sid = self.source_id(rec.ref.path) or source_file_id
                for problem in record_link(conn, self.exhibit.id, sid, self.party(rec.identifier) or 0,
                                           self.party(rec.same_as) or 0, rec, utcnow()):
                    self._warn(rec.ref, stage, problem)
            elif isinstance(rec, FileReadRecord):
                # a companion the parser read: custody says which parser read it
                conn.execute("UPDATE source_file SET status='parsed', format=?, parser=?, parsed_at=?"
                             " WHERE exhibit_id=? AND path=? AND status != 'parsed'",
                             (stage, stage, utcnow(), self.exhibit.id, rec.ref.path))
        for w in batch.warnings:
            self._warn(w.ref, stage, w.message)
        counts["warnings"] = len(batch.warnings)
        return counts

    def _warn(self, ref: SourceRef, stage: str, message: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO warning(exhibit_id, path, location, stage, message, at) VALUES (?,?,?,?,?,?)",
            (self.exhibit.id, ref.path, _location(ref), stage, message, utcnow()),
        )
