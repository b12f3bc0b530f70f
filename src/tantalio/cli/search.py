"""`tantalio search CASE QUERY`: full-text search of a case from the command line (the web UI's search)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from tantalio.cli.app import app, console
from tantalio.store import CaseStore


def _plain(snippet: list[dict[str, Any]], marks: bool) -> str:
    return "".join((f"[bold yellow]{p['text']}[/]" if marks and p["hit"] else p["text"]) for p in snippet)


@app.command("search")
def search(
    case: Annotated[Path, typer.Argument(help="Case folder.")],
    query: Annotated[str, typer.Argument(help='Words (any order), "a phrase", prefix*, a phone number or a hash prefix.')],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    group: Annotated[str | None, typer.Option("--group", help="Only in this group (label, e.g. G-001).")] = None,
    person: Annotated[str | None, typer.Option("--person", help="Only this person (label).")] = None,
    exhibit: Annotated[str | None, typer.Option("--exhibit", help="Only this exhibit.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="Only persons of this country (ISO code).")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="From this day (YYYY-MM-DD, UTC).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Up to this day, included.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Media status: known, unknown or ignorable.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Hits per kind.")] = 50,
    order: Annotated[str, typer.Option("--order", help="relevance or time (messages).")] = "relevance",
) -> None:
    """Search message text, names, phone numbers, file names, camera make/model/serial and hashes."""
    from tantalio.web.search import Filters, refresh, run

    with CaseStore.open(case) as store:
        refresh(store, check_deletions=True)  # bring the index up to date with the latest ingest
        result = run(store, query, Filters(group=group, person=person, exhibit=exhibit,
                                           country=country.upper() if country else None, date_from=date_from,
                                           date_to=date_to, status=status), limit=limit, order=order)
    if as_json:
        for hit in result["messages"]:
            hit["text"] = _plain(hit.pop("snippet"), marks=False)
        console.print_json(json.dumps(result, ensure_ascii=False))
        return
    counts = result["counts"]
    console.print(f"[bold]{query}[/]: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()), highlight=False)
    for kind, why in result["left_out"].items():
        console.print(f"[dim]{kind} left out: filters {', '.join(why)} do not apply to them[/]", highlight=False)
    if result["messages"]:
        table = Table("time (UTC)", "group", "sender", "message", "recorded in", title="messages")
        for m in result["messages"]:
            table.add_row(m["time"] or "", m["group"] or "", m["sender"] or m["sender_identifier"] or "",
                          _plain(m["snippet"], marks=True),
                          ", ".join(f"{c['exhibit']} {c['location'] or ''}".strip() for c in m["copies"]))
        console.print(table)
    for kind, columns in (("persons", ("person", "kind", "matched")), ("groups", ("group", "name", "exhibit")),
                          ("media", ("sha256", "status", "camera", "serial")), ("files", ("exhibit", "path", "format")),
                          ("attachments", ("name", "group", "time", "exhibit"))):
        if result[kind]:
            table = Table(*columns, title=kind)
            for hit in result[kind]:
                table.add_row(*[str(hit.get(c) or "") for c in columns])
            console.print(table)
