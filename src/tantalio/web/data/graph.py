"""The network explorer's graph: persons and groups, three kinds of edge, and a fixed layout.

Edge kinds:
* ``member``: a person took part in a group (membership history, posts, messages, member lists);
  two persons in one group are co-members through it. Kept bipartite: a 1,000-member group
  would otherwise need half a million person–person edges.
* ``added_by``: one person added another to a group (a merged membership event naming its actor).
* ``reposted_from``: a person's media post whose most likely source (the propagation edge of
  analysis) is another person's earlier post of the same material.

The layout is computed here, not in the browser: Fruchterman–Reingold (igraph) from a fixed
spiral start with igraph's random generator seeded, so the same case gives the same picture on
every load and in every process; it is cached in memory until the case changes. NETWORK.md §4:
render at most ~5,000 nodes interactively — past MAX_NODES the persons of highest priority are
kept (with their groups) and the answer says how many were left out.
"""

from __future__ import annotations

import math
import random
import threading
from collections import defaultdict
from typing import Any

import igraph

from tantalio.store import CaseStore
from tantalio.web.data import latest_chat_names
from tantalio.web.data.people import persons
from tantalio.web.data.version import case_version

MAX_NODES = 5_000
LAYOUT_SEED = 20240101
LAYOUT_SPAN = 3000.0        # positions fill a square of this many model units
EDGE_KINDS = ("member", "added_by", "reposted_from")

_PARTICIPATION = """
SELECT person_id, chat_id FROM membership_spell
UNION SELECT person_id, chat_id FROM group_event WHERE person_id IS NOT NULL
UNION SELECT by_person_id, chat_id FROM group_event WHERE by_person_id IS NOT NULL
UNION SELECT person_id, chat_id FROM post WHERE person_id IS NOT NULL
UNION SELECT i.person_id, o.chat_id FROM message m JOIN chat_obs o ON o.id = m.chat_obs_id
      JOIN identifier i ON i.id = m.sender_identifier_id WHERE i.person_id IS NOT NULL AND o.chat_id IS NOT NULL
UNION SELECT i.person_id, o.chat_id FROM group_member g JOIN chat_obs o ON o.id = g.chat_obs_id
      JOIN identifier i ON i.id = g.identifier_id WHERE i.person_id IS NOT NULL AND o.chat_id IS NOT NULL
"""

_layout_lock = threading.Lock()   # igraph's random generator is process-wide


