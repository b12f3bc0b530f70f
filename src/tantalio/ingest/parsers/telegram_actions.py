"""Telegram service messages (``type: service``) as group events.

The action names are those tdesktop's JSON writer emits (``export_output_json.cpp``); members
are display names, not ids, and ``null`` where the account was deleted. Actions that are not
about who is in the chat (pins, calls, themes, boosts…) stay messages of kind ``system``; an
action this table does not know is kept as ``system_unknown`` with the service message's own
fields in ``raw``, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from tantalio.model import EventKind, MembershipEventRecord, Party, SourceRef

MEMBERSHIP_ACTIONS: dict[str, EventKind] = {
    "create_group": "created", "create_channel": "created", "invite_members": "added",
    "remove_members": "removed", "join_group_by_link": "joined_link", "join_group_by_request": "joined_link",
    "edit_group_title": "subject_changed", "edit_group_photo": "icon_changed", "delete_group_photo": "icon_changed",
    "migrate_to_supergroup": "other", "migrate_from_group": "other", "set_messages_ttl": "ephemeral_changed",
}
# Known actions that are not group events (tdesktop writer, 2020-2025 exports).
OTHER_ACTIONS = frozenset({
    "pin_message", "clear_history", "score_in_game", "send_payment", "phone_call", "take_screenshot",
    "attach_menu_bot_allowed", "allow_sending_messages", "send_passport_values", "joined_telegram",
    "proximity_reached", "requested_phone_number", "group_call", "invite_to_group_call", "group_call_scheduled",
    "edit_chat_theme", "send_webview_data", "send_premium_gift", "topic_created", "topic_edit",
    "suggest_profile_photo", "requested_peer", "set_chat_wallpaper", "set_same_chat_wallpaper",
    "gift_code_prize", "giveaway_launch", "giveaway_results", "boost_apply", "send_payment_refunded",
    "send_stars_gift", "stars_prize", "send_star_gift", "paid_messages_refunded", "paid_messages_price_change",
    "conference_call", "todo_completions", "todo_append_tasks", "suggested_post_approval",
    "suggested_post_success", "suggested_post_refund", "gift_ton", "suggest_birthday",
})
DELETED_ACCOUNT = "Deleted Account"


def is_user_id(ident: str | None) -> bool:
    return bool(ident) and str(ident).startswith("user")


class ActionReader:
    """Turns one service message into events; ``warn`` reports deleted accounts."""

    def __init__(self, emit: Callable[[MembershipEventRecord], None], warn: Callable[[SourceRef, str], None]) -> None:
        self.emit_record = emit
        self.warn = warn

    def events(self, ref: SourceRef, chat: str, msg_key: str, msg: dict[str, Any], action: str,
               actor: Party | None, actor_id: str | None, time: datetime | None, time_raw: str) -> None:
        kind = MEMBERSHIP_ACTIONS[action]

        def emit(k: EventKind, subject: Party | None, by: Party | None, detail: str | None) -> None:
            self.emit_record(MembershipEventRecord(ref, chat, k, subject, by, time, time_raw, detail, msg_key))

        members = self._members(ref, msg, action)
        title = msg.get("title") if isinstance(msg.get("title"), str) else None
        if action in ("create_group", "create_channel"):
            # a channel's creation names the channel itself as actor: the creator is then unknown
            creator = actor if action == "create_group" or is_user_id(actor_id) else None
            emit("created", creator, creator, title)
            for member in members:
                emit("added", member, actor, "member at creation")
        elif action in ("invite_members", "remove_members"):
            for member in members:
                # Telegram writes a member leaving as remove_members naming themself
                leaving = action == "remove_members" and member.value == msg.get("actor")
                emit("left" if leaving else kind, member, actor, None)
        elif action in ("join_group_by_link", "join_group_by_request"):
            inviter = msg.get("inviter")
            by = Party("display_name", inviter) if isinstance(inviter, str) and inviter else None
            emit(kind, actor, by, action if action == "join_group_by_request" else None)
        elif action == "edit_group_title":
            emit(kind, None, actor, title)
        elif action == "set_messages_ttl":
            emit(kind, None, actor, f"period={msg.get('period')}")
        elif action in ("migrate_to_supergroup", "migrate_from_group"):
            emit(kind, None, actor, f"{action}: {title}" if title else action)
        else:
            emit(kind, None, actor, action)

    def _members(self, ref: SourceRef, msg: dict[str, Any], action: str) -> list[Party]:
        """The members a service message names; a deleted account (``null``) becomes its own
        label, numbered by message, so two deleted accounts are never one person."""
        raw = msg.get("members")
        if not isinstance(raw, list):
            return []
        out: list[Party] = []
        deleted = 0
        for name in raw:
            if isinstance(name, str) and name:
                out.append(Party("display_name", name))
            elif name is None:
                deleted += 1
                label = f"{DELETED_ACCOUNT} (message {msg.get('id')}" + (f" #{deleted})" if deleted > 1 else ")")
                out.append(Party("display_name", label))
                self.warn(ref, f"{action} names a deleted account (null member): recorded as member '{label}'")
        return out
