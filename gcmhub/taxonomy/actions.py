"""Taxonomy actions: store schemes, list them, show concepts, resolve names to concepts."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pycountry
from sqlalchemy import delete, func, select

from gcmhub.context import Actor, Context
from gcmhub.cursors import MALFORMED, decode_cursor, encode_cursor, follow
from gcmhub.errors import BadParameter, Conflict, InvalidInput, NotFound
from gcmhub.search.analysis import fold, tokens
from gcmhub.taxonomy import builtin
from gcmhub.taxonomy.models import Concept, ConceptBroader, Scheme
from gcmhub.taxonomy.schemas import (
    ConceptPage,
    ConceptPublic,
    ConceptRef,
    ConceptRow,
    SchemePublic,
    SchemeSummary,
)
from gcmhub.taxonomy.schemes import SchemeData


def fold_key(text: str) -> str:
    """Return a name folded for comparison: case, accents and punctuation ignored."""
    return " ".join(tokens(fold(text)))


def concept_id(scheme: str, code: str) -> str:
    """Return the id of a concept: `scheme:code`."""
    return f"{scheme}:{code}"


def builtin_fingerprint() -> str:
    """Return a hash of the shipped taxonomy files, to reload them only when they change."""
    digest = hashlib.sha256(str(getattr(pycountry, "__version__", "")).encode())
    folder = Path(builtin.__file__).parent
    for path in sorted([*folder.glob("*.py"), *(folder / "data").rglob("*")]):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def taxonomy_ensure_builtin(ctx: Context) -> list[str]:
    """Load or refresh the built-in schemes when the shipped files changed; return their ids."""
    fingerprint = builtin_fingerprint()
    stored = ctx.session.execute(
        select(Scheme.id, Scheme.content_hash).where(Scheme.builtin.is_(True))
    ).all()
    schemes = builtin.builtin_schemes()
    if {row.id for row in stored} == {s.id for s in schemes} and all(
        row.content_hash == fingerprint for row in stored
    ):
        return []
    for scheme in schemes:
        _store(ctx, scheme, builtin=True, content_hash=fingerprint)
    return [s.id for s in schemes]


def scheme_store(ctx: Context, scheme: SchemeData) -> SchemeSummary:
    """Store a validated scheme loaded by a user, replacing an earlier load of the same id.

    A built-in scheme cannot be replaced, and concepts that items are tagged with cannot be
    dropped by a new version; either refusal leaves the stored scheme as it was.
    """
    existing = ctx.session.get(Scheme, scheme.id)
    if existing is not None and existing.builtin:
        raise Conflict(
            f"scheme '{scheme.id}' is built in and cannot be replaced; "
            "load yours under another id (--scheme NAME)"
        )
    digest = hashlib.sha256(repr(scheme).encode()).hexdigest()
    _store(ctx, scheme, builtin=False, content_hash=digest)
    return scheme_summary(ctx, scheme.id)


def _store(ctx: Context, scheme: SchemeData, *, builtin: bool, content_hash: str) -> None:
    session = ctx.session
    new_ids = {concept_id(scheme.id, c.code) for c in scheme.concepts}
    old_ids = set(session.scalars(select(Concept.id).where(Concept.scheme_id == scheme.id)))
    dropped = old_ids - new_ids
    if dropped:
        _refuse_if_used(ctx, scheme.id, dropped)
    row = session.get(Scheme, scheme.id) or Scheme(id=scheme.id)
    row.title, row.description = scheme.title, scheme.description
    row.source, row.licence = scheme.source, scheme.licence
    row.builtin, row.content_hash = builtin, content_hash
    row.loaded_at = datetime.now(UTC).replace(tzinfo=None)
    session.add(row)
    session.flush()
    if dropped:
        session.execute(delete(Concept).where(Concept.id.in_(dropped)))
    session.execute(
        delete(ConceptBroader).where(
            ConceptBroader.concept_id.in_(select(Concept.id).where(Concept.scheme_id == scheme.id))
        )
    )
    for position, data in enumerate(scheme.concepts):
        cid = concept_id(scheme.id, data.code)
        concept = session.get(Concept, cid) or Concept(id=cid, scheme_id=scheme.id)
        concept.code, concept.position = data.code, position
        concept.label = data.label("en")
        concept.labels, concept.alt_labels = dict(data.labels), dict(data.alt_labels)
        concept.definition, concept.notation = data.definition, data.notation
        concept.examples, concept.related = list(data.examples), dict(data.related)
        session.add(concept)
    session.flush()
    session.add_all(
        ConceptBroader(
            concept_id=concept_id(scheme.id, c.code), broader_id=concept_id(scheme.id, b)
        )
        for c in scheme.concepts
        for b in c.broader
    )
    session.flush()
    _CLOSURES.pop(ctx.session.get_bind().engine.url.render_as_string(), None)


def _refuse_if_used(ctx: Context, scheme: str, dropped: set[str]) -> None:
    from gcmhub.knowledge.models import ItemConcept  # the one cross-part check, read-only

    used = ctx.session.scalars(
        select(ItemConcept.concept_id).where(ItemConcept.concept_id.in_(dropped)).distinct()
    ).all()
    if used:
        names = ", ".join(sorted(used)[:5])
        raise Conflict(
            f"the new version of '{scheme}' drops {len(used)} concept(s) that items are tagged "
            f"with ({names}); nothing was loaded"
        )


def scheme_summary(ctx: Context, scheme_id: str) -> SchemeSummary:
    """Return one scheme as listed."""
    for summary in scheme_list(ctx):
        if summary.id == scheme_id:
            return summary
    raise NotFound(f"no scheme '{scheme_id}'")


def scheme_list(ctx: Context) -> list[SchemeSummary]:
    """List the loaded schemes with their concept counts."""
    counts = dict(
        ctx.session.execute(
            select(Concept.scheme_id, func.count()).group_by(Concept.scheme_id)
        ).all()
    )
    rows = ctx.session.scalars(select(Scheme).order_by(Scheme.builtin.desc(), Scheme.id))
    return [
        SchemeSummary(
            id=s.id,
            title=s.title,
            concepts=counts.get(s.id, 0),
            builtin=s.builtin,
            source=s.source,
            licence=s.licence,
        )
        for s in rows
    ]


def _ref(concept: Concept) -> ConceptRef:
    return ConceptRef(id=concept.id, code=concept.code, label=concept.label)


def scheme_show(ctx: Context, scheme_id: str) -> SchemePublic:
    """Return a scheme with its top concepts."""
    scheme = ctx.session.get(Scheme, scheme_id)
    if scheme is None:
        raise NotFound(f"no scheme '{scheme_id}'; loaded: {_scheme_names(ctx)}")
    has_broader = select(ConceptBroader.concept_id)
    top = ctx.session.scalars(
        select(Concept)
        .where(Concept.scheme_id == scheme_id, Concept.id.not_in(has_broader))
        .order_by(Concept.position)
    )
    summary = scheme_summary(ctx, scheme_id)
    return SchemePublic(
        **summary.model_dump(), description=scheme.description, top_concepts=[_ref(c) for c in top]
    )


def _scheme_names(ctx: Context) -> str:
    return ", ".join(ctx.session.scalars(select(Scheme.id).order_by(Scheme.id)))


def concept_show(ctx: Context, ident: str) -> ConceptPublic:
    """Return a concept by id (`objective:19`) with its broader and narrower concepts."""
    concept = ctx.session.get(Concept, ident)
    if concept is None:
        raise NotFound(f"no concept '{ident}'")
    broader = ctx.session.scalars(
        select(Concept)
        .join(ConceptBroader, ConceptBroader.broader_id == Concept.id)
        .where(ConceptBroader.concept_id == ident)
        .order_by(Concept.position)
    )
    narrower = ctx.session.scalars(
        select(Concept)
        .join(ConceptBroader, ConceptBroader.concept_id == Concept.id)
        .where(ConceptBroader.broader_id == ident)
        .order_by(Concept.position)
    )
    return ConceptPublic(
        id=concept.id,
        scheme=concept.scheme_id,
        code=concept.code,
        label=concept.label,
        labels=concept.labels,
        alt_labels=concept.alt_labels,
        definition=concept.definition,
        notation=concept.notation,
        examples=concept.examples,
        related=concept.related,
        broader=[_ref(c) for c in broader],
        narrower=[_ref(c) for c in narrower],
    )


def concept_resolver(ctx: Context, scheme_id: str) -> Callable[[str], str]:
    """Return a function naming the concept a person means by a code or label in any language.

    The function raises InvalidInput for a name that matches no concept of the scheme.
    """
    if ctx.session.get(Scheme, scheme_id) is None:
        raise NotFound(f"no scheme '{scheme_id}'; loaded: {_scheme_names(ctx)}")
    names: dict[str, str] = {}
    rows = ctx.session.execute(
        select(Concept.id, Concept.code, Concept.label, Concept.labels, Concept.alt_labels)
        .where(Concept.scheme_id == scheme_id)
        .order_by(Concept.position)
    )
    for cid, code, label, labels, alt_labels in rows:
        names.setdefault(code, cid)
        for name in [code, label, *labels.values(), *(a for v in alt_labels.values() for a in v)]:
            names.setdefault(fold_key(name), cid)
    prefix = fold_key(scheme_id) + " "

    def resolve(text: str) -> str:
        key = fold_key(text)
        found = names.get(text.strip()) or names.get(key)
        if found is None and key.startswith(prefix):
            found = names.get(key.removeprefix(prefix))
        if found is None:
            raise InvalidInput(f"'{text}' is neither a code nor a label in scheme '{scheme_id}'")
        return found

    return resolve


@dataclass(frozen=True)
class Closure:
    """A concept's scheme, code, broader codes (all levels) and related concept ids."""

    scheme: str
    code: str
    label: str
    ancestors: tuple[str, ...]
    related: tuple[str, ...]


