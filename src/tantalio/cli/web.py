"""`tantalio users add` and `tantalio serve`: the analyst web UI."""

from __future__ import annotations

from pathlib import Path

import typer

from tantalio.cli.app import app, console, console_err
from tantalio.store import CaseStore

users_app = typer.Typer(help="Web UI accounts.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    case: Path = typer.Argument(..., help="Case folder."),
    name: str = typer.Argument(..., help="User name."),
    role: str = typer.Option(..., "--role", help="admin (manages users), analyst (the analysis) or reviewer "
                             "(the analysis and the media)."),
    password: str | None = typer.Option(None, "--password", help="Password (asked for, hidden, when omitted)."),
) -> None:
    """Create a web UI account in the case."""
    from tantalio.web.accounts import add_user

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with CaseStore.open(case) as store:
        user = add_user(store, name, role, password)
    console.print(f"added {user.role} [bold]{user.name}[/]", highlight=False)


@app.command("serve")
def serve(
    case: Path = typer.Argument(..., help="Case folder."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback unless you say otherwise)."),
    port: int = typer.Option(8400, "--port", help="TCP port."),
    scheme: str = typer.Option("projectvic", "--scheme", help="Category scheme reviewers categorise with."),
    secure_cookies: bool = typer.Option(False, "--secure-cookies", help="Mark cookies Secure (behind TLS)."),
) -> None:
    """Serve the analyst web UI of a case."""
    import uvicorn

    from tantalio.web.app import create_app
    from tantalio.web.auth import is_loopback

    web = create_app(case, scheme=scheme, secure_cookies=secure_cookies)
    if not is_loopback(host):
        console_err.print(f"[yellow]warning:[/] listening on {host}, reachable from other machines; "
                          "plain HTTP unless a TLS proxy is in front", highlight=False)
    with CaseStore.open(case, migrate=False) as store:
        if not store.conn.execute("SELECT 1 FROM users LIMIT 1").fetchone():
            console_err.print(f"[yellow]no users yet:[/] add one with `tantalio users add {case} NAME --role analyst`",
                              highlight=False)
    console.print(f"serving {case} at http://{host}:{port}/", highlight=False)
    uvicorn.run(web, host=host, port=port, log_level="info", server_header=False)
