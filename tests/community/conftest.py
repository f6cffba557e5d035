"""People with each role on the demo (tests/accounts/conftest.py), and empty community limits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gcmhub.web.limits import CONTRIBUTIONS
from tests.accounts.conftest import Person, fresh_limits, people, web  # noqa: F401


@pytest.fixture(autouse=True)
def fresh_contribution_limits() -> Iterator[None]:
    """Start every test with an empty window of contributions."""
    CONTRIBUTIONS.clear()
    yield
    CONTRIBUTIONS.clear()
