"""Placeholder: the rules of the messages work."""

from __future__ import annotations
