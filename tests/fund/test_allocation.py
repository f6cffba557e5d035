"""The allocation engine: hand-checked cases, then random small instances against brute force.

Values in the hand-checked cases are score x USD (the default), so a proposal of USD 100,000
with score 90 is worth 9,000,000. Brute force enumerates every subset of proposals and checks
the sources with Hall's condition (for every set T of sources, the proposals that only T may
pay need no more than T holds), independently of the engine's max-flow.
"""

from __future__ import annotations

import itertools
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gcmhub.errors import InvalidInput
from gcmhub.fund.allocation import (
    Allocation,
    Candidate,
    InfeasibleRules,
    Inputs,
    Rules,
    Share,
    Source,
    allocate,
    check_allocation,
    explain,
    greedy,
    what_if,
)

D = Decimal
K = D("1000")


def cand(
    ref: str,
    thousands: int,
    score: float,
    area: str = "1",
    country: str = "KEN",
    gender: int = 0,
    partial: bool = False,
) -> Candidate:
    region = REGION_OF[country]
    return Candidate(ref, D(thousands) * K, score, area, region, country, gender, partial)


REGION_OF = {"KEN": "AF", "UGA": "AF", "IND": "AS", "MEX": "AM"}


def free(thousands: int, ref: str = "FREE") -> Source:
    return Source(ref, D(thousands) * K)


# ------------------------------------------------------------------------ hand-checked cases


def test_earmarks_steer_money_to_where_they_allow() -> None:
    inputs = Inputs(
        [cand("P1", 100, 50, area="1"), cand("P2", 100, 90, area="2"), cand("P3", 100, 80, "2")],
        [Source("S-A1", D("100000"), ("area", "1")), free(100)],
    )
    result = allocate(inputs)
    # Without the earmark P2 + P3 would win; the area-1 money can only pay for P1.
    assert result.chosen == ("P1", "P2")
    assert result.money == {("S-A1", "P1"): D("100000.00"), ("FREE", "P2"): D("100000.00")}
    assert result.total_value == 50 * 100_000 + 90 * 100_000
    assert result.total_allocated == D("200000.00")
    assert result.status == "optimal"
    free_rule = next(r for r in result.rules if r.name == "source FREE")
    assert free_rule.binds and free_rule.slack == 0 and free_rule.blocks == ("P3",)


def test_earmarked_money_is_spent_first_and_split_to_the_cent() -> None:
    inputs = Inputs(
        [
            Candidate("P1", D("70000.01"), 80, "1", "AF", "KEN"),
            Candidate("P2", D("50000.02"), 70, "1", "AF", "UGA"),
        ],
        [free(200, "S-1"), Source("S-AF", D("60000.00"), ("region", "AF"))],
    )
    result = allocate(inputs)
    assert result.chosen == ("P1", "P2")
    assert result.money[("S-AF", "P1")] == D("60000.00")  # earmarked money first
    assert sum(result.money.values()) == D("120000.03")
    per_source = {
        s.ref: sum(v for (r, _), v in result.money.items() if r == s.ref) for s in inputs.sources
    }
    assert per_source == {"S-1": D("60000.03"), "S-AF": D("60000.00")}


def test_a_minimum_share_binds() -> None:
    candidates = [cand("A", 100, 90), cand("B", 100, 85), cand("C", 100, 40, area="3")]
    plain = allocate(Inputs(candidates, [free(300)], Rules(budget=D("200000"))))
    assert plain.chosen == ("A", "B")
    rules = Rules(budget=D("200000"), area_shares={"3": Share(min=0.5)})
    result = allocate(Inputs(candidates, [free(300)], rules))
    assert result.chosen == ("A", "C")
    rule = next(r for r in result.rules if r.name == "area 3 min 50%")
    assert rule.binds and rule.slack == 0
    assert rule.limit == D("100000.00") and rule.actual == D("100000.00")


