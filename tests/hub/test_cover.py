"""The integrated plan's set cover: exact, smallest first, best-matched among equals."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from gcmhub.hub.cover import Candidate, _greedy, set_cover

PARTS = ["objective:6", "objective:18", "policy_advice", "training", "technical_assistance"]


@st.composite
def problems(draw: st.DrawFn) -> tuple[list[str], list[Candidate]]:
    parts = draw(st.lists(st.sampled_from(PARTS), min_size=1, max_size=5, unique=True))
    candidates = [
        Candidate(
            f"p{i}",
            frozenset(draw(st.lists(st.sampled_from(PARTS), min_size=1, max_size=3))),
            draw(st.floats(0, 1)),
        )
        for i in range(draw(st.integers(1, 8)))
    ]
    return parts, candidates


def _covers(chosen: list[Candidate], parts: list[str]) -> bool:
    return set(parts) <= set().union(*(c.parts for c in chosen))


@settings(max_examples=150, deadline=None)
@given(problems())
def test_the_cover_is_as_small_as_any_and_covers_what_can_be(
    problem: tuple[list[str], list[Candidate]],
) -> None:
    parts, candidates = problem
    cover = set_cover(parts, candidates)
    coverable = [p for p in parts if any(p in c.parts for c in candidates)]
    assert sorted(cover.uncovered) == sorted(set(parts) - set(coverable))
    by_key = {c.key: c for c in candidates}
    chosen = [by_key[k] for k in cover.chosen]
    assert _covers(chosen, coverable)
    assert set(cover.assignment) == set(coverable)
    assert all(p in by_key[k].parts for p, k in cover.assignment.items())
    smallest = next(
        size
        for size in range(len(candidates) + 1)
        if any(_covers(list(combo), coverable) for combo in combinations(candidates, size))
    )
    assert len(cover.chosen) == smallest  # brute force agrees on the size
    assert len(_greedy(coverable, candidates)) >= smallest if coverable else True


def test_among_covers_of_one_size_the_better_matched_wins() -> None:
    parts = ["a", "b"]
    weak = Candidate("weak", frozenset("ab"), 0.1)
    strong = Candidate("strong", frozenset("ab"), 0.9)
    assert set_cover(parts, [weak, strong]).chosen == ["strong"]
    # One provider covering everything beats two better-matched ones.
    pair = [Candidate("x", frozenset("a"), 1.0), Candidate("y", frozenset("b"), 1.0)]
    assert set_cover(parts, [*pair, weak]).chosen == ["weak"]


def test_greedy_can_need_more_providers_than_the_exact_cover() -> None:
    # The classic trap: greedy takes the big set first and then needs two more.
    parts = list("abcdef")
    candidates = [
        Candidate("big", frozenset("bcde"), 1.0),
        Candidate("left", frozenset("abc"), 0.5),
        Candidate("right", frozenset("def"), 0.5),
    ]
    assert len(_greedy(parts, candidates)) == 3
    assert sorted(set_cover(parts, candidates).chosen) == ["left", "right"]
