"""The observation model: whose phones are seized, what kind of evidence each yields, and what
part of the operation each phone can see (only from the owner's join time, or a reinstall)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .config import DemoConfig
from .locales import locale_for
from .people import TIMEZONES, Person, address_book_name
from .scenario import MembershipEvent, Operation, Post

KIND_CYCLE = ("android_extraction", "ios_export", "android_extraction", "android_export", "ios_export",
              "android_extraction", "android_export")
CREATION_NOTICE = timedelta(hours=1)
LATAM = ("AR", "MX", "CO", "PE", "CL", "BO", "EC", "UY", "VE", "CR")


@dataclass
class Exhibit:
    id: str
    owner: Person
    kind: str  # android_extraction | android_export | ios_export
    schema: str | None  # current | legacy | transitional (android_extraction only)
    locale: str
    timezone: str
    dcim: bool = False
    history_start: datetime | None = None  # reinstall: nothing older survives on the phone
    contacts: dict[str, str] = field(default_factory=dict)  # person id -> address-book name
    media_omitted: bool = False  # exports made "without media"
    camera_roll: bool = False  # the owner's own photos, never posted, in DCIM (variant)

    @property
    def path(self) -> str:
        return f"evidence/{self.id}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, when: datetime) -> datetime:
        return when.astimezone(self.zone)

    def description(self) -> str:
        kinds = {"android_extraction": "Android phone, file-system extraction",
                 "android_export": "Android phone, WhatsApp chat exports", "ios_export": "iPhone, WhatsApp chat exports"}
        extra = f" ({self.schema} msgstore schema)" if self.schema and self.schema != "current" else ""
        camera = " + camera roll" if self.dcim else ""
        return f"{kinds[self.kind]}{extra}{camera}, seized from {self.owner.full_name} ({self.owner.country})"


def _activity(op: Operation) -> dict[str, float]:
    score = {pid: 0.5 for pid in op.persons}
    for post in op.posts:
        score[post.sender] += 2.0 if post.media else 0.5
    for group in op.groups.values():
        for pid in group.spells:
            score[pid] += 3.0
        for pid in group.admins:
            score[pid] += 4.0
    return score


def choose_exhibits(op: Operation, config: DemoConfig, rng: random.Random) -> list[Exhibit]:
    count = min(config.exhibits, len(op.persons))
    producers = sorted(p.id for p in op.persons.values() if "producer" in p.roles)
    # One producer stays unseized in larger cases: their material has no device-original evidence.
    seized = producers[:-1] if len(producers) >= 3 and count > len(producers) + 3 else producers
    seized = seized[:count]
    score = _activity(op)
    rest = [pid for pid in sorted(op.persons) if pid not in seized and pid not in producers]
    while len(seized) < count and rest:
        pick = rng.choices(rest, [score[pid] for pid in rest])[0]
        rest.remove(pick)
        seized.append(pick)
    exhibits: list[Exhibit] = []
    legacy_left, transitional_left = config.legacy_android, config.transitional_android
    cycle = 0
    export_only = export_only_groups(op, config, rng)
    for index, pid in enumerate(seized):
        owner = op.persons[pid]
        dcim = "producer" in owner.roles
        in_export_only = any(pid in op.groups[g].spells for g in export_only)
        if dcim:
            kind = "android_export" if in_export_only or (pid == producers[min(1, len(producers) - 1)]
                                                          and len(producers) > 1) else "android_extraction"
        elif in_export_only:
            kind = ("ios_export", "android_export")[cycle % 2]
            cycle += 1
        else:
            kind = KIND_CYCLE[cycle % len(KIND_CYCLE)]
            cycle += 1
        schema = None
        if kind == "android_extraction":
            schema = "current"
            if not dcim and legacy_left:
                schema, legacy_left = "legacy", legacy_left - 1
            elif not dcim and transitional_left:
                schema, transitional_left = "transitional", transitional_left - 1
        exhibit = Exhibit(id=f"EX-{index + 1:02d}", owner=owner, kind=kind, schema=schema,
                          locale=locale_for(owner.country), timezone=TIMEZONES[owner.country], dcim=dcim)
        exhibits.append(exhibit)
    _vary_locales(exhibits)
    for exhibit in exhibits:
        if exhibit.kind != "android_extraction" and rng.random() < 0.3:
            exhibit.media_omitted = True
        if exhibit.kind == "android_extraction" and not exhibit.dcim and count >= 10 and rng.random() < 0.12:
            exhibit.history_start = config.seized - timedelta(days=rng.randint(30, 75))
        if exhibit.kind == "android_extraction" and not exhibit.dcim and config.camera_rolls:
            exhibit.camera_roll = rng.random() < config.camera_rolls
        exhibit.contacts = _address_book(op, exhibit.owner, rng)
    # every case with a chat export holds one made without media (a common choice, and a
    # recording whose posts cannot be told apart by content)
    exports = [e for e in exhibits if e.kind != "android_extraction" and not e.dcim]
    if exports and not any(e.media_omitted for e in exports):
        exports[-1].media_omitted = True
    return exhibits


def export_only_groups(op: Operation, config: DemoConfig, rng: random.Random) -> list[str]:
    """Groups (variant) whose seized members all hold chat exports: no database records them."""
    if config.export_only_groups <= 0:
        return []
    return sorted(rng.sample(sorted(op.groups), min(config.export_only_groups, len(op.groups))))


def _vary_locales(exhibits: list[Exhibit]) -> None:
    """Phones are not always set to the owner's language: make sure US and UK English occur."""
    exports = [e for e in exhibits if e.kind != "android_extraction"]
    latam = [e for e in exports if e.owner.country in LATAM and e.owner.country != "MX"]
    europe = [e for e in exports if e.owner.country in ("ES", "PT")]
    if len(exports) >= 4 and latam:
        latam[-1].locale = "en_US"
    if len(exports) >= 4 and europe and not any(e.locale == "en_GB" for e in exports):
        europe[-1].locale = "en_GB"


