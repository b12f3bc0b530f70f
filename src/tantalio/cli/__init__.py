"""The `tantalio` command: thin wrappers over the library (one module per command group)."""

from __future__ import annotations

import sys

import click

from tantalio.cli.app import app, console_err
from tantalio.errors import EnvironmentProblem, TantalioError, environment_problem


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; library errors become one-line messages and exit codes."""
    try:
        app(args=argv, prog_name="tantalio", standalone_mode=False)
    except TantalioError as e:
        origin = e.__cause__ or e.__context__
        cause = environment_problem(origin) if origin is not None else None
        if isinstance(e, EnvironmentProblem):
            _environment(e)
        elif cause is not None:  # e.g. "not a usable case store" because the disk is full
            _environment(cause)
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
    except Exception as e:  # disk full, permission denied, read-only case: one line naming the cause
        problem = environment_problem(e)
        if problem is None:
            raise
        _environment(problem)


def _environment(problem: TantalioError) -> None:
    console_err.print(f"[bold red]error:[/] {problem}; nothing half-done was kept: fix this and run the "
                      "same command again", highlight=False, markup=True, soft_wrap=True)
    sys.exit(problem.exit_code)


__all__ = ["app", "main"]
