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
) -> None:
    """Write the machine-readable case document (schema tantalio.case/1)."""
    from tantalio.export import write_case_document

    if json_out is None:
        raise UserError("say where to write: --json FILE")
    with CaseStore.open(case) as store:
        doc = write_case_document(store, json_out)
    console.print(f"wrote {json_out}: {len(doc['persons'])} persons, {len(doc['groups'])} groups, "
                  f"{len(doc['media'])} media items")
