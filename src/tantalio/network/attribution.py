"""Who posted each media item first, and how it spread.

* A *post* is one group message carrying media, de-duplicated across the phones that recorded
  it: same group, same file, same sender, times within a tolerance after clock correction.
* A *family* is the set of files that are PDQ-near copies of each other (re-encodes,
  screenshots): media triage records it in ``media_item.family``
  (:func:`tantalio.analysis.media_stage.assign_families`, the one family clusterer).
* A post's *media kind* says what it carries (:mod:`tantalio.network.material`); only images
  and videos are material.
* The *first sighting* of a family of material is its earliest post across all exhibits and
  groups, with its
  origin in one of three states: ``observed`` (that copy's own record says not forwarded),
  ``forwarded`` (it says forwarded: the origin lies outside the seized data, and the report says
  so rather than naming its poster as the origin) or ``undetermined`` (no record of forward state:
  every .txt export, some Telegram exports). Unknown is never read as "not forwarded".
* The *propagation edge* of each later post points to the most recent earlier copy in a group
  its poster belonged to at that time (inference, stored with a confidence and alternatives).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass

from tantalio.network.align import epoch, int_list_json, iso_s
from tantalio.network.evidence_text import render
from tantalio.network.history import was_member
from tantalio.network.material import is_material, media_kind, preferred_kind

POST_TOLERANCE_S = 120.0
MAX_ALTERNATIVES = 5


ORIGIN_STATES = ("observed", "forwarded", "undetermined")
ORIGIN_NOTE_CODES = {state: f"origin.{state}" for state in ORIGIN_STATES}
"""The message code of each first-sighting note (reports translate the note by it)."""
ORIGIN_NOTES = {state: render(code, {}) for state, code in ORIGIN_NOTE_CODES.items()}


def forward_state(flag: int | None, score: int | None) -> bool | None:
    """A message's forward state from its flag and hop count; None when neither was recorded."""
    if flag is None and score is None:
        return None
    return bool(flag) or bool(score and score > 0)


def merge_forward_states(a: bool | None, b: bool | None) -> bool | None:
    """Two recordings of one message: forwarded if either says so, unknown only if both are."""
    if a is None:
        return b
    if b is None:
        return a
    return a or b


def origin_state(forwarded: bool | None) -> str:
    return "undetermined" if forwarded is None else "forwarded" if forwarded else "observed"


@dataclass(slots=True)
class Post:
    id: int
    chat: int
    person: int | None
    t: float | None
    sha256: str
    family: str
    forwarded: bool | None          # None: no recording of it says either way
    messages: list[int]
    precise: bool
    kind: str | None = None         # image | video | audio | document | sticker | None (unrecorded)


def build_posts(conn: sqlite3.Connection, offsets: dict[int, float], owner_person: dict[str, int]) -> list[Post]:
    """De-duplicated group posts carrying media with a known hash; written to ``post``."""
    rows = []
    for (mid, chat, oid, exhibit, person, from_me, time, sha, family, fwd, score, jid, message_kind, ref_mime,
         item_mime, raw) in conn.execute(
        "SELECT m.id, co.chat_id, co.id, m.exhibit_id, i.person_id, m.from_me, m.time, r.sha256,"
        " coalesce(mi.family, r.sha256), m.forwarded, m.forward_score, co.jid, m.kind, r.mime, mi.mime,"
        " CASE WHEN length(m.raw) < 80 THEN m.raw END"
        " FROM media_ref r JOIN message m ON m.id = r.message_id JOIN chat_obs co ON co.id = m.chat_obs_id"
        " LEFT JOIN identifier i ON i.id = m.sender_identifier_id LEFT JOIN media_item mi ON mi.sha256 = r.sha256"
        " WHERE co.is_group = 1 AND r.sha256 IS NOT NULL"
    ):
        if person is None and from_me:
            person = owner_person.get(exhibit)
        t = epoch(time)
        if t is not None:
            t += offsets.get(oid, 0.0)
        forwarded = forward_state(fwd, score)
        kind = media_kind({message_kind}, item_mime, {ref_mime} if ref_mime else set(), {raw} if raw else set())
        rows.append((chat, sha, t if t is not None else float("inf"), person, mid, family, forwarded, jid is not None,
                     kind))
    rows.sort(key=lambda r: (r[0], r[1], r[2], r[4]))
    posts: list[Post] = []
    for chat, sha, t, person, mid, family, forwarded, precise, kind in rows:
        last = posts[-1] if posts else None
        if (last is not None and last.chat == chat and last.sha256 == sha and last.t is not None
                and t - last.t <= POST_TOLERANCE_S
                and (person is None or last.person is None or person == last.person)
                and mid not in last.messages):
            last.messages.append(mid)
            last.forwarded = merge_forward_states(last.forwarded, forwarded)
            last.person = last.person if last.person is not None else person
            last.kind = preferred_kind(last.kind, kind)
            if precise and not last.precise:
                last.t, last.precise = t, True
            continue
        posts.append(Post(0, chat, person, None if t == float("inf") else t, sha, family, forwarded, [mid], precise,
                          kind))
    del rows                    # a million rows at full scale: free before sorting and writing
    posts.sort(key=lambda p: (p.t if p.t is not None else float("inf"), p.chat, p.sha256, p.messages[0]))
    for n, post in enumerate(posts, start=1):
        post.id = n
    conn.executemany(
        "INSERT INTO post(id, chat_id, person_id, time, sha256, family, forwarded, message_ids, media_kind)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        ((p.id, p.chat, p.person, iso_s(p.t), p.sha256, p.family, None if p.forwarded is None else int(p.forwarded),
          int_list_json(sorted(p.messages)), p.kind)
         for p in posts))
    return posts


