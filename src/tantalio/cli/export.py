"""`tantalio export`."""

from __future__ import annotations

from pathlib import Path

import typer

from tantalio.cli.app import app, console
from tantalio.errors import UserError
from tantalio.store import CaseStore


@app.command("export")
def export_command(
    case: Path = typer.Argument(..., help="Case folder."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the tantalio.case/1 JSON document here."),
    case_uco: Path | None = typer.Option(None, "--case-uco", help="Write the case as CASE/UCO JSON-LD here."),
    timesketch: Path | None = typer.Option(None, "--timesketch", help="Write the timeline as Timesketch JSONL here."),
) -> None:
    """Write the machine-readable case document (schema tantalio.case/1), CASE/UCO JSON-LD, a Timesketch timeline."""
    from tantalio.export import write_case_document

    if json_out is None and case_uco is None and timesketch is None:
        raise UserError("say where to write: --json FILE, --case-uco FILE and/or --timesketch FILE")
    with CaseStore.open(case) as store:
        if json_out is not None:
            counts = write_case_document(store, json_out)
            console.print(f"wrote {json_out}: {counts['persons']} persons, {counts['groups']} groups, "
                          f"{counts['media']} media items")
        if case_uco is not None:
            import json

            from tantalio.interop.case_uco import case_graph

            graph = case_graph(store)
            case_uco.parent.mkdir(parents=True, exist_ok=True)
            case_uco.write_text(json.dumps(graph, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            console.print(f"wrote {case_uco}: CASE/UCO JSON-LD, {len(graph['@graph'])} nodes")
        if timesketch is not None:
            from tantalio.interop.timesketch import write_timesketch

            timesketch.parent.mkdir(parents=True, exist_ok=True)
            with timesketch.open("w", encoding="utf-8") as f:
                n = write_timesketch(store, f)
            console.print(f"wrote {timesketch}: Timesketch JSONL, {n} events")