class GraphCache:
    """The explorer's graph, built once per case version (layout included)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()      # held while building: concurrent requests wait for one build
        self._version: tuple[object, ...] | None = None
        self._graph: dict[str, Any] | None = None

    def get(self, store: CaseStore) -> dict[str, Any]:
        version = case_version(store.conn, reviews=False)
        with self._lock:
            if self._graph is None or self._version != version:
                self._graph, self._version = None, None   # drop the old one before building the new
                self._graph, self._version = explorer_graph(store), version
            return self._graph


def explorer_graph(store: CaseStore, max_nodes: int = MAX_NODES) -> dict[str, Any]:
    conn = store.conn
    people = {p["id"]: p for p in persons(store)}
    person_ids = dict(conn.execute("SELECT label, id FROM person").fetchall())
    group_rows = conn.execute("SELECT id, label, platform FROM chat WHERE is_group = 1 ORDER BY id").fetchall()
    group_ids = {cid for cid, _, _ in group_rows}
    member = sorted((p, c) for p, c in conn.execute(_PARTICIPATION) if c in group_ids and p is not None)
    added = conn.execute(
        "SELECT by_person_id, person_id, count(*), group_concat(DISTINCT c.label) FROM group_event g "
        "JOIN chat c ON c.id = g.chat_id WHERE g.event = 'added' AND by_person_id IS NOT NULL "
        "AND person_id IS NOT NULL AND by_person_id <> person_id GROUP BY 1, 2 ORDER BY 1, 2").fetchall()
    reposted = conn.execute(
        "SELECT q.person_id, p.person_id, count(*) FROM propagation_edge e JOIN post p ON p.id = e.post_id "
        "JOIN post q ON q.id = e.parent_post_id WHERE p.person_id IS NOT NULL AND q.person_id IS NOT NULL "
        "AND p.person_id <> q.person_id GROUP BY 1, 2 ORDER BY 1, 2").fetchall()

    # Which persons to draw: all of them, or the most important when there are too many.
    label_of = {pid: label for label, pid in person_ids.items()}
    ranked = sorted(person_ids.values(), key=lambda pid: (-(people.get(label_of[pid], {}).get("priority") or 0.0),
                                                          label_of[pid]))
    touched_groups: dict[int, set[int]] = defaultdict(set)
    for pid, cid in member:
        touched_groups[pid].add(cid)
    kept_persons: list[int] = []
    kept_groups: set[int] = set()
    for pid in ranked:
        extra = touched_groups[pid] - kept_groups
        if len(kept_persons) + len(kept_groups) + 1 + len(extra) > max_nodes:
            break
        kept_persons.append(pid)
        kept_groups |= extra
    keep_p = set(kept_persons)
    names = latest_chat_names(conn)

    nodes: list[dict[str, Any]] = []
    for pid in sorted(keep_p):
        p = people.get(label_of[pid], {})
        name = (p.get("names") or [""])[0]
        nodes.append({"data": {
            "id": f"p{pid}", "kind": "person", "label": label_of[pid], "name": name,
            "caption": f"{label_of[pid]} · {name}" if name else label_of[pid],
            "roles": p.get("roles", []), "countries": p.get("countries", []), "phones": p.get("phones", [])[:3],
            "community": p.get("community"), "priority": p.get("priority") or 0.0,
            "href": f"/persons/{label_of[pid]}"}})
    for cid, label, platform in group_rows:
        if cid in kept_groups or (not member and len(nodes) < max_nodes):
            name = names.get(cid, "")
            nodes.append({"data": {"id": f"g{cid}", "kind": "group", "label": label, "name": name,
                                   "caption": f"{label} · {name}" if name else label, "platform": platform,
                                   "href": f"/groups/{label}"}})
    present = {n["data"]["id"] for n in nodes}
    edges: list[dict[str, Any]] = []
    for pid, cid in member:
        if f"p{pid}" in present and f"g{cid}" in present:
            edges.append({"data": {"id": f"m{pid}-{cid}", "source": f"p{pid}", "target": f"g{cid}", "kind": "member"}})
    for actor, pid, n, groups in added:
        if f"p{actor}" in present and f"p{pid}" in present:
            edges.append({"data": {"id": f"a{actor}-{pid}", "source": f"p{actor}", "target": f"p{pid}",
                                   "kind": "added_by", "weight": n, "groups": groups}})
    for source, pid, n in reposted:
        if f"p{source}" in present and f"p{pid}" in present:
            edges.append({"data": {"id": f"r{source}-{pid}", "source": f"p{source}", "target": f"p{pid}",
                                   "kind": "reposted_from", "weight": n}})
    positions = layout([n["data"]["id"] for n in nodes], [(e["data"]["source"], e["data"]["target"]) for e in edges])
    for n in nodes:
        x, y = positions[n["data"]["id"]]
        n["position"] = {"x": x, "y": y}
    facets = {
        "roles": sorted({r for n in nodes for r in n["data"].get("roles", [])}),
        "countries": sorted({c for n in nodes for c in n["data"].get("countries", [])}),
        "communities": sorted({n["data"]["community"] for n in nodes if n["data"].get("community") is not None}),
        "edge_kinds": list(EDGE_KINDS),
    }
    total = len(person_ids) + len(group_rows)
    return {"elements": {"nodes": nodes, "edges": edges}, "facets": facets,
            "shown": len(nodes), "total": total, "left_out": total - len(nodes)}


def layout(node_ids: list[str], edges: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    """Deterministic positions: same nodes and edges in, same coordinates out."""
    order = sorted(node_ids)
    index = {n: i for i, n in enumerate(order)}
    n = len(order)
    if n == 0:
        return {}
    g = igraph.Graph(n=n, edges=sorted({(index[a], index[b]) for a, b in edges if a != b}))
    start = [[math.cos(i * 2.399963) * math.sqrt(i + 1), math.sin(i * 2.399963) * math.sqrt(i + 1)] for i in range(n)]
    with _layout_lock:
        igraph.set_random_number_generator(random.Random(LAYOUT_SEED))
        try:
            coords = g.layout_fruchterman_reingold(seed=start, niter=500).coords if n > 1 else [[0.0, 0.0]]
        finally:
            igraph.set_random_number_generator(random)
    xs = [c[0] for c in coords]
    ys = [c[1] for c in coords]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    scale = LAYOUT_SPAN * min(1.0, math.sqrt(n) / 40) / span if n > 1 else 1.0
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return {node: (round((coords[i][0] - cx) * scale, 1), round((coords[i][1] - cy) * scale, 1))
            for node, i in index.items()}
