"""Placeholder: the pages where an organization's registrant edits its profile."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
