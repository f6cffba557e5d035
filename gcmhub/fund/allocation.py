"""The allocation engine: the most valuable portfolio of proposals that the money and rules allow.

A pure computation (no database). The inputs are scored proposals (`Candidate`), the money
(`Source`, optionally earmarked to a thematic area, a region or a country) and the fund's
rules (`Rules`); every rule is a setting, because the Migration MPTF publishes no numbers
("due consideration to geographic and thematic balance").

Eligibility, before any solving. A proposal cannot be funded when its score is below
`min_score`; when it asks more than the cap per project and does not accept partial funding
(`partial_ok`; one that does is funded at the cap, never at any other partial amount, and its
value counts the capped amount); when no source's earmark allows paying for it; when the
sources that may pay for it hold less than it needs in all; or when it needs more than the
budget. Each reason is kept, for `explain`.

The model (scipy.optimize.milp, HiGHS). Money is integer cents in every check; the solver sees
cents divided by the largest amount, so its coefficients are near 1.

- x_i in {0, 1}: fund eligible proposal i at its amount a_i (requested, or the cap).
- Earmarks: proposals whose sets of allowed sources are equal form a class c, and z_{s,c} >= 0
  is the money source s gives class c: sum_s z_{s,c} = sum_{i in c} a_i x_i and
  sum_c z_{s,c} <= available_s. This is the per-proposal flow y_{s,i} aggregated: within a
  class every source may pay every proposal, so any class flow splits over its proposals, and
  the model has a handful of flow variables instead of sources x proposals.
- budget: sum_i a_i x_i <= budget (no row when the budget is unset: the sources are the limit).
- share rules, of the allocated total T = sum_i a_i x_i: for a group g (a thematic area, a
  region, or the proposals with gender marker >= 2) with minimum share m,
  sum_{i in g} a_i x_i >= m T; with maximum share M, sum_{i in g} a_i x_i <= M T.
- one project per country (if set): sum_{i in country} x_i <= 1.
- maximise sum_i v_i x_i, v_i = score_i * a_i (value per dollar times dollars, in USD) or, with
  `Rules.value = "score"`, v_i = score_i.

Exactness. The solver works in floating point with tolerances, so its x is rounded and every
rule is checked again exactly (integers and fractions); a rule broken by a tolerance gets its
bound tightened by the excess and the model is solved again (a few times at most). The money
per (source, proposal) is then computed exactly by an integer max-flow (augmenting paths
between sources and classes, earmarked money spent first) and split over each class's
proposals in whole cents, so no source ever gives a cent more than it holds.

Infeasible rules. Shares are shares of the allocated total, so funding nothing meets them all;
the engine calls the rules infeasible when only the empty portfolio meets them while some
eligible proposal has value. It then finds a smallest set of conflicting rules by dropping
rules one at a time (a deletion filter: a rule whose removal leaves the rest infeasible is not
needed for the conflict) and raises `InfeasibleRules` naming them; `explain` does the same with
the proposal forced in. Each of those solves gets an equal part of the time limit, and one that
gives no answer keeps its rule, so the set named always conflicts but may then not be minimal.
A share window narrower than the solver's tolerance (about a dollar's worth) can be reported
as a conflict; a minimum equal to the maximum (strictly between 0 and 1) is refused outright,
since an exact share is almost never reachable to the cent.

The least score an unfunded proposal needs to enter is computed, not searched: the best
portfolio that includes it (one forced solve) does not depend on its own score, so it enters
once score_i * w_i makes up the value it costs (w_i = a_i, or 1 when value is the score); one
re-solve at that score checks it (a few at most, nudging upward past the solver's tolerance),
which replaces a bisection over scores.

`greedy` is the baseline: proposals by score (or value per dollar), each taken if the budget,
the sources (exact flow), one per country and the maximum shares, measured against the most
the portfolio could reach, still allow it; minimum shares are not steered for, and any rule
the result breaks is reported, not hidden.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from gcmhub.errors import GcmhubError, InvalidInput

EARMARK_KINDS = ("area", "region", "country")
CENT = Decimal("0.01")
NumberLike = float | int | Decimal

# ----------------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Candidate:
    """A scored proposal: money asked, appraisal score and what the rules look at."""

    ref: str
    amount: Decimal  # requested, in the fund's currency
    score: float  # appraisal, 0-100 or any scale
    thematic_area: str
    region: str
    country: str  # ISO3
    gender_marker: int = 0  # 0-3, the UNSDG gender equality marker
    partial_ok: bool = False  # funded at the cap per project when it asks more
    tags: frozenset[str] = frozenset()  # "region:M49" for every region the country is in


@dataclass(frozen=True)
class Source:
    """Money that may be allocated: a contribution, free or earmarked."""

    ref: str
    available: Decimal
    earmark: tuple[str, str] | None = None  # ("area" | "region" | "country", code)


@dataclass(frozen=True)
class Share:
    """Minimum and maximum share of the allocated total (0-1; None: no bound)."""

    min: NumberLike | None = None
    max: NumberLike | None = None


@dataclass(frozen=True)
class Rules:
    """The fund's allocation rules; every one is optional."""

    budget: Decimal | None = None  # None: the sum of the sources
    area_shares: Mapping[str, Share] = field(default_factory=dict)
    region_shares: Mapping[str, Share] = field(default_factory=dict)
    project_cap: Decimal | None = None
    gender_min_share: NumberLike | None = None  # of money to proposals with marker >= below
    gender_marker_at_least: int = 2
    one_per_country: bool = False
    min_score: float | None = None
    value: Literal["score_amount", "score"] = "score_amount"


@dataclass(frozen=True)
class Solver:
    """HiGHS settings: a time limit (seconds) and the relative gap it may stop at."""

    time_limit: float = 10.0
    mip_rel_gap: float = 0.0


@dataclass(frozen=True)
class Inputs:
    """Everything one allocation is computed from."""

    candidates: Sequence[Candidate]
    sources: Sequence[Source]
    rules: Rules = Rules()
    solver: Solver = Solver()
    currency: str = "USD"


