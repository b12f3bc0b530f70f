"""`tantalio users ...` and `tantalio serve`: the analyst web UI and its accounts (every change audited)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tantalio.cli.app import app, console, console_err
from tantalio.store import CaseStore

users_app = typer.Typer(help="Web UI accounts.", no_args_is_help=True)
app.add_typer(users_app, name="users")

CaseArg = Annotated[Path, typer.Argument(help="Case folder.")]
NameArg = Annotated[str, typer.Argument(help="User name.")]
ROLE_HELP = "admin (manages users), analyst (the analysis) or reviewer (the analysis and the media)."


def _password(password: str | None) -> str:
    return password if password is not None else typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@users_app.command("add")
def users_add(
    case: CaseArg, name: NameArg,
    role: Annotated[str, typer.Option("--role", help=ROLE_HELP)],
    password: Annotated[str | None, typer.Option("--password", help="Password (asked for, hidden, when omitted).")] = None,
) -> None:
    """Create a web UI account in the case."""
    from tantalio.web.accounts import add_user

    with CaseStore.open(case) as store:
        user = add_user(store, name, role, _password(password))
    console.print(f"added {user.role} [bold]{user.name}[/]", highlight=False)


@users_app.command("list")
def users_list(case: CaseArg) -> None:
    """List the case's web accounts: role, state, last login."""
    from tantalio.web.accounts import list_users

    with CaseStore.open(case) as store:
        users = list_users(store)
    table = Table("name", "role", "created", "last login", "state")
    for u in users:
        state = ", ".join(s for s in ("disabled" if u["disabled"] else "",
                                      f"locked until {u['locked_until']}" if u["locked_until"] else "",
                                      "must change password" if u["must_change_password"] else "") if s)
        table.add_row(str(u["name"]), str(u["role"]), str(u["created_at"]), str(u["last_login"] or ""), state)
    console.print(table)


@users_app.command("disable")
def users_disable(case: CaseArg, name: NameArg) -> None:
    """Disable an account: its sessions end at once."""
    from tantalio.web.accounts import set_disabled

    with CaseStore.open(case) as store:
        set_disabled(store, name, True)
    console.print(f"disabled [bold]{name}[/]", highlight=False)


@users_app.command("enable")
def users_enable(case: CaseArg, name: NameArg) -> None:
    """Enable an account again (also lifts a login lockout)."""
    from tantalio.web.accounts import set_disabled

    with CaseStore.open(case) as store:
        set_disabled(store, name, False)
    console.print(f"enabled [bold]{name}[/]", highlight=False)


@users_app.command("reset-password")
def users_reset_password(
    case: CaseArg, name: NameArg,
    password: Annotated[str | None, typer.Option("--password", help="New password (asked for when omitted).")] = None,
    keep: Annotated[bool, typer.Option("--no-must-change", help="Do not make the user choose a new one at login.")] = False,
) -> None:
    """Set a new password; the user must choose their own at next login."""
    from tantalio.web.accounts import reset_password

    with CaseStore.open(case) as store:
        reset_password(store, name, _password(password), must_change=not keep)
    console.print(f"password of [bold]{name}[/] reset", highlight=False)


@users_app.command("set-role")
def users_set_role(case: CaseArg, name: NameArg,
                   role: Annotated[str, typer.Argument(help=ROLE_HELP)]) -> None:
    """Change an account's role (its sessions end; a role that can view media is flagged to admins)."""
    from tantalio.web.accounts import set_role

    with CaseStore.open(case) as store:
        set_role(store, name, role)
    console.print(f"[bold]{name}[/] is now {role}", highlight=False)


@app.command("serve")
def serve(
    case: CaseArg,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback unless you say otherwise).")]
    = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8400,
    scheme: Annotated[str, typer.Option("--scheme", help="Category scheme reviewers categorise with.")] = "projectvic",
    secure_cookies: Annotated[bool, typer.Option("--secure-cookies", help="Mark cookies Secure (behind TLS).")] = False,
    allow_host: Annotated[list[str] | None, typer.Option(
        "--allow-host", help="A host name browsers may use to reach the UI, besides the loopback ones "
        "(repeat for several). Other Host headers are refused (DNS rebinding).")] = None,
    idle_minutes: Annotated[float, typer.Option("--idle-minutes", min=1, help="Sessions end after this long idle.")]
    = 30.0,
    exposure_limit: Annotated[int, typer.Option("--exposure-limit", min=1, help="Default soft limit of reveals per "
                                                "reviewer per day (admins can change it in the UI).")] = 200,
    break_minutes: Annotated[float, typer.Option("--break-minutes", min=1, help="Remind reviewers to take a break "
                                                 "after this long without a pause.")] = 50.0,
) -> None:
    """Serve the analyst web UI of a case."""
    import uvicorn

    from tantalio.web.app import create_app
    from tantalio.web.auth import Welfare, is_loopback

    allowed = list(allow_host or [])
    web = create_app(case, scheme=scheme, secure_cookies=secure_cookies, allowed_hosts=allowed,
                     idle_minutes=idle_minutes,
                     welfare=Welfare(soft_limit=exposure_limit, break_after_minutes=break_minutes))
    if not is_loopback(host):
        console_err.print(f"[yellow]warning:[/] listening on {host}, reachable from other machines; "
                          "plain HTTP unless a TLS proxy is in front", highlight=False)
        if not allowed:
            console_err.print("[yellow]warning:[/] only loopback host names are allowed: add the name browsers "
                              "will use with --allow-host", highlight=False)
    with CaseStore.open(case, migrate=False) as store:
        if not store.conn.execute("SELECT 1 FROM users LIMIT 1").fetchone():
            console_err.print(f"[yellow]no users yet:[/] add one with `tantalio users add {case} NAME --role analyst`",
                              highlight=False)
    console.print(f"serving {case} at http://{host}:{port}/", highlight=False)
    uvicorn.run(web, host=host, port=port, log_level="info", server_header=False)
