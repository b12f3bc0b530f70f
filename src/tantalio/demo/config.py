"""Sizes and knobs of the synthetic case. Every number is configurable; a seed fixes everything."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from .people import COUNTRIES


@dataclass(frozen=True)
class DemoConfig:
    seed: int = 2017
    persons: int = 140
    groups: int = 25
    exhibits: int = 40
    countries: tuple[str, ...] = COUNTRIES
    clusters: int = 5
    producers: int = 6
    distributors: int = 14
    bridges: int = 6
    produced_per_producer: int = 4
    known_families: int = 22
    known_unchanged: int = 5  # known items whose original file itself circulates (exact MD5/SHA-1 match)
    imported_families: int = 5  # new to the network, not in any list, not self-produced (importer confounder)
    decoys: int = 30  # list entries that never circulate
    texts_per_group: int = 30
    legacy_android: int = 2  # Android extractions with the pre-2022 `messages` schema
    transitional_android: int = 1  # one DB holding both schemas
    deleted_file_share: float = 0.12  # media files deleted from a phone while the DB keeps the hash
    # Behaviours and observations the analysis must not mistake (NETWORK.md §6 confounders; the
    # named combinations are in tantalio.demo.variants).
    members_may_add: float = 0.0  # share of groups whose settings let every member add others
    isolated_cluster: bool = False  # the last cluster meets the rest only through one low-degree broker
    bridge_home_groups: int = 1  # groups a broker keeps in their own cluster
    foreign_distributor_share: float = 0.5  # distributors who also sit in one group of another cluster
    chatter_per_group: int = 0  # voice notes and documents (not material) posted in each group
    stickers: int = 0  # sticker files passed around the groups
    producer_documents: float = 0.0  # share of produced pictures also sent "as document" (the camera original)
    importers: int = 1  # distributors who bring in material new to the network (not self-produced)
    importer_downloads: bool = False  # importers' phones hold the imported originals (a stranger's camera EXIF) in Download/
    camera_rolls: float = 0.0  # share of other seized Android phones holding their own, never posted, photos
    export_only_groups: int = 0  # groups whose seized members all hold chat exports, no database
    start: datetime = field(default_factory=lambda: datetime(2017, 1, 2, tzinfo=UTC))
    end: datetime = field(default_factory=lambda: datetime(2017, 6, 30, tzinfo=UTC))
    seized: datetime = field(default_factory=lambda: datetime(2017, 7, 4, 6, 0, tzinfo=UTC))

    @classmethod
    def small(cls, seed: int = 2017) -> DemoConfig:
        """Tiny variant for unit tests: 4 groups, 16 persons, 5 exhibits."""
        return cls(
            seed=seed, persons=16, groups=4, exhibits=5, clusters=2, producers=2, distributors=3, bridges=2,
            produced_per_producer=2, known_families=4, known_unchanged=1, imported_families=1, decoys=3,
            texts_per_group=8, legacy_android=1, transitional_android=1,
        )

    @classmethod
    def medium(cls, seed: int = 2017) -> DemoConfig:
        """Between small and full: 12 groups in 4 clusters, 72 persons, 18 exhibits (accuracy runs)."""
        return cls(
            seed=seed, persons=72, groups=12, exhibits=18, clusters=4, producers=3, distributors=6, bridges=3,
            produced_per_producer=3, known_families=10, known_unchanged=2, imported_families=3, decoys=8,
            texts_per_group=15, legacy_android=1, transitional_android=1,
        )

    def with_seed(self, seed: int) -> DemoConfig:
        return replace(self, seed=seed)
