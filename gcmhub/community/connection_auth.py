"""Who may follow, unfollow and send digests.

Anyone signed in follows an objective, an area, both, or an organization, and unfollows
their own follows (another person's follow does not exist for them: 404, checked in the
action). Digests are sent by the system (the `gcmhub community digest` command) or an admin.
"""

from __future__ import annotations

from typing import Any

from gcmhub.auth import rule
from gcmhub.context import Actor


@rule("follow_create", "anyone signed in follows an objective, an area or an organization")
def follow_create(actor: Actor, scope: Any) -> bool:
    return actor.signed_in


@rule("follow_delete", "anyone signed in unfollows what they follow")
def follow_delete(actor: Actor, scope: Any) -> bool:
    return actor.signed_in


@rule("digest_send", "the system (gcmhub community digest) and admins send the digests")
def digest_send(actor: Actor, scope: Any) -> bool:
    return actor.has("admin")
