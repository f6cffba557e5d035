"""Workflows: named states, the steps allowed between them, and a deadline per state.

The connection hub's requests and the knowledge platform's practice submissions both move
through one of these. A step that is not allowed is refused with the steps that are
(HTTP 409 with `allowed`); each state may carry a deadline, after which a record is overdue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from gcmhub.errors import InvalidInput, TransitionRefused


@dataclass(frozen=True)
class Workflow:
    """States and the allowed steps between them; `deadlines` in days per state."""

    name: str
    states: tuple[str, ...]
    steps: Mapping[str, tuple[str, ...]]
    deadlines: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for source, targets in self.steps.items():
            unknown = {source, *targets} - set(self.states)
            if unknown:
                raise ValueError(f"{self.name}: unknown states {sorted(unknown)}")

    @property
    def initial(self) -> str:
        """The state every record starts in."""
        return self.states[0]

    def terminal(self, state: str) -> bool:
        """Whether no step leads out of a state."""
        return not self.steps.get(state)

    def allowed(self, state: str) -> list[str]:
        """The states a record in `state` may move to."""
        return list(self.steps.get(state, ()))

    def check(self, state: str, target: str) -> None:
        """Refuse a step that is not allowed, naming the allowed ones."""
        if target not in self.states:
            raise InvalidInput(
                f"'{target}' is not a state of a {self.name}; states: {', '.join(self.states)}"
            )
        allowed = self.allowed(state)
        if target not in allowed:
            options = ", ".join(allowed) if allowed else "none (it is final)"
            raise TransitionRefused(
                f"a {self.name} that is {state} cannot become {target}; allowed: {options}",
                allowed,
            )

    def deadline(self, state: str, since: datetime) -> datetime | None:
        """When a record that entered `state` at `since` is due to move on, if ever."""
        days = self.deadlines.get(state)
        return since + timedelta(days=days) if days else None


def parse_deadlines(text: str, workflow_states: tuple[str, ...]) -> dict[str, int]:
    """Read `state=days,state=days` (a setting) into a mapping, refusing unknown states."""
    found: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        state, _, days = part.partition("=")
        state = state.strip()
        if state not in workflow_states or not days.strip().isdigit():
            raise ValueError(f"'{part}': expected state=days with a state of {workflow_states}")
        found[state] = int(days)
    return found
