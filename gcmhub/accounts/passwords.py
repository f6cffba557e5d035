"""Passwords hashed with argon2id, and secrets made for tokens and sessions."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 12


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password."""
    return _hasher.hash(password)


def password_matches(stored: str, password: str) -> bool:
    """Say whether a password matches its stored hash."""
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """Return a random password a person can type: 20 URL-safe characters."""
    return secrets.token_urlsafe(15)


def new_secret() -> str:
    """Return a random secret for a session or a token."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """Return the SHA-256 of a high-entropy secret (what is stored of sessions and tokens)."""
    return hashlib.sha256(secret.encode()).hexdigest()
