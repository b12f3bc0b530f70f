"""Issue 13 item 1, readers: a phone ingested without ``--owner`` whose own account is in the
evidence (WhatsApp's preference file) is seized from that person in every output - dossier,
VID queue, packages, export, CASE/UCO, web dashboard - through ``exhibit_owner``. With an
``--owner`` the evidence disagrees with, ``--owner`` wins (README, "The device owner comes from the
evidence..."): the exhibit is seized from that number's person, the other account is not merged
into it, and both the warning log and the owner's basis name the other account."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tantalio.analysis.hashlist_import import import_hashlist
from tantalio.analysis.run import analyze
from tantalio.demo import DemoConfig, generate
from tantalio.exec.local import LocalExecutor
from tantalio.export import build_case_document
from tantalio.ingest.pipeline import IngestOptions, ingest
from tantalio.interop.case_uco import case_graph
from tantalio.report.caseview import CaseView
from tantalio.report.dossier import build_dossier
from tantalio.report.html import render_dossier
from tantalio.report.packages import countries_of, summary_rows
from tantalio.report.vid_queue import build_queue
from tantalio.store import CaseStore
from tantalio.web.data.case import dashboard


def _case(tmp_path: Path, owner_of: Callable[[dict[str, Any], dict[str, Any]], str | None],
          ) -> tuple[CaseStore, dict[str, Any], dict[str, Any]]:
    """The small demo case, every exhibit ingested with ``owner_of(exhibit, producer)`` as its
    ``--owner``; the producer is an Android extraction whose camera roll is its owner's."""
    root = tmp_path / "demo"
    manifest = generate(root, DemoConfig.small(seed=7)).to_json()
    truth = json.loads((root / manifest["ground_truth"]).read_text(encoding="utf-8"))
    producer = next(e for e in truth["exhibits"] if e["kind"] == "android_extraction" and e["dcim"])
    store = CaseStore.create(tmp_path / "case")
    executor = LocalExecutor(1)
    try:
        for ex in manifest["exhibits"]:
            owner = owner_of(ex, producer)
            ingest(store, [root / ex["path"]], IngestOptions(ex["id"], owner=owner, country=ex["country"],
                                                              timezone=ex["timezone"]))
        for hl in manifest["hashlists"]:
            if hl["format"] == "vics":
                import_hashlist(store, root / hl["path"], "vics", hl.get("name"), hl.get("kind", "illegal"))
        analyze(store, executor)
    finally:
        executor.close()
    return store, manifest, producer


def test_owner_found_in_the_evidence_is_who_the_exhibit_was_seized_from(tmp_path: Path) -> None:
    store, manifest, producer = _case(tmp_path, lambda ex, p: None if ex["id"] == p["id"] else ex["owner_phone"])
    conn = store.conn
    assert conn.execute("SELECT owner_phone FROM exhibit WHERE id=?", (producer["id"],)).fetchone()[0] is None
    label, basis = conn.execute(
        "SELECT p.label, o.basis FROM exhibit_owner o JOIN person p ON p.id = o.person_id WHERE o.exhibit_id=?",
        (producer["id"],)).fetchone()
    assert basis.startswith("the evidence: com.whatsapp: registration_jid")
    phones = {n for (n,) in conn.execute("SELECT i.normalized FROM identifier i JOIN person p ON p.id = i.person_id"
                                         " WHERE p.label = ? AND i.kind = 'phone'", (label,))}
    assert producer["owner_phone"] in phones
    assert conn.execute("SELECT count(*) FROM exhibit_owner").fetchone()[0] == len(manifest["exhibits"])

    view = CaseView(store)
    dossier = build_dossier(view, label)
    assert producer["id"] in [e.id for e in dossier.seized_exhibits]
    assert view.exhibit(producer["id"]).seized_from == label
    assert view.exhibit(producer["id"]).owner_phone == producer["owner_phone"]   # from the evidence
    assert "producer" in dossier.roles_summary and dossier.cameras
    suspects = {s for item in build_queue(view).items for s in item.suspects}
    assert label in suspects
    doc = build_case_document(store)
    assert next(e for e in doc["exhibits"] if e["id"] == producer["id"])["owner"] == label
    assert producer["id"] in next(p for p in doc["persons"] if p["id"] == label)["owner_of"]
    uco = json.dumps(case_graph(store))
    assert "Seized_From" in uco and f"seized from {label}" in uco
    country = conn.execute("SELECT country FROM exhibit WHERE id=?", (producer["id"],)).fetchone()[0]
    assert label in countries_of(view)[country]
    row = next(r for r in summary_rows(view, [label], {}) if r["person"] == label)
    assert producer["id"] in row["owner_of"]
    board = next(e for e in dashboard(store)["exhibits"] if e["id"] == producer["id"])
    assert board["seized_from"] == label and board["owner_basis"] == basis
    store.close()


def test_owner_given_and_disagreeing_with_the_evidence_wins(tmp_path: Path) -> None:
    other = "+447700900999"        # fiction range; the phone's own account says otherwise
    store, _, producer = _case(tmp_path, lambda ex, p: other if ex["id"] == p["id"] else ex["owner_phone"])
    conn = store.conn
    label, basis = conn.execute(
        "SELECT p.label, o.basis FROM exhibit_owner o JOIN person p ON p.id = o.person_id WHERE o.exhibit_id=?",
        (producer["id"],)).fetchone()
    assert basis.startswith(f"--owner {other}; the evidence also names, not merged: com.whatsapp: registration_jid")
    assert producer["owner_phone"] in basis
    phones = {n for (n,) in conn.execute("SELECT i.normalized FROM identifier i JOIN person p ON p.id = i.person_id"
                                         " WHERE p.label = ? AND i.kind = 'phone'", (label,))}
    assert other in phones and producer["owner_phone"] not in phones
    assert conn.execute("SELECT count(*) FROM warning WHERE exhibit_id = ? AND message LIKE ?",
                        (producer["id"], f"--owner {other} disagrees with the evidence%")).fetchone()[0] >= 1
    view = CaseView(store)
    assert view.exhibit(producer["id"]).seized_from == label
    assert view.exhibit(producer["id"]).owner_phone == other
    dossier = build_dossier(view, label)
    assert producer["id"] in [e.id for e in dossier.seized_exhibits]
    # the dossier says why that person is the owner, quoted as analysis recorded it
    assert view.exhibit(producer["id"]).owner_basis == basis
    page = render_dossier(dossier)
    assert 'class="muted evidence-text owner-basis"' in page and html.escape(basis, quote=False) in page
    doc = build_case_document(store)
    assert next(e for e in doc["exhibits"] if e["id"] == producer["id"])["owner"] == label
    store.close()
