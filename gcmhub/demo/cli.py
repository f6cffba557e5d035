"""Command: `gcmhub demo`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from gcmhub.console import out, print_json
from gcmhub.demo.actions import (
    demo_community,
    demo_data,
    demo_fund,
    demo_hub,
    demo_load,
    demo_review,
)
from gcmhub.knowledge.cli import embed_pending
from gcmhub.runtime import open_context
from gcmhub.settings import get_settings


def demo(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Load the demo: the Compact's 23 objectives and 187 actions as items, the hub's providers
    and requests, illustrative start-up fund records
    an illustrative review of implementation (a plan, partnerships, capacity) and
    illustrative community records."""
    with open_context() as ctx:
        report = demo_load(ctx, get_settings().data_dir / "demo")
    embedded = embed_pending(show_progress=not as_json) if get_settings().semantic else 0
    hub = {"providers": 0, "requests": 0}
    if get_settings().semantic:  # matching and objective suggestions need the embeddings
        with open_context() as ctx:
            hub = demo_hub(ctx)
    with open_context() as ctx:  # after the hub: its matched requests become fund proposals
        fund = demo_fund(ctx)
    with open_context() as ctx:  # an illustrative plan, partnerships and capacity assessment
        review = demo_review(ctx)
    with open_context() as ctx:  # the shipped public data sets, once (all or none)
        data = demo_data(ctx)
    with open_context() as ctx:  # illustrative organizations, a consultation, events, pledges
        community = demo_community(ctx)
    if as_json:
        print_json(
            {
                **asdict(report),
                "embedded": embedded,
                "hub": hub,
                "fund": fund,
                "review": review,
                "data": data,
                "community": community,
            }
        )
        return
    if report.status == "unchanged":
        out.print("The demo is already loaded.")
    else:
        out.print(
            f"Demo loaded: {report.added} added, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.removed} removed."
        )
    if embedded:
        out.print(f"{embedded} item(s) embedded and tagged.")
    if hub["providers"]:
        out.print(
            f"Connection hub: {hub['providers']} providers and {hub['requests']} requests loaded."
        )
    if fund["donors"]:
        out.print(
            f"Start-up fund: {fund['donors']} illustrative donors, {fund['deposits']} deposits "
            f"and {fund['projects']} projects loaded (demonstration figures, not real ones)."
        )
    if review["plans"]:
        out.print(
            f"Review of implementation: {review['plans']} illustrative plan "
            f"({review['versions']} versions), {review['partnerships']} partnerships and "
            f"{review['assessments']} capacity assessments loaded (demonstration records)."
        )
    if data["datasets"]:
        out.print(
            f"Migration data: {data['datasets']} public data sets, {data['rows']:,} rows loaded "
            "(gcmhub data list)."
        )
    if community["organizations"]:
        out.print(
            f"Community: {community['organizations']} illustrative organizations, "
            f"{community['consultations']} consultation with {community['contributions']} "
            f"contributions, {community['events']} events and {community['pledges']} pledges "
            "loaded (demonstration records)."
        )
    out.print('Try: gcmhub search "remittance costs"')


def register(app: typer.Typer) -> None:
    """Add the demo command to the main command."""
    app.command("demo")(demo)
