"""CASE/UCO JSON-LD export: the case's persons, accounts, messages, files with hashes, provenance
and investigative actions, valid against the CASE ontology (``case_validate`` from case-utils)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tantalio.cli import main
from tantalio.interop.case_uco import case_graph
from tantalio.store import CaseStore

from ..report.casefixture import build_case


def _case_validate() -> list[str]:
    found = shutil.which("case_validate", path=str(Path(sys.executable).parent)) or shutil.which("case_validate")
    if found:
        return [found]
    if importlib.util.find_spec("case_utils") is not None:
        return [sys.executable, "-m", "case_utils.case_validate"]
    pytest.skip("case-utils (case_validate) is not installed")


def test_graph_holds_the_case(tmp_path: Path) -> None:
    fx = build_case(tmp_path)
    with CaseStore.open(fx.folder) as store:
        store.audit("ingest", {"exhibit": "EX-01", "files": 4})
        doc = case_graph(store)
    nodes = doc["@graph"]
    types: dict[str, int] = {}
    for n in nodes:
        types[n["@type"]] = types.get(n["@type"], 0) + 1
    assert types["identity:Person"] == 5 and types["observable:Message"] == 8
    assert types["investigation:ProvenanceRecord"] == 2 and types["investigation:InvestigativeAction"] == 1
    assert types["observable:File"] == 4 and types["core:Relationship"] >= 5 + 8
    hashes = {h["types:hashValue"]["@value"] for n in nodes for f in n.get("core:hasFacet", [])
              for h in f.get("observable:hash", [])}
    assert fx.camera_sha256.upper() in hashes
    record = next(n for n in nodes if n.get("investigation:exhibitNumber") == "EX-01")
    assert len(record["core:object"]) == 3 + 7               # EX-01's files and the messages read from it
    ids = [n["@id"] for n in nodes]
    assert len(ids) == len(set(ids))
    with CaseStore.open(fx.folder) as store:
        assert case_graph(store) == doc                      # deterministic


def test_export_validates_with_case_utils(tmp_path: Path) -> None:
    fx = build_case(tmp_path, synthetic=True)
    out = tmp_path / "case.jsonld"
    main(["export", str(fx.folder), "--case-uco", str(out)])
    assert json.loads(out.read_text(encoding="utf-8"))["rdfs:comment"] == "SYNTHETIC DEMO DATA"
    result = subprocess.run([*_case_validate(), str(out)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 and "Conforms: True" in result.stdout, result.stdout[-3000:]
