"""Commands: `gcmhub data list|load|export|profile|costs|prices`."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from gcmhub.console import out, print_json
from gcmhub.errors import InvalidInput
from gcmhub.runtime import open_context

data_app = typer.Typer(
    no_args_is_help=True, help="Indicators: migration and remittance data, SDG 10.7 and 10.c."
)
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@data_app.command("list")
def list_(as_json: JsonOption = False) -> None:
    """List the shipped datasets and every loaded one, with source and licence."""
    from gcmhub.indicators.series import dataset_list

    with open_context() as ctx:
        rows = dataset_list(ctx)
    if as_json:
        print_json(rows)
        return
    table = Table("name", "loaded", "rows", "licence", "title")
    for row in rows:
        table.add_row(
            row.name,
            "yes" if row.loaded else "",
            "" if row.rows is None else str(row.rows),
            row.licence,
            row.title,
        )
    out.print(table)


@data_app.command("load")
def load(
    targets: Annotated[
        list[str] | None,
        typer.Argument(help="Shipped dataset names (gcmhub data list), or one FILE."),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Load every shipped dataset.")] = False,
    mapping: Annotated[
        Path | None, typer.Option(help="JSON column mapping of a CSV FILE (format csv).")
    ] = None,
    format_: Annotated[
        str,
        typer.Option(
            "--format",
            help="FILE format: csv (with --mapping), sdmx-csv, rpw, sdg-10-7-2, sdg-10-7-1.",
        ),
    ] = "csv",
    name: Annotated[
        str | None, typer.Option(help="Dataset name of FILE (default: its stem).")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Dataset title of FILE.")] = None,
    source: Annotated[str | None, typer.Option(help="Where FILE's data come from.")] = None,
    licence: Annotated[str | None, typer.Option(help="Licence of FILE's data.")] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace a dataset loaded before (else refused).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Load datasets in one transaction: a bad line stops the load and nothing is stored."""
    from gcmhub.indicators.loading import FileOptions, file_load, shipped_load, shipped_names

    names = shipped_names()
    chosen = list(targets or [])
    if all_ == bool(chosen):
        raise InvalidInput("give dataset names or a FILE, or --all")
    files = [t for t in chosen if t not in names]
    if files and (len(chosen) > 1):
        raise InvalidInput(f"'{files[0]}' is no shipped dataset; a FILE is loaded on its own")
    results = []
    with Progress(console=out, disable=as_json) as bar, open_context() as ctx:
        if files:
            options = FileOptions(format_, mapping, name, title, source, licence)
            task = bar.add_task(Path(files[0]).name, total=None)
            results.append(file_load(ctx, Path(files[0]), options, replace))
            bar.update(task, total=1, completed=1)
        else:
            todo = names if all_ else chosen
            task = bar.add_task("datasets", total=len(todo))
            for dataset in todo:
                results.append(shipped_load(ctx, dataset, replace))
                bar.advance(task)
    if as_json:
        print_json({"loaded": [asdict(r) for r in results]})
        return
    for r in results:
        verb = "replaced" if r.replaced else "loaded"
        out.print(f"{r.name}: {r.rows} rows {verb}.")


@data_app.command("export")
def export(
    indicator: Annotated[str | None, typer.Option(help="Only this indicator code.")] = None,
    area: Annotated[str | None, typer.Option(help="Only this area code (ISO3…).")] = None,
    dataset: Annotated[str | None, typer.Option(help="Only this dataset.")] = None,
    output: Annotated[Path | None, typer.Option(help="Write here (default: stdout).")] = None,
) -> None:
    """Export series as SDMX-CSV, as the public sees them (small counts withheld)."""
    from gcmhub.indicators.sdmx import sdmx_write
    from gcmhub.indicators.series import SeriesFilter, observations_public

    wanted = SeriesFilter(indicator=indicator, area=area, dataset=dataset)
    with open_context() as ctx:
        rows = observations_public(ctx, wanted)
        if output is None:
            sdmx_write(rows, sys.stdout)
            return
        with output.open("w", encoding="utf-8", newline="") as handle:
            count = sdmx_write(rows, handle)
    out.print(f"{count} observations written to {output}.")


@data_app.command("profile")
def profile(
    iso3: Annotated[str, typer.Argument(help="The country's ISO 3166 alpha-3 code.")],
    as_json: JsonOption = False,
) -> None:
    """Show a country's numbers: migrants, partners, remittances, costs, SDG 10.7.2."""
    from gcmhub.indicators.profiles import country_profile

    with open_context() as ctx:
        found = country_profile(ctx, iso3)
    if as_json:
        print_json(found)
        return
    out.print(f"{found.name} ({found.code}, M49 {found.m49}; {found.wb_income_group or '-'})")
    if found.stock:
        last = found.stock[-1]
        out.print(f"Migrant stock {last.year}: {last.total} ({last.share_of_population} %)")
    top = ", ".join(p.name for p in found.top_origins[:5])
    out.print(f"Top origins {found.origins_year}: {top}")
    if found.remittances:
        last_r = found.remittances[-1]
        out.print(f"Remittances {last_r.year}: received {last_r.received_usd} US$")
    for source in found.sources:
        out.print(f"  source: {source.source} ({source.licence})")


@data_app.command("costs")
def costs(
    year: Annotated[int, typer.Option(help="Year of SDG 10.c.1.")] = 2020,
    as_json: JsonOption = False,
) -> None:
    """SDG 10.c.1 from corridor data, and the cheapest and dearest corridors."""
    from gcmhub.indicators.costs import corridors_ranked, sdg_10c1

    with open_context() as ctx:
        sdg = sdg_10c1(ctx, year)
        period, cheapest, dearest = corridors_ranked(ctx, limit=5)
    if as_json:
        print_json({"sdg_10_c_1": sdg, "period": period, "cheapest": cheapest, "dearest": dearest})
        return
    weighted = "-" if sdg.weighted_average is None else f"{sdg.weighted_average:.2f} %"
    out.print(
        f"SDG 10.c.1 {year}: {sdg.simple_average:.2f} % (simple, {sdg.corridors} corridors), "
        f"{weighted} (weighted by flows, {sdg.corridors_weighted} corridors)"
    )
    table = Table("", "corridor", "% of USD 200")
    for label, rows in (("cheapest", cheapest), ("dearest", dearest)):
        for row in rows:
            table.add_row(label, f"{row.sending} -> {row.receiving}", f"{row.value:.2f}")
    out.print(f"Corridors in {period}:")
    out.print(table)


@data_app.command("prices")
def prices(
    period: Annotated[str | None, typer.Option(help="Period (default: the latest).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Firm-level RPW figures: corridor averages, global averages, SmaRT, cheapest providers."""
    from gcmhub.indicators.rpw import rpw_summary

    with open_context() as ctx:
        summary = rpw_summary(ctx, period)
    if as_json:
        print_json(summary)
        return
    out.print(
        f"{summary.period}: {summary.services} services; global average "
        f"{summary.global_average:.2f} %, weighted {summary.global_weighted_average or '-'}"
    )
    table = Table("corridor", "services", "average", "SmaRT", "cheapest")
    for c in summary.corridors:
        smart = "-" if c.smart.value is None else f"{c.smart.value:.2f}"
        table.add_row(
            f"{c.sending} -> {c.receiving}",
            str(c.services),
            f"{c.average:.2f}",
            smart,
            f"{c.cheapest_firm} ({c.cheapest_cost:.2f})",
        )
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add `gcmhub data …` to the command line."""
    app.add_typer(data_app, name="data")
