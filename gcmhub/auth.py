"""Authorization: one rule per write action, checked inside the action itself.

Each part declares its rules in its own `auth.py` with `@rule("noun_verb")`; an action calls
`authorize(ctx, "noun_verb", target)` before it changes anything. A write action without a
rule cannot run, and the route-table test fails for a write route without one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gcmhub.context import Actor, Context
from gcmhub.errors import Forbidden, Unauthorized


@dataclass(frozen=True)
class Rule:
    """Who may do an action: a check on the actor and the record, and the token scope needed."""

    name: str
    check: Callable[[Actor, Any], bool]
    scope: str  # "write" or "read"
    explain: str  # who may, in words, for refusals and the documentation


RULES: dict[str, Rule] = {}


def rule(
    name: str, explain: str, scope: str = "write"
) -> Callable[[Callable[[Actor, Any], bool]], Callable[[Actor, Any], bool]]:
    """Register the rule of an action."""

    def register(check: Callable[[Actor, Any], bool]) -> Callable[[Actor, Any], bool]:
        if name in RULES:
            raise RuntimeError(f"two rules for '{name}'")
        RULES[name] = Rule(name, check, scope, explain)
        return check

    return register


def load_rules() -> dict[str, Rule]:
    """Import every part's rules and return them."""
    import gcmhub.accounts.auth  # noqa: F401
    import gcmhub.community.auth  # noqa: F401
    import gcmhub.fund.auth  # noqa: F401
    import gcmhub.hub.auth  # noqa: F401
    import gcmhub.knowledge.auth  # noqa: F401
    import gcmhub.practices.auth  # noqa: F401
    import gcmhub.review.auth  # noqa: F401

    return RULES


def allowed(actor: Actor, action: str, target: Any = None) -> bool:
    """Say whether an actor may do an action on a record (without raising)."""
    found = load_rules().get(action)
    if found is None:
        raise RuntimeError(f"the action '{action}' has no authorization rule")
    if actor.is_system:
        return True
    if actor.scopes is not None and found.scope not in actor.scopes:
        return False
    return bool(found.check(actor, target))


def authorize(ctx: Context, action: str, target: Any = None) -> None:
    """Refuse the action unless the acting person may do it: 401 for the public, else 403."""
    if allowed(ctx.actor, action, target):
        return
    found = RULES[action]
    if not ctx.actor.signed_in:
        raise Unauthorized(f"sign in to {action.replace('_', ' ')} ({found.explain})")
    if ctx.actor.scopes is not None and found.scope not in ctx.actor.scopes:
        raise Forbidden(f"this token lacks the '{found.scope}' scope needed to {action}")
    raise Forbidden(f"{ctx.actor.name} may not {action.replace('_', ' ')}: {found.explain}")
