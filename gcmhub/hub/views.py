"""The connection hub's pages (filled in below by the hub's page work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
