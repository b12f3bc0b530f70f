"""How the writer stores names: per chat when seen in a conversation, device-wide from the address book."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tantalio.model import (
    AliasRecord,
    ChatRecord,
    MembershipEventRecord,
    MessageRecord,
    Party,
    RecordBatch,
    SourceRef,
)
from tantalio.store import CaseStore, utcnow
from tantalio.store.writer import BatchWriter, ExhibitScope

T = datetime(2017, 3, 1, 20, 0, tzinfo=UTC)


def test_a_label_is_one_identifier_per_chat_and_an_address_book_name_one_per_device(tmp_path: Path) -> None:
    store = CaseStore.create(tmp_path / "case")
    conn = store.conn
    ref = SourceRef("EX-A", "export.zip", "0" * 64, "hand", line=1)
    carlos, owner = Party("display_name", "Carlos\u200e"), Party.owner()
    batch = RecordBatch()
    for chat in ("uno", "dos"):
        batch.records.append(ChatRecord(ref, chat, "whatsapp", True, None, chat, T, carlos))
        batch.records.append(MessageRecord(ref, chat, f"{chat}-1", carlos, T, "", "hola", "text"))
        batch.records.append(MembershipEventRecord(ref, chat, "added", owner, carlos, T))
    batch.records.append(MessageRecord(ref, "uno", "uno-2", Party("phone", "+34 612 34 54 11"), T, "", "ey", "text"))
    batch.records.append(AliasRecord(ref, Party("phone", "+34612345411"), "Carlos", "address_book"))
    with store.transaction():
        conn.execute("INSERT INTO exhibit(id, owner_phone, country, timezone, registered_at) VALUES (?,?,?,?,?)",
                     ("EX-A", "+34612345401", "ES", "Europe/Madrid", utcnow()))
        sid = conn.execute("INSERT INTO source_file(exhibit_id, path, size, sha256, md5, sha1, hashed_at)"
                           " VALUES ('EX-A', 'export.zip', 1, '', '', '', '')").lastrowid
        BatchWriter(conn, ExhibitScope("EX-A", "ES", "+34612345401")).write(int(sid or 0), batch, "hand")
    names = conn.execute("SELECT normalized, scope, context FROM identifier WHERE kind='display_name'"
                         " ORDER BY context").fetchall()
    assert [tuple(r) for r in names] == [("Carlos", "EX-A", ""), ("Carlos", "EX-A", "dos"), ("Carlos", "EX-A", "uno")]
    # every use within one chat points at that chat's identifier
    for chat in ("uno", "dos"):
        label = conn.execute("SELECT id FROM identifier WHERE context=?", (chat,)).fetchone()[0]
        used = conn.execute(
            "SELECT o.creator_identifier_id, m.sender_identifier_id, e.by_identifier_id FROM chat_obs o"
            " JOIN message m ON m.chat_obs_id = o.id AND m.message_key = ? JOIN membership_event e"
            " ON e.chat_obs_id = o.id WHERE o.chat_key = ?", (f"{chat}-1", chat)).fetchone()
        assert set(used) == {label}
    # hard identifiers stay global, whatever chat they were seen in
    assert conn.execute("SELECT count(*) FROM identifier WHERE kind='phone' AND normalized='+34612345411'"
                        " AND context=''").fetchone()[0] == 1
    alias_name = conn.execute("SELECT n.context FROM alias a JOIN identifier n ON n.id = a.name_id").fetchone()[0]
    assert alias_name == ""
