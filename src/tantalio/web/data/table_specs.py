"""The workspace's tables: which columns each shows, sorts and filters on, and where they link."""

from __future__ import annotations

from typing import Any

from tantalio.report.recovered import WEB_FROM, enrich_web, from_me_words
from tantalio.report.wording import RECOVERED_AREAS, RECOVERED_STATES
from tantalio.web.data import LATEST_CATEGORY
from tantalio.web.data.tables import Column, Table


def _person(key: str) -> Any:
    return lambda row: f"/persons/{row[key]}" if row.get(key) else None


def _group(key: str) -> Any:
    return lambda row: f"/groups/{row[key]}" if row.get(key) else None


def _media(row: dict[str, Any]) -> str | None:
    return f"/media/{row['sha256']}" if row.get("in_case", True) and row.get("sha256") else None


PERSONS = Table("persons", "Persons", (
    Column("id", "Person", link=_person("id")),
    Column("names", "Names"),
    Column("phones", "Phones"),
    Column("countries", "Countries"),
    Column("roles", "Roles"),
    Column("priority", "Priority", numeric=True),
    Column("community", "Community", numeric=True),
), default_sort="priority", default_desc=True)

GROUPS = Table("groups", "Groups", (
    Column("id", "Group", link=_group("id")),
    Column("name", "Name"),
    Column("platform", "Platform"),
    Column("created", "Created"),
    Column("creator", "Creator", link=_person("creator")),
    Column("members", "Members", numeric=True),
    Column("messages", "Messages recorded", numeric=True),
), default_sort="id")

MEDIA = Table("media", "Media", (
    Column("sha256", "SHA-256", "m.sha256", link=_media),
    Column("status", "Status", "m.status"),
    Column("category", "List category", "m.category"),
    Column("reviewer_category", "Reviewer category", LATEST_CATEGORY, filterable=False),
    Column("family", "PDQ family", "m.family"),
    Column("mime", "Type", "m.mime"),
    Column("size", "Bytes", "m.size", numeric=True, filterable=False),
    Column("camera", "Camera", "trim(coalesce(m.exif_make, '') || ' ' || coalesce(m.exif_model, ''))"),
    Column("serial", "Camera serial", "m.exif_serial"),
    Column("taken", "Taken", "m.exif_taken"),
    Column("posts", "Posts", "(SELECT count(*) FROM post p WHERE p.sha256 = m.sha256)", numeric=True, filterable=False),
    Column("exhibits", "Exhibits", "(SELECT count(DISTINCT x.exhibit_id) FROM media_instance x WHERE x.sha256 = m.sha256)",
           numeric=True, filterable=False),
    Column("first_post", "First posted", "(SELECT min(p.time) FROM post p WHERE p.sha256 = m.sha256)", filterable=False),
), default_sort="status", from_sql="FROM media_item m", tie_break="m.sha256")

EVIDENCE = Table("evidence", "Evidence files", (
    Column("exhibit", "Exhibit", "s.exhibit_id"),
    Column("path", "Path", "s.path"),
    Column("size", "Bytes", "s.size", numeric=True, filterable=False),
    Column("sha256", "SHA-256", "s.sha256", link=lambda r: f"/media/{r['sha256']}" if r.get("media") else None),
    Column("md5", "MD5", "s.md5"),
    Column("mime", "Type", "s.mime"),
    Column("format", "Format", "s.format"),
    Column("status", "Status", "s.status"),
    Column("warnings", "Warnings", "(SELECT count(*) FROM warning w WHERE w.exhibit_id = s.exhibit_id AND w.path = s.path)",
           numeric=True, filterable=False,
           link=lambda r: f"/warnings?f_exhibit={r['exhibit']}&f_path={r['path']}" if r.get("warnings") else None),
    Column("media", "Media item", "(SELECT 1 FROM media_item mi WHERE mi.sha256 = s.sha256)", filterable=False),
    Column("mtime", "Modified (on the evidence)", "s.mtime"),
), default_sort="exhibit", from_sql="FROM source_file s", tie_break="s.path")

WARNINGS = Table("warnings", "Warnings", (
    Column("exhibit", "Exhibit", "w.exhibit_id"),
    Column("path", "File", "w.path"),
    Column("location", "Where", "w.location"),
    Column("stage", "Stage", "w.stage"),
    Column("message", "Warning", "w.message"),
    Column("at", "Recorded", "w.at"),
), default_sort="exhibit", from_sql="FROM warning w", tie_break="w.path, w.id")

AUDIT = Table("audit", "Audit log", (
    Column("seq", "#", "a.seq", numeric=True),
    Column("at", "Time (UTC)", "a.at"),
    Column("actor", "Who", "a.actor"),
    Column("action", "Action", "a.action"),
    Column("details", "Details", "a.details"),
), default_sort="seq", default_desc=True, from_sql="FROM audit_event a")



def _words(column: str, words: dict[str, str]) -> str:
    """SQL naming a code in English words (the codes and words are the code's own, not user text)."""
    cases = " ".join(f"WHEN '{code}' THEN '{word}'" for code, word in words.items())
    return f"(CASE {column} {cases} ELSE {column} END)"


# Deleted message rows carved from message stores (report/recovered.py): their own table, every
# row says "recovered"; person and group are resolved per page (not sortable or filterable).
RECOVERED = Table("recovered", "Recovered deleted messages", (
    Column("state", "Recovered as", _words("r.state", RECOVERED_STATES)),
    Column("time", "Time (UTC)", "r.time"),
    Column("group", "Group", link=_group("group"), filterable=False),
    Column("chat", "Chat JID", "r.chat"),
    Column("person", "Person", link=_person("person"), filterable=False),
    Column("sender", "Sender JID", "r.sender"),
    Column("from_me", "Sent by the device owner", from_me_words()),
    Column("text", "Text (as recovered)", "r.text"),
    Column("exhibit", "Exhibit", "r.exhibit_id"),
    Column("path", "File", "s.path"),
    Column("area", "Found in", _words("r.area", RECOVERED_AREAS)),
    Column("page", "Page", "r.page", numeric=True, filterable=False),
    Column("offset", "Offset", "r.offset", numeric=True, filterable=False),
    Column("wal_frame", "WAL frame", "r.wal_frame", numeric=True, filterable=False),
    Column("rowid", "Row id", "r.row_id", numeric=True, filterable=False),
), default_sort="exhibit", from_sql=WEB_FROM, tie_break="s.path, r.page, r.offset, r.id", enrich=enrich_web)

TABLES = {t.name: t for t in (PERSONS, GROUPS, MEDIA, EVIDENCE, WARNINGS, AUDIT, RECOVERED)}
