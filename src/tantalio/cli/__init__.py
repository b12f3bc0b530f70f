"""The `tantalio` command: thin wrappers over the library (one module per command group)."""

from __future__ import annotations

import sys

import click

from tantalio.cli import search as _search  # noqa: F401  (registers `tantalio search`)
from tantalio.cli.app import app, console_err
from tantalio.errors import TantalioError


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; library errors become one-line messages and exit codes."""
    try:
        app(args=argv, prog_name="tantalio", standalone_mode=False)
    except TantalioError as e:
        console_err.print(f"[bold red]error:[/] {e}", highlight=False, markup=True, soft_wrap=True)
        sys.exit(e.exit_code)
    except click.exceptions.Abort:
        console_err.print("aborted")
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        console_err.print("interrupted")
        sys.exit(130)


__all__ = ["app", "main"]
