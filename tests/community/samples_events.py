"""Sample calls of the community's events write routes, for the route-table test."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.accounts.conftest import Person
from tests.accounts.samples import Sample

SAMPLES: dict[tuple[str, str], Sample] = {}


def setting(web: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    """What these samples need in the shared setting."""
    return {}
