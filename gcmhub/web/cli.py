"""Command: `gcmhub serve`, the web application (the demo is loaded on first run)."""

from __future__ import annotations

from typing import Annotated

import typer

from gcmhub.console import out
from gcmhub.settings import get_settings


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Web worker processes.")] = 1,
    demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Load the demo when there are no items.")
    ] = True,
) -> None:
    """Serve the web pages and the open API (loads the demo into an empty database first)."""
    import uvicorn

    from gcmhub.accounts.actions import ensure_admin
    from gcmhub.knowledge.actions import item_counts
    from gcmhub.runtime import open_context

    with open_context() as ctx:
        empty = item_counts(ctx).total == 0
        password = ensure_admin(ctx)
    if password:
        out.print(f"First run: account 'admin' created. Its password (shown once): {password}")
    if demo and empty:
        from gcmhub.demo.cli import demo as load_demo

        out.print("The database is empty: loading the demo first.")
        load_demo(as_json=False)
    out.print(
        f"GCM Hub on http://{host}:{port} (data: {get_settings().data_dir.resolve()}). "
        "Ctrl+C stops it."
    )
    uvicorn.run(
        "gcmhub.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        server_header=False,
    )


def register(app: typer.Typer) -> None:
    """Add the serve command to the main command."""
    app.command("serve")(serve)
