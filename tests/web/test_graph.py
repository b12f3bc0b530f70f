"""The explorer's graph: a layout that does not change between loads or processes, and the cap."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tantalio.store import CaseStore
from tantalio.web.data.graph import explorer_graph, layout
from tests.web.casefixture import build_case


def test_layout_is_the_same_every_time_and_in_every_process() -> None:
    nodes = [f"n{i}" for i in range(300)]
    edges = [(f"n{i}", f"n{(i * 7 + 3) % 300}") for i in range(300)]
    first = layout(nodes, edges)
    assert layout(list(reversed(nodes)), edges) == first
    code = ("from tantalio.web.data.graph import layout; import json; "
            "n = [f'n{i}' for i in range(300)]; e = [(f'n{i}', f'n{(i * 7 + 3) % 300}') for i in range(300)]; "
            "print(json.dumps(sorted(layout(n, e).items())))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert {node: tuple(xy) for node, xy in json.loads(other)} == first


def test_graph_edges_and_cap(tmp_path: Path) -> None:
    case = build_case(tmp_path).folder
    with CaseStore.open(case) as store:
        graph = explorer_graph(store)
        kinds = {e["data"]["kind"] for e in graph["elements"]["edges"]}
        assert kinds == {"member", "added_by", "reposted_from"}
        added = [e["data"] for e in graph["elements"]["edges"] if e["data"]["kind"] == "added_by"]
        assert {(a["source"], a["target"]) for a in added} >= {("p1", "p2"), ("p3", "p4")}
        assert all("position" in n for n in graph["elements"]["nodes"])
        small = explorer_graph(store, max_nodes=3)
        labels = [n["data"]["label"] for n in small["elements"]["nodes"]]
        assert small["left_out"] == 6 - len(labels) and "P-001" in labels   # the highest priority stays
