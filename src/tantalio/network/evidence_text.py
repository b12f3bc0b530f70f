"""The sentences network analysis writes as evidence, each under a stable message code.

Every role-evidence item in ``person_role.evidence`` carries ``code`` and ``params`` beside its
English ``text`` (``{"code": "admin.granted", "params": {"time": "2017-02-05T19:39:42Z"},
"text": "granted admin at 2017-02-05T19:39:42Z"}``). The English text stays for the case export
and older readers; reports in another language translate the sentence by its code through the
message catalogue (:mod:`tantalio.report.i18n` extracts the ``N_`` strings below) and fill in the
parameters, which are quoted as recorded: times, group labels, exhibit ids, camera names and
serials are evidence, not words. First-sighting notes (``first_sighting.note``) are the
``origin.*`` sentences.

A parameter is a number, a string, None (shown ``?``), a list of strings (joined with ``, ``), or
a part (``{"code", "params"}``) or list of parts (rendered and joined with ``; ``) for sentences
built from pieces (a camera original's supporting notes). Codes are never reused for another
meaning: a changed sentence keeps its code only if it still says the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark for extraction"
    return message


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str                                   # English, with %(name)s placeholders
    decimals: tuple[tuple[str, int], ...] = ()  # float parameters and the digits shown


SENTENCES: dict[str, Sentence] = {
    # administrator (network/roles/administration.py)
    "admin.created": Sentence(N_("created the group")),
    "admin.created_at": Sentence(N_("created the group at %(time)s")),
    "admin.granted": Sentence(N_("granted admin at %(time)s")),
    "admin.granted_until_revoked": Sentence(N_("granted admin at %(time)s, until revoked at %(revoked)s")),
    "admin.listed_admin": Sentence(N_("listed as group admin by the group database")),
    "admin.listed_creator": Sentence(N_("listed as group creator by the group database")),
    "admin.listed": Sentence(N_("listed as group %(rank)s by the group database")),
    "admin.removed_member": Sentence(N_("removed a member at %(time)s (only admins can remove members)")),
    "admin.added_members": Sentence(N_("added %(members)s member(s) while known to be an admin of that group")),
    # bridge (network/roles/brokerage.py)
    "bridge.sole_link": Sentence(N_("one of %(members)s member(s) linking communities %(a)s and %(b)s,"
                                    " which nothing else connects")),
    "bridge.spread": Sentence(N_("member of %(groups)s groups spread over %(communities)s communities"
                                 " (participation coefficient %(participation)s)"), (("participation", 2),)),
    "bridge.key_player": Sentence(N_("key-player rank %(rank)s (removal fragments the network)")),
    "bridge.betweenness": Sentence(N_("betweenness %(betweenness)s"), (("betweenness", 1),)),
    "bridge.key_player_betweenness": Sentence(
        N_("key-player rank %(rank)s (removal fragments the network); betweenness %(betweenness)s"),
        (("betweenness", 1),)),
    # distributor (network/roles/distribution.py)
    "distributor.moved": Sentence(N_(
        "moved %(families)s families of material into %(groups)s groups (%(labels)s): %(reposted)s re-posted after"
        " someone else introduced them, %(imported)s first brought into the network from outside it (known to a"
        " hash list, or already forwarded when first seen)")),
    "distributor.latency": Sentence(N_("median re-post latency %(hours)s h over %(reposts)s re-posts"
                                       " (propagation edges)"), (("hours", 1),)),
    "distributor.downstream": Sentence(N_("%(posts)s later posts by others descend from their posts"
                                          " (propagation edges)")),
    # producer and suspected producer (network/roles/production.py)
    "producer.camera_original": Sentence(N_(
        "camera original of unknown material on the person's own exhibit, taken %(taken)s (%(taken_from)s),"
        " before its first post; %(reasons)s")),
    "producer.camera_original_known": Sentence(N_(
        "camera original of KNOWN material on the person's own exhibit, taken %(taken)s (%(taken_from)s),"
        " before its first post; %(reasons)s")),
    "producer.camera_original_known_series": Sentence(N_(
        "camera original of KNOWN material (series %(series)s) on the person's own exhibit, taken %(taken)s"
        " (%(taken_from)s), before its first post; %(reasons)s")),
    "camera.taken_exif": Sentence(N_("EXIF capture time")),
    "camera.taken_file_time": Sentence(N_("file time")),
    "camera.exif": Sentence(N_("camera EXIF %(camera)s")),
    "camera.folder": Sentence(N_("in the camera folder")),
    "camera.serial": Sentence(N_("body serial %(serial)s")),
    "camera.serial_on_exhibits": Sentence(N_("the same camera serial on %(exhibits)s exhibits")),
    "camera.owner_first_poster": Sentence(N_("the owner is the material's observed first poster")),
    "suspected_producer.first_observed": Sentence(N_(
        "earliest observed poster of unknown material (its record says not forwarded) at %(time)s")),
    "suspected_producer.importer": Sentence(N_(
        "importer pattern: first posted %(families)s unknown families, but no camera original of any is on their"
        " seized exhibit(s) %(exhibits)s: material new to the network, not shown to be self-produced")),
    # consumer (network/roles/__init__.py)
    "consumer.member": Sentence(N_("member of %(groups)s group(s); %(posts)s image/video post(s), %(messages)s"
                                   " messages; no other role")),
    # first-sighting notes (network/attribution.py)
    "origin.observed": Sentence(N_("earliest copy seen, and its record says it was not forwarded")),
    "origin.forwarded": Sentence(N_("origin not observed: the earliest copy seen was already forwarded;"
                                    " its poster is the first observed, not the origin")),
    "origin.undetermined": Sentence(N_("origin undetermined: the earliest copy seen comes from a recording that"
                                       " does not say whether it was forwarded (e.g. a chat export)")),
}

Gettext = Callable[[str], str]
Number = Callable[[float, int], str]


def english_number(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}" if decimals else str(value)


def render(code: str, params: Mapping[str, Any], gettext: Gettext = N_, number: Number = english_number) -> str:
    """The sentence ``code`` with ``params`` filled in, in the language ``gettext`` translates to.
    Raises KeyError for a code or parameter this version does not know (callers then show the
    recorded text)."""
    sentence = SENTENCES[code]
    digits = dict(sentence.decimals)
    values = {name: _value(value, digits.get(name), gettext, number) for name, value in params.items()}
    return gettext(sentence.text) % values


def _value(value: Any, digits: int | None, gettext: Gettext, number: Number) -> str:
    if value is None:
        return "?"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return number(value, 0)
    if isinstance(value, float):
        return number(value, 2 if digits is None else digits)
    if isinstance(value, dict):
        return render(value["code"], value.get("params") or {}, gettext, number)
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, dict) for v in value):
            return "; ".join(_value(v, None, gettext, number) for v in value)
        return ", ".join(str(v) for v in value)
    return str(value)


def part(code: str, **params: Any) -> dict[str, Any]:
    """A piece of a sentence, as a parameter of another (see the module doc)."""
    return {"code": code, "params": params}


def evidence(code: str, **params: Any) -> dict[str, Any]:
    """An evidence item: its code, parameters and English text (add exhibit, chat, … to it)."""
    return {"code": code, "params": params, "text": render(code, params)}