# ---------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class RuleStatus:
    """How a rule stands in an allocation: its bound, the actual figure, and whether it binds.

    A rule binds when it is met to the cent or when it alone keeps some unfunded eligible
    proposal from being added to the portfolio as it is (those are `blocks`).
    """

    name: str
    kind: str  # budget | source | area_min | area_max | region_min | region_max | gender_min
    # | one_per_country | cap | min_score
    key: str | None
    limit: Decimal | None  # the bound in money at this total (None: not a money bound)
    actual: Decimal | None
    slack: Decimal | None  # money before the bound is reached (>= 0 when met)
    binds: bool
    blocks: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Allocation:
    """A portfolio: chosen proposals, money per (source, proposal), totals and the rules."""

    chosen: tuple[str, ...]
    money: Mapping[tuple[str, str], Decimal]  # (source ref, proposal ref) -> amount
    funded: Mapping[str, Decimal]  # proposal ref -> amount funded
    total_value: float
    total_allocated: Decimal
    by_area: Mapping[str, Decimal]
    by_region: Mapping[str, Decimal]
    rules: tuple[RuleStatus, ...]
    ineligible: Mapping[str, str]  # proposal ref -> why it cannot be funded
    method: str  # milp | greedy | manual
    status: str  # optimal | time_limit | nothing_eligible | nothing_of_value | greedy | manual
    gap: float | None
    seconds: float
    solves: int
    violations: tuple[str, ...] = ()  # rules the portfolio breaks (greedy only)

    @property
    def binding(self) -> tuple[str, ...]:
        """The names of the rules that bind."""
        return tuple(r.name for r in self.rules if r.binds)

    @property
    def meets_rules(self) -> bool:
        return not self.violations


@dataclass(frozen=True)
class Explanation:
    """Why a proposal is in or out, in sentences and numbers."""

    ref: str
    outcome: str  # funded | ineligible | blocked | outvalued
    sentences: tuple[str, ...]
    rules: tuple[str, ...] = ()  # the rules that bind around it, or that keep it out
    value_added: float | None = None  # funded: the optimum minus the best without it
    value_lost: float | None = None  # outvalued: the optimum minus the best with it
    needed_score: float | None = None  # outvalued: the least score at which it enters
    verified: bool = False  # the needed score was checked by a re-solve
    solves: int = 0

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass(frozen=True)
class WhatIf:
    """An allocation before and after a change of rules, and what changed."""

    before: Allocation
    after: Allocation
    newly_in: tuple[str, ...]
    newly_out: tuple[str, ...]
    value_change: float
    allocated_change: Decimal
    area_change: Mapping[str, Decimal]
    region_change: Mapping[str, Decimal]
    sentences: tuple[str, ...]


class InfeasibleRules(InvalidInput):
    """Only funding nothing meets these rules together; names the conflicting ones."""

    def __init__(self, message: str, rules: Sequence[str]):
        super().__init__(message)
        self.rules = tuple(rules)


class SolverFailed(GcmhubError):
    """HiGHS gave no usable answer (no solution within the time limit)."""

    status = 503
    title = "Allocation solver gave no answer"


# ---------------------------------------------------------------------------- preparation

BUDGET = "budget"
ONE_PER_COUNTRY = "one project per country"
SOURCES = "sources"  # the tightening key shared by every source row


@dataclass(frozen=True)
class _Group:
    """A share rule: a group of eligible proposals, a share, and whether it is a min or max."""

    name: str
    kind: str
    key: str
    members: npt.NDArray[np.bool_]
    share: Fraction
    sense: Literal["min", "max"]


@dataclass
class _Problem:
    inputs: Inputs
    eligible: list[Candidate]
    index: dict[str, int]  # eligible ref -> position
    cents: list[int]  # funded amount of each eligible proposal
    capped: set[str]
    ineligible: dict[str, list[tuple[str, str]]]  # ref -> [(kind, reason)]
    available: list[int]  # cents per source
    allowed: list[list[int]]  # per eligible proposal: sources allowed, earmarked first
    classes: list[tuple[int, ...]]  # distinct allowed-source tuples
    class_of: list[int]
    class_members: list[list[int]]
    groups: list[_Group]
    budget: int | None
    cap: int | None
    values: npt.NDArray[np.float64]
    by_country: dict[str, list[int]]
    scale: float  # cents per model money unit

    @property
    def droppable(self) -> list[str]:
        """Rule names the deletion filter may drop (sources are resources, not rules)."""
        names = [BUDGET] if self.budget is not None else []
        names += [g.name for g in self.groups]
        if self.inputs.rules.one_per_country and self._countries_to_limit():
            names.append(ONE_PER_COUNTRY)
        return names

    def _countries_to_limit(self) -> list[list[int]]:
        return [m for m in self.by_country.values() if len(m) > 1]


