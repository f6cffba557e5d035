"""Loading providers and their offers from JSON Lines, all or nothing.

One object per line: the fields of `ProviderWrite` plus `id` (the provider's id), and
optionally `offers` (a list of `OfferWrite` fields without `provider`). Regions and countries
may be codes or names. A line that cannot be used is reported with its number and nothing of
the file is stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from gcmhub.context import Context
from gcmhub.errors import GcmhubError, InvalidInput
from gcmhub.hub.models import Provider
from gcmhub.hub.providers import offer_create, provider_create
from gcmhub.hub.schemas import OfferWrite, ProviderWrite

FIELDS = set(ProviderWrite.model_fields) | {"id", "offers"}


def providers_load(
    ctx: Context,
    path: Path,
    consent: bool = False,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Load providers from a JSON Lines file in the caller's transaction; return how many.

    `consent=True` records consent for every line that does not say otherwise (for files of
    organizations that agreed to be listed); experts still need `"consent": true` each.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"{path}: cannot be read as UTF-8 text ({error})") from None
    existing = set(ctx.session.scalars(select(Provider.ref)))
    seen: set[str] = set()
    loaded = 0
    with ctx.session.begin_nested():  # a bad line undoes the whole file
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                _load_line(ctx, line, consent, existing | seen, seen)
            except (GcmhubError, ValidationError, ValueError) as error:
                raise InvalidInput(f"{path.name} line {number}: {_message(error)}") from None
            loaded += 1
            if progress:
                progress(1)
    return loaded


def _load_line(ctx: Context, line: str, consent: bool, taken: set[str], seen: set[str]) -> None:
    record: dict[str, Any] = json.loads(line)
    if not isinstance(record, dict):
        raise InvalidInput("a line holds one JSON object")
    unknown = set(record) - FIELDS
    if unknown:
        raise InvalidInput(f"unknown fields {', '.join(sorted(unknown))}")
    ref = str(record.pop("id", "")) or None
    if ref in taken:
        raise InvalidInput(f"provider '{ref}' exists already (loaded before?)")
    offers = record.pop("offers", [])
    record["objectives"] = [str(o) for o in record.get("objectives", [])]
    if record.get("kind") == "organization":
        record.setdefault("consent", consent)
    provider = provider_create(ctx, ProviderWrite(**record), ref=ref)
    if ref:
        seen.add(ref)
    for offer in offers:
        offer["objectives"] = [str(o) for o in offer.get("objectives", [])]
        offer_create(ctx, OfferWrite(provider=provider.id, **offer))


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where}: {first.get('msg', 'invalid')}"
    return str(error)
