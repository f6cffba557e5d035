"""Command-line output: tables and progress on the terminal, JSON for scripts, one-line errors."""

from __future__ import annotations

import json
import sys
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from rich.console import Console

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


def print_json(value: Any) -> None:
    """Write a value as JSON on standard output."""
    if isinstance(value, BaseModel):
        text = value.model_dump_json(indent=2)
    elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
        text = "[" + ",\n".join(v.model_dump_json(indent=2) for v in value) + "]"
    else:
        text = json.dumps(value, indent=2, ensure_ascii=False, default=_plain)
    sys.stdout.write(text + "\n")


def _plain(value: Any) -> Any:
    """Turn models (also nested in dicts and lists), dates and the like into JSON values."""
    try:
        return to_jsonable_python(value)
    except Exception:  # noqa: BLE001 - anything else is written as its text
        return str(value)


def fail(message: str) -> None:
    """Print one line to standard error and exit with status 2."""
    sys.stderr.write(f"gcmhub: error: {message}\n")
    raise SystemExit(2)
