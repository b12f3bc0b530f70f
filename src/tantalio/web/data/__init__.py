"""What the web pages and the JSON API show, read from the case store as plain dicts.

Pages and API share these functions, so the JSON under /api is exactly what a page displays.
Only reads here, except the reviewers' own records in media.py (categorisation, exposure).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

LATEST_CATEGORY = "(SELECT c.category FROM categorisation c WHERE c.sha256 = m.sha256 ORDER BY c.id DESC LIMIT 1)"
"""SQL: a media item's (``m``) latest reviewer category."""
HAS_FILE = "EXISTS (SELECT 1 FROM source_file s WHERE s.sha256 = m.sha256)"
"""SQL: the item (``m``) has a file: some are known only from a hash an app database recorded."""


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with the user's % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def json_or_text(raw: str | None) -> Any:
    """Analysis stores explanations as JSON; show the text as-is if it is not."""
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def person_labels(conn: sqlite3.Connection) -> dict[int, str]:
    return {pid: label for pid, label in conn.execute("SELECT id, label FROM person")}


def chat_labels(conn: sqlite3.Connection) -> dict[int, str]:
    return {cid: label for cid, label in conn.execute("SELECT id, label FROM chat")}


def latest_chat_names(conn: sqlite3.Connection) -> dict[int, str]:
    """Each chat's most recently seen name (chat_name from analysis, else what a device recorded)."""
    names: dict[int, str] = {}
    for chat_id, name in conn.execute(
        "SELECT chat_id, name FROM chat_obs WHERE chat_id IS NOT NULL AND name IS NOT NULL ORDER BY id"
    ):
        names[chat_id] = name
    for chat_id, name in conn.execute(
        "SELECT chat_id, name FROM chat_name ORDER BY chat_id, coalesce(last_seen, first_seen, '')"
    ):
        names[chat_id] = name
    return names