def test_a_maximum_share_binds() -> None:
    candidates = [
        cand("A", 100, 90),
        cand("B", 100, 85),
        cand("C", 100, 40, area="2"),
        cand("D", 50, 30, area="2"),
    ]
    assert allocate(Inputs(candidates, [free(300)])).chosen == ("A", "B", "C")
    result = allocate(Inputs(candidates, [free(300)], Rules(area_shares={"1": Share(max=0.4)})))
    assert result.chosen == ("A", "C", "D")  # area 1: 100,000 of 250,000 = 40 % exactly
    rule = next(r for r in result.rules if r.kind == "area_max")
    assert rule.binds and rule.slack == 0 and rule.blocks == ("B",)


def test_the_gender_share_binds() -> None:
    candidates = [cand("P1", 100, 90), cand("P2", 100, 80), cand("P3", 100, 30, gender=2)]
    result = allocate(Inputs(candidates, [free(200)], Rules(gender_min_share=Decimal("0.5"))))
    assert result.chosen == ("P1", "P3")
    assert "gender marker >= 2 min 50%" in result.binding
    # Marker 3 counts too; marker 1 does not.
    marker3 = [cand("P1", 100, 90), cand("P2", 100, 80, gender=1), cand("P3", 100, 30, gender=3)]
    assert allocate(Inputs(marker3, [free(200)], Rules(gender_min_share=0.5))).chosen == (
        "P1",
        "P3",
    )


def test_one_project_per_country() -> None:
    candidates = [
        cand("P1", 100, 90, country="KEN"),
        cand("P2", 100, 80, country="KEN"),
        cand("P3", 100, 10, country="UGA"),
    ]
    assert allocate(Inputs(candidates, [free(300)])).chosen == ("P1", "P2", "P3")
    result = allocate(Inputs(candidates, [free(300)], Rules(one_per_country=True)))
    assert result.chosen == ("P1", "P3")
    rule = next(r for r in result.rules if r.name == "one project per country")
    assert rule.binds and rule.blocks == ("P2",)


def test_the_cap_per_project_and_partial_funding_at_the_cap() -> None:
    candidates = [
        cand("WHOLE", 150, 95),
        cand("PARTIAL", 150, 90, partial=True),
        cand("SMALL", 80, 50),
    ]
    inputs = Inputs(candidates, [free(500)], Rules(project_cap=D("100000")))
    result = allocate(inputs)
    assert result.chosen == ("PARTIAL", "SMALL")
    assert result.funded["PARTIAL"] == D("100000.00")  # at the cap, not what it asked
    assert result.total_value == 90 * 100_000 + 50 * 80_000
    assert "WHOLE" in result.ineligible and "cap" in result.ineligible["WHOLE"]
    why = explain(result, inputs, "WHOLE")
    assert why.outcome == "ineligible" and "partial funding" in why.text
    assert why.rules == ("cap per project",)
    funded = explain(result, inputs, "PARTIAL")
    assert funded.outcome == "funded" and "the cap per project funds it at" in funded.text


def test_value_can_be_the_score_alone() -> None:
    candidates = [
        cand("BIG", 1000, 60),
        cand("S1", 500, 50, country="UGA"),
        cand("S2", 500, 50, country="IND"),
    ]
    by_money = allocate(Inputs(candidates, [free(1000)]))
    by_score = allocate(Inputs(candidates, [free(1000)], Rules(value="score")))
    assert by_money.chosen == ("BIG",)  # 60 x 1,000,000 > 2 x 50 x 500,000
    assert by_score.chosen == ("S1", "S2")  # 100 > 60
    assert by_score.total_value == 100


def test_min_score_and_sources_make_proposals_ineligible() -> None:
    inputs = Inputs(
        [cand("LOW", 10, 20), cand("FAR", 10, 90, country="MEX"), cand("BIG", 900, 90)],
        [Source("S-AF", D("500000"), ("region", "AF"))],
        Rules(min_score=30),
    )
    result = allocate(inputs)
    assert result.chosen == ()
    assert result.status == "nothing_eligible"
    assert "below the minimum 30" in result.ineligible["LOW"]
    assert "no source" in result.ineligible["FAR"]
    assert "hold USD 500,000.00 in all" in result.ineligible["BIG"]