_CLOSURES: dict[str, dict[str, Closure]] = {}


def concept_closures(ctx: Context, ids: Iterable[str] | None = None) -> dict[str, Closure]:
    """Return the closure of every concept (cached per database until a scheme is stored)."""
    key = ctx.session.get_bind().engine.url.render_as_string()
    closures = _CLOSURES.get(key)
    if closures is None:
        closures = _build_closures(ctx)
        _CLOSURES[key] = closures
    if ids is None:
        return closures
    return {i: closures[i] for i in ids if i in closures}


def _build_closures(ctx: Context) -> dict[str, Closure]:
    parents: dict[str, list[str]] = {}
    for child, parent in ctx.session.execute(
        select(ConceptBroader.concept_id, ConceptBroader.broader_id)
    ):
        parents.setdefault(child, []).append(parent)
    closures: dict[str, Closure] = {}
    rows = ctx.session.execute(
        select(Concept.id, Concept.scheme_id, Concept.code, Concept.label, Concept.related)
    )
    for cid, scheme, code, label, related in rows:
        seen: list[str] = []
        queue = list(parents.get(cid, []))
        while queue:
            current = queue.pop(0)
            if current not in seen and current != cid:
                seen.append(current)
                queue.extend(parents.get(current, []))
        linked = tuple(
            concept_id(other, value)
            for other, values in (related or {}).items()
            for value in values
        )
        codes = tuple(s.split(":", 1)[1] for s in seen)
        closures[cid] = Closure(scheme, code, label, codes, linked)
    return closures


