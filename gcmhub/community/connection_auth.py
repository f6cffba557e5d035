"""Placeholder: the rules of the connections work."""

from __future__ import annotations
