"""The `gcmhub` command: each part adds its own sub-commands."""

from __future__ import annotations

import typer
from pydantic import ValidationError

from gcmhub.console import fail, out
from gcmhub.errors import GcmhubError
from gcmhub.settings import get_settings
from gcmhub.taxonomy.schemes import TaxonomyError
from gcmhub.text.readers import UnsupportedFileType

app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="GCM Hub: knowledge platform, connection hub, start-up fund and review for the GCM.",
)
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Upgrade the database to the newest schema (first use does this by itself)."""
    from gcmhub.db import upgrade

    settings = get_settings()
    before, after = upgrade(settings.url)
    if before == after:
        out.print(f"Database already at revision {after}.")
    else:
        out.print(f"Database upgraded from {before or 'empty'} to revision {after}.")


@db_app.command("current")
def db_current() -> None:
    """Show the database URL and its schema revision."""
    from sqlalchemy import make_url

    from gcmhub.db import current_revision, engine_for, head_revision

    url = get_settings().url
    out.print(
        f"{make_url(url).render_as_string(hide_password=True)}\n"
        f"revision {current_revision(engine_for(url)) or 'none'} (newest {head_revision()})"
    )


def _register() -> None:
    from gcmhub.accounts.cli import register as accounts
    from gcmhub.backup_cli import register as backups
    from gcmhub.community.cli import register as community
    from gcmhub.demo.cli import register as demo
    from gcmhub.export_cli import register as export
    from gcmhub.fund.cli import register as fund
    from gcmhub.hub.cli import register as hub
    from gcmhub.indicators.cli import register as data
    from gcmhub.knowledge.cli import register as knowledge
    from gcmhub.knowledge.tag_cli import register as tagging
    from gcmhub.practices.cli import register as practices
    from gcmhub.review.cli import register as review
    from gcmhub.taxonomy.cli import register as taxonomy
    from gcmhub.web.cli import register as web

    taxonomy(app)
    knowledge(app)
    tagging(app)
    demo(app)
    export(app)
    accounts(app)
    web(app)
    backups(app)
    hub(app)
    practices(app)
    fund(app)
    data(app)
    review(app)
    community(app)


_register()


def main() -> None:
    """Run the command line; refusals print one line and exit with status 2."""
    try:
        app()
    except (GcmhubError, TaxonomyError, UnsupportedFileType) as error:
        fail(str(error))
    except ValidationError as error:  # a setting in the environment or .env cannot be used
        problem = error.errors()[0]
        name = str(problem["loc"][0]) if problem["loc"] else "?"
        variable = "DATABASE_URL" if name == "database_url" else f"GCMHUB_{name.upper()}"
        fail(f"setting {variable}: {problem['msg']}")


if __name__ == "__main__":
    main()
