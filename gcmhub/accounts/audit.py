"""The audit trail: every write recorded with who, when, what, before and after."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select

from gcmhub.accounts.models import AuditEntry, User
from gcmhub.auth import authorize
from gcmhub.context import Actor, Context
from gcmhub.cursors import MALFORMED, decode_cursor, encode_cursor, follow
from gcmhub.downloads import Table
from gcmhub.errors import BadParameter
from gcmhub.types import UtcDateTime


def now() -> datetime:
    """Return the time in UTC without a zone (how times are stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def actor_key(actor: Actor) -> str:
    """Return how the trail names an actor: `user:ID` for a person (never the name), else
    `system` or `public`."""
    return f"user:{actor.user_id}" if actor.user_id is not None else actor.name


def audit_record(
    ctx: Context,
    action: str,
    target: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Append one entry to the audit trail in the action's own transaction."""
    ctx.session.add(
        AuditEntry(
            at=now(),
            actor=actor_key(ctx.actor),
            action=action,
            target=target,
            before=_plain(before),
            after=_plain(after),
        )
    )


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in value.items()}


class AuditRow(BaseModel):
    """One entry of the audit trail."""

    id: int
    at: UtcDateTime
    actor: str
    action: str
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditPage(BaseModel):
    """One page of the audit trail, newest first."""

    data: list[AuditRow]
    next: str | None


def audit_list(
    ctx: Context, cursor: str | None = None, limit: int = 100, actor: str | None = None
) -> AuditPage:
    """List the audit trail newest first, a page at a time (curators only)."""
    authorize(ctx, "audit_read")
    if not 1 <= limit <= 1000:
        raise BadParameter("limit", "limit must be between 1 and 1000")
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    if cursor:
        before = decode_cursor(cursor, ("b",))["b"]
        if not isinstance(before, int):
            raise BadParameter("cursor", MALFORMED)
        query = query.where(AuditEntry.id < before)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    rows = list(ctx.session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    names = _names(ctx, rows)
    return AuditPage(
        data=[
            AuditRow.model_validate(r, from_attributes=True).model_copy(
                update={"actor": names.get(r.actor, r.actor)}
            )
            for r in rows
        ],
        next=encode_cursor({"b": rows[-1].id}) if more else None,
    )


def _names(ctx: Context, rows: list[AuditEntry]) -> dict[str, str]:
    """Return the current username of each person named in the rows (`user:7` -> `maria`)."""
    ids = {int(r.actor.split(":", 1)[1]) for r in rows if r.actor.startswith("user:")}
    found = ctx.session.execute(select(User.id, User.username).where(User.id.in_(ids)))
    return {f"user:{i}": f"{name} (user:{i})" for i, name in found}


def audit_stream(actor: Actor, who: str | None = None) -> Iterator[AuditRow]:
    """Yield the whole audit trail, newest first, a batch per transaction."""
    from gcmhub.runtime import open_context

    def fetch(cursor: str | None) -> AuditPage:
        with open_context(actor) as ctx:
            return audit_list(ctx, cursor, 500, who)

    return follow(fetch(None), fetch)


def _row(entry: AuditRow) -> dict[str, Any]:
    return {
        **entry.model_dump(),
        "before": json.dumps(entry.before, ensure_ascii=False) if entry.before else "",
        "after": json.dumps(entry.after, ensure_ascii=False) if entry.after else "",
    }


def _node(entry: AuditRow) -> dict[str, Any]:
    return {
        "@type": "prov:Activity",
        "@id": f"#audit-{entry.id}",
        "prov:startedAtTime": entry.at.isoformat(),
        "prov:wasAssociatedWith": entry.actor,
        "prov:type": entry.action,
        "prov:used": entry.target,
    }


AUDIT = Table(
    name="audit",
    columns=("id", "at", "actor", "action", "target", "before", "after"),
    flatten=_row,
    context={"prov": "http://www.w3.org/ns/prov#"},
    node=_node,
)
