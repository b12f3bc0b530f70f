"""Hand-made cases written through the real BatchWriter, exactly as ingest writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tantalio.model import (
    AliasRecord,
    ChatRecord,
    MediaRefRecord,
    MembershipEventRecord,
    MessageRecord,
    Party,
    RecordBatch,
    SourceRef,
)
from tantalio.store import CaseStore, utcnow
from tantalio.store.writer import BatchWriter, ExhibitScope

T0 = datetime(2017, 3, 1, 20, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def phone(value: str) -> Party:
    return Party("phone", value)


def name(value: str) -> Party:
    return Party("display_name", value)


@dataclass
class Recording:
    """One source file of one exhibit, holding one chat."""

    exhibit: str
    path: str
    chat_key: str
    batch: RecordBatch = field(default_factory=RecordBatch)
    n: int = 0

    @property
    def ref(self) -> SourceRef:
        return SourceRef(self.exhibit, self.path, "0" * 64, "hand", line=self.n)

    def chat(self, name: str | None, jid: str | None = None, created: datetime | None = None,
             creator: Party | None = None) -> Recording:
        self.batch.records.append(ChatRecord(self.ref, self.chat_key, "whatsapp", True, jid, name, created, creator))
        return self

    def say(self, who: Party | None, when: datetime, text: str = "", *, sha: str | None = None,
            forwarded: bool | None = None, from_me: bool = False, mime: str | None = "image/jpeg",
            kind: str = "media") -> str:
        self.n += 1
        key = f"m{self.n}"
        self.batch.records.append(MessageRecord(self.ref, self.chat_key, key, who, when, when.isoformat(), text,
                                                kind if sha else "text", from_me, forwarded))  # type: ignore[arg-type]
        if sha:
            self.batch.records.append(MediaRefRecord(self.ref, self.chat_key, key, "db_hash", sha256=sha, mime=mime))
        return key

    def event(self, event: str, person: Party | None, by: Party | None, when: datetime) -> None:
        self.n += 1
        self.batch.records.append(MembershipEventRecord(self.ref, self.chat_key, event, person, by, when))  # type: ignore[arg-type]

    def alias(self, hard: Party, label: str, kind: str = "address_book") -> None:
        self.batch.records.append(AliasRecord(self.ref, hard, label, kind))  # type: ignore[arg-type]


class CaseBuilder:
    def __init__(self, folder: Path) -> None:
        self.store = CaseStore.create(folder)
        self.recordings: list[Recording] = []

    def exhibit(self, ex_id: str, owner: str | None, country: str = "ES", timezone: str = "Europe/Madrid") -> None:
        with self.store.transaction():
            self.store.conn.execute(
                "INSERT INTO exhibit(id, description, owner_phone, country, timezone, registered_at) VALUES (?,?,?,?,?,?)",
                (ex_id, "hand-made", owner, country, timezone, utcnow()))

    def recording(self, exhibit: str, path: str, chat_key: str) -> Recording:
        rec = Recording(exhibit, path, chat_key)
        self.recordings.append(rec)
        return rec

    def write(self) -> CaseStore:
        conn = self.store.conn
        with self.store.transaction():
            for rec in self.recordings:
                ex = conn.execute("SELECT country, owner_phone FROM exhibit WHERE id=?", (rec.exhibit,)).fetchone()
                cur = conn.execute(
                    "INSERT INTO source_file(exhibit_id, path, size, sha256, md5, sha1, hashed_at, status)"
                    " VALUES (?,?,?,?,?,?,?, 'parsed')", (rec.exhibit, rec.path, 1, "0" * 64, "0" * 32, "0" * 40, utcnow()))
                writer = BatchWriter(conn, ExhibitScope(rec.exhibit, ex[0], ex[1]))
                writer.write(int(cur.lastrowid or 0), rec.batch, "hand")
        return self.store
