"""Persons, planted roles and the membership history of every invite-only group."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .config import DemoConfig
from .people import Person, PhoneFactory, make_person
from .scenario import Group, MembershipEvent, Operation, Spell

# Loose regional communities; a cluster draws most of its members from its region.
REGIONS: tuple[tuple[str, ...], ...] = (
    ("ES", "PT", "DE", "IT"), ("AR", "UY", "CL", "BO"), ("MX", "CR", "VE", "CO"),
    ("BR", "PT", "UY"), ("PE", "EC", "BO", "CO"),
)
GROUP_NAMES = ("Los de siempre", "Club 77", "Intercambio ✔", "La Cueva", "Nocturnos", "Sala B", "Viajeros",
               "Colección", "Bahía", "Amigos 🌴", "Zona Norte", "El Rincón", "Cofradía", "Estación 9",
               "Los Primos", "Galería", "Turno noche", "Refugio", "Punto Azul", "Archivo", "Cromos",
               "Sótão", "Stammtisch", "Ponte", "Andenes", "La Terraza", "Faro", "Mirador", "Kiosko", "Tertulia")
RENAME_SUFFIXES = (" 2.0", " (nuevo)", " 🔒", " II", " backup", " ✔✔")


def _at(start: datetime, end: datetime, rng: random.Random) -> datetime:
    span = max(1, int((end - start).total_seconds()))
    return start + timedelta(seconds=rng.randrange(span))


def record(op: Operation, group: Group, kind: str, person: str, actor: str | None, when: datetime,
           old: str | None = None, new: str | None = None) -> MembershipEvent:
    op.event_seq += 1
    event = MembershipEvent(group.id, kind, person, actor, when, old, new, op.event_seq)
    group.events.append(event)
    return event


def make_persons(config: DemoConfig, rng: random.Random) -> dict[str, Person]:
    phones = PhoneFactory(rng)
    clusters = max(1, config.clusters)
    persons: dict[str, Person] = {}
    for index in range(config.persons):
        if index < len(config.countries):
            country = config.countries[index]
            homes = [c for c in range(clusters) if country in REGIONS[c % len(REGIONS)]]
            cluster = rng.choice(homes) if homes else rng.randrange(clusters)
        else:
            cluster = index % clusters
            region = REGIONS[cluster % len(REGIONS)]
            pool = [c for c in region if c in config.countries] or list(config.countries)
            country = rng.choice(pool) if rng.random() < 0.8 else rng.choice(config.countries)
        person = make_person(index + 1, country, cluster, rng, phones)
        persons[person.id] = person
    return persons


def _pick(candidates: list[Person], count: int, taken: set[str], rng: random.Random) -> list[Person]:
    free = [p for p in candidates if p.id not in taken]
    chosen = rng.sample(free, min(count, len(free)))
    taken.update(p.id for p in chosen)
    return chosen


def plant_roles(persons: dict[str, Person], config: DemoConfig, rng: random.Random) -> None:
    """Producers, distributors (some of them importers), bridges. Administrators follow from groups.
    With an isolated cluster, its only link to the rest is the low-degree bridge."""
    everyone = list(persons.values())
    isolated = isolated_cluster(config)
    open_persons = [p for p in everyone if p.cluster != isolated]
    taken: set[str] = set()
    for person in _pick(everyone, config.producers, taken, rng):
        person.roles.add("producer")
    distributors = _pick(everyone, config.distributors, taken, rng)
    for person in distributors:
        person.roles.add("distributor")
    if config.imported_families:
        for person in distributors[:max(1, config.importers)]:
            person.confounders.add("importer")
    bridges = _pick(open_persons, config.bridges, taken, rng)
    for person in bridges:
        person.roles.add("bridge")
    if bridges:
        bridges[-1].confounders.add("low_degree_bridge")


def isolated_cluster(config: DemoConfig) -> int | None:
    """The cluster that meets the others only through the low-degree bridge (variant), if any."""
    return max(1, config.clusters) - 1 if config.isolated_cluster and config.clusters >= 3 else None


def _group_jid(creator: Person, created: datetime, rng: random.Random, legacy: bool) -> str:
    if legacy:
        return f"{creator.digits}-{int(created.timestamp())}@g.us"
    return "120363" + "".join(str(rng.randrange(10)) for _ in range(12)) + "@g.us"


def _assign_members(op: Operation, config: DemoConfig, rng: random.Random) -> dict[str, list[str]]:
    """Decide who belongs to which group (ids), before any timing."""
    persons = op.persons
    groups_by_cluster: dict[int, list[str]] = {}
    for group in op.groups.values():
        groups_by_cluster.setdefault(group.cluster, []).append(group.id)
    members: dict[str, list[str]] = {gid: [op.groups[gid].creator] for gid in op.groups}
    all_groups = sorted(op.groups)

    def join(pid: str, gid: str) -> None:
        if pid not in members[gid]:
            members[gid].append(pid)

    clusters = sorted(groups_by_cluster)
    isolated = isolated_cluster(config)
    open_clusters = [c for c in clusters if c != isolated]
    open_groups = [g for g in all_groups if op.groups[g].cluster != isolated]
    for person in persons.values():
        home = groups_by_cluster.get(person.cluster) or all_groups
        if "bridge" in person.roles:
            if "low_degree_bridge" in person.confounders and isolated is not None:
                # two groups: one at home, one in the cluster nothing else reaches
                far = isolated if person.cluster != isolated else open_clusters[0]
                for gid in (rng.choice(home), rng.choice(groups_by_cluster[far])):
                    join(person.id, gid)
                continue
            count = 3 if "low_degree_bridge" in person.confounders else rng.randint(3, 4)
            others = [c for c in open_clusters if c != person.cluster]
            rng.shuffle(others)
            chosen = rng.sample(home, min(len(home), max(1, config.bridge_home_groups)))
            want = min(len(set(chosen)) + count - 1, len(open_groups))
            for cluster in others[: count - 1]:
                chosen.append(rng.choice(groups_by_cluster[cluster]))
            while len(set(chosen)) < want:
                chosen.append(rng.choice(open_groups))
            for gid in chosen:
                join(person.id, gid)
            continue
        # most members sit in one or two groups of their own cluster, some in three (community structure)
        count = 1 + (rng.random() < 0.5) + (rng.random() < 0.15)
        if "distributor" in person.roles:
            count += rng.randint(1, 2)
        for gid in rng.sample(home, min(count, len(home))):
            join(person.id, gid)
        if ("distributor" in person.roles and len(open_clusters) > 1 and person.cluster != isolated
                and rng.random() < config.foreign_distributor_share):
            foreign = [g for g in open_groups if op.groups[g].cluster != person.cluster]
            join(person.id, rng.choice(foreign))
    # Confounder: a few consumers who sit in two groups of different communities.
    consumers = [p for p in persons.values() if not p.roles and p.cluster != isolated]
    for person in rng.sample(consumers, min(len(consumers), max(1, len(persons) // 40))):
        foreign = [g for g in open_groups if op.groups[g].cluster != person.cluster]
        if foreign:
            join(person.id, rng.choice(foreign))
            person.confounders.add("cross_community_consumer")
    return members


def build_groups(persons: dict[str, Person], config: DemoConfig, rng: random.Random) -> Operation:
    op = Operation(persons=persons, groups={}, period_start=config.start, period_end=config.end)
    clusters = max(1, config.clusters)
    by_cluster: dict[int, list[Person]] = {}
    for person in persons.values():
        by_cluster.setdefault(person.cluster, []).append(person)
    creators_used: dict[int, list[Person]] = {}
    names = list(GROUP_NAMES)
    rng.shuffle(names)
    span = config.end - config.start
    for index in range(config.groups):
        cluster = index % clusters
        pool = [p for p in by_cluster.get(cluster, list(persons.values()))
                if "producer" not in p.roles and "bridge" not in p.roles] or list(persons.values())
        used = creators_used.setdefault(cluster, [])
        # An administrator runs one to three groups of the same community.
        if used and (len(used) >= max(1, len(pool) // 4) or rng.random() < 0.35):
            creator = rng.choice(used)
        else:
            creator = rng.choice([p for p in pool if p not in used] or pool)
            used.append(creator)
        created = _at(config.start, config.start + span * 0.35, rng).replace(microsecond=0)
        gid = f"G{index + 1:02d}"
        name = names[index % len(names)] + ("" if index < len(names) else f" {index // len(names) + 1}")
        group = Group(id=gid, jid=_group_jid(creator, created, rng, legacy=index % 2 == 0), cluster=cluster,
                      creator=creator.id, created=created, names=[(created, name)])
        group.admins.add(creator.id)
        op.groups[gid] = group
    members = _assign_members(op, config, rng)
    for gid in sorted(op.groups):
        group = op.groups[gid]
        group.members_add = config.members_may_add > 0 and rng.random() < config.members_may_add
        _timeline(op, group, members[gid], rng)
    for group in op.groups.values():
        for pid in group.admins:
            persons[pid].roles.add("administrator")
    for person in persons.values():
        if not person.roles:
            person.roles.add("consumer")
    return op


def _timeline(op: Operation, group: Group, member_ids: list[str], rng: random.Random) -> None:
    creator = group.creator
    record(op, group, "created", creator, creator, group.created, new=group.names[0][1])
    group.spells[creator] = Spell(creator, group.created, how="created")
    others = [pid for pid in member_ids if pid != creator]
    rng.shuffle(others)
    initial = others[: max(1, len(others) // 2)]
    later = others[len(initial):]
    when = group.created
    for pid in initial:
        when = when + timedelta(seconds=rng.randint(5, 240))
        record(op, group, "added", pid, creator, when)
        group.spells[pid] = Spell(pid, when, how="added")
    # Co-administrators: promoted a few days in; the creator may then delegate all later adds.
    candidates = [pid for pid in initial if "producer" not in op.persons[pid].roles
                  and "low_degree_bridge" not in op.persons[pid].confounders]
    candidates.sort(key=lambda pid: ("distributor" not in op.persons[pid].roles, pid))
    co_admins = candidates[: rng.choice((0, 1, 1, 1, 2))] if candidates else []
    promote_at = group.created + timedelta(days=rng.randint(2, 9), seconds=rng.randrange(86400))
    for pid in co_admins:
        promote_at += timedelta(minutes=rng.randint(1, 90))
        record(op, group, "admin_granted", pid, creator, promote_at)
        group.admins.add(pid)
    delegates = rng.random() < 0.3 and bool(co_admins)
    if delegates:
        op.persons[creator].confounders.add("delegating_admin")
    late_window_end = op.period_end - timedelta(days=20) if op.period_end else group.created
    for pid in later:
        join_at = _at(group.created + timedelta(days=3), late_window_end, rng).replace(microsecond=0)
        if rng.random() < 0.55:
            record(op, group, "joined_link", pid, None, join_at)
            group.spells[pid] = Spell(pid, join_at, how="joined_link")
        else:
            actors = [a for a in co_admins if promote_at < join_at]
            if not delegates or not actors:
                actors = actors + [creator]
            actor = rng.choice(actors)
            # a group whose settings let every member add: most adds then come from plain members
            plain = [m for m in sorted(group.spells) if m not in group.admins and group.is_member(m, join_at)]
            if group.members_add and plain and rng.random() < 0.7:
                actor = rng.choice(plain)
                op.persons[actor].confounders.add("member_who_adds")
            record(op, group, "added", pid, actor, join_at)
            group.spells[pid] = Spell(pid, join_at, how="added")
    # A co-admin loses the rights again in some groups.
    if co_admins and rng.random() < 0.15:
        revoke_at = promote_at + timedelta(days=rng.randint(20, 60))
        record(op, group, "admin_revoked", co_admins[-1], creator, revoke_at)
    # Renames, by the creator or a co-admin.
    renames = 2 if rng.random() < 0.15 else (1 if rng.random() < 0.45 else 0)
    rename_at = group.created + timedelta(days=rng.randint(15, 40))
    for _ in range(renames):
        old = group.names[-1][1]
        new = group.names[0][1] + rng.choice(RENAME_SUFFIXES)
        if new == old:
            new = new + " 3"
        actor = rng.choice([creator, *[a for a in co_admins if promote_at < rename_at]])
        record(op, group, "subject_changed", actor, actor, rename_at, old=old, new=new)
        group.names.append((rename_at, new))
        rename_at += timedelta(days=rng.randint(20, 50), seconds=rng.randrange(86400))
    # Some plain members leave on their own.
    for pid in sorted(group.spells):
        person = op.persons[pid]
        if pid in group.admins or person.roles & {"producer", "distributor", "bridge"}:
            continue
        if rng.random() < 0.1:
            spell = group.spells[pid]
            leave_at = spell.start + timedelta(days=rng.randint(10, 60), seconds=rng.randrange(86400))
            if op.period_end and leave_at < op.period_end:
                spell.end, spell.ended_by = leave_at, "left"
                record(op, group, "left", pid, pid, leave_at)
