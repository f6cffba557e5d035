"""`gcmhub community`: the directory, consultations, events and pledges, follows and digests."""

from __future__ import annotations

import typer

from gcmhub.community import connection_cli, event_cli, message_cli

community_app = typer.Typer(
    help="The community: organizations, consultations, events, pledges, follows and digests.",
    no_args_is_help=True,
)
for part in (event_cli, connection_cli, message_cli):
    part.add_commands(community_app)


def register(app: typer.Typer) -> None:
    """Add `gcmhub community` to the command line."""
    app.add_typer(community_app, name="community")
