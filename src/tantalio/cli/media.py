"""`tantalio hash`, `tantalio hashlist import`, `tantalio analyze`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer

from tantalio.cli.app import app, console, console_err
from tantalio.errors import EvidenceError
from tantalio.store import CaseStore

hashlist_app = typer.Typer(help="Known-material hash lists.", no_args_is_help=True)
app.add_typer(hashlist_app, name="hashlist")


@app.command("hash")
def hash_command(files: list[Path] = typer.Argument(..., help="Files to hash.")) -> None:
    """Print one JSON line per file: path, md5, sha1, sha256, pdq, pdq_quality, mime."""
    from tantalio.media.triage import hash_file

    failed = []
    for f in files:
        try:
            sys.stdout.write(json.dumps(hash_file(f), ensure_ascii=False) + "\n")
        except OSError as e:
            console_err.print(f"{f}: unreadable: {e.strerror or e}", highlight=False)
            failed.append(str(f))
    if failed and len(failed) == len(files):
        raise EvidenceError("no file could be read: " + ", ".join(failed))


@hashlist_app.command("import")
def hashlist_import(
    case: Path = typer.Argument(..., help="Case folder."),
    file: Path = typer.Argument(..., help="Hash list file."),
    fmt: str = typer.Option("auto", "--format", help="vics | csv | plain | md5 | sha1 | sha256 | pdq | auto"),
    name: str | None = typer.Option(None, "--name", help="Name of the list in the case (default: file name)."),
    kind: str = typer.Option("illegal", "--kind", help="illegal | ignorable"),
    scheme: str | None = typer.Option(None, "--scheme", help="Category scheme: projectvic | uk-caid | none"),
) -> None:
    """Import a hash list (Project VIC VICS JSON, CSV, plain lists); bad rows are warnings."""
    from tantalio.analysis.hashlist_import import import_hashlist

    with CaseStore.open(case) as store:
        report = import_hashlist(store, file, fmt, name, kind, scheme)
    console.print(f"imported {report.name!r}: {report.entries:,} entries, {report.problems} rejected rows")


@app.command("analyze")
def analyze_command(
    case: Path = typer.Argument(..., help="Case folder."),
    workers: int = typer.Option(os.cpu_count() or 1, "--workers", help="Local worker processes for media triage."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786."),
    threshold: int = typer.Option(31, "--pdq-threshold", help="PDQ match distance (<=)."),
) -> None:
    """Media triage and matching, identities, groups, first sightings, roles, communities."""
    from tantalio.analysis.run import analyze
    from tantalio.cli.progress import RichProgress
    from tantalio.exec import make_executor

    executor = make_executor(workers, scheduler)
    try:
        with CaseStore.open(case) as store, RichProgress() as progress:
            summary = analyze(store, executor, progress, threshold)
    finally:
        executor.close()
    status = summary.get("media_status", {})
    console.print(f"media: {sum(status.values())} items ({', '.join(f'{v} {k}' for k, v in sorted(status.items()))}), "
                  f"{summary.get('families', 0)} PDQ families")
    net = summary.get("network")
    if isinstance(net, dict):
        console.print("network: " + ", ".join(f"{k} {v}" for k, v in net.items() if isinstance(v, int | float | str)))
