"""Read JSON Lines files: one knowledge record per line."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .encoding import decode_text
from .errors import UnreadableDocument, load_bytes
from .language import detect_language
from .rules import first_words, normalize_space
from .segments import Document, Problem, Segment

_TEXT_FIELDS = ("type", "url", "language", "publisher")
_ISO_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Invalid(Exception):
    """A record that cannot be kept, with the reason."""


def read(path: Path, *, max_chars: int = 3000) -> Document:
    """Read a JSON Lines file into a Document with one "record" segment per valid line.

    max_chars is accepted for a uniform reader signature; a record is never split, as its
    id is its identity.
    """
    text = decode_text(load_bytes(path), path)
    segments: list[Segment] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = _record(line)
            record_id = _record_id(record)
            if record_id in seen:
                raise _Invalid(f"duplicate id '{record_id}' (first on line {seen[record_id]})")
            body = _record_text(record, record_id)
            fields = _fields(record, record_id, number, problems)
        except _Invalid as exc:
            problems.append(Problem(str(exc), number))
            continue
        seen[record_id] = number
        title = record.get("title")
        if not isinstance(title, str) or not title.strip():
            title = body
        segments.append(
            Segment(
                ordinal=len(segments),
                title=first_words(title),
                text=body,
                heading_path=(),
                kind="record",
                para_start=number,
                para_end=number,
                key=record_id,
                fields=fields,
            )
        )
    if not segments:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        first = f"; first: {problems[0]}" if problems else ""
        raise UnreadableDocument(path, f"no valid records ({count}{first})")
    document = Document(path, "jsonl", None, None, None, segments, problems)
    document.language = detect_language(document.text)
    return document


def _record(line: str) -> dict[str, object]:
    """Parse one line into a JSON object."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        # Some of json's messages ("Unterminated string starting at") expect a position.
        raise _Invalid(
            f"not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})"
        ) from None
    except ValueError:  # an integer of more digits than Python converts (4300)
        raise _Invalid("not usable JSON (a number with too many digits)") from None
    except RecursionError:
        raise _Invalid("not usable JSON (arrays or objects nested too deeply)") from None
    if not isinstance(value, dict):
        raise _Invalid(f"expected a JSON object, found {_json_type(value)}")
    surrogate = _lone_surrogate(value)
    if surrogate is not None:  # "\ud800" escapes half of a UTF-16 pair: no text can hold it
        raise _Invalid(f"holds an escaped lone surrogate (\\u{ord(surrogate):04x}), not text")
    return value


def _lone_surrogate(value: object) -> str | None:
    """Return a lone surrogate found in a JSON value's strings (keys too), if any."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if found := _SURROGATE.search(item):
                return found.group()
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _record_id(record: dict[str, object]) -> str:
    """Return the record's id as a string."""
    value = record.get("id")
    # bool is an int subclass, but true/false is no identifier.
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        if value is None:
            raise _Invalid("record has no 'id'")
        raise _Invalid(f"'id' must be a string or number, not {_json_type(value)}")
    record_id = str(value).strip()
    if not record_id:
        raise _Invalid("record has an empty 'id'")
    return record_id


def _record_text(record: dict[str, object], record_id: str) -> str:
    """Return the record's text with whitespace normalised inside its paragraphs."""
    value = record.get("text")
    if not isinstance(value, str) or not value.strip():
        if value is None or isinstance(value, str):
            raise _Invalid(f"record '{record_id}' has no text")
        raise _Invalid(f"record '{record_id}': 'text' must be a string, not {_json_type(value)}")
    paragraphs = (normalize_space(p) for p in re.split(r"\n\s*\n", value))
    return "\n\n".join(p for p in paragraphs if p)


def _fields(
    record: dict[str, object], record_id: str, line: int, problems: list[Problem]
) -> dict[str, object]:
    """Return the record's optional metadata, noting (and dropping) malformed values."""
    fields: dict[str, object] = {}

    def problem(reason: str) -> None:
        problems.append(Problem(f"record '{record_id}': {reason}", line))

    for name in _TEXT_FIELDS:
        value = record.get(name)
        if isinstance(value, str) and value.strip():
            fields[name] = value.strip()
        elif value is not None:
            problem(f"'{name}' must be a string, not {_json_type(value)}")
    licence = record.get("licence", record.get("license"))
    if isinstance(licence, str) and licence.strip():
        fields["licence"] = licence.strip()
    if "language" in fields:
        fields["language"] = str(fields["language"]).lower()
    date = record.get("date")
    if isinstance(date, str) and _ISO_DATE.match(date.strip()):
        fields["date"] = date.strip()
    elif date is not None:
        problem(f"'date' {json.dumps(date)} is not an ISO date (YYYY, YYYY-MM or YYYY-MM-DD)")
    for name in ("countries", "objectives"):
        values, bad = _string_list(record.get(name))
        if values:
            fields[name] = values
        if bad:
            problem(f"'{name}' must be a list of names or numbers, or a comma-separated string")
    return fields


def _string_list(value: object) -> tuple[list[str], bool]:
    """Return the names in a list or comma-separated string, and whether any were malformed.

    Values are kept as written ("6", "6a", "Objective 6", "PHL"): resolving them against the
    GCM taxonomy and the country list is the ingesting code's job.
    """
    if value is None:
        return [], False
    if isinstance(value, str):
        items: list[object] = list(value.split(","))
    elif isinstance(value, list):
        items = value
    else:
        items = [value]
    names: list[str] = []
    bad = False
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            bad = True
        elif (name := str(item).strip()) and name not in names:
            names.append(name)
    return names, bad


def _json_type(value: object) -> str:
    """Name a JSON value's type for a message."""
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names.update({list: "an array", dict: "an object", type(None): "null"})
    return names.get(type(value), type(value).__name__)
