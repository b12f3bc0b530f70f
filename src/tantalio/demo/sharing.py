"""Who posts what, when: texts, producers' new material, known material, cascades, purges."""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from . import images
from .config import DemoConfig
from .groups import record
from .people import CITY_COORDS, TIMEZONES, Person
from .scenario import Family, Group, MediaFile, Operation, Post

CAMERAS = (("samsung", "SM-G930F"), ("HUAWEI", "VNS-L31"), ("motorola", "Moto G (5)"),
           ("Xiaomi", "Redmi Note 4"), ("LGE", "LG-H870"), ("Sony", "G3112"), ("samsung", "SM-A520F"))
SERIES = ("Azul", "Norte", "Delta", "Kappa", "Sierra", "Orion", "Lince", "Tango", "Vega", "Rio")
TEXTS: dict[str, tuple[str, ...]] = {
    "es": ("Hola a todos", "Buenas noches", "Gracias", "👍", "Ok", "Bienvenido", "Qué tal?", "Jaja",
           "Perfecto", "Mañana más", "Alguien sabe algo?", "De acuerdo", "Buen día", "Hola\nQué tal todo?",
           "Nota: mañana no estoy - aviso"),
    "pt": ("Olá pessoal", "Boa noite", "Obrigado", "Valeu", "Beleza", "Bom dia", "Kkkk", "Certo",
           "Até amanhã", "Oi\nTudo bem?"),
    "de": ("Hallo zusammen", "Gute Nacht", "Danke", "Alles klar", "Servus", "Moin", "Bis morgen",
           "Hallo\nwie geht's?"),
    "it": ("Ciao a tutti", "Buonanotte", "Grazie", "Va bene", "Buongiorno", "A domani"),
}
LANGUAGE = {"BR": "pt", "PT": "pt", "DE": "de", "IT": "it"}


def language_of(country: str) -> str:
    return LANGUAGE.get(country, "es")


@dataclass(order=True)
class _Pending:
    time: datetime
    order: int
    post: Post


