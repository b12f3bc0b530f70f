"""Who owns each exhibit, from the analyst's ``--owner`` and from what the evidence says.

Parsers report the device's own accounts (``device_account`` rows: the registration JID in
Android preferences, ``OwnJabberID`` in the iOS plist, the address incoming iOS rows are sent
to, the creator phone of a legacy group the owner created, Telegram's
``personal_information``). ``from_me`` rows are written as "the owner of EX-…" when no
``--owner`` was given; this module makes that identifier and the evidence accounts one person.

Accounts are grouped by the file and app that name them (a Telegram export's user id and phone
are one account). The owner is made of the accounts that agree:

* with ``--owner``: the accounts whose phone is that number, and those without a phone (a user
  id, an ``@lid``) unless their id clashes with another; an account with another phone is left
  out (ingest already warned that ``--owner`` disagrees with it);
* without ``--owner``: every account, provided they name at most one phone and one Telegram id.
  Two phones (WhatsApp and WhatsApp Business registered with different SIMs, or a mis-read) are
  not merged automatically: a warning lists them for the analyst (``tantalio persons merge``).

The result is written as ``person_merge`` rows by the evidence (actor ``evidence``), kept in
step with the evidence on every run: an analyst can undo one like any merge, and an undone
merge is not written again. Each exhibit's owner, with what shows it, is written to
``exhibit_owner`` (rebuilt by every ``analyze``): the one place the readers ask whom an exhibit
was seized from.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from tantalio.identity import identifier_for
from tantalio.model import Party
from tantalio.store.evidence_links import EVIDENCE_ACTOR
from tantalio.store.sqlite import utcnow
from tantalio.store.writer import get_or_create_identifier

OWNER_REASON = "the device owner's own account, named by the evidence"
ANCHOR_KINDS = ("phone", "telegram_id")


@dataclass(frozen=True, slots=True)
class Account:
    identifier: int
    kind: str
    value: str
    app: str
    basis: str
    path: str
    location: str


def evidence_accounts(conn: sqlite3.Connection) -> dict[str, list[Account]]:
    """exhibit -> the accounts its files name as the device's own, in a stable order."""
    out: dict[str, list[Account]] = defaultdict(list)
    for ex, ident, kind, value, app, basis, path, location in conn.execute(
        "SELECT d.exhibit_id, d.identifier_id, i.kind, i.normalized, d.app, d.basis, s.path, d.location"
        " FROM device_account d JOIN identifier i ON i.id = d.identifier_id"
        " JOIN source_file s ON s.id = d.source_file_id ORDER BY d.exhibit_id, s.path, d.id"
    ):
        out[ex].append(Account(ident, kind, value, app, basis, path, location))
    return out


def _groups(accounts: list[Account]) -> list[list[Account]]:
    """Accounts named together by one file for one app belong to one account holder."""
    groups: dict[tuple[str, str], list[Account]] = defaultdict(list)
    for a in accounts:
        groups[(a.path, a.app)].append(a)
    return list(groups.values())


def _anchors(group: list[Account], kind: str) -> set[str]:
    return {a.value for a in group if a.kind == kind}


def agreeing_accounts(accounts: list[Account], owner_phone: str | None) -> tuple[list[Account], str | None]:
    """The accounts that make up the owner, and a warning when the evidence disagrees with itself."""
    groups = _groups(accounts)
    if owner_phone:
        kept = [g for g in groups if _anchors(g, "phone") <= {owner_phone}]
    else:
        kept = groups
    chosen = [a for g in kept for a in g]
    for kind in ANCHOR_KINDS:
        values = sorted({a.value for a in chosen if a.kind == kind})
        if len(values) > 1:
            names = ", ".join(f"{v} ({'; '.join(sorted({a.app + ': ' + a.path for a in chosen if a.value == v}))})"
                              for v in values)
            return [], (f"the evidence names {len(values)} different {kind.replace('_', ' ')}s as this device's own"
                        f" account: {names}; not merged automatically, confirm with `tantalio persons merge`")
    return chosen, None


class OwnerFinding(NamedTuple):
    """An exhibit's owner as one identifier, and what shows it (``exhibit_owner.basis``)."""

    identifier: int
    basis: str


