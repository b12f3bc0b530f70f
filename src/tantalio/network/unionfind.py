"""Disjoint sets over integer ids (identifiers, chat observations, media items)."""

from __future__ import annotations

from collections.abc import Iterable


class DisjointSets:
    """Union-find with path halving; the smaller id is kept as the root so results are stable."""

    def __init__(self, items: Iterable[int] = ()) -> None:
        self.parent: dict[int, int] = {i: i for i in items}

    def add(self, item: int) -> None:
        self.parent.setdefault(item, item)

    def find(self, item: int) -> int:
        parent = self.parent
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: int, b: int) -> int:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        return ra

    def groups(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for item in sorted(self.parent):
            out.setdefault(self.find(item), []).append(item)
        return out