def first_sightings(conn: sqlite3.Connection, posts: list[Post]) -> None:
    """The earliest post of each family of material (images and videos only)."""
    by_family: dict[str, Post] = {}
    for post in posts:                      # already in time order
        if post.t is not None and is_material(post.kind):
            by_family.setdefault(post.family, post)
    rows = []
    for family, post in sorted(by_family.items()):
        origin = origin_state(post.forwarded)
        rows.append((family, post.sha256, post.id, post.person, post.chat, iso_s(post.t), origin, ORIGIN_NOTES[origin]))
    conn.executemany("INSERT INTO first_sighting(family, sha256, post_id, person_id, chat_id, time, origin,"
                     " note) VALUES (?,?,?,?,?,?,?,?)", rows)


def propagation(conn: sqlite3.Connection, posts: list[Post]) -> None:
    """For each later post the most recent earlier copy in a group its poster was in then."""
    spells: dict[tuple[int, int], list[tuple[float | None, float | None]]] = defaultdict(list)
    for chat, person, start, end in conn.execute("SELECT chat_id, person_id, start, end FROM membership_spell"):
        spells[(chat, person)].append((epoch(start), epoch(end)))
    by_family: dict[str, list[Post]] = defaultdict(list)
    for post in posts:
        if post.t is not None:
            by_family[post.family].append(post)
    rows = []
    for family in sorted(by_family):
        earlier: list[Post] = []
        for post in by_family[family]:
            assert post.t is not None
            if earlier:
                seen: list[Post] = []     # most recent first; capped, the tail adds nothing
                for q in reversed(earlier):
                    if post.person is not None and q.t is not None and (
                            q.chat == post.chat or was_member(spells.get((q.chat, post.person), []), q.t)):
                        seen.append(q)
                        if len(seen) > 20:
                            break
                if seen:
                    parent = seen[0]
                    others = [q.id for q in seen[1:]][:MAX_ALTERNATIVES]
                    # one candidate: likely; several: the most recent is only the best guess
                    confidence = 0.9 if len(seen) == 1 else round(0.9 / (1 + 0.5 * (len(seen) - 1)), 3)
                    if parent.sha256 != post.sha256:
                        confidence = round(confidence * 0.8, 3)       # a re-encode in between
                else:
                    parent = earlier[-1]
                    others = [q.id for q in reversed(earlier[-1 - MAX_ALTERNATIVES:-1])]
                    confidence = 0.2        # the poster was in none of the groups where it had appeared
                rows.append((post.id, parent.id, confidence, int_list_json(others)))
            earlier.append(post)
    conn.executemany("INSERT INTO propagation_edge(post_id, parent_post_id, confidence, alternatives)"
                     " VALUES (?,?,?,?)", rows)
