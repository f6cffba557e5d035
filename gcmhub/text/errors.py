"""Errors raised when a file cannot be turned into a document."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class UnsupportedFileType(Exception):
    """Raised when a file's suffix names no supported format."""

    def __init__(self, message: str, *, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path

    @classmethod
    def for_path(cls, path: Path, supported: Iterable[str]) -> UnsupportedFileType:
        """Build the error for path, listing the supported suffixes."""
        suffix = path.suffix.lower()
        what = f"'{suffix}'" if suffix else "(no extension)"
        listed = ", ".join(sorted(supported))
        return cls(f"{path.name}: unsupported file type {what}; supported: {listed}", path=path)


class UnreadableDocument(Exception):
    """Raised when a file of a supported type cannot be read as a document."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path.name}: {reason}")


def load_bytes(path: Path) -> bytes:
    """Return the file's bytes, refusing unreadable and empty files."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnreadableDocument(path, "file not found") from None
    except IsADirectoryError:
        raise UnreadableDocument(path, "is a directory, not a file") from None
    except OSError as exc:
        raise UnreadableDocument(path, f"cannot open file ({exc.strerror})") from None
    if not data.strip():
        raise UnreadableDocument(path, "file is empty")
    return data
