"""What every report reads: the ``tantalio.case/1`` document plus read-only lookups in the store.

Reports never write to the store. Persons and groups are read from the case's one
set of figures (:mod:`tantalio.report.figures`); media from the case document (``tantalio.export``),
or derived here from the analysis tables when its media section is still empty, so a report of a
half-analysed case still says what is known instead of showing nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tantalio import __version__
from tantalio.export import case_sections
from tantalio.network import sightings
from tantalio.report.figures import CaseFigures, case_figures
from tantalio.report.recovered import RecoveredRecords
from tantalio.store.sqlite import CaseStore, current_actor

SYNTHETIC_BANNER = "SYNTHETIC DEMO DATA"


@dataclass(frozen=True, slots=True)
class EvidenceRef:
    """Where one fact was read: exhibit, file inside it, line or row, and the file's SHA-256."""

    exhibit: str | None
    path: str | None
    location: str | None
    file_sha256: str | None
    media_sha256: str | None = None
    chat: str | None = None


@dataclass(frozen=True, slots=True)
class ExhibitLine:
    """An exhibit: the device, who it was seized from, where and when it was registered."""

    id: str
    description: str | None
    seized_from: str | None        # person label
    owner_phone: str | None
    country: str | None
    registered: str | None
    timezone: str | None
    files: int
    owner_basis: str | None = None  # why that person is the owner: "--owner …" or the account the evidence names


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What every page of one report run states about itself."""

    lang: str
    generated: str            # ISO UTC; SOURCE_DATE_EPOCH fixes it for reproducible output
    tool_version: str
    analyst: str
    case_reference: str


def report_context(store: CaseStore, lang: str = "en", analyst: str | None = None,
                   generated: datetime | None = None) -> ReportContext:
    """The run's context: ``generated`` defaults to ``SOURCE_DATE_EPOCH`` (reproducible builds)
    when set, else now; ``analyst`` to the user running the command (``TANTALIO_USER``)."""
    if generated is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
        generated = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    reference = store.meta("reference") or store.meta("name") or store.folder.name
    return ReportContext(lang, generated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), __version__,
                         analyst or current_actor(), reference)


class CaseView:
    """Read-only access to one case for report building (one instance per report run)."""

    def __init__(self, store: CaseStore, context: ReportContext | None = None) -> None:
        self.store = store
        self.conn: sqlite3.Connection = store.conn
        self.context = context or report_context(store)
        self.figures: CaseFigures = case_figures(self.conn)
        self.synthetic = store.meta("synthetic") == "1"
        self.problems: list[str] = []   # damaged analysis values met while reading
        self.case_name = store.meta("name") or store.folder.name
        self.person_ids = {label: pid for pid, label in self.conn.execute("SELECT id, label FROM person")}
        self.person_labels = {pid: label for label, pid in self.person_ids.items()}
        self.chat_labels = {cid: label for cid, label in self.conn.execute("SELECT id, label FROM chat")}
        self.chat_ids = {label: cid for cid, label in self.chat_labels.items()}
        self.persons = self.figures.persons
        self.groups = self.figures.groups
        # the media section of the case document (the only part reports take from it)
        media = list(case_sections(store)["media"]()) or self._media_from_tables()
        self.media: dict[str, dict[str, Any]] = {m["sha256"]: m for m in media}
        self._exhibits: dict[str, ExhibitLine] = {}
        self.recovered = RecoveredRecords(self.conn)   # carved deleted rows: apart from every figure

    # -- lookups -------------------------------------------------------------------------------
    def has_table(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() \
            is not None

    def person_label(self, person_id: int | None) -> str | None:
        return None if person_id is None else self.person_labels.get(person_id, f"P-{person_id}")

    def chat_label(self, chat_id: int | None) -> str | None:
        return None if chat_id is None else self.chat_labels.get(chat_id, f"chat-{chat_id}")

    def group_name(self, label: str | None) -> str:
        """The latest name a group was seen with (its label when it never had one)."""
        group = self.groups.get(label or "")
        return group.name if group else (label or "")

    def exhibit(self, exhibit_id: str) -> ExhibitLine:
        """An exhibit described: device, seized from (person), country, registration, files."""
        if exhibit_id not in self._exhibits:
            # the owner as analysis resolved them (--owner, or the account the evidence names)
            row = self.conn.execute(
                "SELECT e.description, coalesce(e.owner_phone, (SELECT i.normalized FROM device_account d "
                "JOIN identifier i ON i.id = d.identifier_id WHERE d.exhibit_id = e.id AND i.kind = 'phone' "
                "AND i.person_id = o.person_id ORDER BY i.normalized LIMIT 1)), e.country, e.registered_at, e.timezone, "
                "(SELECT count(*) FROM source_file f WHERE f.exhibit_id = e.id), o.person_id, o.basis "
                "FROM exhibit e LEFT JOIN exhibit_owner o ON o.exhibit_id = e.id WHERE e.id=?", (exhibit_id,)).fetchone()
            if row is None:
                self._exhibits[exhibit_id] = ExhibitLine(exhibit_id, None, None, None, None, None, None, 0)
            else:
                desc, phone, cc, registered, tz, files, owner, basis = row
                self._exhibits[exhibit_id] = ExhibitLine(exhibit_id, desc, self.person_label(owner), phone, cc,
                                                         registered, tz, files, basis)
        return self._exhibits[exhibit_id]

    def message_ref(self, message_id: int) -> EvidenceRef | None:
        row = self.conn.execute(
            "SELECT m.exhibit_id, f.path, m.location, f.sha256 FROM message m "
            "JOIN source_file f ON f.id = m.source_file_id WHERE m.id=?", (message_id,)).fetchone()
        return EvidenceRef(*row) if row else None

    def membership_event_ref(self, event_id: int) -> EvidenceRef | None:
        row = self.conn.execute(
            "SELECT e.exhibit_id, f.path, e.location, f.sha256 FROM membership_event e "
            "JOIN source_file f ON f.id = e.source_file_id WHERE e.id=?", (event_id,)).fetchone()
        return EvidenceRef(*row) if row else None

    def file_sha256(self, exhibit: str | None, path: str | None) -> str | None:
        if not exhibit or not path:
            return None
        row = self.conn.execute("SELECT sha256 FROM source_file WHERE exhibit_id=? AND path=?",
                                (exhibit, path)).fetchone()
        return row[0] if row else None

    def json_list(self, text: str | None, where: str) -> list[Any]:
        """A JSON list column (evidence, sources, message ids). A damaged value costs that value
        and is named in the report's problems section rather than passing as "no evidence"."""
        if not text:
            return []
        try:
            value = json.loads(text)
        except ValueError:
            self.problems.append(f"{where}: not valid JSON")
            return []
        if not isinstance(value, list):
            self.problems.append(f"{where}: expected a JSON list")
            return []
        return value

    def categorisations(self) -> list[dict[str, Any]]:
        """Analysts' categorisations (web UI, migration 0003); empty when that table is absent."""
        if not self.has_table("categorisation"):
            return []
        rows = self.conn.execute(
            "SELECT sha256, category, scheme, user, at FROM categorisation ORDER BY sha256, at, rowid").fetchall()
        return [dict(zip(("sha256", "category", "scheme", "user", "at"), r, strict=True)) for r in rows]

    # -- fallbacks with the case-document shapes -------------------------------------------------
    def _media_from_tables(self) -> list[dict[str, Any]]:
        c = self.conn
        first = {sha: (s.person_id, s.chat_id, s.time) for sha, s in sightings.of_items(c).items()}
        posts = dict(c.execute("SELECT sha256, count(*) FROM post WHERE sha256 IS NOT NULL GROUP BY sha256").fetchall())
        instances = dict(c.execute("SELECT sha256, count(*) FROM media_instance GROUP BY sha256").fetchall())
        matches: dict[str, dict[str, Any]] = {}
        for sha, lst, algo, dist in c.execute(
                "SELECT m.sha256, l.name, m.algorithm, m.distance FROM match m JOIN hash_entry e ON e.id = m.entry_id "
                "JOIN hash_list l ON l.id = e.list_id ORDER BY m.distance, l.name DESC"):
            matches[sha] = {"list": lst, "algorithm": algo, "distance": dist}
        out = []
        for sha, md5, pdq, status, cat, make, model, serial, lat, lon in c.execute(
                "SELECT sha256, md5, pdq, status, category, exif_make, exif_model, exif_serial, gps_lat, gps_lon "
                "FROM media_item ORDER BY sha256"):
            fs = first.get(sha)
            exif = None
            if make or model or serial or lat is not None:
                exif = {"make": make, "model": model, "serial": serial,
                        "gps": [lat, lon] if lat is not None and lon is not None else None}
            out.append({"sha256": sha, "md5": md5, "pdq": pdq, "status": status, "category": cat,
                        "match": matches.get(sha),
                        "first_seen": {"person": self.person_label(fs[0]), "group": self.chat_label(fs[1]),
                                       "time": fs[2]} if fs else None,
                        "posts": posts.get(sha, 0), "instances": instances.get(sha, 0), "exif": exif})
        return out