def test_conflicting_minimum_shares_are_named() -> None:
    candidates = [cand("A", 100, 90), cand("B", 100, 80, area="2"), cand("C", 100, 70, "3")]
    rules = Rules(
        area_shares={"1": Share(min=0.6), "2": Share(min=0.5), "3": Share(max=0.5)},
        one_per_country=False,
    )
    with pytest.raises(InfeasibleRules) as raised:
        allocate(Inputs(candidates, [free(300)], rules))
    assert raised.value.rules == ("area 1 min 60%", "area 2 min 50%")
    assert "add up to 110%" in str(raised.value)
    assert raised.value.status == 422


def test_a_minimum_share_nobody_can_meet_is_named() -> None:
    rules = Rules(region_shares={"AM": Share(min=0.1)}, area_shares={"1": Share(max=0.9)})
    with pytest.raises(InfeasibleRules) as raised:
        allocate(Inputs([cand("A", 100, 90), cand("B", 100, 80)], [free(300)], rules))
    assert raised.value.rules == ("region AM min 10%",)
    assert "no eligible proposal counts for region AM min 10%" in str(raised.value)


def test_explain_an_outvalued_proposal_and_its_needed_score() -> None:
    candidates = [cand("A", 100, 90), cand("B", 100, 80), cand("C", 120, 70)]
    inputs = Inputs(candidates, [free(200)])
    result = allocate(inputs)
    assert result.chosen == ("A", "B")
    why = explain(result, inputs, "C")
    assert why.outcome == "outvalued"
    # A + C and B + C do not fit in 200,000: the best with C is C alone, 8,400,000.
    assert why.value_lost == pytest.approx(17_000_000 - 70 * 120_000)
    assert why.needed_score == pytest.approx(70 + 8_600_000 / 120_000)
    assert why.verified and why.rules == ("source FREE",)
    assert why.needed_score is not None
    for delta, inside in ((0.01, True), (-0.01, False)):
        bumped = [*candidates[:2], cand("C", 120, why.needed_score + delta)]
        assert ("C" in allocate(Inputs(bumped, [free(200)])).chosen) is inside


def test_explain_a_funded_proposal() -> None:
    candidates = [cand("A", 100, 90), cand("B", 100, 80), cand("C", 120, 70)]
    inputs = Inputs(candidates, [free(200)], Rules(budget=D("200000")))
    result = allocate(inputs)
    why = explain(result, inputs, "A")
    assert why.outcome == "funded"
    # Without A: C alone (8.4M) beats B alone (8.0M); B + C does not fit.
    assert why.value_added == pytest.approx(17_000_000 - 8_400_000)
    assert "funding C in its place" in why.text
    assert "budget" in why.rules and "source FREE" in why.rules


def test_explain_a_blocked_proposal_names_the_rules() -> None:
    candidates = [cand("A", 100, 90, area="2"), cand("B", 100, 99, area="1")]
    inputs = Inputs(candidates, [free(300)], Rules(area_shares={"2": Share(min=1)}))
    result = allocate(inputs)
    assert result.chosen == ("A",)
    why = explain(result, inputs, "B")
    assert why.outcome == "blocked"
    assert why.rules == ("area 2 min 100%",)
    assert "no portfolio that includes it meets the rules" in why.text


def test_what_if_reports_the_difference() -> None:
    candidates = [
        cand("P1", 100, 90, country="KEN"),
        cand("P2", 100, 80, country="KEN", area="2"),
        cand("P3", 100, 10, country="IND", area="2"),
    ]
    inputs = Inputs(candidates, [free(200)], Rules(one_per_country=True))
    change = what_if(inputs, {"one_per_country": False})
    assert change.before.chosen == ("P1", "P3") and change.after.chosen == ("P1", "P2")
    assert change.newly_in == ("P2",) and change.newly_out == ("P3",)
    assert change.value_change == pytest.approx(70 * 100_000)
    assert change.allocated_change == 0
    assert change.region_change == {"AF": D("100000.00"), "AS": D("-100000.00")}
    assert change.area_change == {"1": 0, "2": 0}
    with pytest.raises(InvalidInput, match="unknown rules: nonsense"):
        what_if(inputs, {"nonsense": 1})
    with pytest.raises(InfeasibleRules):
        what_if(inputs, Rules(area_shares={"1": Share(min=0.7), "2": Share(min=0.7)}))


