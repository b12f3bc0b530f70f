"""Aligning one conversation as two devices recorded it.

Two exhibits that hold the same group hold many of the same messages: the same text or the
same media file, in the same order, at nearly the same time. "Nearly", because a .txt export
keeps minutes only, because device-local times were converted with the exhibit's timezone
(which may be wrong), and because phone clocks drift. So the constant offset between the two
recordings is estimated first from distinctive messages, and then messages are paired within a
tolerance around it, keeping only pairs in the same order on both sides.

Matched pairs are the evidence for linking device-specific sender labels to one person
(:mod:`tantalio.network.identities`) and for recognising an export without a group JID as a
group already known from a database (:mod:`tantalio.network.groups`).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from tantalio.identity import clean_label

TOLERANCE_S = 90.0          # a .txt export truncates to the minute; allow a little drift beyond
MAX_SKEW_S = 26 * 3600.0    # wrong timezone (up to ±14 h) plus a badly set clock
MEDIA = "media"             # media without a recorded hash: matches any media on the other side


def epoch(text: str | None) -> float | None:
    """Seconds since 1970 for a stored ISO UTC time, None when absent or unreadable."""
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def iso_s(seconds: float | None) -> str | None:
    """Stored/exported form of a time: ISO 8601 UTC, whole seconds, with a Z."""
    if seconds is None:
        return None
    dt = datetime.fromtimestamp(int(seconds), UTC)
    if dt.year >= 1000:                 # isoformat is ~3× faster; strftime keeps glibc's unpadded years
        return dt.isoformat()[:19] + "Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def int_list_json(values: list[int]) -> str:
    """``json.dumps`` of a list of ints, without the encoder's per-call overhead (millions of rows)."""
    return "[" + ", ".join(map(str, values)) + "]"


def content_key(text: str | None, kind: str, sha256: str | None) -> str | None:
    """What two recordings of the same message have in common, or None if nothing reliable.

    Media counts by its hash when the app recorded one; otherwise only as "some media" (a .txt
    export writes a locale-specific "<image omitted>"). System lines are not content: their
    wording differs per device language, so membership events are aligned separately."""
    if sha256:
        return "sha:" + sha256.lower()
    if kind in ("media", "sticker"):
        return MEDIA
    if kind in ("system", "system_unknown", "deleted", "call"):
        return None
    words = clean_label(text or "").casefold()
    return "t:" + words if words else None


@dataclass(frozen=True, slots=True)
class Entry:
    """One message or event of one recording: its row id, time (epoch s), content key and the
    identifiers it names (sender; or subject and actor for an event)."""

    row: int
    t: float
    key: str
    who: tuple[int | None, ...] = ()


@dataclass(frozen=True, slots=True)
class Alignment:
    offset: float                    # add to a's times to get b's clock
    pairs: list[tuple[Entry, Entry]]

    @property
    def strong(self) -> int:
        """Pairs matched on a text or a hash, not merely "some media" at that time."""
        return sum(1 for x, y in self.pairs if x.key != MEDIA and y.key != MEDIA)


def _is_media(key: str) -> bool:
    return key == MEDIA or key.startswith("sha:")


def estimate_offset(a: list[Entry], b: list[Entry], max_skew: float = MAX_SKEW_S) -> tuple[float, int]:
    """The most common time difference b − a among distinctive shared messages, and its support.

    Only keys that occur at most three times on each side vote, so "ok" and "👍" do not drown
    the signal; differences are binned by minute (exports truncate to minutes)."""
    by_key_a: dict[str, list[float]] = defaultdict(list)
    by_key_b: dict[str, list[float]] = defaultdict(list)
    for e in a:
        if e.key != MEDIA:
            by_key_a[e.key].append(e.t)
    for e in b:
        if e.key != MEDIA:
            by_key_b[e.key].append(e.t)
    votes: Counter[int] = Counter()
    diffs: dict[int, list[float]] = defaultdict(list)
    for key, times_a in by_key_a.items():
        times_b = by_key_b.get(key)
        if not times_b or len(times_a) > 3 or len(times_b) > 3:
            continue
        for ta in times_a:
            for tb in times_b:
                d = tb - ta
                if abs(d) <= max_skew:
                    slot = round(d / 60.0)
                    votes[slot] += 1
                    diffs[slot].append(d)
    if not votes:
        return 0.0, 0
    best = max(votes.items(), key=lambda kv: (kv[1] + votes.get(kv[0] - 1, 0) + votes.get(kv[0] + 1, 0),
                                              -abs(kv[0])))[0]
    near = sorted(diffs[best - 1] + diffs[best] + diffs[best + 1])
    support = len(near)
    return near[len(near) // 2], support


def align(a: list[Entry], b: list[Entry], tolerance: float = TOLERANCE_S,
          offset: float | None = None) -> Alignment:
    """Pair entries of two recordings of one conversation (both sorted or not)."""
    a = sorted(a, key=lambda e: (e.t, e.row))
    b = sorted(b, key=lambda e: (e.t, e.row))
    if offset is None:
        offset, _ = estimate_offset(a, b)
    index: dict[str, list[tuple[float, int]]] = defaultdict(list)
    media_index: list[tuple[float, int]] = []
    for j, e in enumerate(b):
        index[e.key].append((e.t, j))
        if _is_media(e.key):
            media_index.append((e.t, j))
    used: set[int] = set()
    matched: list[tuple[int, int]] = []
    for i, e in enumerate(a):
        if e.key == MEDIA:
            pools = [media_index]
        elif e.key.startswith("sha:"):
            pools = [index.get(e.key, []), index.get(MEDIA, [])]
        else:
            pools = [index.get(e.key, [])]
        want = e.t + offset
        best: tuple[float, int] | None = None
        for pool in pools:
            lo = bisect.bisect_left(pool, (want - tolerance, -1))
            for k in range(lo, len(pool)):
                tb, j = pool[k]
                if tb > want + tolerance:
                    break
                if j in used:
                    continue
                gap = abs(tb - want)
                if best is None or gap < best[0]:
                    best = (gap, j)
        if best is not None:
            used.add(best[1])
            matched.append((i, best[1]))
    keep = _same_order(matched)
    return Alignment(offset, [(a[i], b[j]) for i, j in keep])


def _same_order(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of pairs increasing on both sides (messages keep their order)."""
    if not pairs:
        return []
    tails: list[int] = []      # b index ending the best chain of each length
    tail_at: list[int] = []    # position in pairs of that chain's end
    back = [-1] * len(pairs)
    for pos, (_, j) in enumerate(pairs):
        n = bisect.bisect_left(tails, j)
        if n == len(tails):
            tails.append(j)
            tail_at.append(pos)
        else:
            tails[n] = j
            tail_at[n] = pos
        back[pos] = tail_at[n - 1] if n > 0 else -1
    chain = []
    pos = tail_at[-1]
    while pos != -1:
        chain.append(pairs[pos])
        pos = back[pos]
    return chain[::-1]
