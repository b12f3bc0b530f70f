"""The root Typer application; command groups register themselves here."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="tantalio",
    help="Forensic analysis of messaging-group networks: ingest seized-device evidence, triage media, "
    "map the network, report.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
console_err = Console(stderr=True)


def _register() -> None:
    from tantalio.cli import case, export, ingest  # noqa: F401  (each module adds its commands)

    for optional in ("media", "network", "report", "web", "demo", "search"):  # each adds its commands
        try:
            __import__(f"tantalio.cli.{optional}")
        except ModuleNotFoundError as e:
            if e.name != f"tantalio.cli.{optional}":
                raise


_register()
