"""`tantalio analyze`: media triage and matching, then network analysis, on the whole case."""

from __future__ import annotations

from typing import Any

from tantalio.analysis.media_stage import assign_families, collect_media, match_media, triage_media
from tantalio.exec import Executor
from tantalio.store.sqlite import CaseStore


def analyze(store: CaseStore, executor: Executor, progress: Any = None, threshold: int = 31) -> dict[str, Any]:
    """Run every analysis stage; each is idempotent, so analyze can be re-run after new ingests."""
    summary: dict[str, Any] = {"new_media_items": collect_media(store)}
    summary["triaged"] = triage_media(store, executor, progress)
    summary["media_status"] = match_media(store, executor, threshold)
    summary["families"] = assign_families(store)
    try:
        from tantalio.network.analyze import run as run_network
    except ImportError:
        run_network = None  # type: ignore[assignment]
    if run_network is not None:
        summary["network"] = run_network(store, progress)
    # the network stage audits itself ("analyze.network"): it also runs alone after a manual merge
    store.audit("analyze.media", {k: v for k, v in summary.items() if k != "network"})
    return summary
