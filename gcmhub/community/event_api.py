"""Placeholder: routes are added by the events work."""

from __future__ import annotations

from fastapi import APIRouter

from gcmhub.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/community", tags=["community"], responses=PROBLEM_RESPONSES)