class _Sharing:
    def __init__(self, op: Operation, config: DemoConfig, rng: random.Random) -> None:
        self.op, self.config, self.rng = op, config, rng
        self.queue: list[_Pending] = []
        self.order = 0
        self.family_groups: dict[str, set[str]] = {}
        self.family_posts: dict[str, int] = {}
        self.lurkers = {p.id for p in op.persons.values() if p.roles == {"consumer"} and rng.random() < 0.45}

    # -- helpers -------------------------------------------------------------------------------
    def key_id(self) -> str:
        return "".join(self.rng.choice("0123456789ABCDEF") for _ in range(32))

    def groups_of(self, pid: str, when: datetime) -> list[Group]:
        return [g for g in self.op.groups.values() if g.is_member(pid, when)]

    def moment_in_membership(self, pid: str, earliest: datetime | None = None) -> tuple[Group, datetime] | None:
        end_of_period = self.config.end - timedelta(hours=2)
        options: list[tuple[Group, datetime, datetime]] = []
        for group in self.op.groups.values():
            spell = group.spells.get(pid)
            if spell is None:
                continue
            lo = max(spell.start + timedelta(hours=1), earliest or spell.start)
            hi = min(spell.end or end_of_period, end_of_period) - timedelta(hours=1)
            if hi > lo:
                options.append((group, lo, hi))
        if not options:
            return None
        group, lo, hi = self.rng.choice(options)
        return group, lo + timedelta(seconds=self.rng.randrange(int((hi - lo).total_seconds())))

    def add_file(self, data: bytes, family: Family, derivation: str) -> str:
        d = images.digests(data)
        if d.sha256 not in self.op.files:
            width, height = images.image_size(data)
            self.op.files[d.sha256] = MediaFile(d.sha256, d.md5, d.sha1, data, family.id, width, height, derivation)
            family.files.append(d.sha256)
        return d.sha256

    def schedule(self, post: Post) -> None:
        self.order += 1
        heapq.heappush(self.queue, _Pending(post.time, self.order, post))

    def new_family(self, origin: str, introducer: str, plain: bool) -> Family:
        """A new original picture; seeds whose PDQ quality is poor are skipped."""
        while True:
            seed = self.rng.randrange(2**31)
            data = images.plain_original(seed) if plain else b""
            if not plain:
                break
            pdq, quality = images.pdq_hex(data)
            if quality >= 60:
                break
        family = Family(id=f"F{len(self.op.families) + 1:03d}", origin=origin, introducer=introducer,
                        original=data, original_sha256="", seed=seed)
        if plain:
            family.original_sha256 = images.digests(data).sha256
            family.pdq, family.pdq_quality = pdq, quality
        self.op.families[family.id] = family
        return family

    # -- introductions -------------------------------------------------------------------------
    def produce(self, producer: Person) -> None:
        camera = images.CameraInfo(*self.rng.choice(CAMERAS), serial=self._serial())
        with_gps = self.rng.random() < 0.6
        remaining = self.config.produced_per_producer
        while remaining > 0:
            batch = min(remaining, self.rng.randint(1, 3))
            remaining -= batch
            spot = self.moment_in_membership(producer.id, self.config.start + timedelta(days=5))
            if spot is None:
                return
            group, when = spot
            taken = when - timedelta(minutes=self.rng.randint(20, 2 * 24 * 60))
            for index in range(batch):
                family = self.new_family("produced", producer.id, plain=False)
                family.camera, family.camera_owner = camera, producer.id
                family.taken = (taken + timedelta(seconds=37 * index)).replace(microsecond=0)
                if with_gps:
                    lat, lon = CITY_COORDS[producer.country]
                    family.gps = (round(lat + self.rng.uniform(-0.05, 0.05), 5),
                                  round(lon + self.rng.uniform(-0.05, 0.05), 5))
                local = family.taken.astimezone(ZoneInfo(TIMEZONES[producer.country])).replace(tzinfo=None)
                family.original = images.camera_original(family.seed, camera, local, family.gps)
                family.original_sha256 = images.digests(family.original).sha256
                family.pdq, family.pdq_quality = images.pdq_hex(family.original)
                sent = images.recompress(family.original, 640, self.rng.randint(78, 85))
                sha = self.add_file(sent, family, "recompressed")
                post_at = when + timedelta(seconds=11 * index)
                self.schedule(Post(0, self.key_id(), group.id, producer.id, post_at, media=sha))

    def _serial(self) -> str:
        return "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(11))

    def introduce_outside(self, origin: str, introducer: str, unchanged: bool, series: str | None) -> None:
        spot = self.moment_in_membership(introducer)
        if spot is None:
            return
        group, when = spot
        family = self.new_family(origin, introducer, plain=True)
        family.in_known_list = origin == "known"
        family.circulates_unchanged = unchanged
        family.series = series
        if unchanged:
            sha = self.add_file(family.original, family, "original")
        else:
            sha = self.add_file(images.recompress(family.original, 640, self.rng.randint(75, 85)), family,
                                "recompressed")
        # Known material often reaches the network already forwarded from elsewhere.
        forwarded = origin == "known" and self.rng.random() < 0.35
        score = self.rng.randint(1, 5) if forwarded else 0
        self.schedule(Post(0, self.key_id(), group.id, introducer, when, media=sha,
                           forwarded=forwarded, forward_score=score))

    # -- cascade -------------------------------------------------------------------------------
    def repost_chance(self, person: Person) -> float:
        if "low_degree_bridge" in person.confounders:
            return 0.08
        chances = {"distributor": 0.55, "bridge": 0.3, "administrator": 0.08, "producer": 0.05,
                   "consumer": 0.03}
        return max(chances[role] for role in person.roles)

    def run(self) -> None:
        cap = 6 if self.config.persons > 40 else 4
        while self.queue:
            post = heapq.heappop(self.queue).post
            family = self.op.files[post.media].family if post.media else ""
            seen = self.family_groups.setdefault(family, set())
            if post.group in seen:
                continue
            seen.add(post.group)
            self.family_posts[family] = self.family_posts.get(family, 0) + 1
            self.op.posts.append(post)
            group = self.op.groups[post.group]
            for pid in sorted(group.spells):
                if pid == post.sender or not group.is_member(pid, post.time):
                    continue
                person = self.op.persons[pid]
                if self.family_posts[family] >= cap or self.rng.random() >= self.repost_chance(person):
                    continue
                fast = "distributor" in person.roles
                delay = timedelta(minutes=2 + self.rng.expovariate(1 / (360 if fast else 2880)))
                when = (post.time + delay).replace(microsecond=0)
                targets = [g for g in self.groups_of(pid, when) if g.id not in seen]
                if when >= self.config.end or not targets:
                    continue
                target = self.rng.choice(targets)
                if self.rng.random() < 0.65:
                    self.schedule(Post(0, self.key_id(), target.id, pid, when, media=post.media,
                                       forwarded=True, forward_score=post.forward_score + 1))
                else:
                    fam = self.op.families[family]
                    data = images.recompress(self.op.files[post.media or ""].data, self.rng.choice((560, 600, 640, 720)),
                                             self.rng.randint(70, 88))
                    sha = self.add_file(data, fam, "recompressed")
                    self.schedule(Post(0, self.key_id(), target.id, pid, when, media=sha))
            # Producers often forward their own new picture into a second group.
            family_obj = self.op.families[family]
            if post.sender == family_obj.introducer and family_obj.origin == "produced" and self.rng.random() < 0.4:
                when = post.time + timedelta(minutes=self.rng.randint(10, 120))
                targets = [g for g in self.groups_of(post.sender, when) if g.id not in seen]
                if targets and when < self.config.end:
                    self.schedule(Post(0, self.key_id(), self.rng.choice(targets).id, post.sender, when,
                                       media=post.media, forwarded=True, forward_score=1))

    # -- texts and purges ----------------------------------------------------------------------
    def weight(self, person: Person) -> float:
        if person.id in self.lurkers:
            return 0.0
        if "low_degree_bridge" in person.confounders:
            return 0.3
        weights = {"distributor": 2.5, "administrator": 2.0, "producer": 1.5, "bridge": 1.0, "consumer": 0.6}
        return max(weights[role] for role in person.roles)

    def texts(self) -> None:
        for group in self.op.groups.values():
            for _ in range(self.config.texts_per_group):
                when = group.created + timedelta(
                    seconds=self.rng.randrange(int((self.config.end - group.created).total_seconds())))
                members = [self.op.persons[pid] for pid in sorted(group.spells) if group.is_member(pid, when)]
                weights = [self.weight(p) for p in members]
                if not members or sum(weights) == 0:
                    continue
                sender = self.rng.choices(members, weights)[0]
                text = self.rng.choice(TEXTS[language_of(sender.country)])
                self.op.posts.append(Post(0, self.key_id(), group.id, sender.id, when.replace(microsecond=0),
                                          text=text))

    def purges(self) -> None:
        posters = {(post.group, post.sender) for post in self.op.posts}
        for group in self.op.groups.values():
            if self.rng.random() >= 0.5:
                continue
            span = (self.config.end - group.created).total_seconds()
            when = (group.created + timedelta(seconds=span * self.rng.uniform(0.55, 0.9))).replace(microsecond=0)
            actors = sorted(a for a in group.admins if group.is_member(a, when))
            if not actors:
                continue
            actor = self.rng.choice(actors)
            victims = [pid for pid in sorted(group.spells) if group.is_member(pid, when)
                       and pid not in group.admins and (group.id, pid) not in posters
                       and group.spells[pid].start < when - timedelta(days=14)]
            for offset, pid in enumerate(victims[:2]):
                at = when + timedelta(seconds=30 * offset)
                group.spells[pid].end, group.spells[pid].ended_by = at, "removed"
                record(self.op, group, "removed", pid, actor, at)


