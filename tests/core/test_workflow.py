"""The workflow engine: allowed steps, refusals naming the alternatives, deadlines."""

from __future__ import annotations

from datetime import datetime

import pytest

from gcmhub.errors import InvalidInput, TransitionRefused
from gcmhub.hub.workflow import REQUEST_STATES, request_workflow
from gcmhub.workflow import Workflow, parse_deadlines


def test_a_step_not_allowed_names_the_allowed_ones() -> None:
    flow = request_workflow()
    flow.check("submitted", "triaged")
    with pytest.raises(TransitionRefused) as refused:
        flow.check("submitted", "closed")
    assert refused.value.allowed == ["triaged", "declined", "withdrawn"]
    assert "allowed: triaged, declined, withdrawn" in str(refused.value)
    with pytest.raises(TransitionRefused, match="final"):
        flow.check("closed", "triaged")
    with pytest.raises(InvalidInput, match="not a state"):
        flow.check("submitted", "lost")


def test_every_state_is_reachable_and_only_the_ends_are_final() -> None:
    flow = request_workflow()
    reached, queue = {flow.initial}, [flow.initial]
    while queue:
        for target in flow.allowed(queue.pop()):
            if target not in reached:
                reached.add(target)
                queue.append(target)
    assert reached == set(REQUEST_STATES)
    assert {s for s in REQUEST_STATES if flow.terminal(s)} == {"closed", "declined", "withdrawn"}


def test_deadlines_come_from_the_setting() -> None:
    flow = request_workflow()
    since = datetime(2026, 1, 1)
    assert flow.deadline("submitted", since) == datetime(2026, 1, 6)
    assert flow.deadline("closed", since) is None
    assert parse_deadlines("submitted=2, triaged=3", REQUEST_STATES) == {
        "submitted": 2,
        "triaged": 3,
    }
    with pytest.raises(ValueError, match="lost=2"):
        parse_deadlines("lost=2", REQUEST_STATES)
    with pytest.raises(ValueError, match="unknown states"):
        Workflow("thing", ("a", "b"), {"a": ("c",)})


def test_a_bad_deadline_setting_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, cli: object
) -> None:
    from gcmhub.settings import get_settings

    monkeypatch.setenv("GCMHUB_HUB_DEADLINES", "submitted=soon")
    get_settings.cache_clear()
    try:
        result = cli("hub", "requests")  # type: ignore[operator]
    finally:
        monkeypatch.delenv("GCMHUB_HUB_DEADLINES")
        get_settings.cache_clear()
    assert result.code == 2 and "submitted=soon" in result.err