def test_greedy_reports_the_minimum_shares_it_misses() -> None:
    candidates = [cand("A", 100, 90), cand("B", 100, 85), cand("C", 100, 40, area="3")]
    inputs = Inputs(candidates, [free(200)], Rules(area_shares={"3": Share(min=0.5)}))
    base = greedy(inputs)
    assert base.chosen == ("A", "B") and not base.meets_rules
    assert base.violations[0].startswith("area 3 min 50%")
    assert allocate(inputs).chosen == ("A", "C")


def test_check_allocation_refuses_money_beyond_an_earmark() -> None:
    inputs = Inputs(
        [cand("P1", 55, 80, area="3"), cand("P2", 30, 70, area="1")],
        [free(100, "S-1"), Source("S-2", D("40000.00"), ("area", "3"))],
    )
    with pytest.raises(InvalidInput) as raised:
        check_allocation(inputs, {("S-2", "P1"): D("55000.00")})
    assert str(raised.value) == (
        "source S-2 (earmarked to area 3) has USD 40,000.00 left; 55,000.00 asked"
    )
    with pytest.raises(InvalidInput, match="may not pay for P2"):
        check_allocation(inputs, {("S-2", "P2"): D("30000")})
    with pytest.raises(InvalidInput, match="P1 is funded at USD 55,000.00 or not at all"):
        check_allocation(inputs, {("S-2", "P1"): D("40000")})
    manual = check_allocation(inputs, {("S-2", "P1"): D("40000"), ("S-1", "P1"): D("15000")})
    assert manual.chosen == ("P1",) and manual.method == "manual"
    ruled = Inputs(inputs.candidates, inputs.sources, Rules(area_shares={"1": Share(min=0.5)}))
    with pytest.raises(InvalidInput, match="area 1 min 50%"):
        check_allocation(ruled, {("S-2", "P1"): D("40000"), ("S-1", "P1"): D("15000")})


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (Inputs([cand("A", 1, 1), cand("A", 1, 1)], [free(1)]), "unique"),
        (Inputs([Candidate("A", D("1.001"), 1, "1", "AF", "KEN")], [free(1)]), "a cent"),
        (Inputs([Candidate("A", 1.5, 1, "1", "AF", "KEN")], [free(1)]), "Decimal"),  # type: ignore[arg-type]
        (Inputs([Candidate("A", D(0), 1, "1", "AF", "KEN")], [free(1)]), "above zero"),
        (Inputs([cand("A", 1, 1)], [Source("S", D(1), ("city", "X"))]), "earmark"),  # type: ignore[arg-type]
        (Inputs([cand("A", 1, 1)], [free(1)], Rules(area_shares={"1": Share(max=1.5)})), "0 and 1"),
        (Inputs([cand("A", 1, 1)], [free(1)], Rules(area_shares={"1": Share(0.6, 0.4)})), "above"),
        (Inputs([cand("A", 1, math.nan)], [free(1)]), "finite"),
        (Inputs([cand("A", 1, 1)], [free(1)], Rules(area_shares={"1": Share(0.2, 0.2)})), "window"),
    ],
)
def test_bad_input_is_refused(inputs: Inputs, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        allocate(inputs)


# ---------------------------------------------------------------- random instances, brute force

AREAS = ["1", "2", "3"]
COUNTRIES = list(REGION_OF)


@st.composite
def instances(draw: st.DrawFn) -> Inputs:
    count = draw(st.integers(1, 9))
    candidates = []
    for k in range(count):
        country = draw(st.sampled_from(COUNTRIES))
        candidates.append(
            Candidate(
                f"P{k}",
                D(draw(st.integers(10_00, 200_000_00))).scaleb(-2),
                draw(st.integers(1, 100)),
                draw(st.sampled_from(AREAS)),
                REGION_OF[country],
                country,
                draw(st.integers(0, 3)),
                draw(st.booleans()),
            )
        )
    earmarks = st.one_of(  # about half the sources are free money
        st.none(),
        st.none(),
        st.none(),
        st.tuples(st.just("area"), st.sampled_from(AREAS)),
        st.tuples(st.just("region"), st.sampled_from(sorted(set(REGION_OF.values())))),
        st.tuples(st.just("country"), st.sampled_from(COUNTRIES)),
    )
    sources = [
        Source(f"S{k}", D(draw(st.integers(20_000_00, 600_000_00))).scaleb(-2), draw(earmarks))
        for k in range(draw(st.integers(1, 3)))
    ]
    mins = st.sampled_from([None, None, None, 0.1, 0.2, 0.25, 0.3, 0.5])
    maxes = st.sampled_from([None, 0.4, 0.5, 0.6, 0.75])

    def share() -> Share:
        low, high = draw(mins), draw(maxes)
        return Share(low, high if low is None or high is None or high > low else None)

    area_shares = {
        a: share() for a in draw(st.lists(st.sampled_from(AREAS), max_size=2, unique=True))
    }
    region_shares = {
        r: share() for r in draw(st.lists(st.sampled_from(["AF", "AS", "AM"]), max_size=1))
    }
    rules = Rules(
        budget=draw(st.one_of(st.none(), st.integers(50_000, 900_000).map(D))),
        area_shares=area_shares,
        region_shares=region_shares,
        project_cap=draw(st.sampled_from([None, None, D(50_000), D("120000.50")])),
        gender_min_share=draw(st.sampled_from([None, None, 0.3, 0.5])),
        one_per_country=draw(st.booleans()),
        min_score=draw(st.sampled_from([None, None, 30])),
        value=draw(st.sampled_from(["score_amount", "score_amount", "score"])),
    )
    return Inputs(candidates, sources, rules)


def cents(amount: Decimal) -> int:
    return int(amount * 100)


def funded_cents(inputs: Inputs, c: Candidate) -> int | None:
    """What the rules fund the proposal at, or None when they exclude it outright."""
    rules = inputs.rules
    if rules.min_score is not None and c.score < rules.min_score:
        return None
    if rules.project_cap is not None and c.amount > rules.project_cap:
        return cents(rules.project_cap) if c.partial_ok else None
    return cents(c.amount)


def allows(source: Source, c: Candidate) -> bool:
    if source.earmark is None:
        return True
    kind, code = source.earmark
    return {"area": c.thematic_area, "region": c.region, "country": c.country}[kind] == code


def value(inputs: Inputs, c: Candidate, amount: int) -> float:
    return float(c.score) if inputs.rules.value == "score" else float(c.score) * amount / 100


def share_rules(inputs: Inputs) -> list[tuple[str, Fraction, set[str], str]]:
    """(sense, share, members, name) for every share rule."""
    rules, out = inputs.rules, []
    for kind, shares in (("area", inputs.rules.area_shares), ("region", rules.region_shares)):
        for code, share in shares.items():
            members = {
                c.ref
                for c in inputs.candidates
                if (c.thematic_area if kind == "area" else c.region) == code
            }
            for sense, bound in (("min", share.min), ("max", share.max)):
                if bound is not None:
                    out.append((sense, Fraction(str(bound)), members, f"{kind} {code} {sense}"))
    if rules.gender_min_share is not None:
        members = {c.ref for c in inputs.candidates if c.gender_marker >= 2}
        out.append(("min", Fraction(str(rules.gender_min_share)), members, "gender"))
    return out


def rules_hold(inputs: Inputs, amounts: dict[str, int]) -> bool:
    """Budget, shares, gender and one per country, exactly, for proposals funded at amounts."""
    total = sum(amounts.values())
    if inputs.rules.budget is not None and total > cents(inputs.rules.budget):
        return False
    for sense, share, members, _ in share_rules(inputs):
        money = sum(v for r, v in amounts.items() if r in members)
        if (sense == "min" and money < share * total) or (sense == "max" and money > share * total):
            return False
    if inputs.rules.one_per_country:
        countries = [c.country for c in inputs.candidates if c.ref in amounts]
        if len(countries) != len(set(countries)):
            return False
    return True


def payable(inputs: Inputs, amounts: dict[str, int]) -> bool:
    """Hall's condition: every set of sources holds what only it may pay for."""
    by_ref = {c.ref: c for c in inputs.candidates}
    sources = list(inputs.sources)
    for size in range(len(sources) + 1):
        for group in itertools.combinations(range(len(sources)), size):
            inside = set(group)
            need = sum(
                v
                for r, v in amounts.items()
                if all(k in inside for k, s in enumerate(sources) if allows(s, by_ref[r]))
            )
            if need > sum(cents(sources[k].available) for k in inside):
                return False
    return True


def brute(inputs: Inputs, forced: str | None = None, banned: str | None = None) -> float | None:
    """The best value over every subset meeting every rule (None: no non-empty one does)."""
    eligible = [(c, a) for c in inputs.candidates if (a := funded_cents(inputs, c)) is not None]
    best: float | None = None
    for size in range(1, len(eligible) + 1):
        for subset in itertools.combinations(eligible, size):
            refs = {c.ref for c, _ in subset}
            if (forced and forced not in refs) or (banned and banned in refs):
                continue
            amounts = {c.ref: a for c, a in subset}
            if rules_hold(inputs, amounts) and payable(inputs, amounts):
                worth = sum(value(inputs, c, a) for c, a in subset)
                best = worth if best is None else max(best, worth)
    return best


def assert_sound(inputs: Inputs, result: Allocation) -> None:
    """Every rule holds to the cent, checked here without the engine's code."""
    by_ref = {c.ref: c for c in inputs.candidates}
    amounts = {}
    for ref in result.chosen:
        due = funded_cents(inputs, by_ref[ref])
        assert due is not None
        paid = sum(cents(v) for (_, r), v in result.money.items() if r == ref)
        assert paid == due == cents(result.funded[ref])
        amounts[ref] = due
    for source in inputs.sources:
        given = [(r, v) for (s, r), v in result.money.items() if s == source.ref]
        assert sum(cents(v) for _, v in given) <= cents(source.available)
        assert all(allows(source, by_ref[r]) and v > 0 for r, v in given)
    assert rules_hold(inputs, amounts)
    assert cents(result.total_allocated) == sum(amounts.values())


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_optimum_meets_every_rule_and_matches_brute_force(inputs: Inputs) -> None:
    best = brute(inputs)
    try:
        result = allocate(inputs)
    except InfeasibleRules as conflict:
        assert best is None  # no non-empty portfolio meets the rules
        assert conflict.rules
        return
    assert_sound(inputs, result)
    assert close(result.total_value, best or 0.0)
    assert check_allocation(inputs, result.money).chosen == result.chosen
    baseline = greedy(inputs)
    assert baseline.total_allocated == sum(baseline.funded.values(), D(0))
    if baseline.meets_rules:
        assert_sound(inputs, baseline)
        assert result.total_value >= baseline.total_value - 1e-6 * max(1.0, baseline.total_value)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.data())
