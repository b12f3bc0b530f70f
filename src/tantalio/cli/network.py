"""`tantalio persons list|show|merge|split`, `tantalio groups show` and `tantalio graph export`."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

from tantalio.cli.app import app, console
from tantalio.errors import UserError
from tantalio.store import CaseStore

persons_app = typer.Typer(help="Resolved persons: list and show them, merge or split identities by hand.",
                          no_args_is_help=True)
graph_app = typer.Typer(help="Link-chart exports of the network.", no_args_is_help=True)
groups_app = typer.Typer(help="Group and chat labels: what a label cited in a report names now.",
                         no_args_is_help=True)
app.add_typer(persons_app, name="persons")
app.add_typer(groups_app, name="groups")
app.add_typer(graph_app, name="graph")
_CHAT_HELP = ("Only the EXHIBIT:name label seen in this chat (G-001, or the group JID / export path); by default"
              " EXHIBIT:name means that label in every chat of the exhibit and in its address book.")


def _reanalyze(store: CaseStore) -> None:
    from tantalio.network.rebuild import rebuild_network

    rebuild_network(store)


@persons_app.command("list")
def persons_list(
    case: Path = typer.Argument(..., help="Case folder."),
    merges: bool = typer.Option(False, "--merges", help="Show the merge log (evidence, confidence) instead."),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table."),
) -> None:
    """List persons (phones, names per exhibit, roles, priority) or the merge log."""
    from tantalio.network.persons import list_persons, merge_log

    with CaseStore.open(case) as store:
        if merges:
            for row in merge_log(store):
                if as_json:
                    console.print_json(json.dumps(row, ensure_ascii=False))
                    continue
                undone = f" [dim](undone {row['undone_at']})[/]" if row["undone_at"] else ""
                console.print(f"#{row['id']} {row['op']} {row['person'] or '-'} ids={row['evidence'].get('identifiers')}"
                              f" conf={row['confidence']} by {row['actor']}: {row['reason']}{undone}", markup=True,
                              highlight=False)
            return
        for p in list_persons(store):
            if as_json:
                console.print_json(json.dumps(asdict(p), ensure_ascii=False))
            else:
                console.print(f"{p.label}  {', '.join(p.phones) or '(no phone)'}  names: {'; '.join(p.names) or '-'}"
                              f"  roles: {', '.join(p.roles) or '-'}  priority {p.priority:.1f}", markup=False,
                              highlight=False)


@persons_app.command("show")
def persons_show(
    case: Path = typer.Argument(..., help="Case folder."),
    label: str = typer.Argument(..., help="A person label, e.g. P-0040 (also one merged into another)."),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of text."),
) -> None:
    """What a person label names now: its identifiers and roles, or the label it was merged into."""
    from tantalio.network.persons import show_person

    with CaseStore.open(case) as store:
        found = show_person(store, label)
    if as_json:
        console.print_json(json.dumps(found, ensure_ascii=False))
        return
    if found["status"] == "merged":
        console.print(f"{found['label']} was merged into {found['merged_into']} on {found['at']} by {found['by']}:"
                      f" {found['reason']}. It now names the person labelled {found['now'] or '(none)'}.",
                      markup=False, highlight=False)
        return
    if found["status"] == "retired":
        console.print(f"{found['label']} was retired on {found['at']} by {found['by']}: {found['reason']}.",
                      markup=False, highlight=False)
        return
    lines = [f"{found['label']} (issued {found['issued_at']}, anchored on {found['anchor']})"]
    if found["split_from"]:
        lines.append(f"  split from {found['split_from']}")
    lines += [f"  {i}" for i in found["identifiers"]]
    lines.append("  roles: " + (", ".join(f"{r['role']} ({r['confidence']:.2f})" for r in found["roles"]) or "-"))
    lines += [f"  {m['label']} merged into it on {m['at']} by {m['by']}: {m['reason']}" for m in found["merged_from"]]
    console.print("\n".join(lines), markup=False, highlight=False)


@groups_app.command("show")
def groups_show(
    case: Path = typer.Argument(..., help="Case folder."),
    label: str = typer.Argument(..., help="A group or chat label, e.g. G-004 (also one merged into another)."),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of text."),
) -> None:
    """What a group label names now: its anchor, names and members, or the label it was merged into."""
    from tantalio.network.group_labels import show_group

    with CaseStore.open(case) as store:
        found = show_group(store.conn, label)
    if as_json:
        console.print_json(json.dumps(found, ensure_ascii=False))
        return
    if found["status"] != "active":
        console.print(f"{found['label']} was {found['status']} on {found['at']}"
                      + (f" into {found['merged_into']}" if found["merged_into"] else "")
                      + f": {found['reason']}. It now names the conversation labelled {found['now'] or '(none)'}.",
                      markup=False, highlight=False)
        return
    lines = [f"{found['label']} (issued {found['issued_at']}, anchored on {found['anchor']})",
             f"  names: {'; '.join(found.get('names') or []) or '-'}",
             f"  platform {found.get('platform', '-')}, created {found.get('created') or '-'},"
             f" {found.get('members', 0)} members, recorded by {', '.join(found.get('recorded_by') or []) or '-'}"]
    lines += [f"  {m['label']} merged into it on {m['at']}: {m['reason']}" for m in found["merged_from"]]
    console.print("\n".join(lines), markup=False, highlight=False)


@persons_app.command("merge")
def persons_merge(
    case: Path = typer.Argument(..., help="Case folder."),
    first: str = typer.Argument(..., help="Person label (P-0001), phone, kind:value or EXHIBIT:name."),
    second: str = typer.Argument(..., help="The other person or identifier."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the merge log and the audit trail)."),
    chat: str | None = typer.Option(None, "--chat", help=_CHAT_HELP),
) -> None:
    """Merge two persons by hand (recorded, replayed on every analyze, undoable)."""
    from tantalio.network.persons import merge_persons

    with CaseStore.open(case) as store:
        row = merge_persons(store, first, second, reason, chat)
        _reanalyze(store)
    console.print(f"merge #{row} recorded; analysis rebuilt")


@persons_app.command("split")
def persons_split(
    case: Path = typer.Argument(..., help="Case folder."),
    identifier: str | None = typer.Argument(None, help="Identifier to detach from its person (phone, kind:value,"
                                                       " EXHIBIT:name)."),
    merge: int | None = typer.Option(None, "--merge", help="Undo merge #N of the merge log instead."),
    reason: str = typer.Option(..., "--reason", help="Why (kept in the merge log and the audit trail)."),
    chat: str | None = typer.Option(None, "--chat", help=_CHAT_HELP),
) -> None:
    """Split an identifier off its person, or undo a merge (`--merge N`)."""
    from tantalio.network.persons import split_identifier, undo_merge

    if (identifier is None) == (merge is None):
        raise UserError("give either an identifier to detach or --merge N to undo")
    with CaseStore.open(case) as store:
        row = (undo_merge(store, merge, reason) if merge is not None
               else split_identifier(store, identifier or "", reason, chat))
        _reanalyze(store)
    console.print(f"split #{row} recorded; analysis rebuilt")


@graph_app.command("export")
def graph_export(
    case: Path = typer.Argument(..., help="Case folder."),
    out: Path = typer.Argument(..., help="Output file (graphml, gexf, cytoscape) or folder (i2, neo4j)."),
    fmt: str = typer.Option(..., "--format", help="One of: graphml, gexf, i2, neo4j, cytoscape."),
) -> None:
    """Export the person–group network for Gephi, i2 Analyst's Notebook, Neo4j or Cytoscape.js."""
    from tantalio.network.link_charts import export_graph

    with CaseStore.open(case) as store:
        written = export_graph(store, fmt, out)
    for path in written:
        console.print(f"wrote {path}")
