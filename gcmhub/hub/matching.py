"""Matching a request to providers, offers and practices, each with its reasons.

A provider's score is a weighted sum of signals, each between 0 and 1 (outcomes between -1
and 1), so every reason shown carries its share of the score:

- meaning: cosine similarity of the need (embedded as a query) to the provider's profile
  (embedded as a passage), min-max scaled over the providers compared;
- words: BM25 of the need's words (stemmed in English, French and Spanish) in the profile,
  scaled by the best;
- objectives: the share of the request's objectives the provider works on;
- support: the share of the kinds of support asked that it gives;
- region: 1 for experience in the country, 0.6 in one of its regions, 0.3 for global reach;
- language: 1 when it works in a language of the request;
- availability: 1 with capacity left and a modality asked, 0.5 for one of the two;
- outcomes: past engagements' ratings, (mean - 3) / 2 shrunk by n / (n + 1), so one rating
  moves a provider less than several, and a poor record pulls it down.

The weights were set before the evaluation set was read (bench/eval_matching.py reports each
signal's part); `method` "lexical" and "vector" are the single-signal baselines.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
from sqlalchemy import func, select

from gcmhub.context import Context
from gcmhub.errors import BadParameter
from gcmhub.hub.concepts import concept_refs, country_regions
from gcmhub.hub.cover import Candidate, set_cover
from gcmhub.hub.models import Offer, Provider, SupportRequest
from gcmhub.hub.providers import provider_loads, provider_ratings
from gcmhub.hub.schemas import Match, Plan, PlanPart, PracticeMatch, Reason, Shortlist
from gcmhub.hub.vocabulary import LANGUAGES, SUPPORT_TYPES
from gcmhub.search.analysis import analyze, tokens, variants

WEIGHTS = {
    "meaning": 0.30,
    "words": 0.08,
    "objectives": 0.25,
    "support": 0.12,
    "region": 0.08,
    "language": 0.07,
    "availability": 0.03,
    "outcomes": 0.07,
}
METHODS = ("hybrid", "lexical", "vector")
WORLD = "region:001"


@dataclass(frozen=True)
class Need:
    """What is asked, as the matcher reads it."""

    text: str
    objectives: frozenset[str]
    support_types: frozenset[str]
    country: str | None = None
    regions: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    modalities: frozenset[str] = frozenset()

    @property
    def parts(self) -> list[str]:
        """Each objective and each kind of support: what a full answer covers."""
        return [*sorted(self.objectives), *sorted(self.support_types)]


@dataclass
class Profiles:
    """The providers (or offers) compared, with their vectors and a small BM25 index."""

    keys: list[str]
    rows: list[dict[str, object]]
    vectors: np.ndarray
    postings: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    lengths: np.ndarray = field(default_factory=lambda: np.zeros(0))
    _holders: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    def holding(self, field_name: str, value: str) -> np.ndarray:
        """Positions of the profiles whose list `field_name` holds `value`."""
        index = self._holders.get(field_name)
        if index is None:
            lists: dict[str, list[int]] = {}
            for position, row in enumerate(self.rows):
                for held in _set(row[field_name]):
                    lists.setdefault(held, []).append(position)
            index = {k: np.array(v, dtype=np.int64) for k, v in lists.items()}
            self._holders[field_name] = index
        return index.get(value, np.zeros(0, dtype=np.int64))

    @cached_property
    def position(self) -> dict[int, int]:
        """Where each provider (by database id) sits."""
        return {int(str(row["id"])): i for i, row in enumerate(self.rows)}

    @cached_property
    def capacity(self) -> np.ndarray:
        """How many engagements each profile takes at once."""
        return np.array([int(str(row["capacity"])) for row in self.rows], dtype=np.float64)

    def bm25(self, text: str, k1: float = 1.2, b: float = 0.75) -> np.ndarray:
        """Score every profile for the words of `text` (any of en, fr, es stems)."""
        scores = np.zeros(len(self.keys), dtype=np.float64)
        if not self.keys:
            return scores
        average = float(self.lengths.mean()) or 1.0
        seen: set[str] = set()
        for word in tokens(text):
            forms = [f for f in variants(word) if f in self.postings and f not in seen]
            for form in forms[:1]:
                seen.add(form)
                docs, tf = self.postings[form]
                idf = math.log(1 + (len(self.keys) - len(docs) + 0.5) / (len(docs) + 0.5))
                norm = tf + k1 * (1 - b + b * self.lengths[docs] / average)
                scores[docs] += idf * tf * (k1 + 1) / norm
        return scores


def _index(texts: list[str]) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], np.ndarray]:
    counts: dict[str, dict[int, int]] = {}
    lengths = np.zeros(len(texts))
    for position, text in enumerate(texts):
        words = analyze(text, "en").split()
        lengths[position] = len(words)
        for word in words:
            counts.setdefault(word, {}).setdefault(position, 0)
            counts[word][position] += 1
    postings = {
        word: (np.fromiter(d.keys(), dtype=np.int64), np.fromiter(d.values(), dtype=np.float64))
        for word, d in counts.items()
    }
    return postings, lengths


_cache: dict[tuple[str, ...], Profiles] = {}
_cache_lock = threading.Lock()


def provider_profiles(ctx: Context) -> Profiles:
    """Return the active providers with consent, embedded (cached until one changes)."""
    from gcmhub.knowledge.semantic import embed_passages

    version = ctx.session.execute(
        select(func.count(), func.max(Provider.updated_at), func.max(Provider.id))
    ).one()
    key = (ctx.session.get_bind().engine.url.render_as_string(), *map(str, version))
    with _cache_lock:
        found = _cache.get(key)
    if found is not None:
        return found
    providers = list(
        ctx.session.scalars(
            select(Provider)
            .where(Provider.active, Provider.consent_at.is_not(None))
            .order_by(Provider.id)
        )
    )
    texts = [f"{p.name}. {p.description}" for p in providers]
    vectors = embed_passages(ctx, texts) if texts else np.zeros((0, 1), dtype=np.float32)
    postings, lengths = _index(texts)
    rows: list[dict[str, object]] = [
        {
            "id": p.id,
            "name": p.name,
            "kind": p.kind,
            "un_system": p.un_system,
            "objectives": frozenset(p.objectives),
            "support": frozenset(p.support_types),
            "countries": frozenset(p.countries),
            "regions": frozenset(p.regions),
            "languages": frozenset(p.languages),
            "modalities": frozenset(p.modalities),
            "capacity": p.capacity,
            "until": p.available_until,
        }
        for p in providers
    ]
    profiles = Profiles([p.ref for p in providers], rows, vectors, postings, lengths)
    with _cache_lock:
        _cache.clear()  # one database's providers at a time
        _cache[key] = profiles
    return profiles


def need_of(ctx: Context, request: SupportRequest) -> Need:
    """Read a stored request as a need (suggested objectives stand in until confirmed)."""
    objectives = request.objectives or [s["concept"] for s in request.suggested]
    return Need(
        text=request.need,
        objectives=frozenset(objectives),
        support_types=frozenset(request.support_types),
        country=request.country,
        regions=frozenset(country_regions(ctx, request.country)),
        languages=frozenset(request.languages),
        modalities=frozenset(request.modalities),
    )


@dataclass(frozen=True)
class Ranked:
    """A provider's score and each signal behind it."""

    key: str
    score: float
    signals: dict[str, float]
    row: dict[str, object]


