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

    def add_file(self, data: bytes, family: Family, derivation: str, kind: str = "image",
                 mime: str = "image/jpeg", name: str | None = None) -> str:
        d = images.digests(data)
        if d.sha256 not in self.op.files:
            width, height = images.image_size(data) if mime.startswith("image/") else (0, 0)
            self.op.files[d.sha256] = MediaFile(d.sha256, d.md5, d.sha1, data, family.id, width, height, derivation,
                                                kind, mime, name)
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
                if self.rng.random() < self.config.producer_documents:
                    # sent again "as document": the camera original itself, EXIF and all
                    name = f"IMG_{local.strftime('%Y%m%d_%H%M%S')}.jpg"
                    doc = self.add_file(family.original, family, "original", "document", "image/jpeg", name)
                    self.schedule(Post(0, self.key_id(), group.id, producer.id,
                                       post_at + timedelta(minutes=self.rng.randint(5, 300)), media=doc))

    def _serial(self) -> str:
        return "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(11))

    def introduce_outside(self, origin: str, introducer: str, unchanged: bool, series: str | None,
                          schedule: bool = True) -> Post | None:
        """Material from outside the network, first posted by ``introducer``: scheduled for the
        cascade, or (``schedule=False``) returned as a post that starts none."""
        spot = self.moment_in_membership(introducer)
        if spot is None:
            return None
        group, when = spot
        family = self.new_family(origin, introducer, plain=True)
        if origin == "imported" and self.config.importer_downloads:
            # the importer downloaded it: a stranger's camera original, EXIF and all, in Download/
            family.camera = images.CameraInfo(*self.rng.choice(CAMERAS), serial=self._serial())
            family.taken = (when - timedelta(days=self.rng.randint(30, 400))).replace(microsecond=0)
            family.original = images.camera_original(family.seed, family.camera, family.taken.replace(tzinfo=None),
                                                     None)
            family.original_sha256 = images.digests(family.original).sha256
            family.downloaded_by = introducer
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
        post = Post(0, self.key_id(), group.id, introducer, when, media=sha, forwarded=forwarded, forward_score=score)
        if schedule:
            self.schedule(post)
        return post

    # -- cascade -------------------------------------------------------------------------------
    def repost_chance(self, person: Person) -> float:
        # Brokers keep a low profile (Morselli 2010, NETWORK.md §1): they link clusters, they do
        # not push volume; that is the distributors' part.
        if "low_degree_bridge" in person.confounders:
            return 0.05
        chances = {"distributor": 0.55, "bridge": 0.1, "administrator": 0.08, "producer": 0.05,
                   "consumer": 0.03}
        return max(chances[role] for role in person.roles)

    def run(self) -> None:
        cap = 6 if self.config.persons > 40 else 4
        while self.queue:
            post = heapq.heappop(self.queue).post
            family = self.op.files[post.media].family if post.media else ""
            seen = self.family_groups.setdefault(family, set())
            if post.group in seen and self.op.files[post.media or ""].kind == "image":
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

    def ensure_distribution(self) -> None:
        """A planted distributor distributes (NETWORK.md §2): one who moved fewer than four families
        (chance, a cap reached, a quiet cluster) re-posts material seen in one of their groups into
        another where it had not appeared in the past week, and failing that brings known material
        in from outside, as importers do."""
        posts = sorted((p for p in self.op.posts if p.media and self.op.files[p.media].kind == "image"),
                       key=lambda p: (p.time, p.key_id))
        last: dict[tuple[str, str], datetime] = {}
        for p in posts:
            last[(self.op.files[p.media or ""].family, p.group)] = p.time
        for person in sorted(self.op.persons.values(), key=lambda p: p.id):
            if "distributor" not in person.roles:
                continue
            moved = {self.op.files[p.media or ""].family for p in posts if p.sender == person.id
                     and (self.op.families[self.op.files[p.media or ""].family].introducer != person.id
                          or self.op.families[self.op.files[p.media or ""].family].origin == "known")}
            target = self.rng.randint(4, 6)
            candidates = [p for p in posts if p.sender != person.id
                          and self.op.groups[p.group].is_member(person.id, p.time)]
            self.rng.shuffle(candidates)
            for seen in candidates:
                family = self.op.files[seen.media or ""].family
                if len(moved) >= target or family in moved or self.op.families[family].introducer == person.id:
                    continue
                when = (seen.time + timedelta(minutes=2 + self.rng.expovariate(1 / 360))).replace(microsecond=0)
                groups = [g for g in self.groups_of(person.id, when)
                          if g.id != seen.group and when - last.get((family, g.id), when - timedelta(days=8))
                          > timedelta(days=7)]
                if when >= self.config.end or not groups:
                    continue
                group = self.rng.choice(groups)
                last[(family, group.id)] = when
                moved.add(family)
                self.op.posts.append(Post(0, self.key_id(), group.id, person.id, when, media=seen.media,
                                          forwarded=True, forward_score=seen.forward_score + 1))
            for _ in range(target - len(moved)):
                series = f"{self.rng.choice(SERIES)}-{len(self.op.families) + 1}"
                post = self.introduce_outside("known", person.id, False, series, schedule=False)
                if post is not None:
                    self.op.posts.append(post)

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

    def _poster(self, group: Group, when: datetime) -> Person | None:
        members = [self.op.persons[pid] for pid in sorted(group.spells) if group.is_member(pid, when)]
        weights = [max(self.weight(p), 0.3) for p in members]
        return self.rng.choices(members, weights)[0] if members else None

    def _when(self, group: Group) -> datetime:
        span = int((self.config.end - group.created).total_seconds())
        return (group.created + timedelta(seconds=self.rng.randrange(span))).replace(microsecond=0)

    def chatter(self) -> None:
        """Voice notes and documents: unique files, first posted unforwarded - but not material."""
        for group in self.op.groups.values():
            for _ in range(self.config.chatter_per_group):
                when = self._when(group)
                sender = self._poster(group, when)
                if sender is None:
                    continue
                family = self.new_family("chatter", sender.id, plain=False)
                if self.rng.random() < 0.6:
                    sha = self.add_file(images.voice_note(family.seed), family, "original", "audio",
                                        "audio/ogg; codecs=opus")
                else:
                    title = self.rng.choice(("Lista", "Horario", "Factura", "Recibo"))
                    sha = self.add_file(images.document_pdf(family.seed, title), family, "original", "document",
                                        "application/pdf", f"{title}-{family.seed % 97}.pdf")
                self.op.posts.append(Post(0, self.key_id(), group.id, sender.id, when, media=sha))

    def stickers(self) -> None:
        """Sticker files sent again and again by many members in many groups (not material)."""
        groups = sorted(self.op.groups.values(), key=lambda g: g.id)
        for _ in range(self.config.stickers):
            family = self.new_family("chatter", "", plain=False)
            sha = self.add_file(images.sticker(family.seed), family, "original", "sticker", "image/webp")
            for _ in range(self.rng.randint(4, 8)):
                group = self.rng.choice(groups)
                when = self._when(group)
                sender = self._poster(group, when)
                if sender is not None:
                    family.introducer = family.introducer or sender.id
                    self.op.posts.append(Post(0, self.key_id(), group.id, sender.id, when, media=sha))

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
        introducer = importers[index // 4 % len(importers)] if index % 4 == 0 else spreaders[index % len(spreaders)]
        sharing.introduce_outside("known", introducer.id, index < config.known_unchanged,
                                  f"{series[index // 3 % len(series)]}-{index // 3 + 1}")
    for index in range(config.imported_families if importers else 0):
        sharing.introduce_outside("imported", importers[index % len(importers)].id, False, None)
    sharing.run()
    sharing.ensure_distribution()
    sharing.texts()
    sharing.chatter()
    sharing.stickers()
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
