"""Who may do what with messages between members.

Anyone signed in writes to an approved organization; the message reaches the account that
registered it, through the platform only. A message is read by its two parties (to anyone
else it does not exist: 404); once its recipient reported it as abuse, curators read it too,
since they cannot judge a report without the words reported. Only the recipient of a message
replies to it or reports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gcmhub.auth import rule
from gcmhub.context import Actor


@dataclass(frozen=True)
class MessageScope:
    """The two parties of a message, and whether it was reported."""

    sender_id: int | None
    recipient_id: int | None
    reported: bool = False


def _is(actor: Actor, user_id: int | None) -> bool:
    return actor.user_id is not None and actor.user_id == user_id


@rule("message_send", "anyone signed in writes to an approved organization through the platform")
def message_send(actor: Actor, scope: Any) -> bool:
    return actor.signed_in


@rule(
    "message_read",
    "a message: its sender and its recipient (a reported one: curators too)",
    scope="read",
)
def message_read(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, MessageScope)
    if _is(actor, scope.sender_id) or _is(actor, scope.recipient_id):
        return True
    return scope.reported and actor.has("curator")


@rule("message_reply", "the recipient of a message replies to its sender")
def message_reply(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, MessageScope)
    return _is(actor, scope.recipient_id)


@rule("message_report", "the recipient of a message reports abuse to the curators")
def message_report(actor: Actor, scope: Any) -> bool:
    assert isinstance(scope, MessageScope)
    return _is(actor, scope.recipient_id)