def rank(
    ctx: Context,
    need: Need,
    profiles: Profiles,
    *,
    method: str = "hybrid",
    outcomes: bool = True,
    query_vector: np.ndarray | None = None,
    keep: int = 200,
) -> list[Ranked]:
    """Score every profile for a need; return the best `keep`, best first.

    Each signal is computed for all profiles at once (numpy, inverted lists per field), so
    ten thousand providers cost little more than the embedding of the need.
    """
    from gcmhub.knowledge.semantic import embed_query

    if method not in METHODS:
        raise BadParameter("method", f"method is one of {', '.join(METHODS)}")
    size = len(profiles.keys)
    if not size:
        return []
    cosine = np.zeros(size)
    if method != "lexical":
        vector = query_vector if query_vector is not None else embed_query(need.text)
        cosine = profiles.vectors @ vector
    words = profiles.bm25(need.text) if method != "vector" else np.zeros(size)
    if method in ("lexical", "vector"):
        single = words if method == "lexical" else cosine
        order = np.argsort(-single, kind="stable")[:keep]
        return [Ranked(profiles.keys[i], float(single[i]), {}, profiles.rows[i]) for i in order]
    low, high = float(cosine.min()), float(cosine.max())
    best_words = float(words.max())
    signals = {
        "meaning": (cosine - low) / (high - low) if high > low else np.zeros(size),
        "words": words / best_words if best_words > 0 else words,
        "objectives": _share(profiles, "objectives", need.objectives),
        "support": _share(profiles, "support", need.support_types),
        "region": _region(profiles, need),
        "language": _any(profiles, "languages", need.languages),
        "availability": _availability(ctx, profiles, need),
        "outcomes": _outcomes(ctx, profiles) if outcomes else np.zeros(size),
    }
    score = sum(WEIGHTS[name] * values for name, values in signals.items())
    assert isinstance(score, np.ndarray)
    order = np.argsort(-score, kind="stable")[:keep]
    return [
        Ranked(
            profiles.keys[i],
            float(score[i]),
            {name: float(values[i]) for name, values in signals.items()},
            profiles.rows[i],
        )
        for i in order
    ]


