"""Link-chart exports of the resolved network for the tools police analysts use.

Nodes: persons (label, phones, roles, priority, community) and groups (label, names).
Edges: ``member_of`` (person → group, with join/leave times), ``posted`` (person → group, media
count), ``added`` / ``removed`` (actor → member, in a group, at a time).

Formats: GraphML and GEXF (Gephi; networkx writers), Cytoscape.js JSON, i2 Analyst's Notebook
import CSV (one entity file, one link file: map them with an import specification), and Neo4j
``neo4j-admin database import`` CSV files. Output is sorted so the same case gives the same file.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from tantalio.errors import UserError
from tantalio.store.sqlite import CaseStore

FORMATS = ("graphml", "gexf", "i2", "neo4j", "cytoscape")


@dataclass(slots=True)
class LinkChart:
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)     # id -> attributes (type, label, ...)
    edges: list[dict[str, Any]] = field(default_factory=list)           # source, target, type, attributes


def build_chart(conn: sqlite3.Connection) -> LinkChart:
    chart = LinkChart()
    phones: dict[int, list[str]] = defaultdict(list)
    for pid, phone in conn.execute("SELECT person_id, normalized FROM identifier WHERE kind = 'phone'"
                                   " AND person_id IS NOT NULL ORDER BY normalized"):
        phones[pid].append(phone)
    roles: dict[int, list[str]] = defaultdict(list)
    for pid, role in conn.execute("SELECT person_id, role FROM person_role ORDER BY role"):
        roles[pid].append(role)
    scores = {r[0]: r[1:] for r in conn.execute("SELECT person_id, priority, community, kpp_rank FROM person_score")}
    label = {}
    for pid, plabel in conn.execute("SELECT id, label FROM person ORDER BY label"):
        label[pid] = plabel
        priority, community, kpp = scores.get(pid, (0.0, None, None))
        chart.nodes[plabel] = {"type": "person", "label": plabel, "phones": ";".join(phones[pid]),
                               "roles": ";".join(roles[pid]), "priority": float(priority or 0.0),
                               "community": -1 if community is None else int(community),
                               "kpp_rank": 0 if kpp is None else int(kpp)}
    names: dict[int, list[str]] = defaultdict(list)
    for cid, name in conn.execute("SELECT chat_id, name FROM chat_name ORDER BY first_seen, name"):
        names[cid].append(name)
    chat = {}
    for cid, clabel, created in conn.execute("SELECT id, label, created_at FROM chat WHERE is_group = 1 ORDER BY label"):
        chat[cid] = clabel
        chart.nodes[clabel] = {"type": "group", "label": " / ".join(names[cid]) or clabel, "created": created or ""}
    for cid, pid, start, end in conn.execute(
        "SELECT chat_id, person_id, start, end FROM membership_spell ORDER BY chat_id, person_id, start"
    ):
        if cid in chat and pid in label:
            chart.edges.append({"source": label[pid], "target": chat[cid], "type": "member_of",
                                "start": start or "", "end": end or ""})
    for pid, cid, n in conn.execute("SELECT person_id, chat_id, count(*) FROM post WHERE person_id IS NOT NULL"
                                    " GROUP BY 1, 2 ORDER BY 1, 2"):
        if cid in chat and pid in label:
            chart.edges.append({"source": label[pid], "target": chat[cid], "type": "posted", "media": n})
    for cid, event, pid, by, time in conn.execute(
        "SELECT chat_id, event, person_id, by_person_id, time FROM group_event WHERE event IN ('added', 'removed')"
        " AND person_id IS NOT NULL AND by_person_id IS NOT NULL ORDER BY chat_id, time, id"
    ):
        if cid in chat:
            chart.edges.append({"source": label[by], "target": label[pid], "type": event, "group": chat[cid],
                                "time": time or ""})
    return chart


def to_networkx(chart: LinkChart) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for node, attrs in chart.nodes.items():
        graph.add_node(node, **attrs)
    for n, edge in enumerate(chart.edges):
        attrs = {k: v for k, v in edge.items() if k not in ("source", "target")}
        graph.add_edge(edge["source"], edge["target"], key=f"e{n}", **attrs)
    return graph


def export_graph(store: CaseStore, fmt: str, out: Path) -> list[Path]:
    """Write the network in ``fmt``; returns the files written (i2 and neo4j write a folder)."""
    if fmt not in FORMATS:
        raise UserError(f"unknown graph format {fmt!r} (use one of: {', '.join(FORMATS)})")
    chart = build_chart(store.conn)
    out = Path(out)
    if fmt in ("i2", "neo4j"):
        out.mkdir(parents=True, exist_ok=True)
        return _write_i2(chart, out) if fmt == "i2" else _write_neo4j(chart, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    graph = to_networkx(chart)
    if fmt == "graphml":
        nx.write_graphml(graph, out)
    elif fmt == "gexf":
        nx.write_gexf(graph, out, version="1.2draft")
    else:
        elements = {"nodes": [{"data": {"id": n, **a}} for n, a in chart.nodes.items()],
                    "edges": [{"data": {"id": f"e{i}", **e}} for i, e in enumerate(chart.edges)]}
        out.write_text(json.dumps({"elements": elements}, ensure_ascii=False, sort_keys=True, indent=1) + "\n",
                       encoding="utf-8")
    return [out]


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _write_i2(chart: LinkChart, out: Path) -> list[Path]:
    entities = [[n, a["type"], a["label"], a.get("phones", ""), a.get("roles", ""), a.get("priority", "")]
                for n, a in chart.nodes.items()]
    links = []
    for e in chart.edges:
        src, dst = chart.nodes[e["source"]], chart.nodes[e["target"]]
        detail = e.get("group") or (str(e["media"]) + " media" if "media" in e else "")
        links.append([e["source"], src["type"], src["label"], e["target"], dst["type"], dst["label"], e["type"],
                      e.get("time") or e.get("start", ""), e.get("end", ""), detail])
    return [
        _write_csv(out / "entities.csv", ["entity_id", "entity_type", "label", "phones", "roles", "priority"], entities),
        _write_csv(out / "links.csv", ["from_id", "from_type", "from_label", "to_id", "to_type", "to_label",
                                       "link_type", "timestamp", "end", "detail"], links),
    ]


def _write_neo4j(chart: LinkChart, out: Path) -> list[Path]:
    persons = [[n, a["label"], a["phones"], a["roles"], a["priority"], a["community"], "Person"]
               for n, a in chart.nodes.items() if a["type"] == "person"]
    groups = [[n, a["label"], a["created"], "Group"] for n, a in chart.nodes.items() if a["type"] == "group"]
    member = [[e["source"], e["target"], e["start"], e["end"], "MEMBER_OF"] for e in chart.edges if e["type"] == "member_of"]
    posted = [[e["source"], e["target"], e["media"], "POSTED_IN"] for e in chart.edges if e["type"] == "posted"]
    acted = [[e["source"], e["target"], e["group"], e["time"], e["type"].upper()]
             for e in chart.edges if e["type"] in ("added", "removed")]
    return [
        _write_csv(out / "persons.csv", ["id:ID(Person)", "label", "phones:string[]", "roles:string[]", "priority:float",
                                         "community:int", ":LABEL"], persons),
        _write_csv(out / "groups.csv", ["id:ID(Group)", "names", "created", ":LABEL"], groups),
        _write_csv(out / "member_of.csv", [":START_ID(Person)", ":END_ID(Group)", "start", "end", ":TYPE"], member),
        _write_csv(out / "posted_in.csv", [":START_ID(Person)", ":END_ID(Group)", "media:int", ":TYPE"], posted),
        _write_csv(out / "acted_on.csv", [":START_ID(Person)", ":END_ID(Person)", "group", "time", ":TYPE"], acted),
    ]
