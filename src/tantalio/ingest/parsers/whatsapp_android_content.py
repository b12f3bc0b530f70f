"""The side tables that give newer Android message types their content, and the tables that
record what happened to a message after it was sent (reactions, edits, deletions for everyone,
album membership).

Every table is optional: each is read only when present with the columns we need, so an older
database costs nothing and says nothing. Sources: the chat-history-manager test databases
(``message_ui_elements``, ``message_location``, ``message_album``, ``message_association``,
``message_order``, ``message_product``, ``message_edit_info``, ``message_revoked``), WhatsApp's
own queries as decompiled in public repositories (``message_add_on``/``message_add_on_reaction``,
``message_poll_option``: two independent copies each) and KnugiHK/WhatsApp-Chat-Exporter.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from tantalio.ingest.parsers.whatsapp_android_rows import DbReading, int_or_none, raw_text, text_or_none
from tantalio.model import MessageUpdateRecord, Party

# message_association.association_type seen linking album items to their parent (fixture)
ALBUM_ASSOCIATION = 2


@dataclass(slots=True)
class Reaction:
    row: int
    from_me: bool
    sender: object
    time: object
    emoji: str


@dataclass(slots=True)
class MessageContent:
    """Side-table content keyed by message row id."""

    ui: dict[int, tuple[str, str]] = field(default_factory=dict)          # (text, raw note)
    location: dict[int, str] = field(default_factory=dict)
    album: dict[int, str] = field(default_factory=dict)
    album_parent: dict[int, int] = field(default_factory=dict)
    order: dict[int, tuple[str, str]] = field(default_factory=dict)
    product: dict[int, tuple[str, str]] = field(default_factory=dict)
    poll: dict[int, list[str]] = field(default_factory=dict)
    reactions: dict[int, list[Reaction]] = field(default_factory=lambda: defaultdict(list))
    edits: dict[int, tuple[object, object]] = field(default_factory=dict)
    revoked: dict[int, tuple[object, object, object]] = field(default_factory=dict)

    def text_for(self, row_id: int) -> str | None:
        """What the message showed, for types whose text lives in a side table."""
        for table in (self.ui, self.order, self.product):
            if row_id in table:
                return table[row_id][0] or None
        return None

    def raw_for(self, row_id: int) -> str:
        """Side-table facts kept beside the text (``; ``-separated, '' when none)."""
        notes = [self.location.get(row_id), self.album.get(row_id)]
        for table in (self.order, self.product):
            if row_id in table:
                notes.append(table[row_id][1])
        if row_id in self.poll:
            notes.append("poll options: " + " | ".join(self.poll[row_id]))
        return "".join(f"; {n}" for n in notes if n)


def _has(db: DbReading, table: str, *columns: str) -> bool:
    return set(columns) <= db.columns(table)


def read_content(db: DbReading) -> MessageContent:
    found = MessageContent()
    if _has(db, "message_ui_elements", "message_row_id", "element_content"):
        for r in db.rows("SELECT message_row_id, element_content FROM message_ui_elements ORDER BY rowid",
                         "message_ui_elements"):
            text = ui_text(r["element_content"])
            if text and isinstance(r["message_row_id"], int):
                prev = found.ui.get(r["message_row_id"], ("", ""))[0]
                found.ui[r["message_row_id"]] = (f"{prev}\n{text}" if prev else text, "")
    if _has(db, "message_location", "message_row_id", "latitude", "longitude"):
        sel = db.select_list("message_location", "l", ("message_row_id", "latitude", "longitude", "place_name",
                                                        "place_address"))
        for r in db.rows(f"SELECT {sel} FROM message_location l", "message_location"):  # noqa: S608
            place = ", ".join(p for p in (text_or_none(r["place_name"]), text_or_none(r["place_address"])) if p)
            found.location[r["message_row_id"]] = f"location={r['latitude']},{r['longitude']}" + (
                f" ({place})" if place else "")
    if _has(db, "message_album", "message_row_id"):
        sel = db.select_list("message_album", "a", ("message_row_id", "image_count", "video_count"))
        for r in db.rows(f"SELECT {sel} FROM message_album a", "message_album"):  # noqa: S608
            found.album[r["message_row_id"]] = (f"album: {raw_text(r['image_count']) or 0} images,"
                                                f" {raw_text(r['video_count']) or 0} videos")
    if _has(db, "message_association", "child_message_row_id", "parent_message_row_id"):
        sel = db.select_list("message_association", "a", ("child_message_row_id", "parent_message_row_id",
                                                          "association_type"))
        for r in db.rows(f"SELECT {sel} FROM message_association a", "message_association"):  # noqa: S608
            if r["association_type"] in (ALBUM_ASSOCIATION, None) and isinstance(r["child_message_row_id"], int):
                found.album_parent[r["child_message_row_id"]] = r["parent_message_row_id"]
    if _has(db, "message_order", "message_row_id"):
        sel = db.select_list("message_order", "o", ("message_row_id", "order_title", "item_count", "currency_code",
                                                    "total_amount_1000"))
        for r in db.rows(f"SELECT {sel} FROM message_order o", "message_order"):  # noqa: S608
            found.order[r["message_row_id"]] = (raw_text(r["order_title"]),
                                                _business_note("order", r["item_count"], r["currency_code"],
                                                               r["total_amount_1000"]))
    if _has(db, "message_product", "message_row_id"):
        sel = db.select_list("message_product", "p", ("message_row_id", "title", "description", "currency_code",
                                                      "amount_1000"))
        for r in db.rows(f"SELECT {sel} FROM message_product p", "message_product"):  # noqa: S608
            title = "\n".join(t for t in (text_or_none(r["title"]), text_or_none(r["description"])) if t)
            found.product[r["message_row_id"]] = (title, _business_note("product", None, r["currency_code"],
                                                                        r["amount_1000"]))
    if _has(db, "message_poll_option", "message_row_id", "option_name"):
        sel = db.select_list("message_poll_option", "p", ("message_row_id", "option_name", "vote_total"))
        for r in db.rows(f"SELECT {sel} FROM message_poll_option p ORDER BY p.rowid",  # noqa: S608
                         "message_poll_option"):
            option = raw_text(r["option_name"]) + (f" ({r['vote_total']} votes)" if r["vote_total"] is not None
                                                   else "")
            found.poll.setdefault(r["message_row_id"], []).append(option)
    _read_updates(db, found)
    return found


def _read_updates(db: DbReading, found: MessageContent) -> None:
    if _has(db, "message_add_on", "_id", "parent_message_row_id") and _has(
            db, "message_add_on_reaction", "message_add_on_row_id", "reaction"):
        sel = db.select_list("message_add_on", "a", ("_id", "parent_message_row_id", "from_me", "sender_jid_row_id",
                                                     "timestamp"))
        stamp = "r.sender_timestamp" if "sender_timestamp" in db.columns("message_add_on_reaction") else "NULL"
        sql = (f"SELECT {sel}, r.reaction AS reaction, {stamp} AS sender_timestamp FROM message_add_on a"  # noqa: S608
               " JOIN message_add_on_reaction r ON r.message_add_on_row_id = a._id ORDER BY a._id")
        for r in db.rows(sql, "message_add_on_reaction"):
            parent = r["parent_message_row_id"]
            if isinstance(parent, int):
                found.reactions[parent].append(Reaction(r["_id"], bool(r["from_me"]), r["sender_jid_row_id"],
                                                        r["timestamp"] or r["sender_timestamp"],
                                                        raw_text(r["reaction"])))
    if _has(db, "message_edit_info", "message_row_id", "edited_timestamp"):
        key = "original_key_id" if "original_key_id" in db.columns("message_edit_info") else "NULL"
        for r in db.rows(f"SELECT message_row_id, edited_timestamp, {key} AS original_key_id"  # noqa: S608
                         " FROM message_edit_info", "message_edit_info"):
            found.edits[r["message_row_id"]] = (r["edited_timestamp"], r["original_key_id"])
    if _has(db, "message_revoked", "message_row_id"):
        sel = db.select_list("message_revoked", "v", ("message_row_id", "revoked_key_id", "admin_jid_row_id",
                                                      "revoke_timestamp"))
        for r in db.rows(f"SELECT {sel} FROM message_revoked v", "message_revoked"):  # noqa: S608
            found.revoked[r["message_row_id"]] = (r["revoke_timestamp"], r["admin_jid_row_id"], r["revoked_key_id"])


def emit_updates(db: DbReading, content: MessageContent, row_id: int, chat_key: str, sender: Party | None) -> None:
    """Emit what the side tables record against message ``row_id`` (already emitted)."""
    key = f"message:{row_id}"
    for reaction in content.reactions.get(row_id, ()):
        where = f"message_add_on:{reaction.row}"
        actor = Party.owner() if reaction.from_me else db.party(reaction.sender)
        db.sink.emit(MessageUpdateRecord(db.at(where), chat_key, key,
                                         "reaction" if reaction.emoji else "reaction_removed", actor,
                                         db.time_ms(reaction.time, where), raw_text(reaction.time),
                                         reaction.emoji or None))
    if row_id in content.edits:
        when, original = content.edits[row_id]
        where = f"message_edit_info:{row_id}"
        db.sink.emit(MessageUpdateRecord(db.at(where), chat_key, key, "edited", sender, db.time_ms(when, where),
                                         raw_text(when), f"original key {original}" if original else None))
    if row_id in content.revoked:
        when, admin, revoked_key = content.revoked[row_id]
        where = f"message_revoked:{row_id}"
        admin_party = db.party(admin)
        detail = "by a group admin" if admin_party else None
        if revoked_key:
            detail = f"{detail}; revoke key {revoked_key}" if detail else f"revoke key {revoked_key}"
        db.sink.emit(MessageUpdateRecord(db.at(where), chat_key, key, "deleted_for_everyone", admin_party or sender,
                                         db.time_ms(when, where), raw_text(when), detail))
    parent = content.album_parent.get(row_id)
    if isinstance(parent, int):
        db.sink.emit(MessageUpdateRecord(db.at(f"message_association:{row_id}"), chat_key, key, "album_member",
                                         None, None, "", None, f"message:{parent}"))


def ui_text(content: object) -> str | None:
    """The text an interactive message showed: title, body and description of its JSON, the
    raw content when it is not JSON."""
    if not isinstance(content, str) or not content.strip():
        return None
    try:
        data = json.loads(content)
    except ValueError:
        return content.strip()
    if not isinstance(data, dict):
        return content.strip()
    parts = [data.get(k) for k in ("title", "sub_title", "body", "description", "footer")]
    return "\n".join(p.strip() for p in parts if isinstance(p, str) and p.strip()) or None


def _business_note(what: str, count: object, currency: object, amount_1000: object) -> str:
    note = what
    if int_or_none(count):
        note += f": {count} items"
    amount = int_or_none(amount_1000)
    if amount and isinstance(currency, str) and currency:
        note += f", {amount / 1000:.2f} {currency}"
    return "" if note == what else note