def _share(profiles: Profiles, field: str, wanted: frozenset[str]) -> np.ndarray:
    """The share of `wanted` each profile holds in a field."""
    counts = np.zeros(len(profiles.keys))
    for value in wanted:
        counts[profiles.holding(field, value)] += 1
    return counts / len(wanted) if wanted else counts


def _any(profiles: Profiles, field: str, wanted: frozenset[str]) -> np.ndarray:
    """1 where a profile holds any of `wanted` (everywhere when nothing is wanted)."""
    if not wanted:
        return np.ones(len(profiles.keys))
    held: np.ndarray = np.minimum(_share(profiles, field, wanted) * len(wanted), 1.0)
    return held


def _region(profiles: Profiles, need: Need) -> np.ndarray:
    fit = np.zeros(len(profiles.keys))
    fit[profiles.holding("regions", WORLD)] = 0.3
    for region in need.regions:
        fit[profiles.holding("regions", region)] = 0.6
    if need.country:
        fit[profiles.holding("countries", need.country)] = 1.0
    return fit


def _availability(ctx: Context, profiles: Profiles, need: Need) -> np.ndarray:
    """0.5 for capacity left (and still available), 0.5 for a modality asked."""
    load = np.zeros(len(profiles.keys))
    for provider_id, count in provider_loads(ctx).items():
        position = profiles.position.get(provider_id)
        if position is not None:
            load[position] = count
    today = date.today()
    ended = np.array([isinstance(r["until"], date) and r["until"] < today for r in profiles.rows])
    free = (load < profiles.capacity) & ~ended
    fit: np.ndarray = 0.5 * free + 0.5 * _any(profiles, "modalities", need.modalities)
    return fit


def _outcomes(ctx: Context, profiles: Profiles) -> np.ndarray:
    """Past ratings: (mean - 3) / 2, shrunk by n / (n + 1); 0 for the unrated."""
    values = np.zeros(len(profiles.keys))
    for provider_id, (mean, count) in provider_ratings(ctx).items():
        position = profiles.position.get(provider_id)
        if position is not None:
            values[position] = (mean - 3.0) / 2.0 * count / (count + 1)
    return values


def _set(value: object) -> frozenset[str]:
    assert isinstance(value, frozenset)
    return value


