"""`tantalio case init|verify`."""

from __future__ import annotations

from pathlib import Path

import typer

from tantalio.cli.app import app, console
from tantalio.errors import IntegrityError
from tantalio.store import CaseStore

case_app = typer.Typer(help="Create and check cases.", no_args_is_help=True)
app.add_typer(case_app, name="case")


@case_app.command("init")
def init(
    case: Path = typer.Argument(..., help="Case folder to create."),
    name: str | None = typer.Option(None, "--name", help="Case name (default: the folder name)."),
    timezone: str = typer.Option("UTC", "--timezone", help="Default device timezone (IANA name)."),
) -> None:
    """Create a case folder with an empty case store."""
    store = CaseStore.create(case, name, timezone)
    console.print(f"created case [bold]{store.meta('name')}[/] at {case} (schema v{store.schema_version()})")
    store.close()


@case_app.command("verify")
def verify(case: Path = typer.Argument(..., help="Case folder.")) -> None:
    """Recompute the audit hash chain and re-hash the evidence files still present."""
    from tantalio.verify import verify_case

    with CaseStore.open(case, migrate=False) as store:
        result = verify_case(store)
    console.print(f"audit log: {result.audit_rows} rows, chain {'intact' if result.audit_ok else 'BROKEN'}")
    console.print(f"evidence: {result.files_checked} files re-hashed, {result.files_missing} no longer present")
    for item in result.damaged:
        console.print(f"  [yellow]partial custody[/] {item}", highlight=False)
    if result.problems:
        raise IntegrityError("; ".join(result.problems[:5]) + (" …" if len(result.problems) > 5 else ""))
    if result.damaged:
        # custody holds only the readable part of these files: say so rather than "verified"
        raise IntegrityError(f"case verified only in part: {len(result.damaged)} evidence file(s) could be read "
                             "only in part at intake (listed above); their readable part is unchanged")
    console.print("[green]case verified[/]")
