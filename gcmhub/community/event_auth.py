"""Placeholder: the rules of the events work."""

from __future__ import annotations
