from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
from typer.testing import CliRunner

from tantalio.cli.app import app
from tantalio.export import build_case_document, dumps
from tantalio.network.rebuild import rebuild_network as run

from .test_resolution import PEPE, build


def test_case_document_is_complete_and_deterministic(tmp_path: Path) -> None:
    store = build(tmp_path)
    run(store)
    first = dumps(build_case_document(store))
    run(store)
    assert dumps(build_case_document(store)) == first
    doc = json.loads(first)
    assert {e["id"]: e["owner"] for e in doc["exhibits"]}["EX-A"] is not None
    pepe = next(p for p in doc["persons"] if PEPE in p["phones"])
    assert "Pepe BCN" in pepe["names"] and {"EX-A", "EX-B", "EX-C"} <= set(pepe["exhibits"])
    assert "administrator" in pepe["roles"]
    group = next(g for g in doc["groups"] if g["jids"] == ["120363000000000001@g.us"])
    assert group["creator"] == pepe["id"] and pepe["id"] in group["admins"] and len(group["members"]) >= 4
    assert {m["event"] for m in doc["memberships"]} >= {"created", "added"}
    media = doc["media"][0]
    assert media["first_seen"]["group"] == group["id"] and media["posts"] == 2 and media["status"] == "unknown"
    for key in ("id", "phones", "names", "countries", "exhibits", "owner_of", "groups", "roles", "messages",
                "media_posted", "known_posted", "unknown_posted", "first_posts", "priority"):
        assert key in pepe


def test_cli_persons_and_graph_exports(tmp_path: Path) -> None:
    store = build(tmp_path)
    run(store)
    store.close()
    case = str(tmp_path / "case")
    runner = CliRunner()
    result = runner.invoke(app, ["persons", "list", case])
    assert result.exit_code == 0, result.output
    assert "P-0001" in result.output
    result = runner.invoke(app, ["persons", "list", case, "--merges"])
    assert result.exit_code == 0 and "label linked" in result.output
    result = runner.invoke(app, ["persons", "split", case, "EX-B:Pepe BCN", "--reason", "test"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["persons", "merge", case, "EX-B:Pepe BCN", PEPE, "--reason", "test"])
    assert result.exit_code == 0, result.output

    for fmt, out in (("graphml", "g.graphml"), ("gexf", "g.gexf"), ("cytoscape", "g.json"), ("i2", "i2"),
                     ("neo4j", "neo4j")):
        result = runner.invoke(app, ["graph", "export", case, "--format", fmt, str(tmp_path / out)])
        assert result.exit_code == 0, result.output
    graph = nx.read_graphml(tmp_path / "g.graphml")
    assert any(d.get("type") == "group" for _, d in graph.nodes(data=True))
    assert nx.read_gexf(tmp_path / "g.gexf").number_of_edges() == graph.number_of_edges()
    cy = json.loads((tmp_path / "g.json").read_text())
    assert cy["elements"]["nodes"] and cy["elements"]["edges"]
    with (tmp_path / "i2" / "links.csv").open() as fh:
        links = list(csv.DictReader(fh))
    assert {row["link_type"] for row in links} >= {"member_of", "posted", "added"}
    header = (tmp_path / "neo4j" / "persons.csv").read_text().splitlines()[0]
    assert header.startswith("id:ID(Person)")
    result = runner.invoke(app, ["graph", "export", case, "--format", "pajek", str(tmp_path / "x")])
    assert result.exit_code != 0