def owner_basis(owner_phone: str | None, chosen: list[Account], accounts: list[Account]) -> str:
    """What names the owner, in the analyst's words: ``--owner`` (and whether the evidence agrees
    or names another account), the accounts the evidence names as the device's own (app, what in
    the file, file), or only the device's sent messages."""
    def listed(items: list[Account]) -> str:
        return "; ".join(sorted({f"{a.app}: {a.basis} ({a.path}) {a.value}" for a in items}))

    named, others = listed(chosen), listed([a for a in accounts if a not in chosen])
    if owner_phone:   # --owner wins; a disagreeing account is not merged (ingest warned)
        return (f"--owner {owner_phone}" + (f"; the evidence agrees: {named}" if named else "")
                + (f"; the evidence also names, not merged: {others}" if others else ""))
    if named:
        return f"the evidence: {named}"
    if others:
        return f"the device's own sent messages only (no --owner; the evidence names several accounts: {others})"
    return "the device's own sent messages only (no account named, no --owner)"


def resolve_owner(conn: sqlite3.Connection, exhibit: str, owner_phone: str | None, country: str | None,
                  accounts: list[Account]) -> tuple[OwnerFinding | None, list[tuple[int, Account]], str | None]:
    """The exhibit's owner (identifier and basis), the (owner, account) pairs to merge, and a warning."""
    key = identifier_for(Party.owner(), exhibit, country, owner_phone)
    phone = key.normalized if key.kind == "phone" else None
    chosen, problem = agreeing_accounts(accounts, phone)
    owner: int | None
    if key.kind == "phone" or chosen:
        owner = get_or_create_identifier(conn, key)
    else:
        row = conn.execute("SELECT id FROM identifier WHERE kind='owner' AND scope=?", (exhibit,)).fetchone()
        owner = int(row[0]) if row else None
    if owner is None:
        return None, [], problem
    pairs = [(owner, a) for a in chosen if a.identifier != owner]
    return OwnerFinding(owner, owner_basis(phone, chosen, accounts)), pairs, problem


def sync_owner_merges(conn: sqlite3.Connection, wanted: list[tuple[str, int, Account]]) -> None:
    """Make the evidence's owner merges in ``person_merge`` match ``wanted``: add the new ones,
    drop those the evidence no longer supports, never re-add one an analyst undid."""
    existing: dict[tuple[int, int], tuple[int, bool]] = {}
    for row_id, evidence, undone in conn.execute(
        "SELECT id, evidence, undone_at FROM person_merge WHERE actor=? AND reason=?", (EVIDENCE_ACTOR, OWNER_REASON)
    ):
        ids = json.loads(evidence or "{}").get("identifiers", [])
        if len(ids) == 2:
            existing[(int(ids[0]), int(ids[1]))] = (row_id, undone is not None)
    keep: set[tuple[int, int]] = set()
    now = utcnow()
    for exhibit, owner, account in wanted:
        pair = (owner, account.identifier)
        keep.add(pair)
        if pair in existing:
            continue
        evidence = {"identifiers": [owner, account.identifier], "exhibit": exhibit, "app": account.app,
                    "basis": account.basis, "path": account.path, "location": account.location}
        conn.execute(
            "INSERT INTO person_merge(op, person_id, other_id, identifier_id, reason, confidence, evidence, actor, at)"
            " VALUES ('merge', NULL, NULL, ?, ?, 1.0, ?, ?, ?)",
            (owner, OWNER_REASON, json.dumps(evidence, sort_keys=True, ensure_ascii=False), EVIDENCE_ACTOR, now))
    stale = [(row_id,) for pair, (row_id, undone) in existing.items() if pair not in keep and not undone]
    conn.executemany("DELETE FROM person_merge WHERE id = ?", stale)


def write_exhibit_owners(conn: sqlite3.Connection, owner_person: dict[str, int],
                         found: dict[str, OwnerFinding]) -> None:
    """``exhibit_owner``: the person each exhibit was seized from, as this analysis resolved them
    (``--owner`` or the evidence), for every reader (dossiers, VID queue, packages, export, web)."""
    conn.executemany("INSERT INTO exhibit_owner(exhibit_id, person_id, basis) VALUES (?,?,?)",
                     [(ex, pid, found[ex].basis) for ex, pid in sorted(owner_person.items())])


def warn(conn: sqlite3.Connection, exhibit: str, message: str) -> None:
    conn.execute("INSERT OR IGNORE INTO warning(exhibit_id, path, location, stage, message, at) VALUES (?,?,?,?,?,?)",
                 (exhibit, "", "", "analyze", message, utcnow()))  # '' not NULL: re-runs dedupe
