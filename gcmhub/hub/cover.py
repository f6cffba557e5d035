"""The integrated solution: the fewest, best providers that together cover a request.

A weighted set cover solved exactly as a small integer program with HiGHS (scipy.optimize.
milp): choose x_j in {0, 1} for each candidate to minimise sum(cost_j * x_j) such that every
coverable part is covered at least once. cost_j = 1 + eps * (1 - score_j) with
eps * |parts| < 1, so the number of providers comes first and, among covers of that size,
the better-matched providers win. Parts no candidate covers are reported, not hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Candidate:
    """A provider that could take part: what it covers and how well it matches (0-1)."""

    key: str
    parts: frozenset[str]
    score: float


@dataclass(frozen=True)
class Cover:
    """The chosen providers, who covers each part, the parts nobody covers, and how."""

    chosen: list[str]
    assignment: dict[str, str]
    uncovered: list[str]
    method: str  # exact | greedy


def set_cover(parts: Sequence[str], candidates: Sequence[Candidate]) -> Cover:
    """Return the cheapest cover of `parts` by `candidates` (exact; greedy if HiGHS fails)."""
    coverable = [p for p in parts if any(p in c.parts for c in candidates)]
    uncovered = [p for p in parts if p not in coverable]
    useful = [c for c in candidates if c.parts & set(coverable)]
    if not coverable:
        return Cover([], {}, uncovered, "exact")
    chosen = _exact(coverable, useful)
    method = "exact"
    if chosen is None:
        chosen, method = _greedy(coverable, useful), "greedy"
    return Cover([c.key for c in chosen], _assign(coverable, chosen), uncovered, method)


def _costs(parts: Sequence[str], candidates: Sequence[Candidate]) -> np.ndarray:
    eps = 0.9 / max(len(parts), 1)
    return np.array([1.0 + eps * (1.0 - min(max(c.score, 0.0), 1.0)) for c in candidates])


def _exact(parts: Sequence[str], candidates: Sequence[Candidate]) -> list[Candidate] | None:
    from scipy.optimize import Bounds, LinearConstraint, milp

    matrix = np.array([[1.0 if p in c.parts else 0.0 for c in candidates] for p in parts])
    result = milp(
        c=_costs(parts, candidates),
        constraints=LinearConstraint(matrix, lb=np.ones(len(parts)), ub=np.inf),
        integrality=np.ones(len(candidates)),
        bounds=Bounds(0, 1),
        options={"time_limit": 2.0},
    )
    if not result.success or result.x is None:
        return None
    return [c for c, x in zip(candidates, result.x, strict=True) if x > 0.5]


def _greedy(parts: Sequence[str], candidates: Sequence[Candidate]) -> list[Candidate]:
    """The classic greedy cover: most new parts per cost first."""
    left, chosen = set(parts), []
    costs = dict(zip((c.key for c in candidates), _costs(parts, candidates), strict=True))
    while left:
        best = max(candidates, key=lambda c: (len(c.parts & left) / costs[c.key], c.score))
        if not best.parts & left:
            break
        chosen.append(best)
        left -= best.parts
    return chosen


def _assign(parts: Sequence[str], chosen: Sequence[Candidate]) -> dict[str, str]:
    """Give each part to the best-matched chosen provider that covers it."""
    assignment = {}
    for part in parts:
        able = [c for c in chosen if part in c.parts]
        if able:
            assignment[part] = max(able, key=lambda c: c.score).key
    return assignment
