"""Fixtures for the web tests: the application on a copy of the demo data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gcmhub.web.app import create_app
from gcmhub.web.limits import LOGINS, WRITES


@pytest.fixture(autouse=True)
def fresh_limits() -> Iterator[None]:
    """Start every test with empty rate-limit windows (they live in the process)."""
    LOGINS.clear()
    WRITES.clear()
    yield
    LOGINS.clear()
    WRITES.clear()


@pytest.fixture
def site(demo_data: Path) -> Iterator[TestClient]:
    """Return a client of the web application serving the demo."""
    with TestClient(create_app()) as client:
        yield client


@pytest.fixture
def empty_site(data_dir: Path) -> Iterator[TestClient]:
    """Return a client of the web application on an empty database."""
    with TestClient(create_app()) as client:
        yield client
