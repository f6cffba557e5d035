"""Placeholder: pages are added by the connections work."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
