"""Loading datasets: the shipped ones by name, or a file with a column mapping, SDMX-CSV, the RPW
firm-level layout, SDG 10.7.2 answers or SDG 10.7.1 results.

Every load runs in the caller's transaction and parses the whole file before writing anything:
a bad row stops it with `FILE line N: …` and nothing is stored. Loading a dataset name that is
stored already is refused (as the hub refuses a provider loaded twice); `replace=True` deletes
the stored rows and loads the file again, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from gcmhub.context import Context
from gcmhub.errors import InvalidInput, NotFound
from gcmhub.indicators.areas import gazetteer
from gcmhub.indicators.models import Area, Dataset, Indicator
from gcmhub.indicators.shipped import SHIPPED, Parsed, Shipped
from gcmhub.indicators.store import (
    DatasetInfo,
    Problems,
    dataset_begin,
    file_hash,
    indicators_ensure,
    insert_rows,
    observations_store,
)

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class LoadResult:
    """What one load stored."""

    name: str
    rows: int
    indicators: list[str]
    replaced: bool


def shipped_names() -> list[str]:
    """Return the names of the shipped datasets, in loading order."""
    return list(SHIPPED)


def shipped_load(
    ctx: Context, name: str, replace: bool = False, progress: Progress | None = None
) -> LoadResult:
    """Load one shipped dataset by name."""
    shipped = SHIPPED.get(name)
    if shipped is None:
        raise NotFound(f"no shipped dataset '{name}' (gcmhub data list shows them)")
    parsed = _parse(shipped)
    return parsed_store(ctx, shipped.info, shipped.files, shipped.paths, parsed, replace, progress)


def shipped_load_all(
    ctx: Context, replace: bool = False, progress: Progress | None = None
) -> list[LoadResult]:
    """Load every shipped dataset, all in the caller's transaction (one fails: none stays)."""
    return [shipped_load(ctx, name, replace, progress) for name in SHIPPED]


def _parse(shipped: Shipped) -> Parsed:
    problems = Problems(shipped.files[0].rsplit("/", 1)[-1])
    parsed = shipped.parse(shipped.paths, gazetteer(), problems)
    problems.check()
    return parsed


def parsed_store(
    ctx: Context,
    info: DatasetInfo,
    files: tuple[str, ...],
    paths: list[Path],
    parsed: Parsed,
    replace: bool,
    progress: Progress | None = None,
) -> LoadResult:
    """Store a parsed series (or areas) dataset: its record, indicators and rows."""
    replaced = replace and ctx.session.scalar(select(Dataset.id).where(Dataset.name == info.name))
    dataset_id = dataset_begin(
        ctx, info, " + ".join(files), file_hash(*paths), len(parsed.rows), replace
    )
    if info.kind == "areas":
        insert_rows(ctx, Area, parsed.rows)
    else:
        ids = indicators_ensure(ctx, parsed.indicators)
        observations_store(ctx, dataset_id, ids, parsed.rows)
    if progress:
        progress(info.name, len(parsed.rows))
    return LoadResult(
        name=info.name,
        rows=len(parsed.rows),
        indicators=sorted({i.code for i in parsed.indicators}),
        replaced=bool(replaced),
    )


def dataset_info(
    path: Path,
    name: str | None,
    kind: str,
    title: str | None,
    source: str | None,
    licence: str | None,
    attribution: str | None = None,
) -> DatasetInfo:
    """Describe a dataset loaded from a file; source and licence are required, never assumed."""
    if not source or not licence:
        raise InvalidInput(f"{path.name}: say where the data come from (source) and its licence")
    dataset = name or path.stem
    if not dataset.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise InvalidInput(f"dataset name '{dataset}': letters, digits, '-', '_' and '.' only")
    return DatasetInfo(
        name=dataset,
        title=title or dataset,
        kind=kind,
        source=source,
        licence=licence,
        attribution=attribution or source,
    )


FORMATS = ("csv", "sdmx-csv", "rpw", "sdg-10-7-2", "sdg-10-7-1")


@dataclass(frozen=True)
class FileOptions:
    """How to read a file that is not shipped: its format and what the dataset is."""

    format: str = "csv"
    mapping: Path | None = None
    name: str | None = None
    title: str | None = None
    source: str | None = None
    licence: str | None = None


def file_load(ctx: Context, path: Path, options: FileOptions, replace: bool = False) -> LoadResult:
    """Load a file: a CSV with a column mapping, SDMX-CSV, RPW prices or SDG answers/results."""
    from gcmhub.indicators import generic, policy, rpw, sdmx

    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    if options.format not in FORMATS:
        raise InvalidInput(f"format '{options.format}': one of {', '.join(FORMATS)}")
    if options.format == "csv":
        if options.mapping is None:
            raise InvalidInput(f"{path.name}: a CSV file needs --mapping (gcmhub data load --help)")
        mapping = generic.mapping_read(options.mapping)
        info = generic.mapping_info(mapping)
        stored = set(ctx.session.scalars(select(Indicator.code)))
        parsed = generic.generic_parse(path, mapping, stored)
        return parsed_store(ctx, info, (path.name,), [path], parsed, replace)
    kind = {"sdmx-csv": "series", "rpw": "rpw", "sdg-10-7-2": "sdg1072", "sdg-10-7-1": "sdg1071"}
    info = dataset_info(
        path,
        options.name,
        kind[options.format],
        options.title,
        options.source,
        options.licence,
    )
    if options.format == "sdmx-csv":
        units = {r[0]: r[1] for r in ctx.session.execute(select(Indicator.code, Indicator.unit))}
        parsed = sdmx.sdmx_parse(path, info, units)
        return parsed_store(ctx, info, (path.name,), [path], parsed, replace)
    existed = ctx.session.scalar(select(Dataset.id).where(Dataset.name == info.name))
    loader = {"rpw": rpw.rpw_load, "sdg-10-7-2": policy.answers_load}.get(
        options.format, policy.recruitment_load
    )
    count = loader(ctx, path, info, replace)
    return LoadResult(name=info.name, rows=count, indicators=[], replaced=bool(existed and replace))
