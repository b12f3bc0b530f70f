"""A deleted message too long for one page: SQLite keeps the start of its record in the cell and
the rest in a chain of overflow pages, which go to the freelist with their bytes intact when the
row is deleted. The carver follows the chain (fileformat2 §1.6) and recovers the whole text; a
chain that was reused (a page now a freelist trunk, or a record that does not end where the
payload does) is left out rather than half read. All content is invented."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tantalio.ingest.deleted_rows import carve_rows

from .deleted_fixture import T0_MS, _android_schema


def _long(n: int) -> str:
    return f"synthetic long message {n}: " + " ".join(f"the garden club minutes, item {k}" for k in range(n * 20))


def _build(path: Path, reuse: int = 0) -> tuple[dict[int, str], set[int]]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA page_size=4096")
    conn.execute("PRAGMA secure_delete=OFF")
    conn.execute("PRAGMA auto_vacuum=NONE")
    _android_schema(conn)
    texts: dict[int, str] = {}
    conn.execute("BEGIN")
    for n in range(1, 241):
        texts[n] = _long(n % 40 + 10) if n % 6 == 0 else f"synthetic short message {n}"
        conn.execute("INSERT INTO message(_id, chat_row_id, from_me, key_id, sender_jid_row_id, status, timestamp,"
                     " message_type, text_data) VALUES (?, 1, 0, ?, 2, 0, ?, 0, ?)",
                     (n, f"KEY{n:05d}", T0_MS + n * 60_000, texts[n]))
    conn.execute("COMMIT")
    deleted = set(range(100, 181))                 # a run: leaf pages and their overflow chains freed
    conn.execute("BEGIN")
    conn.executemany("DELETE FROM message WHERE _id=?", [(n,) for n in sorted(deleted)])
    conn.execute("COMMIT")
    conn.execute("BEGIN")     # new long messages take free pages: some deleted rows' chains are reused
    for n in range(1000, 1000 + reuse):
        texts[n] = _long(n % 40 + 12).replace("garden club", "book club")
        conn.execute("INSERT INTO message(_id, chat_row_id, from_me, key_id, sender_jid_row_id, status, timestamp,"
                     " message_type, text_data) VALUES (?, 1, 0, ?, 3, 0, ?, 0, ?)",
                     (n, f"KEY{n:05d}", T0_MS + n * 60_000, texts[n]))
    conn.execute("COMMIT")
    conn.close()
    return texts, deleted


def test_a_deleted_message_spilling_to_overflow_pages_is_recovered_whole(tmp_path: Path) -> None:
    db = tmp_path / "msgstore.db"
    texts, deleted = _build(db)
    long_deleted = {n for n in deleted if n % 6 == 0}
    assert all(len(texts[n].encode()) > 4096 for n in long_deleted)   # every one spills
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    with open(db, "rb") as f:
        rows = carve_rows(conn, f, None)
    conn.close()
    recovered = {str(r.values.get("key_id")): str(r.values.get("text_data")) for r in rows}
    by_key = {f"KEY{n:05d}": texts[n] for n in texts}
    # whatever is recovered is exactly what was written: no half-read chain, no stranger's bytes
    assert recovered and all(by_key.get(key) == text for key, text in recovered.items())
    whole = {n for n in long_deleted if recovered.get(f"KEY{n:05d}") == texts[n]}
    assert len(whole) >= len(long_deleted) - 2, sorted(long_deleted - whole)   # a trunk may take one chain


def test_a_chain_reused_by_newer_messages_is_not_read_as_the_deleted_ones(tmp_path: Path) -> None:
    """After the deletion, new long messages take free pages, overflow pages of deleted rows among
    them: a deleted row whose chain now runs through a reused page is left out, never completed
    with a newer message's words."""
    db = tmp_path / "msgstore.db"
    texts, deleted = _build(db, reuse=6)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    with open(db, "rb") as f:
        rows = carve_rows(conn, f, None)
    conn.close()
    recovered = {str(r.values.get("key_id")): str(r.values.get("text_data")) for r in rows}
    by_key = {f"KEY{n:05d}": texts[n] for n in texts}
    assert recovered
    wrong = {key for key, text in recovered.items() if by_key.get(key) != text}
    assert not wrong, sorted(wrong)
    assert not any("book club" in text for text in recovered.values())
