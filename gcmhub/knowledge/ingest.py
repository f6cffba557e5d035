"""Ingestion: files -> segments -> knowledge items with provenance, tags and index entries."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, update

from gcmhub.context import Context
from gcmhub.errors import InvalidInput, NotFound
from gcmhub.knowledge.indexing import facet_values
from gcmhub.knowledge.models import ITEM_TYPES, Item, ItemConcept, Source
from gcmhub.search.index import Index, IndexRecord
from gcmhub.taxonomy.actions import concept_resolver
from gcmhub.text.language import detect_language
from gcmhub.text.readers import SUPPORTED, UnreadableDocument, read_document
from gcmhub.text.segments import Document, Segment

BATCH = 1000
Progress = Callable[[int], None]


@dataclass(frozen=True)
class IngestOptions:
    """What the person ingesting says about every item of the files."""

    type: str | None = None
    publisher: str | None = None
    licence: str | None = None
    language: str | None = None
    countries: tuple[str, ...] = ()
    objectives: tuple[str, ...] = ()
    max_chars: int = 3000


@dataclass
class FileReport:
    """What happened to one file."""

    path: str
    status: str  # added | updated | unchanged | skipped | failed
    reason: str = ""
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)


ITEM_TABLE = cast(Table, Item.__table__)
ITEM_COLUMNS = (
    "key",
    "ref",
    "type",
    "title",
    "text",
    "url",
    "language",
    "languages",
    "publisher",
    "licence",
    "date_published",
    "heading_path",
    "page_start",
    "page_end",
    "para_start",
    "para_end",
)


@dataclass
class Draft:
    """A knowledge item as read from a file, before it is stored."""

    key: str
    ref: str
    type: str
    title: str
    text: str
    url: str | None
    language: str | None
    languages: list[str]
    publisher: str | None
    licence: str | None
    date_published: date | None
    heading_path: list[str]
    page_start: int | None
    page_end: int | None
    para_start: int | None
    para_end: int | None
    concept_ids: list[str]

    def row(self) -> dict[str, Any]:
        """Return the item's columns, with the hash of everything stored about it."""
        row = {name: getattr(self, name) for name in ITEM_COLUMNS}
        payload = [*row.values(), self.concept_ids]
        payload[ITEM_COLUMNS.index("date_published")] = str(self.date_published)
        row["content_hash"] = hashlib.sha256(json.dumps(payload).encode()).hexdigest()
        return row


def normalise_type(value: str) -> str:
    """Return the item type named by a person ("Policy option" -> "policy_option")."""
    name = re.sub(r"[\s-]+", "_", value.strip().lower())
    if name not in ITEM_TYPES:
        raise InvalidInput(f"unknown item type '{value}'; types: {', '.join(ITEM_TYPES)}")
    return name


def parse_date(value: object) -> date | None:
    """Parse 2020, 2020-05 or 2020-05-17 into a date (the first day of a year or month)."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?(?:[T ].*)?", text)
    if not match:
        raise InvalidInput(f"date '{text}' is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    try:
        return date(int(year), int(month or 1), int(day or 1))
    except ValueError as error:
        raise InvalidInput(f"date '{text}' does not exist") from error


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    """Return the files named, folders walked for supported files, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED
            )
        elif path.exists():
            files.append(path)
        else:
            raise NotFound(f"{path}: no such file or folder")
    return list(dict.fromkeys(files))