def _reasons(ctx: Context, need: Need, ranked: Ranked) -> list[Reason]:
    """Say in words why a provider is proposed, strongest signal first."""
    row, signals = ranked.row, ranked.signals
    texts: dict[str, str] = {}
    common = sorted(need.objectives & _set(row["objectives"]))
    if common:
        labels = [f"{r.code} ({r.label})" for r in concept_refs(ctx, common)]
        texts["objectives"] = "works on objective " + "; ".join(labels)
    support = sorted(need.support_types & _set(row["support"]))
    if support:
        texts["support"] = "gives " + ", ".join(SUPPORT_TYPES[s].lower() for s in support)
    if signals["meaning"] > 0:
        texts["meaning"] = f"its profile is close in meaning to the need ({signals['meaning']:.2f})"
    if signals["words"] > 0:
        texts["words"] = f"its profile uses the need's words ({signals['words']:.2f})"
    if signals["region"] == 1.0:
        named = concept_refs(ctx, [f"country:{need.country}"])
        texts["region"] = f"has worked in {named[0].label if named else need.country}"
    elif signals["region"] == 0.6:
        texts["region"] = "has worked in the region"
    elif signals["region"] > 0:
        texts["region"] = "works worldwide"
    shared = sorted(need.languages & _set(row["languages"]))
    if shared and signals["language"]:
        texts["language"] = "works in " + ", ".join(LANGUAGES.get(code, code) for code in shared)
    if signals["availability"] >= 1.0:
        texts["availability"] = "has capacity now, in the modality asked"
    elif signals["availability"] > 0:
        texts["availability"] = "limited availability or modality"
    if signals["outcomes"] > 0:
        texts["outcomes"] = "well rated in past engagements"
    elif signals["outcomes"] < 0:
        texts["outcomes"] = "poorly rated in past engagements"
    reasons = [
        Reason(kind=name, text=text, weight=round(WEIGHTS[name] * signals[name], 3))
        for name, text in texts.items()
    ]
    return sorted(reasons, key=lambda r: -abs(r.weight))


def _parts(need: Need, row: dict[str, object]) -> list[str]:
    covered = (need.objectives & _set(row["objectives"])) | (
        need.support_types & _set(row["support"])
    )
    return [p for p in need.parts if p in covered]


def shortlist(ctx: Context, need: Need, request_ref: str, limit: int = 10) -> Shortlist:
    """Rank providers, offers and practices for a need and propose the integrated plan."""
    from gcmhub.knowledge.semantic import embed_query

    started = time.perf_counter()
    vector = embed_query(need.text)
    ranked = rank(ctx, need, provider_profiles(ctx), query_vector=vector)
    providers = [_match(ctx, need, r) for r in ranked[:limit]]
    plan = _plan(ctx, need, ranked)
    return Shortlist(
        request=request_ref,
        parts=need.parts,
        providers=providers,
        offers=_offers(ctx, need, vector, limit),
        practices=_practices(ctx, need, vector, request_ref),
        plan=plan,
        took_ms=round((time.perf_counter() - started) * 1000, 1),
    )


def _match(ctx: Context, need: Need, ranked: Ranked) -> Match:
    return Match(
        id=ranked.key,
        name=str(ranked.row["name"]),
        kind=str(ranked.row["kind"]),
        score=round(ranked.score, 4),
        un_system=bool(ranked.row["un_system"]),
        parts=_parts(need, ranked.row),
        reasons=_reasons(ctx, need, ranked),
    )


PLAN_CANDIDATES = 50


def _plan(ctx: Context, need: Need, ranked: list[Ranked]) -> Plan:
    """Cover every part with the fewest, best providers among the top of the ranking."""
    pool = [r for r in ranked[: PLAN_CANDIDATES * 4] if r.signals.get("availability", 0) >= 0.5]
    pool = [r for r in pool if _parts(need, r.row)][:PLAN_CANDIDATES]
    top = max((r.score for r in pool), default=1.0) or 1.0
    cover = set_cover(
        need.parts,
        [Candidate(r.key, frozenset(_parts(need, r.row)), r.score / top) for r in pool],
    )
    by_key = {r.key: r for r in pool}
    labels = {r.id: f"{r.code}. {r.label}" for r in concept_refs(ctx, sorted(need.objectives))}
    labels.update({code: str(SUPPORT_TYPES[code]) for code in need.support_types})
    return Plan(
        method=cover.method,
        providers=[_match(ctx, need, by_key[key]) for key in cover.chosen],
        parts=[
            PlanPart(
                part=part,
                label=labels.get(part, part),
                provider=cover.assignment.get(part),
                provider_name=str(by_key[cover.assignment[part]].row["name"])
                if part in cover.assignment
                else None,
            )
            for part in need.parts
        ],
        uncovered=cover.uncovered,
    )


