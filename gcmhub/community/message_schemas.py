"""What goes in and out of messages between members.

Text is stored as written: nothing is trimmed or dropped silently. A control character
(a NUL, an escape…) is refused with a 422 naming the field, and so is a subject on more
than one line (it becomes an email's subject) or a text longer than the limits below.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from gcmhub.types import UtcDateTime

SUBJECT_MAX = 200
BODY_MAX = 5000  # a letter of two pages: longer is more than a first contact needs
LINE_BREAKS = "\n\r\t"


def _checked(value: str, breaks: bool) -> str:
    """Refuse blank text and control characters (line breaks only where allowed)."""
    if not value.strip():
        raise ValueError("write something (only spaces were given)")
    allowed = LINE_BREAKS if breaks else "\t"
    bad = [ch for ch in value if (ord(ch) < 32 or ord(ch) == 127) and ch not in allowed]
    if bad:
        what = "a control character" if breaks or bad[0] not in LINE_BREAKS else "a line break"
        raise ValueError(f"{what} (U+{ord(bad[0]):04X}) is not accepted here")
    return value


class MessageWrite(BaseModel):
    """A message to an organization, delivered through the platform."""

    subject: str = Field(min_length=1, max_length=SUBJECT_MAX, description="One line.")
    body: str = Field(min_length=1, max_length=BODY_MAX, description="Kept as written.")

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        return _checked(value, breaks=False)

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> str:
        return _checked(value, breaks=True)


class ReplyWrite(BaseModel):
    """A reply: its subject is the message's, marked "Re:"."""

    body: str = Field(min_length=1, max_length=BODY_MAX, description="Kept as written.")

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> str:
        return _checked(value, breaks=True)


class MessageReport(BaseModel):
    """A report of abuse on a message received, for the curators."""

    reason: str = Field(min_length=3, max_length=2000)

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return _checked(value, breaks=True)


class MessagePublic(BaseModel):
    """A message as one of its parties sees it: names, never addresses.

    A person appears by display name or username, an organization's side by the
    organization's name, an erased account as "a former member".
    """

    id: int
    direction: Literal["received", "sent", "reported"] = Field(
        description="received or sent by the reader; reported: a curator reading a report."
    )
    sender: str
    recipient: str
    organization_id: int | None
    organization: str | None
    reply_to: int | None
    subject: str
    body: str
    status: str = Field(description="delivered, or reported (shown to the recipient and curators)")
    created_at: UtcDateTime
    read_at: UtcDateTime | None


class MessageReported(BaseModel):
    """What the recipient is told after reporting a message."""

    message: int
    reported: bool
    notified: int = Field(description="How many curators got the report.")
