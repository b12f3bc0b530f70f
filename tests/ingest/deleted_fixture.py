"""Synthetic WhatsApp message stores with deleted rows planted in every place SQLite leaves them
(issue 17 item 4). All content is invented: numbered benign sentences, UK drama numbers.

``build_android`` / ``build_ios`` create the database with ``secure_delete`` off, insert
messages, then delete
- scattered single rows (their cells become free blocks inside live pages),
- a long run of rows (whole pages emptied onto the freelist),
- with ``wal``: more rows after the last checkpoint (old page versions stay in the main file,
  the WAL holds the new ones), and a last transaction whose commit frame is damaged (its
  frames are "uncommitted": SQLite ignores them, a carver still reads them).
and return which keys were planted, deleted and live.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .parsers.dbfixtures import CURRENT_SCHEMA, IOS_SCHEMA

T0_MS = 1_700_000_000_000
IOS_T0 = 721_692_800.0  # 2023-11-14 in seconds since 2001
GROUP = "120363000000000077@g.us"
PEOPLE = ("447700900111@s.whatsapp.net", "447700900112@s.whatsapp.net", "447700900113@s.whatsapp.net")


@dataclass
class Planted:
    path: Path
    planted: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)      # committed deletions
    uncommitted: set[str] = field(default_factory=set)  # rows only in frames after the last commit

    @property
    def live(self) -> set[str]:
        return self.planted - self.deleted - self.uncommitted


def _text(n: int) -> str:
    return f"synthetic message number {n} about the garden club meeting" + " and tea" * (n % 5)


def build_android(folder: Path, *, count: int = 400, wal: bool = True) -> Planted:
    return _build(folder / "msgstore.db", count, wal, _android_schema, _android_insert, "message", "key_id")


def build_ios(folder: Path, *, count: int = 400, wal: bool = True) -> Planted:
    return _build(folder / "ChatStorage.sqlite", count, wal, _ios_schema, _ios_insert, "ZWAMESSAGE", "ZSTANZAID")


def _android_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(CURRENT_SCHEMA)
    conn.execute("INSERT INTO jid(_id, user, server, type, raw_string) VALUES (1, '120363000000000077', 'g.us', 1, ?)",
                 (GROUP,))
    for i, person in enumerate(PEOPLE, start=2):
        conn.execute("INSERT INTO jid(_id, user, server, type, raw_string) VALUES (?, ?, 's.whatsapp.net', 0, ?)",
                     (i, person.split("@")[0], person))
    conn.execute("INSERT INTO chat(_id, jid_row_id, subject) VALUES (1, 1, 'Garden club')")


def _android_insert(conn: sqlite3.Connection, n: int) -> str:
    key = f"KEY{n:05d}"
    conn.execute("INSERT INTO message(_id, chat_row_id, from_me, key_id, sender_jid_row_id, status, timestamp,"
                 " message_type, text_data) VALUES (?, 1, 0, ?, ?, 0, ?, 0, ?)",
                 (n, key, 2 + n % 3, T0_MS + n * 60_000, _text(n)))
    return key


def _ios_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(IOS_SCHEMA)
    conn.execute("INSERT INTO ZWACHATSESSION (Z_PK, ZSESSIONTYPE, ZCONTACTJID, ZPARTNERNAME) VALUES (1, 1, ?, ?)",
                 (GROUP, "Garden club"))


def _ios_insert(conn: sqlite3.Connection, n: int) -> str:
    key = f"STANZA{n:05d}"
    conn.execute("INSERT INTO ZWAMESSAGE (Z_PK, ZCHATSESSION, ZISFROMME, ZMESSAGETYPE, ZGROUPEVENTTYPE, ZTEXT,"
                 " ZFROMJID, ZMESSAGEDATE, ZSTANZAID) VALUES (?, 1, 0, 0, 0, ?, ?, ?, ?)",
                 (n, _text(n), PEOPLE[n % 3], IOS_T0 + n * 60.5, key))
    return key


def _build(path: Path, count: int, wal: bool, schema, insert, table: str, key_column: str) -> Planted:  # type: ignore[no-untyped-def]
    path.parent.mkdir(parents=True, exist_ok=True)
    work = path.parent / f".build-{path.name}"
    work.mkdir()
    db = work / path.name
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA secure_delete=OFF")
    conn.execute("PRAGMA auto_vacuum=NONE")
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
    planted = Planted(path)
    schema(conn)
    conn.execute("BEGIN")
    keys = {n: insert(conn, n) for n in range(1, count + 1)}
    conn.execute("COMMIT")
    planted.planted = set(keys.values())

    def delete(numbers: list[int]) -> None:
        conn.execute("BEGIN")
        for n in numbers:
            conn.execute(f"DELETE FROM {table} WHERE {key_column}=?", (keys[n],))  # noqa: S608 - fixture
            planted.deleted.add(keys[n])
        conn.execute("COMMIT")

    delete(list(range(3, count // 2, 7)))             # scattered: free blocks
    delete(list(range(count // 2, min(count - 50, count // 2 + 90))))  # a run: whole pages to the freelist
    if wal:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        delete(list(range(count - 40, count - 30)))   # after the checkpoint: WAL only
        conn.execute("BEGIN")
        extra = {n: insert(conn, n) for n in range(count + 1, count + 4)}
        conn.execute("COMMIT")
        planted.planted |= set(extra.values())
        planted.uncommitted |= set(extra.values())
    shutil.copyfile(db, path)
    if wal:
        data = bytearray((work / f"{path.name}-wal").read_bytes())
        _break_last_commit(data)
        Path(f"{path}-wal").write_bytes(bytes(data))
    conn.close()
    shutil.rmtree(work)
    return planted


def _break_last_commit(wal: bytearray) -> None:
    """Damage the checksum of the WAL's last frame (the commit of the last transaction)."""
    page_size = int.from_bytes(wal[8:12], "big")
    frames = (len(wal) - 32) // (24 + page_size)
    last = 32 + (frames - 1) * (24 + page_size)
    wal[last + 16] ^= 0xFF


def corrupt_a_table_page(path: Path, table: str = "message") -> None:
    """Give the third page of ``table``'s b-tree a cell count the page cannot hold: the database
    fails SQLite's integrity check and ingest reads it through a recovered copy."""
    from tantalio.ingest.carving import Carver
    from tantalio.ingest.sqlite_records import shape_of

    conn = sqlite3.connect(path)
    shape = shape_of(conn, table)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name=?", (table,)).fetchone()[0]
    conn.close()
    assert shape is not None
    with open(path, "rb") as f:
        carver = Carver(f, [shape])
        pages = sorted(carver.table_pages(root))
        page_size = carver.page_size
    data = bytearray(path.read_bytes())
    victim = (pages[2] - 1) * page_size
    data[victim + 3:victim + 5] = (900).to_bytes(2, "big")
    path.write_bytes(bytes(data))