class Ingester:
    """Stores the items of one file after another, each file in its own transaction."""

    def __init__(self, ctx: Context, index: Index, options: IngestOptions):
        self.ctx = ctx
        self.index = index
        self.options = options
        self.resolve_country = concept_resolver(ctx, "country")
        self.resolve_objective = concept_resolver(ctx, "objective")
        self.fixed_concepts = [self.resolve_country(c) for c in options.countries] + [
            self.resolve_objective(o) for o in options.objectives
        ]
        self.default_type = normalise_type(options.type) if options.type else None

    def ingest(self, path: Path, progress: Progress | None = None) -> FileReport:
        """Ingest one file; a file that cannot be read changes nothing that is stored."""
        data = path.read_bytes()
        file_hash = hashlib.sha256(data).hexdigest()
        uri = str(path.resolve())
        session = self.ctx.session
        source = session.scalar(select(Source).where(Source.uri == uri))
        if source is None:
            source = session.scalar(select(Source).where(Source.file_hash == file_hash))
        options = _options_dict(self.options)
        if source is not None and source.file_hash == file_hash and source.options == options:
            return FileReport(str(path), "unchanged", "same content as when last ingested")
        try:
            document = read_document(path, max_chars=self.options.max_chars)
        except UnreadableDocument as error:
            return FileReport(str(path), "failed", str(error))
        with session.begin_nested():
            created = source is None
            if source is None:
                source = Source(uri=uri)
            source.uri, source.name, source.format = uri, path.name, document.format
            source.title, source.author, source.created = (
                document.title,
                document.author,
                document.created,
            )
            source.language, source.file_hash, source.size = (
                document.language,
                file_hash,
                len(data),
            )
            source.options = options
            session.add(source)
            session.flush()
            report = FileReport(str(path), "added" if created else "updated")
            report.problems = [
                f"line {p.line}: {p.reason}" if p.line else p.reason for p in document.problems
            ]
            drafts = list(self._drafts(document, source.id, report))
            self._store(source.id, drafts, report, progress)
        return report

    def _drafts(self, document: Document, source_id: int, report: FileReport) -> Iterator[Draft]:
        for segment in document.segments:
            where = f"line {segment.para_start}: " if document.format == "jsonl" else ""
            problems: list[str] = []
            try:
                yield self._draft(document, segment, source_id, problems)
            except InvalidInput as error:
                problems.append(f"{error}; record skipped")
            report.problems += [f"{where}record '{segment.key}': {p}" for p in problems]

    def _draft(
        self, document: Document, segment: Segment, source_id: int, problems: list[str]
    ) -> Draft:
        fields = segment.fields
        options = self.options
        kind = fields.get("type")
        item_type = normalise_type(str(kind)) if kind else self.default_type or "resource"
        language = (
            _text(fields.get("language"))
            or options.language
            or (detect_language(segment.text) if len(segment.text) >= 200 else None)
            or document.language
        )
        concepts = list(self.fixed_concepts)
        for resolve, names in (
            (self.resolve_country, _list(fields.get("countries"))),
            (self.resolve_objective, _list(fields.get("objectives"))),
        ):
            for name in names:
                try:
                    concepts.append(resolve(name))
                except InvalidInput as error:
                    problems.append(f"{error}; tag left out")
        if document.format == "jsonl":
            ref = segment.key
        else:
            ref = f"s{source_id}-" + hashlib.sha1(segment.key.encode()).hexdigest()[:10]
        return Draft(
            key=segment.key,
            ref=ref,
            type=item_type,
            title=segment.title,
            text=segment.text,
            url=_text(fields.get("url")),
            language=language,
            languages=[language] if language else [],
            publisher=_text(fields.get("publisher")) or options.publisher or document.author,
            licence=_text(fields.get("licence") or fields.get("license")) or options.licence,
            date_published=parse_date(fields.get("date")) or document.created,
            heading_path=list(segment.heading_path),
            page_start=segment.page_start,
            page_end=segment.page_end,
            para_start=segment.para_start,
            para_end=segment.para_end,
            concept_ids=list(dict.fromkeys(concepts)),
        )

    def _store(
        self, source_id: int, drafts: list[Draft], report: FileReport, progress: Progress | None
    ) -> None:
        session = self.ctx.session
        wanted = {d.ref for d in drafts}
        stale = [
            item_id
            for item_id, ref in session.execute(
                select(Item.id, Item.ref).where(Item.source_id == source_id)
            )
            if ref not in wanted
        ]
        if stale:
            self.index.delete(stale)
            for chunk in _chunks(stale, BATCH):
                session.execute(delete(Item).where(Item.id.in_(chunk)))
            report.removed = len(stale)
        for chunk in _chunks(drafts, BATCH):
            existing = {
                ref: (item_id, digest)
                for item_id, ref, digest in session.execute(
                    select(Item.id, Item.ref, Item.content_hash).where(
                        Item.ref.in_([d.ref for d in chunk])
                    )
                )
            }
            fresh, changed = [], []
            for draft in chunk:
                row = draft.row()
                row.update(source_id=source_id, status="published")
                if draft.ref not in existing:
                    fresh.append(row)
                elif existing[draft.ref][1] != row["content_hash"]:
                    changed.append({**row, "id": existing[draft.ref][0]})
                else:
                    report.unchanged += 1
            ids = {draft.ref: existing[draft.ref][0] for draft in chunk if draft.ref in existing}
            if fresh:
                # Core, not the ORM: a third of the time for the same rows.
                insert_items = insert(ITEM_TABLE).returning(Item.id, Item.ref)
                returned = session.execute(insert_items, fresh)
                ids.update({ref: item_id for item_id, ref in returned})
            if changed:
                session.execute(update(Item), changed)
            written = {row["ref"] for row in fresh + changed}
            touched = [d for d in chunk if d.ref in written]
            self._tag_and_index(touched, ids)
            report.added += len(fresh)
            report.updated += len(changed)
            if progress is not None:
                progress(len(chunk))

    def _tag_and_index(self, drafts: list[Draft], ids: dict[str, int]) -> None:
        if not drafts:
            return
        session = self.ctx.session
        item_ids = [ids[d.ref] for d in drafts]
        # The source's tags and the tagger's guesses belong to the old text; a curator's stay.
        session.execute(
            delete(ItemConcept).where(
                ItemConcept.item_id.in_(item_ids), ItemConcept.origin.in_(("source", "auto"))
            )
        )
        tags = [
            {"item_id": ids[d.ref], "concept_id": c, "origin": "source", "status": "confirmed"}
            for d in drafts
            for c in d.concept_ids
        ]
        if tags:
            session.execute(insert(ItemConcept), tags)
        facets = facet_values(self.ctx, item_ids)
        self.index.upsert(
            IndexRecord(
                id=ids[d.ref],
                title=d.title,
                text=d.text,
                language=d.language,
                facets=facets[ids[d.ref]],
            )
            for d in drafts
        )


def _options_dict(options: IngestOptions) -> dict[str, object]:
    data = asdict(options)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _list(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value)]


def _chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
