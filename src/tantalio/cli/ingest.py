"""`tantalio ingest` and `tantalio ingest-batch`."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from tantalio.cli.app import app, console
from tantalio.errors import EvidenceError
from tantalio.store import CaseStore


@app.command("ingest")
def ingest_command(
    case: Path = typer.Argument(..., help="Case folder."),
    sources: list[Path] = typer.Argument(..., help="Evidence: folders, zips or files of one seized device."),
    exhibit: str = typer.Option(..., "--exhibit", help="Exhibit id, e.g. EX-07."),
    owner: str | None = typer.Option(None, "--owner", help="Phone number of the person it was seized from (optional: the device's own account is read from the evidence where it shows it; a disagreement is warned)."),
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
    if report.recovered_deleted:
        console.print(f"  recovered {report.recovered_deleted} deleted message rows from free space and WAL frames "
                      "(kept apart from live messages: `tantalio export` lists them under recovered_deleted)")
    if report.nothing_parsed:
        console.print("  [yellow]nothing parsed[/] no chat export or app database of this exhibit could be read")
    for label, items in (("unreadable", report.unreadable), ("damaged", report.damaged), ("refused", report.refused),
                         ("failed", report.failed), ("not readable", report.artefacts)):
        for item in items[:10]:
            console.print(f"  [yellow]{label}[/] {item}", highlight=False)
        if len(items) > 10:
            console.print(f"  … {len(items) - 10} more {label}")
    console.print(f"case warnings: {report.warnings}")


@app.command("ingest-batch")
def ingest_batch_command(
    case: Path = typer.Argument(..., help="Case folder."),
    manifest: Path = typer.Argument(..., help="CSV: exhibit,path,owner,country,timezone,description (one row per "
                                              "exhibit; several sources in path separated by ';')."),
    workers: int = typer.Option(os.cpu_count() or 1, "--workers", help="Exhibits ingested at once (processes)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address (tcp://host:8786); its "
                                         "workers must see the case and evidence at the same paths, on this host."),
    recheck: bool = typer.Option(False, "--recheck", help="Walk and hash again exhibits already ingested "
                                 "(finds files added or changed since)."),
) -> None:
    """Ingest many exhibits in parallel from a manifest; run it again after an interruption."""
    from rich.table import Table

    from tantalio.cli.progress import RichBatchProgress
    from tantalio.exec import make_executor
    from tantalio.ingest.batch import ingest_batch

    executor = make_executor(workers, scheduler)
    try:
        with RichBatchProgress() as progress:
            report = ingest_batch(case, manifest, executor, progress, recheck)
    finally:
        executor.close()
    table = Table("exhibit", "files", "bytes", "parsed artefacts", "warnings", "note", title="ingest-batch",
                  title_justify="left")
    for o in report.exhibits:
        parsed = ", ".join(f"{parser} {n}" for parser, n in o.parsed.items()) or "-"
        note = o.error or ("" if o.state == "ingested" else o.state)
        if o.failed:
            note = f"{o.failed} source(s) failed to parse" + (f"; {note}" if note else "")
        table.add_row(o.exhibit, f"{o.files:,}", _size(o.bytes), parsed, f"{o.warnings:,}", note)
    console.print(table)
    secs = max(report.seconds, 1e-6)
    console.print(f"{len(report.exhibits)} exhibits, {sum(o.files for o in report.exhibits):,} files; this run hashed "
                  f"{report.hashed_files:,} new files ({_size(report.hashed_bytes)}) in {report.seconds:.1f} s: "
                  f"{report.hashed_files / secs:,.0f} files/s, {report.hashed_bytes / secs / 2**20:,.1f} MiB/s; "
                  f"{executor.workers} workers", highlight=False)
    if report.failed:
        raise EvidenceError(f"{len(report.failed)} exhibit(s) could not be ingested: "
                            + ", ".join(o.exhibit for o in report.failed) + " (see the table; fix and run again)")


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)