def _offers(ctx: Context, need: Need, vector: np.ndarray, limit: int) -> list[Match]:
    from gcmhub.knowledge.semantic import embed_passages

    today = date.today()
    rows = [
        (o, p)
        for o, p in ctx.session.execute(
            select(Offer, Provider)
            .join(Provider, Provider.id == Offer.provider_id)
            .where(Provider.active, Provider.consent_at.is_not(None))
        )
        if o.valid_until is None or o.valid_until >= today
    ]
    if not rows:
        return []
    texts = [f"{o.title}. {o.description}" for o, _ in rows]
    postings, lengths = _index(texts)
    profiles = Profiles(
        [o.ref for o, _ in rows],
        [
            {
                "id": p.id,
                "name": f"{o.title} ({p.name})",
                "kind": "offer",
                "un_system": p.un_system,
                "objectives": frozenset(o.objectives),
                "support": frozenset(o.support_types),
                "countries": frozenset(o.countries),
                "regions": frozenset(o.regions),
                "languages": frozenset(o.languages),
                "modalities": frozenset(p.modalities),
                "capacity": p.capacity,
                "until": o.valid_until,
            }
            for o, p in rows
        ],
        np.asarray(embed_passages(ctx, texts)),
        postings,
        lengths,
    )
    ranked = rank(ctx, need, profiles, query_vector=vector, outcomes=False)
    return [
        _match(ctx, need, r)
        for r in ranked[:limit]
        if r.signals["objectives"] or r.signals["support"]
    ]


SIMILAR_MIN = 0.82  # cosine above which a solved request counts as similar (e5-small scale)


def _practices(
    ctx: Context, need: Need, vector: np.ndarray, request_ref: str
) -> list[PracticeMatch]:
    """Knowledge items and solved requests to learn from (paragraph 43(a)(iii))."""
    from gcmhub.auth import allowed
    from gcmhub.hub.requests import scope_of
    from gcmhub.knowledge.actions import item_search
    from gcmhub.knowledge.semantic import embed_passages

    found = [
        PracticeMatch(
            id=h.id, title=h.title, kind="item", score=round(h.score, 4), url=f"/items/{h.id}"
        )
        for h in item_search(ctx, need.text[:1000], limit=5).hits
    ]
    solved = [
        r
        for r in ctx.session.scalars(
            select(SupportRequest).where(
                SupportRequest.state.in_(("resolved", "closed")), SupportRequest.ref != request_ref
            )
        )
        if allowed(ctx.actor, "request_read", scope_of(ctx, r))
    ]
    if solved:
        similarity = embed_passages(ctx, [r.need for r in solved]) @ vector
        for request, score in sorted(zip(solved, similarity, strict=True), key=lambda x: -x[1])[:3]:
            if score >= SIMILAR_MIN:
                found.append(
                    PracticeMatch(
                        id=request.ref,
                        title=request.title,
                        kind="request",
                        score=round(float(score), 4),
                        url=f"/hub/requests/{request.ref}",
                    )
                )
    return found


def request_match(ctx: Context, ref: str, limit: int = 10) -> Shortlist:
    """Return the shortlist and integrated plan for a request the reader may see."""
    from gcmhub.hub.requests import _readable

    if not 1 <= limit <= 50:
        raise BadParameter("limit", "limit must be between 1 and 50")
    request, _ = _readable(ctx, ref)
    return shortlist(ctx, need_of(ctx, request), request.ref, limit)


def request_plan_accept(ctx: Context, ref: str) -> list[str]:
    """Put the proposed integrated plan's providers in the request's plan (as proposed).

    Returns the providers added; those already in the plan keep their status.
    """
    from gcmhub.auth import authorize
    from gcmhub.hub.requests import _get, request_engage, request_plan, scope_of
    from gcmhub.hub.schemas import EngageWrite

    request = _get(ctx, ref)
    authorize(ctx, "request_engage", scope_of(ctx, request))
    plan = request_match(ctx, ref).plan
    present = {e.provider for e in request_plan(ctx, request)}
    added = []
    for member in plan.providers:
        if member.id in present:
            continue
        labels = [p.label for p in plan.parts if p.provider == member.id]
        request_engage(
            ctx,
            ref,
            EngageWrite(provider=member.id, parts=member.parts, role="; ".join(labels)),
        )
        added.append(member.id)
    return added
