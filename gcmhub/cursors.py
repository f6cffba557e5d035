"""Opaque keyset cursors: where the next page of a list starts."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from gcmhub.errors import BadParameter

MALFORMED = "malformed cursor; pass the `next` value of the previous page"
MAX_CHARS = 2000  # our cursors hold a sort key and an id: far shorter


def encode_cursor(position: dict[str, Any]) -> str:
    """Return a URL-safe cursor holding a position in a list."""
    raw = json.dumps(position, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """Return the position a cursor holds; refuse one that is not ours (parameter `cursor`)."""
    if len(cursor) > MAX_CHARS:
        raise BadParameter("cursor", MALFORMED)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise BadParameter("cursor", MALFORMED) from None
    if not isinstance(position, dict) or any(key not in position for key in keys):
        raise BadParameter("cursor", MALFORMED)
    return position


Row = TypeVar("Row", covariant=True)


class Page(Protocol[Row]):
    """A page of a list: its rows and the cursor of the next page."""

    @property
    def data(self) -> Sequence[Row]: ...

    @property
    def next(self) -> str | None: ...


def follow(first: Page[Row], fetch: Callable[[str], Page[Row]]) -> Iterator[Row]:
    """Yield the rows of a first page and of every page after it, fetched by cursor."""
    page = first
    while True:
        yield from page.data
        if page.next is None:
            return
        page = fetch(page.next)
