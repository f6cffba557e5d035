"""Errors that are part of the interface: one line for the CLI, a problem body for the API."""

from __future__ import annotations


class GcmhubError(Exception):
    """A request GCM Hub refuses, with a message meant for the person who made it."""

    status = 400
    title = "Bad request"


class InvalidInput(GcmhubError):
    """The input cannot be used as given."""

    status = 422
    title = "Invalid input"


class BadParameter(InvalidInput):
    """A request parameter (a filter, a cursor, a limit) cannot be used; names the parameter."""

    status = 400
    title = "Bad parameter"

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


class NotFound(GcmhubError):
    """The thing asked for does not exist."""

    status = 404
    title = "Not found"


class Conflict(GcmhubError):
    """The request clashes with what is stored."""

    status = 409
    title = "Conflict"


class TransitionRefused(Conflict):
    """A workflow step that is not allowed from the record's state; names the allowed ones."""

    def __init__(self, message: str, allowed: list[str]):
        super().__init__(message)
        self.allowed = allowed


class Unauthorized(GcmhubError):
    """The request needs a signed-in person or a valid token."""

    status = 401
    title = "Unauthorized"


class TooManyRequests(GcmhubError):
    """Too many attempts in too short a time."""

    status = 429
    title = "Too many requests"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class Forbidden(GcmhubError):
    """The actor may not do this."""

    status = 403
    title = "Forbidden"