def _address_book(op: Operation, owner: Person, rng: random.Random) -> dict[str, str]:
    known: dict[str, str] = {}
    peers: set[str] = set()
    admins: set[str] = set()
    for group in op.groups.values():
        if owner.id in group.spells:
            peers.update(group.spells)
            admins.update(group.admins)
    for pid in sorted(peers - {owner.id}):
        person = op.persons[pid]
        chance = 0.8 if pid in admins else (0.6 if person.cluster == owner.cluster else 0.25)
        if rng.random() < chance:
            known[pid] = address_book_name(owner, person, rng)
    return known


@dataclass
class View:
    """What one phone holds: per group, the visible posts and membership events."""

    posts: list[Post]
    events: list[MembershipEvent]
    groups: list[str]


def visible(op: Operation, exhibit: Exhibit, seized: datetime) -> View:
    posts: list[Post] = []
    events: list[MembershipEvent] = []
    groups: list[str] = []
    owner = exhibit.owner.id
    for gid in sorted(op.groups):
        group = op.groups[gid]
        spell = group.spells.get(owner)
        if spell is None:
            continue
        lo = max(spell.start, exhibit.history_start or spell.start)
        hi = min(spell.end or seized, seized)
        if hi <= lo:
            continue
        groups.append(gid)
        posts.extend(p for p in op.posts if p.group == gid and lo <= p.time < hi)
        events.extend(e for e in group.events if lo <= e.time <= hi)
        # members added when the group was set up are shown its creation ("Pepe created group …")
        if lo > group.created and spell.start - group.created <= CREATION_NOTICE and lo == spell.start:
            events.extend(e for e in group.events if e.kind == "created")
    posts.sort(key=lambda p: p.seq)
    events.sort(key=lambda e: (e.time, e.seq))
    return View(posts, events, groups)


MEDIA_NAMING = {"image": ("IMG", "jpg"), "audio": ("PTT", "opus"), "sticker": ("STK", "webp")}


def android_media_names(exhibit: Exhibit, posts: list[Post], op: Operation | None = None) -> dict[int, str]:
    """`IMG-YYYYMMDD-WA####.jpg` (voice notes `PTT-…opus`, stickers `STK-…webp`): the counter restarts
    every (device-local) day. A document keeps the name it was sent with."""
    counters: dict[str, int] = {}
    names: dict[int, str] = {}
    for post in posts:
        if post.media is None:
            continue
        file = op.files.get(post.media) if op is not None else None
        if file is not None and file.kind == "document" and file.name:
            names[post.seq] = file.name
            continue
        prefix, ext = MEDIA_NAMING.get(file.kind if file is not None else "image", ("IMG", "jpg"))
        day = exhibit.local(post.time).strftime("%Y%m%d")
        number = counters.get(prefix + day, 0)
        counters[prefix + day] = number + 1
        names[post.seq] = f"{prefix}-{day}-WA{number:04d}.{ext}"
    return names
