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
    scheme: str | None = typer.Option(None, "--scheme", help="Category scheme: projectvic (default) | uk-caid | none"),
    category_map: list[str] = typer.Option([], "--category-map", help="What a category code of this list means: "
                                            "CODE=illegal|ignorable|pertinent[:LABEL] (repeatable), or a JSON "
                                            "scheme file. Codes neither this nor the scheme knows are uncategorised."),
    hash_kind: str | None = typer.Option(None, "--hash-kind", help="md5 | sha1 | sha256 | pdq: the kind of a CSV's "
                                         "generic 'hash' column (a plain list: use --format)."),
    accept_partial: bool = typer.Option(False, "--accept-partial", help="Import the part of a broken or truncated "
                                        "list before the break (otherwise such a list is refused whole)."),
) -> None:
    """Import a hash list (Project VIC VICS JSON, CSV/TSV, plain lists); bad rows are warnings."""
    from tantalio.analysis.hashlist_import import import_hashlist
    from tantalio.errors import HashListError
    from tantalio.media.hashlists.categories import parse_category_map

    try:
        mapped = parse_category_map(category_map)
    except (ValueError, OSError, KeyError) as e:
        raise HashListError(str(e)) from e
    with CaseStore.open(case) as store:
        report = import_hashlist(store, file, fmt, name, kind, scheme, category_map=mapped, algorithm=hash_kind,
                                 accept_partial=accept_partial)
    declared = " ".join(x for x in (f"VICS {report.version}" if report.version else "", report.profile or "") if x)
    console.print(f"imported {report.name!r} ({report.format}{', ' + declared if declared else ''}): "
                  f"{report.entries:,} entries, {report.duplicates:,} duplicate rows stored once, "
                  f"{report.problems:,} rejected rows", highlight=False)
    if report.partial:
        console_err.print("[yellow]partial import[/]: the list is broken or truncated; only the part before the "
                          "break was imported (see the case warnings)", highlight=False)
    for code, count in report.unknown_categories.items():
        console_err.print(f"[yellow]warning[/]: category code {code!r} ({count:,} entries) is not in the list's "
                          f"scheme: uncategorised, a match never makes an item known. Map it: --category-map "
                          f"{code}=illegal|ignorable|pertinent", highlight=False)


@hashlist_app.command("list")
def hashlist_list(
    case: Path = typer.Argument(..., help="Case folder."),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table."),
) -> None:
    """The case's imported hash lists: kind, format, VICS version/profile, entries, problems."""
    from tantalio.analysis.hashlist_import import list_hashlists

    with CaseStore.open(case) as store:
        lists = list_hashlists(store)
    for hl in lists:
        if as_json:
            sys.stdout.write(json.dumps(hl, ensure_ascii=False) + "\n")
            continue
        version = " ".join(str(x) for x in (hl["version"] and f"VICS {hl['version']}", hl["profile"]) if x)
        console.print(f"{hl['name']}  {hl['kind']}  {hl['format']}{' ' + hl['algorithm'] if hl['algorithm'] else ''}"
                      f"{'  ' + version if version else ''}  scheme {hl['scheme']}  {hl['entry_count']:,} entries"
                      f"  {hl['duplicate_count']:,} duplicates  {hl['problem_count']:,} rejected"
                      f"{'  PARTIAL' if hl['partial'] else ''}  imported {hl['imported_at']}"
                      f"{'  UNFINISHED (' + hl['state'] + '; import it again or remove it)' if hl['state'] != 'ready' else ''}",
                      highlight=False,
                      markup=False)
    if not lists and not as_json:
        console.print("no hash lists imported")


@hashlist_app.command("remove")
def hashlist_remove(
    case: Path = typer.Argument(..., help="Case folder."),
    name: str = typer.Argument(..., help="Name of the list (see `tantalio hashlist list`)."),
) -> None:
    """Remove a list, its entries and their matches (recorded in the audit log)."""
    from tantalio.analysis.hashlist_import import remove_hashlist

    with CaseStore.open(case) as store:
        removed = remove_hashlist(store, name)
    console.print(f"removed {name!r}: {removed['entries']:,} entries; {removed['items']} media items re-statused",
                  highlight=False)


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
