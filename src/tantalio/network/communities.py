"""Communities, brokerage and key players, on integer ids with igraph.

* Communities: Leiden (igraph's built-in ``community_leiden``, modularity at resolution 1.5) on
  the *group layer*,
  groups linked by shared members with Newman's weight 1/(k−1) for a member of k groups. The
  member–member clique projection is never built (2 M memberships give ~10⁹ pairs). A person's
  community is the one most of their groups fall in; the participation coefficient says how
  evenly their groups spread over communities.
* Brokerage: betweenness on the person–group (bipartite) graph; exact when small, estimated
  from a sample of source vertices when large.
* Key players (Borgatti's KPP-Neg, greedy): which removals of persons fragment the network
  most, measured on persons reachable from each other through shared groups.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tantalio.errors import TantalioError

try:
    import igraph
except ImportError as missing:       # no silent fallback: roles depend on the communities
    raise TantalioError("network analysis needs python-igraph (pip install igraph): it is part of the"
                        " install, so this environment is incomplete") from missing

EXACT_BETWEENNESS_MAX_WORK = 50_000_000   # vertices × edges: exact Brandes below this, sampled above
BETWEENNESS_SAMPLES = 64
# Leiden and sampled betweenness are randomised: a fixed seed makes runs repeatable (any constant;
# deliberately not the demo generator's default seed).
ANALYSIS_SEED = 4099
# Modularity merges small communities in small graphs (the resolution limit, Fortunato & Barthélemy
# 2007): a case's group layer has tens of groups, and at γ = 1 clusters of two or three groups
# linked by a few members were merged. γ = 1.5 kept them apart on 12-group demo variants and did
# not split the 5-group clusters of the full-size demo (bench/accuracy.py; NMI 1.0 on both).
LEIDEN_RESOLUTION = 1.5


@dataclass(slots=True)
class NetworkMeasures:
    group_community: dict[int, int] = field(default_factory=dict)     # chat id -> community
    community: dict[int, int] = field(default_factory=dict)           # person id -> community
    participation: dict[int, float] = field(default_factory=dict)
    communities_spanned: dict[int, int] = field(default_factory=dict)
    betweenness: dict[int, float] = field(default_factory=dict)
    kpp_rank: dict[int, int] = field(default_factory=dict)
    fragmentation: list[float] = field(default_factory=list)          # F after each greedy removal
    modularity: float | None = None


def group_layer(persons: np.ndarray, groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Weighted group–group edges (pairs, weights) from memberships given as index arrays.

    Sparse: only pairs of groups that share a member exist, accumulated in chunks of pair keys
    reduced by sorting, so memory follows the number of linked group pairs, never groups²."""
    if len(persons) == 0:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0)
    order = np.lexsort((groups, persons))
    p, g = persons[order], groups[order].astype(np.int64)
    starts = np.flatnonzero(np.r_[True, p[1:] != p[:-1]])
    degree = np.diff(np.r_[starts, len(p)])
    keys_acc: np.ndarray = np.zeros(0, dtype=np.int64)
    weights_acc: np.ndarray = np.zeros(0, dtype=np.float64)
    keys_buf: list[np.ndarray] = []
    weight_buf: list[np.ndarray] = []
    buffered = 0

    def reduce() -> None:
        nonlocal keys_acc, weights_acc, buffered
        if not keys_buf:
            return
        keys = np.concatenate([keys_acc, *keys_buf])
        weights = np.concatenate([weights_acc, *weight_buf])
        keys_buf.clear()
        weight_buf.clear()
        buffered = 0
        keys_acc, inverse = np.unique(keys, return_inverse=True)
        weights_acc = np.bincount(inverse, weights=weights, minlength=len(keys_acc))

    for k in np.unique(degree):
        if k < 2:
            continue
        first = starts[degree == k]
        iu, ju = np.triu_indices(int(k), 1)
        chunk = max(1, 4_000_000 // len(iu))
        for at in range(0, len(first), chunk):
            rows = g[first[at:at + chunk, None] + np.arange(k)]    # sorted within each person
            keys_buf.append(rows[:, iu].ravel() * n_groups + rows[:, ju].ravel())
            weight_buf.append(np.full(keys_buf[-1].shape[0], 1.0 / (k - 1)))
            buffered += keys_buf[-1].shape[0]
            if buffered >= 20_000_000:
                reduce()
    reduce()
    return np.stack([keys_acc // n_groups, keys_acc % n_groups], axis=1), weights_acc


def unique_pairs(arr: np.ndarray) -> np.ndarray:
    """``np.unique(arr, axis=0)`` for non-negative (n, 2) int pairs, via one int64 key per row
    (the row-wise unique sorts structured views, several times slower on millions of rows)."""
    if len(arr) == 0 or arr.min() < 0 or arr[:, 1].max() >= 2**31 or arr[:, 0].max() >= 2**31:
        return np.unique(arr, axis=0)
    width = int(arr[:, 1].max()) + 1
    keys = np.unique(arr[:, 0] * width + arr[:, 1])
    return np.stack([keys // width, keys % width], axis=1)


def _graph(n: int, edges: np.ndarray) -> igraph.Graph:
    """The graph with ``edges`` in order. ``add_edges`` reads the index array directly, ~3× faster
    than the constructor; a list of millions of Python pairs would cost GBs."""
    graph = igraph.Graph(n=n)
    graph.add_edges(edges)
    return graph


def _seeded() -> random.Random:
    return random.Random(ANALYSIS_SEED)


def measure(memberships: Sequence[tuple[int, int]] | np.ndarray, kpp_size: int = 10) -> NetworkMeasures:
    """All structural measures from (person id, chat id) membership pairs (a list or an (n, 2) array)."""
    out = NetworkMeasures()
    if len(memberships) == 0:
        return out
    arr = unique_pairs(np.asarray(memberships, dtype=np.int64).reshape(-1, 2))
    person_ids, p_idx = np.unique(arr[:, 0], return_inverse=True)
    group_ids, g_idx = np.unique(arr[:, 1], return_inverse=True)
    n_p, n_g = len(person_ids), len(group_ids)

    igraph.set_random_number_generator(_seeded())
    try:
        pairs, weights = group_layer(p_idx, g_idx, n_g)
        layer = _graph(n_g, pairs)
        weight_list = weights.tolist() or None
        clustering = layer.community_leiden(objective_function="modularity", weights=weight_list,
                                            resolution=LEIDEN_RESOLUTION, n_iterations=-1)
        membership = clustering.membership
        out.modularity = float(layer.modularity(membership, weights=weight_list)) if pairs.size else None
        out.group_community = {int(group_ids[i]): int(c) for i, c in enumerate(membership)}

        comm = np.array(membership, dtype=np.int64)[g_idx]
        counts: dict[int, Counter[int]] = {}
        for pi, c in zip(p_idx.tolist(), comm.tolist(), strict=True):
            counts.setdefault(pi, Counter())[c] += 1
        for pi, ctr in counts.items():
            k = sum(ctr.values())
            pid = int(person_ids[pi])
            out.community[pid] = min(ctr, key=lambda c: (-ctr[c], c))
            out.participation[pid] = round(1.0 - sum((v / k) ** 2 for v in ctr.values()), 4)
            out.communities_spanned[pid] = len(ctr)

        bip = _graph(n_p + n_g, np.stack([p_idx, g_idx + n_p], axis=1))
        if bip.vcount() * bip.ecount() <= EXACT_BETWEENNESS_MAX_WORK:
            between = bip.betweenness(vertices=range(n_p), directed=False)
        else:
            rng = np.random.default_rng(ANALYSIS_SEED)
            sources = sorted(rng.choice(n_p + n_g, size=min(BETWEENNESS_SAMPLES, n_p + n_g), replace=False).tolist())
            scale = (n_p + n_g) / len(sources)
            between = [b * scale for b in bip.betweenness(vertices=range(n_p), directed=False, sources=sources)]
        out.betweenness = {int(person_ids[i]): float(b) for i, b in enumerate(between)}
        ranks, frag = key_players(bip, n_p, between, kpp_size)
        out.kpp_rank = {int(person_ids[v]): r for r, v in enumerate(ranks, start=1)}
        out.fragmentation = frag
    finally:
        igraph.set_random_number_generator(random)
    return out


def fragmentation(graph: igraph.Graph, n_persons: int, removed: set[int]) -> float:
    """Borgatti's F over persons: the share of person pairs that can no longer reach each other."""
    keep = [v for v in range(graph.vcount()) if v not in removed]
    sub = graph.induced_subgraph(keep)
    is_person = np.array([v < n_persons for v in keep])
    membership = np.array(sub.connected_components().membership)
    sizes = np.bincount(membership[is_person]).astype(np.float64)
    n = float(is_person.sum())
    if n < 2:
        return 1.0
    return float(1.0 - (sizes * (sizes - 1)).sum() / (n * (n - 1)))


def key_players(graph: igraph.Graph, n_persons: int, betweenness: list[float], k: int) -> tuple[list[int], list[float]]:
    """Greedy KPP-Neg: repeatedly remove the person whose removal raises fragmentation most.

    Candidates are the articulation points among persons plus the highest-betweenness persons
    (fragmentation can only come from cutting paths); the pool shrinks on large graphs."""
    if n_persons < 3 or k <= 0:
        return [], []
    large = graph.ecount() > 50_000
    pool_size = 12 if large else 60
    k = min(k, 5 if large else k)
    cut = [v for v in graph.articulation_points() if v < n_persons]
    top = sorted(range(n_persons), key=lambda v: (-betweenness[v], v))[:pool_size]
    pool = sorted(set(sorted(cut, key=lambda v: (-betweenness[v], v))[:pool_size]) | set(top))
    chosen: list[int] = []
    scores: list[float] = []
    current = fragmentation(graph, n_persons, set())
    for _ in range(min(k, len(pool))):
        best: tuple[float, int] | None = None
        for v in pool:
            if v in chosen:
                continue
            f = fragmentation(graph, n_persons, set(chosen) | {v})
            if best is None or f > best[0] + 1e-12 or (abs(f - best[0]) <= 1e-12 and betweenness[v] > betweenness[best[1]]):
                best = (f, v)
        if best is None or best[0] <= current + 1e-12:
            break
        chosen.append(best[1])
        scores.append(round(best[0], 6))
        current = best[0]
    return chosen, scores
