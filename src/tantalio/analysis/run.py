"""`tantalio analyze`: media triage and matching, then network analysis, on the whole case."""

from __future__ import annotations

from typing import Any

from tantalio.analysis.media_stage import assign_families, collect_media, match_media, triage_media
from tantalio.exec import Executor
from tantalio.network.rebuild import rebuild_network
from tantalio.store.sqlite import CaseStore


def analyze(store: CaseStore, executor: Executor, progress: Any = None, threshold: int = 31) -> dict[str, Any]:
    """Run every analysis stage; each is idempotent, so analyze can be re-run after new ingests."""
    summary: dict[str, Any] = {"new_media_items": collect_media(store)}
    summary["triaged"] = triage_media(store, executor, progress)
    summary["media_status"] = match_media(store, executor, threshold)
    summary["families"] = assign_families(store)
    store.audit("analyze.media", dict(summary))
    # audits itself ("analyze.network"): it also runs alone after a manual merge or split
    summary["network"] = rebuild_network(store, progress)
    return summary