def _cents(value: object, what: str, *, positive: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidInput(f"{what} must be a Decimal amount, not {value!r}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise InvalidInput(f"{what} must be a finite amount, not {value}")
    if amount != amount.quantize(CENT):
        raise InvalidInput(f"{what} has fractions of a cent: {value}")
    cents = int(amount * 100)
    if cents < 0 or (positive and cents == 0):
        raise InvalidInput(f"{what} must be {'above' if positive else 'at least'} zero: {value}")
    return cents


def _fraction(value: NumberLike, what: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, float | int | Decimal):
        raise InvalidInput(f"{what} must be a number between 0 and 1, not {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{what} must be a number between 0 and 1, not {value}")
    share = Fraction(str(value)) if isinstance(value, float) else Fraction(value)
    if not 0 <= share <= 1:
        raise InvalidInput(f"{what} must be between 0 and 1 (a share), not {value}")
    return share


def _money(cents: int | Fraction) -> Decimal:
    if isinstance(cents, Fraction):
        exact = Decimal(cents.numerator) / Decimal(cents.denominator)
        return (exact / 100).quantize(CENT, rounding=ROUND_HALF_EVEN)
    return Decimal(cents).scaleb(-2)


def _fmt(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _pct(share: Fraction) -> str:
    percent = share * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    return f"{float(percent):.4g}%"


def _fmt_value(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}"


def _earmark_text(source: Source) -> str:
    if source.earmark is None:
        return "not earmarked"
    return f"earmarked to {source.earmark[0]} {source.earmark[1]}"


def _allows(source: Source, candidate: Candidate) -> bool:
    if source.earmark is None:
        return True
    kind, code = source.earmark
    if kind == "region" and f"region:{code}" in candidate.tags:
        return True  # a sub-region the candidate's country is in
    own = {"area": candidate.thematic_area, "region": candidate.region}.get(kind, candidate.country)
    return own == code


def _specificity(source: Source) -> int:
    """Earmarked money first, the narrowest first: country, region, area, then free money."""
    if source.earmark is None:
        return 3
    return {"country": 0, "region": 1, "area": 2}[source.earmark[0]]


def _check_inputs(inputs: Inputs) -> None:
    refs = [c.ref for c in inputs.candidates]
    if len(set(refs)) != len(refs):
        twice = sorted({r for r in refs if refs.count(r) > 1})
        raise InvalidInput(f"proposal refs must be unique: {', '.join(twice)} appear twice")
    srefs = [s.ref for s in inputs.sources]
    if len(set(srefs)) != len(srefs):
        raise InvalidInput("source refs must be unique")
    for c in inputs.candidates:
        _cents(c.amount, f"the amount of {c.ref}", positive=True)
        if not isinstance(c.score, float | int) or not math.isfinite(c.score):
            raise InvalidInput(f"the score of {c.ref} must be a finite number, not {c.score!r}")
        if c.gender_marker not in (0, 1, 2, 3):
            raise InvalidInput(f"the gender marker of {c.ref} must be 0-3, not {c.gender_marker}")
    for s in inputs.sources:
        _cents(s.available, f"the money available in {s.ref}")
        if s.earmark is not None and (
            len(s.earmark) != 2 or s.earmark[0] not in EARMARK_KINDS or not s.earmark[1]
        ):
            raise InvalidInput(
                f"the earmark of {s.ref} must be (kind, code) with kind one of "
                f"{', '.join(EARMARK_KINDS)}, not {s.earmark!r}"
            )
    rules = inputs.rules
    if rules.value not in ("score_amount", "score"):
        raise InvalidInput(f"rules.value must be 'score_amount' or 'score', not {rules.value!r}")
    for what, shares in (("area", rules.area_shares), ("region", rules.region_shares)):
        for code, share in shares.items():
            low, high = Fraction(0), Fraction(1)
            if share.min is not None:
                low = _fraction(share.min, f"the minimum share of {what} {code}")
            if share.max is not None:
                high = _fraction(share.max, f"the maximum share of {what} {code}")
            if low > high:
                raise InvalidInput(f"{what} {code}: the minimum share is above the maximum")
            if low == high and 0 < low < 1:
                raise InvalidInput(
                    f"{what} {code}: the minimum and maximum share are both {_pct(low)}; an "
                    "exact share is almost never reachable to the cent, so give a window "
                    "(e.g. a maximum a little above the minimum)"
                )
    if rules.gender_min_share is not None:
        _fraction(rules.gender_min_share, "the minimum gender share")
    if rules.gender_marker_at_least not in (1, 2, 3):
        raise InvalidInput("rules.gender_marker_at_least must be 1, 2 or 3")
    if inputs.solver.time_limit <= 0 or inputs.solver.mip_rel_gap < 0:
        raise InvalidInput("the solver needs a positive time limit and a gap of at least 0")


def _prepare(inputs: Inputs) -> _Problem:
    """Check the inputs, sort out eligibility, and lay out what every solve needs."""
    _check_inputs(inputs)
    rules, cur = inputs.rules, inputs.currency
    budget = None if rules.budget is None else _cents(rules.budget, "the budget")
    cap = None if rules.project_cap is None else _cents(rules.project_cap, "the cap", positive=True)
    available = [_cents(s.available, s.ref) for s in inputs.sources]
    order = sorted(range(len(inputs.sources)), key=lambda s: (_specificity(inputs.sources[s]), s))
    eligible: list[Candidate] = []
    cents: list[int] = []
    allowed: list[list[int]] = []
    capped: set[str] = set()
    ineligible: dict[str, list[tuple[str, str]]] = {}
    for c in inputs.candidates:
        reasons: list[tuple[str, str]] = []
        amount = _cents(c.amount, c.ref, positive=True)
        if rules.min_score is not None and c.score < rules.min_score:
            reasons.append(
                ("min_score", f"its score {c.score:g} is below the minimum {rules.min_score:g}")
            )
        if cap is not None and amount > cap:
            if c.partial_ok:
                amount = cap
                capped.add(c.ref)
            else:
                reasons.append(
                    (
                        "cap",
                        f"it asks {cur} {_fmt(_money(amount))}, above the cap per project "
                        f"({cur} {_fmt(_money(cap))}), and does not accept partial funding",
                    )
                )
        payers = [s for s in order if available[s] > 0 and _allows(inputs.sources[s], c)]
        if not payers:
            reasons.append(("source", "no source with money left may pay for it (earmarks)"))
        elif sum(available[s] for s in payers) < amount:
            held = _money(sum(available[s] for s in payers))
            reasons.append(
                (
                    "source",
                    f"the sources that may pay for it hold {cur} {_fmt(held)} in all; it needs "
                    f"{cur} {_fmt(_money(amount))}",
                )
            )
        if budget is not None and amount > budget:
            reasons.append(
                ("budget", f"it needs more than the whole budget ({cur} {_fmt(_money(budget))})")
            )
        if reasons:
            ineligible[c.ref] = reasons
            continue
        eligible.append(c)
        cents.append(amount)
        allowed.append(payers)
    classes: list[tuple[int, ...]] = []
    class_index: dict[tuple[int, ...], int] = {}
    class_of: list[int] = []
    for payers in allowed:
        key = tuple(payers)
        if key not in class_index:
            class_index[key] = len(classes)
            classes.append(key)
        class_of.append(class_index[key])
    class_members: list[list[int]] = [[] for _ in classes]
    for i, c_idx in enumerate(class_of):
        class_members[c_idx].append(i)
    groups = _groups(rules, eligible)
    by_country: dict[str, list[int]] = {}
    for i, c in enumerate(eligible):
        by_country.setdefault(c.country, []).append(i)
    if rules.value == "score":
        values = np.array([float(c.score) for c in eligible], dtype=np.float64)
    else:
        values = np.array(
            [float(c.score) * a / 100 for c, a in zip(eligible, cents, strict=True)],
            dtype=np.float64,
        )
    return _Problem(
        inputs=inputs,
        eligible=eligible,
        index={c.ref: i for i, c in enumerate(eligible)},
        cents=cents,
        capped=capped,
        ineligible=ineligible,
        available=available,
        allowed=allowed,
        classes=classes,
        class_of=class_of,
        class_members=class_members,
        groups=groups,
        budget=budget,
        cap=cap,
        values=values,
        by_country=by_country,
        scale=float(max(cents, default=1)),
    )


def _groups(rules: Rules, eligible: Sequence[Candidate]) -> list[_Group]:
    groups: list[_Group] = []
    for what, shares in (("area", rules.area_shares), ("region", rules.region_shares)):
        for code, share in shares.items():
            if what == "area":
                members = np.array([c.thematic_area == code for c in eligible], dtype=np.bool_)
            else:
                members = np.array([c.region == code for c in eligible], dtype=np.bool_)
            for sense, bound in (("min", share.min), ("max", share.max)):
                if bound is None:
                    continue
                value = _fraction(bound, f"the {sense} share of {what} {code}")
                if (sense == "min" and value == 0) or (sense == "max" and value == 1):
                    continue  # always met
                groups.append(
                    _Group(
                        f"{what} {code} {sense} {_pct(value)}",
                        f"{what}_{sense}",
                        code,
                        members,
                        value,
                        "min" if sense == "min" else "max",
                    )
                )
    if rules.gender_min_share is not None:
        value = _fraction(rules.gender_min_share, "the minimum gender share")
        if value > 0:
            k = rules.gender_marker_at_least
            members = np.array([c.gender_marker >= k for c in eligible], dtype=np.bool_)
            groups.append(
                _Group(
                    f"gender marker >= {k} min {_pct(value)}",
                    "gender_min",
                    str(k),
                    members,
                    value,
                    "min",
                )
            )
    return groups


# ------------------------------------------------------------------------------ exact flows


class _Flows:
    """Integer money from sources to classes, grown by augmenting paths (exact, in cents)."""

    def __init__(self, problem: _Problem):
        self.classes = problem.classes
        self.left = list(problem.available)
        self.flow: list[dict[int, int]] = [{} for _ in problem.classes]
        self.serves: list[list[int]] = [[] for _ in problem.available]
        for c, payers in enumerate(problem.classes):
            for s in payers:
                self.serves[s].append(c)

    def copy(self) -> _Flows:
        other = object.__new__(_Flows)
        other.classes, other.serves = self.classes, self.serves
        other.left = list(self.left)
        other.flow = [dict(f) for f in self.flow]
        return other

    def push(self, target: int, amount: int) -> int:
        """Send up to `amount` more to class `target`, rerouting others; return what went."""
        pushed = 0
        while pushed < amount:
            parent: dict[int, tuple[int, int]] = {}
            queue: deque[int] = deque()
            for s in self.classes[target]:
                parent[s] = (-1, target)
                queue.append(s)
            found = -1
            while queue:
                s = queue.popleft()
                if self.left[s] > 0:
                    found = s
                    break
                for c in self.serves[s]:
                    if self.flow[c].get(s, 0) > 0:
                        for other in self.classes[c]:
                            if other not in parent:
                                parent[other] = (s, c)
                                queue.append(other)
            if found < 0:
                break
            step = min(amount - pushed, self.left[found])
            s = found
            while parent[s][0] >= 0:
                prev, via = parent[s]
                step = min(step, self.flow[via][prev])
                s = prev
            self.left[found] -= step
            s = found
            while True:
                prev, via = parent[s]
                self.flow[via][s] = self.flow[via].get(s, 0) + step
                if prev < 0:
                    break
                self.flow[via][prev] -= step
                s = prev
            pushed += step
        return pushed


def _route(problem: _Problem, chosen: Sequence[int]) -> _Flows | None:
    """Exact flows that pay every chosen proposal, or None if the sources cannot."""
    demand = [0] * len(problem.classes)
    for i in chosen:
        demand[problem.class_of[i]] += problem.cents[i]
    flows = _Flows(problem)
    for c, need in enumerate(demand):
        if need and flows.push(c, need) < need:
            return None
    return flows


def _split(problem: _Problem, chosen: Sequence[int], flows: _Flows) -> dict[tuple[int, int], int]:
    """Split each class's money over its chosen proposals in whole cents: (source, i) -> cents."""
    money: dict[tuple[int, int], int] = {}
    inside = set(chosen)
    for c, members in enumerate(problem.class_members):
        picked = [i for i in members if i in inside]
        if not picked:
            continue
        supply = [(s, v) for s, v in _flow_order(problem, flows, c) if v > 0]
        k, have = 0, supply[0][1] if supply else 0
        for i in picked:
            need = problem.cents[i]
            while need > 0:
                give = min(need, have)
                if give:
                    key = (supply[k][0], i)
                    money[key] = money.get(key, 0) + give
                need -= give
                have -= give
                if have == 0 and k + 1 < len(supply):
                    k += 1
                    have = supply[k][1]
                elif have == 0 and need > 0:
                    raise AssertionError("class flow short of its proposals")  # pragma: no cover
    return money


def _flow_order(problem: _Problem, flows: _Flows, c: int) -> list[tuple[int, int]]:
    """A class's inflows in the class's own order of sources (earmarked first)."""
    rank = {s: r for r, s in enumerate(problem.classes[c])}
    return sorted(flows.flow[c].items(), key=lambda sv: rank[sv[0]])


# ---------------------------------------------------------------------------- exact checks


@dataclass(frozen=True)
class _Breach:
    name: str
    excess: Fraction  # cents over the bound (> 0)
    message: str


def _breaches(
    problem: _Problem, chosen: Sequence[int], drop: frozenset[str] = frozenset()
) -> tuple[list[_Breach], _Flows | None]:
    """Every rule the portfolio breaks, exactly, in a fixed order; and its exact flows."""
    cur = problem.inputs.currency
    breaches: list[_Breach] = []
    flows = _route(problem, chosen)
    if flows is None:
        need = sum(problem.cents[i] for i in chosen)
        breaches.append(
            _Breach(
                SOURCES,
                Fraction(max(need - sum(problem.available), 1)),
                "the sources, within their earmarks, cannot pay for every chosen proposal",
            )
        )
    total = sum(problem.cents[i] for i in chosen)
    if problem.budget is not None and BUDGET not in drop and total > problem.budget:
        breaches.append(
            _Breach(
                BUDGET,
                Fraction(total - problem.budget),
                f"the budget is {cur} {_fmt(_money(problem.budget))}; "
                f"{cur} {_fmt(_money(total))} allocated",
            )
        )
    for g in problem.groups:
        if g.name in drop:
            continue
        money = sum(problem.cents[i] for i in chosen if g.members[i])
        bound = g.share * total
        excess = bound - money if g.sense == "min" else money - bound
        if excess > 0:
            word = "at least" if g.sense == "min" else "at most"
            breaches.append(
                _Breach(
                    g.name,
                    excess,
                    f"{g.name}: {cur} {_fmt(_money(money))} allocated, {word} "
                    f"{cur} {_fmt(_money(bound))} ({_pct(g.share)} of {cur} "
                    f"{_fmt(_money(total))}) required",
                )
            )
    if problem.inputs.rules.one_per_country and ONE_PER_COUNTRY not in drop:
        seen: dict[str, str] = {}
        for i in chosen:
            c = problem.eligible[i]
            if c.country in seen:
                breaches.append(
                    _Breach(
                        ONE_PER_COUNTRY,
                        Fraction(1),
                        f"one project per country: {seen[c.country]} and {c.ref} are both in "
                        f"{c.country}",
                    )
                )
                break
            seen[c.country] = c.ref
    return breaches, flows


# ------------------------------------------------------------------------------ the model


@dataclass(frozen=True)
class _Solved:
    chosen: list[int]
    status: str
    gap: float | None
    seconds: float
    solves: int


def _solve(
    problem: _Problem,
    *,
    drop: frozenset[str] = frozenset(),
    fix: Mapping[int, int] | None = None,
    nonempty: bool = False,
    objective: bool = True,
    values: npt.NDArray[np.float64] | None = None,
    time_limit: float | None = None,
) -> _Solved | None:
    """Solve the model; None when it is infeasible. Rounded answers are checked exactly."""
    margins: dict[str, float] = {}
    started = time.perf_counter()
    for attempt in range(1, 6):
        result = _run_milp(
            problem, drop, fix or {}, nonempty, objective, values, margins, time_limit
        )
        if result is None:
            return None
        x, status, gap = result
        chosen = [i for i in range(len(problem.eligible)) if x[i] > 0.5]
        if nonempty and not chosen:
            return None
        breaches, _ = _breaches(problem, chosen, drop)
        if not breaches:
            return _Solved(chosen, status, gap, time.perf_counter() - started, attempt)
        # A tolerance broke a rule: tighten it by twice the excess and solve again. A share is
        # tightened as a share (min s -> s + d, max s -> s - d, d = 2 excess / total), so the
        # empty portfolio always stays feasible; money bounds are tightened as money.
        total = sum(problem.cents[i] for i in chosen)
        for b in breaches:
            if b.name in (BUDGET, SOURCES):
                extra = 2 * float(b.excess) / problem.scale + 1e-9
            else:
                extra = 2 * float(b.excess) / max(total, 1) + 1e-12
            margins[b.name] = margins.get(b.name, 0.0) + extra
    raise SolverFailed("the solver's answers keep breaking the rules by rounding; try again")


def _run_milp(
    problem: _Problem,
    drop: frozenset[str],
    fix: Mapping[int, int],
    nonempty: bool,
    objective: bool,
    values: npt.NDArray[np.float64] | None,
    margins: Mapping[str, float],
    time_limit: float | None = None,
) -> tuple[npt.NDArray[np.float64], str, float | None] | None:
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix, csr_matrix, vstack

    n = len(problem.eligible)
    if n == 0:
        return np.zeros(0), "optimal", None
    amounts = np.array(problem.cents, dtype=np.float64) / problem.scale
    flows = [(c, s) for c, payers in enumerate(problem.classes) for s in payers]
    m = len(flows)
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    r = 0
    for c, members in enumerate(problem.class_members):  # class flow = class money
        for i in members:
            rows.append(r)
            cols.append(i)
            data.append(-amounts[i])
        for j, (cc, _) in enumerate(flows):
            if cc == c:
                rows.append(r)
                cols.append(n + j)
                data.append(1.0)
        lower.append(0.0)
        upper.append(0.0)
        r += 1
    for s, cents in enumerate(problem.available):  # each source's money
        used = [j for j, (_, ss) in enumerate(flows) if ss == s]
        if not used:
            continue
        for j in used:
            rows.append(r)
            cols.append(n + j)
            data.append(1.0)
        lower.append(-np.inf)
        upper.append(max(cents / problem.scale - margins.get(SOURCES, 0.0), 0.0))
        r += 1
    if problem.budget is not None and BUDGET not in drop:
        for i in range(n):
            rows.append(r)
            cols.append(i)
            data.append(amounts[i])
        lower.append(-np.inf)
        upper.append(max(problem.budget / problem.scale - margins.get(BUDGET, 0.0), 0.0))
        r += 1
    if problem.inputs.rules.one_per_country and ONE_PER_COUNTRY not in drop:
        for members in problem._countries_to_limit():
            for i in members:
                rows.append(r)
                cols.append(i)
                data.append(1.0)
            lower.append(-np.inf)
            upper.append(1.0)
            r += 1
    if nonempty:
        for i in range(n):
            rows.append(r)
            cols.append(i)
            data.append(1.0)
        lower.append(1.0)
        upper.append(np.inf)
        r += 1
    matrix = coo_matrix((data, (rows, cols)), shape=(r, n + m)).tocsr()
    kept = [g for g in problem.groups if g.name not in drop]
    if kept:  # share rows: sum_g a_i x_i - share * sum a_i x_i >= 0 (min) or <= 0 (max)
        dense = np.zeros((len(kept), n + m))
        for k, g in enumerate(kept):
            margin = margins.get(g.name, 0.0)
            share = float(g.share) + (margin if g.sense == "min" else -margin)
            dense[k, :n] = amounts * (g.members.astype(np.float64) - share)
            lower.append(0.0 if g.sense == "min" else -np.inf)
            upper.append(np.inf if g.sense == "min" else 0.0)
        matrix = vstack([matrix, csr_matrix(dense)]).tocsr()
    x_low = np.zeros(n + m)
    x_high = np.concatenate([np.ones(n), np.full(m, np.inf)])
    for i, v in fix.items():
        x_low[i] = x_high[i] = float(v)
    cost = np.zeros(n + m)
    if objective:
        worth = problem.values if values is None else values
        top = float(np.max(np.abs(worth))) or 1.0
        cost[:n] = -worth / top
    constraints = [LinearConstraint(matrix, np.array(lower), np.array(upper))] if r or kept else []
    limit = problem.inputs.solver.time_limit if time_limit is None else time_limit
    options: dict[str, Any] = {"time_limit": limit}
    options["mip_rel_gap"] = problem.inputs.solver.mip_rel_gap
    result = milp(
        c=cost,
        constraints=constraints,
        integrality=np.concatenate([np.ones(n), np.zeros(m)]),
        bounds=Bounds(x_low, x_high),
        options=options,
    )
    if result.status == 2:
        return None
    if result.x is None:
        raise SolverFailed(f"HiGHS found no portfolio within {limit:g} s ({result.message})")
    status = "optimal" if result.status == 0 else "time_limit"
    gap = getattr(result, "mip_gap", None)
    return np.asarray(result.x, dtype=np.float64), status, None if gap is None else float(gap)


def _conflict(problem: _Problem, fix: Mapping[int, int] | None = None) -> tuple[list[str], int]:
    """A smallest set of rules that cannot hold together (with `fix`, or with anything funded).

    Deletion filter: try dropping each rule in turn; keep it dropped when the rest still
    conflict. What is left is irreducible: each remaining rule is needed for the conflict.
    Each solve gets an equal part of the time limit; one that gives no answer in it counts as
    feasible, so the rule stays: the set named still conflicts, but may then not be minimal.
    Returns the rules and the number of solves it took (one per rule).
    """
    names = problem.droppable
    keep = list(names)
    share = max(problem.inputs.solver.time_limit / max(len(names), 1), 0.5)
    for name in names:
        trial = [k for k in keep if k != name]
        drop = frozenset(n for n in names if n not in trial)
        try:
            found = _solve(
                problem, drop=drop, fix=fix, nonempty=fix is None, objective=False, time_limit=share
            )
        except SolverFailed:
            continue
        if found is None:
            keep = trial
    return keep, len(names)


def _conflict_notes(problem: _Problem, names: Iterable[str]) -> list[str]:
    notes = []
    for g in problem.groups:
        if g.name in names and g.sense == "min" and not g.members.any():
            notes.append(f"no eligible proposal counts for {g.name}")
    mins: dict[str, Fraction] = {}
    for g in problem.groups:
        if g.name in names and g.sense == "min" and g.kind != "gender_min":
            mins[g.kind] = mins.get(g.kind, Fraction(0)) + g.share
    notes += [
        f"the {k.split('_')[0]} minimums add up to {_pct(v)}" for k, v in mins.items() if v > 1
    ]
    return notes


# ---------------------------------------------------------------------------- public API


def allocate(inputs: Inputs) -> Allocation:
    """The portfolio with the highest total value that the sources and rules allow.

    Raises `InfeasibleRules` when only funding nothing meets the rules, naming the rules in
    conflict; `InvalidInput` for malformed inputs; `SolverFailed` when HiGHS finds nothing.
    """
    problem = _prepare(inputs)
    return _allocate(problem)


def _allocate(problem: _Problem) -> Allocation:
    if not problem.eligible:
        return _build(problem, [], "milp", "nothing_eligible", None, 0.0, 0)
    solved = _solve(problem)
    if solved is None:  # pragma: no cover - funding nothing is always feasible
        raise SolverFailed("HiGHS called the allocation infeasible")
    seconds, solves = solved.seconds, solved.solves
    if not solved.chosen and (problem.values > 0).any():
        started = time.perf_counter()
        if _solve(problem, nonempty=True, objective=False) is None:
            names, _ = _conflict(problem)
            notes = _conflict_notes(problem, names)
            raise InfeasibleRules(
                "only an empty portfolio meets these rules together: "
                + "; ".join(names)
                + (f" ({'; '.join(notes)})" if notes else "")
                + ". Relax one of them.",
                names,
            )
        seconds += time.perf_counter() - started
    status = solved.status if solved.chosen else "nothing_of_value"
    return _build(problem, solved.chosen, "milp", status, solved.gap, seconds, solves)


def _build(
    problem: _Problem,
    chosen: Sequence[int],
    method: str,
    status: str,
    gap: float | None,
    seconds: float,
    solves: int,
    violations: Sequence[str] = (),
    money: Mapping[tuple[int, int], int] | None = None,
) -> Allocation:
    chosen = sorted(chosen)
    flows = _route(problem, chosen)
    if money is None:
        if flows is None:  # pragma: no cover - every path checks the flows first
            raise SolverFailed("the chosen portfolio cannot be paid from the sources")
        money = _split(problem, chosen, flows)
    sources, eligible = problem.inputs.sources, problem.eligible
    paid = {
        (sources[s].ref, eligible[i].ref): _money(v)
        for (s, i), v in sorted(money.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        if v
    }
    by_area: dict[str, Decimal] = {c.thematic_area: Decimal("0.00") for c in eligible}
    by_region: dict[str, Decimal] = {c.region: Decimal("0.00") for c in eligible}
    for i in chosen:
        c = eligible[i]
        by_area[c.thematic_area] += _money(problem.cents[i])
        by_region[c.region] += _money(problem.cents[i])
    total = sum(problem.cents[i] for i in chosen)
    value = float(sum(float(problem.values[i]) for i in chosen))
    return Allocation(
        chosen=tuple(eligible[i].ref for i in chosen),
        money=paid,
        funded={eligible[i].ref: _money(problem.cents[i]) for i in chosen},
        total_value=value,
        total_allocated=_money(total),
        by_area=dict(sorted(by_area.items())),
        by_region=dict(sorted(by_region.items())),
        rules=_statuses(problem, chosen, money),
        ineligible={ref: "; ".join(r for _, r in rs) for ref, rs in problem.ineligible.items()},
        method=method,
        status=status,
        gap=gap,
        seconds=seconds,
        solves=solves,
        violations=tuple(violations),
    )


def _statuses(
    problem: _Problem, chosen: Sequence[int], money: Mapping[tuple[int, int], int]
) -> tuple[RuleStatus, ...]:
    """Each rule's bound, actual figure, slack, and the proposals it alone keeps out."""
    cur = problem.inputs.currency
    inside = set(chosen)
    out = [i for i in range(len(problem.eligible)) if i not in inside]
    refs = problem.eligible
    total = sum(problem.cents[i] for i in chosen)
    statuses: list[RuleStatus] = []
    if problem.budget is not None:
        left = problem.budget - total
        blocks = tuple(refs[j].ref for j in out if problem.cents[j] > left)
        statuses.append(
            RuleStatus(
                BUDGET,
                "budget",
                None,
                _money(problem.budget),
                _money(total),
                _money(left),
                left == 0 or bool(blocks),
                blocks,
                f"{cur} {_fmt(_money(total))} of {_fmt(_money(problem.budget))} allocated",
            )
        )
    # Sources: how much more each class could still receive, rerouting what is placed.
    flows = _route(problem, chosen) or _Flows(problem)
    extra = []
    for c in range(len(problem.classes)):
        trial = flows.copy()
        extra.append(trial.push(c, sum(problem.available) + 1))
    used = [0] * len(problem.available)
    for (s, _), v in money.items():
        used[s] += v
    for s, source in enumerate(problem.inputs.sources):
        blocks = tuple(
            refs[j].ref
            for j in out
            if s in problem.allowed[j] and problem.cents[j] > extra[problem.class_of[j]]
        )
        left = problem.available[s] - used[s]
        statuses.append(
            RuleStatus(
                f"source {source.ref}",
                "source",
                source.ref,
                _money(problem.available[s]),
                _money(used[s]),
                _money(left),
                left == 0 or bool(blocks),
                blocks,
                f"{_earmark_text(source)}; {cur} {_fmt(_money(left))} left",
            )
        )
    for g in problem.groups:
        group_money = sum(problem.cents[i] for i in chosen if g.members[i])
        bound = g.share * total
        if g.sense == "min":
            slack = group_money - bound
            blocks = tuple(
                refs[j].ref
                for j in out
                if not g.members[j] and group_money < g.share * (total + problem.cents[j])
            )
        else:
            slack = bound - group_money
            blocks = tuple(
                refs[j].ref
                for j in out
                if g.members[j]
                and group_money + problem.cents[j] > g.share * (total + problem.cents[j])
            )
        word = "at least" if g.sense == "min" else "at most"
        statuses.append(
            RuleStatus(
                g.name,
                g.kind,
                g.key,
                _money(bound),
                _money(group_money),
                _money(slack).quantize(CENT, rounding=ROUND_FLOOR),
                slack == 0 or bool(blocks),
                blocks,
                f"{cur} {_fmt(_money(group_money))}, {word} {_fmt(_money(bound))}",
            )
        )
    if problem.inputs.rules.one_per_country:
        funded_in = {refs[i].country for i in chosen}
        blocks = tuple(refs[j].ref for j in out if refs[j].country in funded_in)
        statuses.append(
            RuleStatus(
                ONE_PER_COUNTRY,
                "one_per_country",
                None,
                None,
                None,
                None,
                bool(blocks),
                blocks,
                f"{len(funded_in)} countries funded",
            )
        )
    for kind, name in (("cap", "cap per project"), ("min_score", "min score")):
        if kind == "cap" and problem.cap is None:
            continue
        if kind == "min_score" and problem.inputs.rules.min_score is None:
            continue
        blocks = tuple(
            ref for ref, reasons in problem.ineligible.items() if any(k == kind for k, _ in reasons)
        )
        trimmed = [refs[i].ref for i in chosen if refs[i].ref in problem.capped]
        note = f"{len(blocks)} proposals excluded" + (
            f", {len(trimmed)} funded at the cap" if kind == "cap" else ""
        )
        limit = _money(problem.cap) if kind == "cap" and problem.cap is not None else None
        statuses.append(
            RuleStatus(
                name,
                kind,
                None,
                limit,
                None,
                None,
                bool(blocks or (kind == "cap" and trimmed)),
                blocks,
                note,
            )
        )
    return tuple(statuses)


def check_allocation(inputs: Inputs, allocation: Mapping[tuple[str, str], Decimal]) -> Allocation:
    """Check a hand-made allocation, (source ref, proposal ref) -> money, against everything.

    Raises `InvalidInput` naming the first violation (unknown refs and malformed amounts,
    then earmarks, then each source's money, then each proposal's amount, then the rules);
    returns the allocation as an `Allocation` (method "manual") when it is sound.
    """
    problem = _prepare(inputs)
    cur = inputs.currency
    sources = {s.ref: k for k, s in enumerate(inputs.sources)}
    known = {c.ref: c for c in inputs.candidates}
    money: dict[tuple[int, int], int] = {}
    per_source = [0] * len(inputs.sources)
    per_proposal: dict[str, int] = {}
    for (sref, pref), amount in allocation.items():
        if sref not in sources:
            raise InvalidInput(f"unknown source {sref}")
        if pref not in known:
            raise InvalidInput(f"unknown proposal {pref}")
        cents = _cents(amount, f"the money from {sref} to {pref}")
        source = inputs.sources[sources[sref]]
        if not _allows(source, known[pref]):
            c = known[pref]
            raise InvalidInput(
                f"source {sref} ({_earmark_text(source)}) may not pay for {pref} (area "
                f"{c.thematic_area}, region {c.region}, country {c.country})"
            )
        per_source[sources[sref]] += cents
        per_proposal[pref] = per_proposal.get(pref, 0) + cents
    for k, source in enumerate(inputs.sources):
        if per_source[k] > problem.available[k]:
            raise InvalidInput(
                f"source {source.ref} ({_earmark_text(source)}) has {cur} "
                f"{_fmt(_money(problem.available[k]))} left; {_fmt(_money(per_source[k]))} asked"
            )
    for pref, cents in per_proposal.items():
        if cents == 0:
            continue
        if pref in problem.ineligible:
            raise InvalidInput(
                f"{pref} cannot be funded: " + "; ".join(r for _, r in problem.ineligible[pref])
            )
        due = problem.cents[problem.index[pref]]
        if cents != due:
            raise InvalidInput(
                f"{pref} is funded at {cur} {_fmt(_money(due))} or not at all; the allocation "
                f"gives {_fmt(_money(cents))}"
            )
    for (sref, pref), amount in allocation.items():
        cents = _cents(amount, "money")
        if cents:
            key = (sources[sref], problem.index[pref])
            money[key] = money.get(key, 0) + cents
    chosen = sorted(problem.index[p] for p, v in per_proposal.items() if v)
    breaches, _ = _breaches(problem, chosen)
    if breaches:
        raise InvalidInput(breaches[0].message)
    return _build(problem, chosen, "manual", "manual", None, 0.0, 0, money=money)


def greedy(inputs: Inputs, order: Literal["score", "value_per_dollar"] = "score") -> Allocation:
    """The baseline: best score (or value per dollar) first, while the rules still allow it.

    A proposal is skipped when it would exceed the budget or the money its earmarks allow
    (checked exactly), when its country already has a project (if one per country is set), or
    when its area's or region's money would pass the maximum share of the most the portfolio
    could reach (the budget or all the sources). Minimum shares are not steered for; every
    rule the result breaks is in `violations`.
    """
    started = time.perf_counter()
    problem = _prepare(inputs)
    n = len(problem.eligible)
    cents = problem.cents
    if order == "score":
        keys = [float(c.score) for c in problem.eligible]
    else:
        keys = [float(problem.values[i]) / cents[i] for i in range(n)]
    ranking = sorted(range(n), key=lambda i: (-keys[i], i))
    reach = sum(problem.available)
    if problem.budget is not None:
        reach = min(reach, problem.budget)
    maxima = [g for g in problem.groups if g.sense == "max"]
    group_money = [0] * len(maxima)
    flows = _Flows(problem)
    chosen: list[int] = []
    total = 0
    countries: set[str] = set()
    one = problem.inputs.rules.one_per_country
    for i in ranking:
        a = cents[i]
        if problem.values[i] <= 0:
            continue
        if problem.budget is not None and total + a > problem.budget:
            continue
        if one and problem.eligible[i].country in countries:
            continue
        if any(g.members[i] and group_money[k] + a > g.share * reach for k, g in enumerate(maxima)):
            continue
        trial = flows.copy()
        if trial.push(problem.class_of[i], a) < a:
            continue
        flows = trial
        chosen.append(i)
        total += a
        countries.add(problem.eligible[i].country)
        for k, g in enumerate(maxima):
            if g.members[i]:
                group_money[k] += a
    breaches, _ = _breaches(problem, chosen)
    return _build(
        problem,
        chosen,
        "greedy",
        "greedy",
        None,
        time.perf_counter() - started,
        0,
        violations=[b.message for b in breaches],
    )


def explain(result: Allocation, inputs: Inputs, ref: str) -> Explanation:
    """Why `ref` is in `result` or not, in plain sentences, with the numbers behind them."""
    problem = _prepare(inputs)
    cur = inputs.currency
    candidate = next((c for c in inputs.candidates if c.ref == ref), None)
    if candidate is None:
        raise InvalidInput(f"no proposal {ref} in these inputs")
    statuses = {r.name: r for r in result.rules}
    if ref in problem.ineligible:
        reasons = "; ".join(r for _, r in problem.ineligible[ref])
        kinds = {k for k, _ in problem.ineligible[ref]}
        named = [n for n, r in statuses.items() if r.kind in kinds and ref in r.blocks]
        return Explanation(
            ref,
            "ineligible",
            (f"{ref} is not funded: it cannot be, because {reasons}.",),
            rules=tuple(named),
        )
    i = problem.index[ref]
    if ref in result.chosen:
        return _explain_funded(problem, result, ref, i)
    blockers = tuple(n for n, r in statuses.items() if ref in r.blocks)
    forced = _solve(problem, fix={i: 1})
    if forced is None:
        names, tries = _conflict(problem, fix={i: 1})
        sentences = [
            f"{ref} is not funded: no portfolio that includes it meets the rules.",
            f"The rules that together keep it out: {'; '.join(names)}.",
        ]
        return Explanation(ref, "blocked", tuple(sentences), tuple(names), solves=1 + tries)
    solves = forced.solves
    with_it = float(sum(float(problem.values[k]) for k in forced.chosen))
    lost = result.total_value - with_it
    weight = 1.0 if inputs.rules.value == "score" else problem.cents[i] / 100
    needed = float(candidate.score) + max(lost, 0.0) / weight
    sentences = [
        f"{ref} fits the rules, but the best portfolio that includes it is worth "
        f"{_fmt_value(with_it)} against {_fmt_value(result.total_value)} "
        + (f"(it costs {_fmt_value(lost)} of value)." if lost > 0 else "(no less)."),
    ]
    if blockers:
        sentences.append(
            "Added to the chosen portfolio it would break: "
            + "; ".join(blockers)
            + ", so other proposals would have to make way."
        )
    verified = False
    if lost > 0:
        # Check at a score a little above the threshold: the solver's objective tolerance is
        # about 1e-6 of the largest single value, so the nudge is 1e-5 of it, then 10x more.
        values = problem.values.copy()
        nudge = 1e-5 * float(np.max(np.abs(values))) / weight
        for _ in range(3):
            values[i] = (needed + nudge) * weight
            again = _solve(problem, values=values)
            solves += again.solves if again else 1
            if again is not None and i in again.chosen:
                verified = True
                break
            nudge *= 10
        check = " (a re-solve just above that score confirms it)" if verified else ""
        sentences.append(
            f"It would enter with a score above {needed:.2f} (now "
            f"{float(candidate.score):g}){check}."
        )
    else:
        sentences.append(
            "Including it loses nothing: the given allocation is not the only best one "
            "(or not an optimum)."
        )
    amount = _money(problem.cents[i])
    sentences.append(f"It asks for {cur} {_fmt(amount)}.")
    return Explanation(
        ref,
        "outvalued",
        tuple(sentences),
        blockers,
        value_lost=lost,
        needed_score=needed,
        verified=verified,
        solves=solves,
    )


def _explain_funded(problem: _Problem, result: Allocation, ref: str, i: int) -> Explanation:
    cur = problem.inputs.currency
    c = problem.eligible[i]
    paid = [(s, v) for (s, p), v in result.money.items() if p == ref]
    parts = ", ".join(f"{s}: {_fmt(v)}" for s, v in paid)
    sentences = [f"{ref} is funded with {cur} {_fmt(_money(problem.cents[i]))} ({parts})."]
    if ref in problem.capped:
        sentences.append(
            f"It asked {cur} {_fmt(c.amount)}; the cap per project funds it at "
            f"{_fmt(_money(problem.cents[i]))}, which it accepts."
        )
    without = _solve(problem, fix={i: 0})
    solves = without.solves if without else 1
    rest = without.chosen if without else []
    worth = float(sum(float(problem.values[k]) for k in rest))
    added = result.total_value - worth
    instead = [
        problem.eligible[k].ref for k in rest if problem.eligible[k].ref not in result.chosen
    ]
    sentence = (
        f"It adds {_fmt_value(added)} to the portfolio's value: without it the best portfolio "
        f"is worth {_fmt_value(worth)} instead of {_fmt_value(result.total_value)}"
    )
    sentences.append(
        sentence + (f", funding {', '.join(instead)} in its place." if instead else ".")
    )
    sources_paying = {s for s, _ in paid}
    touching = []
    for r in result.rules:
        if not r.binds:
            continue
        if (
            r.kind == "budget"
            or (r.kind == "source" and r.key in sources_paying)
            or (r.kind.startswith("area") and r.key == c.thematic_area)
            or (r.kind.startswith("region") and r.key == c.region)
            or (r.kind == "gender_min" and c.gender_marker >= int(r.key or 2))
            or (r.kind == "one_per_country" and len(problem.by_country[c.country]) > 1)
            or (r.kind == "cap" and ref in problem.capped)
        ):
            touching.append(r.name)
    sentences.append(
        f"Rules that bind around it: {'; '.join(touching)}."
        if touching
        else "No rule that concerns it binds."
    )
    return Explanation(
        ref, "funded", tuple(sentences), tuple(touching), value_added=added, solves=solves
    )


def what_if(
    inputs: Inputs,
    changed_rules: Rules | Mapping[str, Any],
    before: Allocation | None = None,
) -> WhatIf:
    """Solve again with changed rules and say what changes (`before` saves the first solve).

    `changed_rules` is a whole `Rules`, or the fields to change, e.g. {"one_per_country": True}.
    """
    if isinstance(changed_rules, Rules):
        rules = changed_rules
    else:
        names = {f.name for f in dataclasses.fields(Rules)}
        unknown = sorted(set(changed_rules) - names)
        if unknown:
            raise InvalidInput(f"unknown rules: {', '.join(unknown)}")
        rules = dataclasses.replace(inputs.rules, **dict(changed_rules))
    base = before if before is not None else allocate(inputs)
    after = allocate(dataclasses.replace(inputs, rules=rules))
    newly_in = tuple(r for r in after.chosen if r not in base.chosen)
    newly_out = tuple(r for r in base.chosen if r not in after.chosen)
    zero = Decimal("0.00")
    areas = sorted(set(base.by_area) | set(after.by_area))
    regions = sorted(set(base.by_region) | set(after.by_region))
    area_change = {a: after.by_area.get(a, zero) - base.by_area.get(a, zero) for a in areas}
    region_change = {g: after.by_region.get(g, zero) - base.by_region.get(g, zero) for g in regions}
    cur = inputs.currency
    change = after.total_value - base.total_value
    sentences = [
        f"Value {_fmt_value(base.total_value)} -> {_fmt_value(after.total_value)} "
        f"({'+' if change >= 0 else ''}{_fmt_value(change)}); allocated {cur} "
        f"{_fmt(base.total_allocated)} -> {_fmt(after.total_allocated)}.",
        f"Newly funded: {', '.join(newly_in) or 'none'}; no longer funded: "
        f"{', '.join(newly_out) or 'none'}.",
    ]
    moved = [f"area {a} {'+' if d > 0 else ''}{_fmt(d)}" for a, d in area_change.items() if d]
    moved += [f"region {g} {'+' if d > 0 else ''}{_fmt(d)}" for g, d in region_change.items() if d]
    if moved:
        sentences.append("Money moves: " + "; ".join(moved) + ".")
    return WhatIf(
        base,
        after,
        newly_in,
        newly_out,
        change,
        after.total_allocated - base.total_allocated,
        area_change,
        region_change,
        tuple(sentences),
    )