def test_explanations_agree_with_brute_force(inputs: Inputs, data: st.DataObject) -> None:
    try:
        result = allocate(inputs)
    except InfeasibleRules:
        assume(False)
        return
    left_out = [
        c.ref for c in inputs.candidates if c.ref not in result.chosen + tuple(result.ineligible)
    ]
    everyone = [c.ref for c in inputs.candidates]
    ref = data.draw(
        st.sampled_from(left_out if left_out and data.draw(st.booleans()) else everyone)
    )
    why = explain(result, inputs, ref)
    if ref in result.ineligible:
        assert why.outcome == "ineligible"
    elif ref in result.chosen:
        assert why.outcome == "funded" and why.value_added is not None
        without = brute(inputs, banned=ref) or 0.0
        assert close(why.value_added, result.total_value - without)
    else:
        with_it = brute(inputs, forced=ref)
        if with_it is None:
            assert why.outcome == "blocked" and why.rules
        else:
            assert why.outcome == "outvalued" and why.value_lost is not None
            assert close(why.value_lost, result.total_value - with_it)
            assert with_it <= result.total_value + 1e-6 * max(1.0, result.total_value)


@settings(max_examples=40, deadline=None)
@given(instances(), st.data())
def test_check_allocation_refuses_any_source_overdrawn(inputs: Inputs, data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(list(inputs.sources)))
    payable_refs = [c.ref for c in inputs.candidates if allows(source, c)]
    assume(payable_refs)
    ref = data.draw(st.sampled_from(payable_refs))
    over = source.available + D("0.01")
    with pytest.raises(InvalidInput, match=f"source {source.ref} .* left; .* asked"):
        check_allocation(inputs, {(source.ref, ref): over})
