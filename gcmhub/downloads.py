"""Open-data downloads: rows written as CSV, JSON or JSON-LD a chunk at a time.

The web API streams these chunks and `gcmhub export` writes them to a file; neither holds
all the rows in memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from gcmhub.errors import BadParameter

FORMATS = ("csv", "json", "jsonld")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "jsonld": "application/ld+json",
}


def format_of(value: str | None, default: str = "json") -> str:
    """Return a download format, refusing an unknown one."""
    chosen = (value or default).lower()
    if chosen not in FORMATS:
        raise BadParameter("format", f"unknown format '{value}'; formats: {', '.join(FORMATS)}")
    return chosen


@dataclass(frozen=True)
class Table:
    """How one kind of row is written: CSV columns and flattening, and a JSON-LD node."""

    name: str
    columns: Sequence[str]
    flatten: Callable[[Any], dict[str, Any]]
    context: dict[str, Any]
    node: Callable[[Any], dict[str, Any]]


def chunks(
    table: Table, rows: Iterable[BaseModel], fmt: str, head: dict[str, Any] | None = None
) -> Iterator[str]:
    """Yield the rows written in a format, a hundred rows to a chunk."""
    if fmt == "csv":
        return _csv(table, rows)
    if fmt == "jsonld":
        return _jsonld(table, rows)
    return _json(rows, head or {})


def _csv(table: Table, rows: Iterable[BaseModel]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(table.columns), extrasaction="ignore")
    writer.writeheader()
    for n, row in enumerate(rows, start=1):
        writer.writerow(table.flatten(row))
        if n % 100 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json(rows: Iterable[BaseModel], head: dict[str, Any]) -> Iterator[str]:
    opening = json.dumps(head, ensure_ascii=False, default=str)[1:-1]
    yield "{" + (opening + ", " if opening else "") + '"data": ['
    for n, row in enumerate(rows):
        yield ("," if n else "") + "\n" + row.model_dump_json()
    yield "\n]}\n"


def _jsonld(table: Table, rows: Iterable[BaseModel]) -> Iterator[str]:
    yield '{"@context": ' + json.dumps(table.context) + ', "@graph": ['
    for n, row in enumerate(rows):
        yield ("," if n else "") + "\n" + json.dumps(table.node(row), ensure_ascii=False)
    yield "\n]}\n"


def joined(values: Iterable[str]) -> str:
    """Return list values as one CSV cell, separated by semicolons."""
    return ";".join(values)
