"""`tantalio ingest`."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from tantalio.cli.app import app, console
from tantalio.store import CaseStore


@app.command("ingest")
def ingest_command(
    case: Path = typer.Argument(..., help="Case folder."),
    sources: list[Path] = typer.Argument(..., help="Evidence: folders, zips or files of one seized device."),
    exhibit: str = typer.Option(..., "--exhibit", help="Exhibit id, e.g. EX-07."),
    owner: str | None = typer.Option(None, "--owner", help="Phone number of the person it was seized from."),
    country: str | None = typer.Option(None, "--country", help="ISO country code (default region for numbers)."),
    timezone: str | None = typer.Option(None, "--timezone", help="Device timezone (IANA), default: the case's."),
    fmt: str | None = typer.Option(None, "--format", help="Force one parser (e.g. whatsapp_txt)."),
    description: str | None = typer.Option(None, "--description", help="What the exhibit is."),
    workers: int = typer.Option(min(2, os.cpu_count() or 1), "--workers", help="Hashing threads."),
) -> None:
    """Register an exhibit, hash every file (custody) and parse what Tantalio understands."""
    from tantalio.cli.progress import RichProgress
    from tantalio.ingest.pipeline import IngestOptions, ingest

    with CaseStore.open(case) as store:
        opts = IngestOptions(exhibit, owner, country, timezone, fmt, description, workers)
        with RichProgress() as progress:
            report = ingest(store, sources, opts, progress=progress)
    parsed = ", ".join(f"{n} {k}" for k, n in sorted(report.parsed.items())) or "nothing new"
    console.print(
        f"[bold]{report.exhibit_id}[/]: {report.files} files ({report.bytes:,} bytes), {report.new_files} new; "
        f"parsed: {parsed}; already parsed: {report.skipped_parsed}"
    )
    for label, items in (("unreadable", report.unreadable), ("refused", report.refused), ("failed", report.failed)):
        for item in items[:10]:
            console.print(f"  [yellow]{label}[/] {item}", highlight=False)
        if len(items) > 10:
            console.print(f"  … {len(items) - 10} more {label}")
    console.print(f"case warnings: {report.warnings}")
