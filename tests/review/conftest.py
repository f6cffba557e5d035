"""People with each role on the demo (tests/accounts/conftest.py), and a plan to work on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from gcmhub.runtime import open_context
from tests.accounts.conftest import Person, fresh_limits, people, web  # noqa: F401

COMMITMENTS: list[dict[str, Any]] = [
    {
        "title": "Ban recruitment fees charged to workers",
        "actions": ["6a", "objective:6b"],
        "lead_institutions": ["Ministry of Labour"],
        "partners": ["ILO"],
        "start": "2024-01-01",
        "end": "2026-12-31",
        "budget": "1,250,000.50",
        "currency": "USD",
        "status": "ongoing",
        "evidence": [{"text": "Decree published", "url": "https://example.org/decree"}],
    },
    {
        "title": "Lower the cost of sending remittances home",
        "objectives": ["20"],
        "actions": ["20a"],
        "lead_institutions": ["Central bank"],
        "status": "completed",
        "evidence": [{"text": "A price comparison site run with the central bank."}],
    },
    {
        "title": "Consular one-stop desks",
        "objectives": ["14"],
        "status": "stalled",
    },
]


def counts(*tables: Any) -> list[int]:
    """Row counts of some tables, to show a refused write stored nothing."""
    with open_context() as ctx:
        return [int(ctx.session.scalar(select(func.count()).select_from(t)) or 0) for t in tables]


def save_plan(client: Any, person: Person, country: str = "MEX", **extra: Any) -> Any:
    body = {"title": "Plan of Mexico", "commitments": COMMITMENTS, **extra}
    return client.put(f"/api/v1/review/plans/{country}", json=body, headers=person.headers)
