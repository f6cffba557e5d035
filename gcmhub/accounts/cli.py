"""Commands: `gcmhub users add|list|disable|token|revoke|export|delete`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gcmhub.accounts import actions
from gcmhub.accounts.schemas import TokenRequest
from gcmhub.console import out, print_json
from gcmhub.runtime import open_context

users_app = typer.Typer(no_args_is_help=True, help="Accounts: add, list, disable; API tokens.")
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Sign-in name.")],
    role: Annotated[
        list[str],
        typer.Option(
            "--role", help="partner, focal_point, curator, fund_manager or admin (repeat)."
        ),
    ],
    country: Annotated[
        list[str] | None, typer.Option("--country", help="Country of a focal point (repeat).")
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Full name (personal data, with consent).")
    ] = None,
    email: Annotated[str | None, typer.Option(help="Email (personal data, with consent).")] = None,
    organization: Annotated[str | None, typer.Option(help="Organization.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Add an account; its password is printed once."""
    with open_context() as ctx:
        user, password = actions.user_add(
            ctx,
            username,
            role,
            countries=country,
            display_name=name,
            email=email,
            organization=organization,
        )
    if as_json:
        print_json({**user.model_dump(mode="json"), "password": password})
        return
    out.print(f"Account '{user.username}' added ({', '.join(user.roles)}).")
    out.print(f"Password (shown once): {password}")


@users_app.command("list")
def list_(as_json: JsonOption = False) -> None:
    """List the accounts."""
    with open_context() as ctx:
        users = actions.user_list(ctx)
    if as_json:
        print_json(users)
        return
    table = Table("username", "roles", "countries", "active")
    for user in users:
        table.add_row(
            user.username,
            ", ".join(user.roles),
            ", ".join(user.countries),
            "yes" if user.active else "no",
        )
    out.print(table)


@users_app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="Account to disable.")]) -> None:
    """Disable an account: sign-in, sessions and tokens stop working."""
    with open_context() as ctx:
        actions.user_disable(ctx, username)
    out.print(f"Account '{username}' disabled; its sessions and tokens no longer work.")


@users_app.command("token")
def token(
    username: Annotated[str, typer.Argument(help="Account the token acts for.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "command line",
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="read or write (repeat).")
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=365, help="Days until it expires.")] = 90,
    as_json: JsonOption = False,
) -> None:
    """Make an API token; it is printed once, only its hash is kept."""
    request = TokenRequest(name=name, scopes=scope or ["read"], days=days)
    with open_context() as ctx:
        made = actions.token_create(ctx, username, request)
    if as_json:
        print_json(made)
        return
    out.print(
        f"Token {made.prefix}… for '{username}' ({', '.join(made.scopes)}), "
        f"expires {made.expires_at:%Y-%m-%d}."
    )
    out.print(f"Token (shown once): {made.token}")


@users_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(help="Token number (users export shows them).")],
) -> None:
    """Revoke an API token."""
    with open_context() as ctx:
        actions.token_revoke(ctx, token_id)
    out.print(f"Token {token_id} revoked.")


@users_app.command("export")
def export(username: Annotated[str, typer.Argument(help="Account whose data to export.")]) -> None:
    """Print everything held about a person as JSON (their right of access)."""
    with open_context() as ctx:
        print_json(actions.personal_data_export(ctx, username))


@users_app.command("delete")
def delete(username: Annotated[str, typer.Argument(help="Account whose data to erase.")]) -> None:
    """Erase a person's personal data: the account is anonymised and disabled."""
    with open_context() as ctx:
        actions.personal_data_delete(ctx, username)
    out.print(f"Personal data of '{username}' erased; the account is anonymous and disabled.")


def register(app: typer.Typer) -> None:
    """Add the users commands to the main command."""
    app.add_typer(users_app, name="users")
