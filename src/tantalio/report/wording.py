"""The words reports use for the case's codes (roles, membership events, name sources, media
statuses, origins, priority terms) and the glossary, marked for translation.

Codes stay codes in JSON; HTML and PDF show these words in the report's language. A code with no
entry here (a role or event kind added later) is shown as recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tantalio.network.attribution import ORIGIN_NOTE_CODES, ORIGIN_NOTES
from tantalio.network.evidence_text import render
from tantalio.report.i18n import N_, Translator

ROLES = {
    "producer": N_("producer"),
    "suspected_producer": N_("suspected producer"),
    "distributor": N_("distributor"),
    "administrator": N_("administrator"),
    "bridge": N_("bridge"),
    "consumer": N_("consumer"),
}

# What each role means and what evidence analysis needs before it assigns it (NETWORK.md, roles).
ROLE_GLOSSARY = {
    "producer": (
        N_("Made material that was not known before."),
        N_("An original camera file (EXIF camera serial, camera folder) on a device seized from the person, of "
           "material no hash list knows, that the person was the first in the network to post.")),
    "suspected_producer": (
        N_("May have made material that was not known before; the evidence is weaker than for a producer."),
        N_("The person was the first in the network to post material no hash list knows, and that first copy "
           "was observed as sent by them, not forwarded; no camera original was found.")),
    "distributor": (
        N_("Spreads material through the network."),
        N_("Re-posts of material into several groups, with others re-posting it after them.")),
    "administrator": (
        N_("Runs groups: creates them, admits and removes members."),
        N_("Group creation, admin rights granted to the person, or members added and removed by them, as the "
           "devices recorded these events.")),
    "bridge": (
        N_("Connects otherwise separate parts of the network."),
        N_("Membership of groups that belong to different communities of the network, or people added by them "
           "into groups of another community.")),
    "consumer": (
        N_("Member of groups where material is shared, with little or no posting of their own."),
        N_("Membership of at least one group (joined, added or seen as a member), with few or no posts.")),
}

EVENTS = {
    "created": N_("created"),
    "added": N_("added"),
    "joined_link": N_("joined by invite link"),
    "joined": N_("joined"),
    "left": N_("left"),
    "removed": N_("removed"),
    "admin_granted": N_("made admin"),
    "admin_revoked": N_("admin rights removed"),
    "subject_changed": N_("renamed the group"),
}

NAME_KINDS = {
    "address_book": N_("address book"),
    "push_name": N_("name set by the user"),
    "export_label": N_("label in a chat export"),
    "display_name": N_("displayed name"),
    "username": N_("username"),
}

STATUSES = {"known": N_("known"), "unknown": N_("unknown"), "ignorable": N_("ignorable")}

ORIGINS = {
    "observed": N_("observed (first copy not forwarded)"),
    "forwarded": N_("forwarded (came from outside)"),
    "undetermined": N_("undetermined (forward state not recorded)"),
}

# Deleted message rows carved from a message store (report/recovered.py): what they are, and
# where in the database file they were found.
RECOVERED_STATES = {
    "deleted": N_("recovered, deleted"),
    "old_version": N_("recovered, old version"),
}
RECOVERED_AREAS = {
    "freelist": N_("free page"),
    "freeblock": N_("free block inside a page"),
    "unallocated": N_("unallocated space inside a page"),
    "superseded": N_("old page version in the database file"),
    "wal": N_("WAL frame"),
    "wal_uncommitted": N_("uncommitted WAL frame"),
}

PRIORITY_TERMS = {
    "production": N_("production: evidence the person made new material"),
    "suspected_production": N_("suspected production: first posts of unknown material"),
    "unknown_media": N_("unknown media posted (possibly new abuse)"),
    "known_media": N_("known media posted"),
    "administration": N_("administration of groups"),
    "reach": N_("reach: groups, links between communities, key position in the network"),
}


@dataclass(frozen=True, slots=True)
class GlossaryEntry:
    role: str
    name: str
    meaning: str
    evidence: str


def _word(tr: Translator, table: dict[str, str], code: str | None) -> str:
    if code is None:
        return "-"
    return tr(table[code]) if code in table else code


def role_name(tr: Translator, role: str) -> str:
    return _word(tr, ROLES, role)


def event_kind(tr: Translator, kind: str) -> str:
    return _word(tr, EVENTS, kind)


def name_kind(tr: Translator, kind: str) -> str:
    return _word(tr, NAME_KINDS, kind)


def status_name(tr: Translator, status: str | None) -> str:
    return _word(tr, STATUSES, status)


def origin_name(tr: Translator, origin: str | None) -> str:
    return _word(tr, ORIGINS, origin)


def recovered_state(tr: Translator, state: str) -> str:
    return _word(tr, RECOVERED_STATES, state)


def recovered_area(tr: Translator, area: str) -> str:
    return _word(tr, RECOVERED_AREAS, area)


def recovered_place(tr: Translator, page: int, offset: int, wal_frame: int | None) -> str:
    """Where in the database file a recovered row lies."""
    if wal_frame is None:
        return tr("page %(page)s, offset %(offset)s", page=page, offset=offset)
    return tr("WAL frame %(frame)s, page %(page)s, offset %(offset)s", frame=wal_frame, page=page, offset=offset)


def priority_terms() -> tuple[str, ...]:
    return tuple(PRIORITY_TERMS)


def priority_term(tr: Translator, term: str) -> str:
    return _word(tr, PRIORITY_TERMS, term)


def glossary(tr: Translator) -> tuple[GlossaryEntry, ...]:
    return tuple(GlossaryEntry(role, tr(ROLES[role]), tr(meaning), tr(evidence))
                 for role, (meaning, evidence) in ROLE_GLOSSARY.items())


def evidence_sentence(tr: Translator, item: dict[str, Any]) -> str:
    """A role-evidence item in the report's language, translated by its message code
    (:mod:`tantalio.network.evidence_text`); its parameters (times, labels, names, serials) are
    quoted as recorded. An item without a code, or with one this version does not know, is shown
    as recorded."""
    code, params = item.get("code"), item.get("params")
    if isinstance(code, str) and isinstance(params, dict):
        try:
            return render(code, params, tr, tr.number)
        except (KeyError, TypeError, ValueError):
            pass
    return str(item.get("text") or "")


def origin_note(tr: Translator, origin: str | None, note: str | None) -> str | None:
    """A first sighting's note: analysis's standard note for its origin in the report's language,
    any other note as recorded."""
    if origin in ORIGIN_NOTE_CODES and note == ORIGIN_NOTES[origin]:
        return render(ORIGIN_NOTE_CODES[origin], {}, tr, tr.number)
    return note