def simulate(op: Operation, config: DemoConfig, rng: random.Random) -> None:
    sharing = _Sharing(op, config, rng)
    for person in sorted(op.persons.values(), key=lambda p: p.id):
        if "producer" in person.roles:
            sharing.produce(person)
    spreaders = sorted((p for p in op.persons.values() if "distributor" in p.roles), key=lambda p: p.id)
    importers = [p for p in spreaders if "importer" in p.confounders] or spreaders[:1]
    series = list(SERIES)
    for index in range(config.known_families if spreaders else 0):
        introducer = importers[0] if index % 4 == 0 else spreaders[index % len(spreaders)]
        sharing.introduce_outside("known", introducer.id, index < config.known_unchanged,
                                  f"{series[index // 3 % len(series)]}-{index // 3 + 1}")
    for _ in range(config.imported_families if importers else 0):
        sharing.introduce_outside("imported", importers[0].id, False, None)
    sharing.run()
    sharing.texts()
    sharing.purges()
    op.posts.sort(key=lambda p: (p.time, p.key_id))
    for seq, post in enumerate(op.posts, start=1):
        post.seq = seq
    for _ in range(config.decoys):
        family = sharing.new_family("decoy", "", plain=True)
        del op.families[family.id]
        family.id = f"D{len(op.decoys) + 1:03d}"
        family.in_known_list = True
        family.series = f"{sharing.rng.choice(SERIES)}-X{len(op.decoys) % 5 + 1}"
        op.decoys.append(family)