@dataclass(frozen=True)
class ConceptText:
    """What a tagger reads of a concept: its words, and the top concept it counts for."""

    id: str
    label: str
    definition: str | None
    examples: tuple[str, ...]
    top: str


def scheme_concept_texts(ctx: Context, scheme_id: str) -> list[ConceptText]:
    """Return every concept of a scheme with its top concept (itself when it has no broader)."""
    if ctx.session.get(Scheme, scheme_id) is None:
        raise NotFound(f"no scheme '{scheme_id}'; loaded: {_scheme_names(ctx)}")
    closures = concept_closures(ctx)
    texts = []
    for concept in ctx.session.scalars(
        select(Concept).where(Concept.scheme_id == scheme_id).order_by(Concept.position)
    ):
        ancestors = closures[concept.id].ancestors if concept.id in closures else ()
        top = concept_id(scheme_id, ancestors[-1]) if ancestors else concept.id
        texts.append(
            ConceptText(concept.id, concept.label, concept.definition, tuple(concept.examples), top)
        )
    return texts


def scheme_ids(ctx: Context) -> list[str]:
    """Return the ids of the loaded schemes."""
    return list(ctx.session.scalars(select(Scheme.id).order_by(Scheme.id)))


def concept_list(
    ctx: Context, scheme_id: str, cursor: str | None = None, limit: int = 100
) -> ConceptPage:
    """List a scheme's concepts in the scheme's order, a page at a time (keyset cursor)."""
    if ctx.session.get(Scheme, scheme_id) is None:
        raise NotFound(f"no scheme '{scheme_id}'; loaded: {_scheme_names(ctx)}")
    if not 1 <= limit <= 1000:
        raise BadParameter("limit", "limit must be between 1 and 1000")
    after = -1
    if cursor:
        position = decode_cursor(cursor, ("p",))["p"]
        if not isinstance(position, int):
            raise BadParameter("cursor", MALFORMED)
        after = position
    count = ctx.session.scalar(
        select(func.count()).select_from(Concept).where(Concept.scheme_id == scheme_id)
    )
    concepts = list(
        ctx.session.scalars(
            select(Concept)
            .where(Concept.scheme_id == scheme_id, Concept.position > after)
            .order_by(Concept.position)
            .limit(limit + 1)
        )
    )
    more = len(concepts) > limit
    concepts = concepts[:limit]
    broader: dict[str, list[str]] = {c.id: [] for c in concepts}
    for child, parent in ctx.session.execute(
        select(ConceptBroader.concept_id, ConceptBroader.broader_id).where(
            ConceptBroader.concept_id.in_(list(broader))
        )
    ):
        broader[child].append(parent)
    rows = [
        ConceptRow(
            id=c.id,
            scheme=c.scheme_id,
            code=c.code,
            label=c.label,
            labels=c.labels,
            definition=c.definition,
            notation=c.notation,
            broader=broader[c.id],
        )
        for c in concepts
    ]
    following = encode_cursor({"p": concepts[-1].position}) if more else None
    return ConceptPage(data=rows, count=int(count or 0), next=following)


def concept_stream(actor: Actor, scheme_id: str, batch: int = 500) -> Iterator[ConceptRow]:
    """Yield every concept of a scheme, one short transaction per batch (checked up front)."""
    from gcmhub.runtime import open_context

    def fetch(cursor: str | None) -> ConceptPage:
        with open_context(actor) as ctx:
            return concept_list(ctx, scheme_id, cursor, batch)

    return follow(fetch(None), fetch)
