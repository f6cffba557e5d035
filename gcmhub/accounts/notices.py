"""Notices to people: stored for the application, and queued as email when they gave one."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, update

from gcmhub.accounts.audit import audit_record, now
from gcmhub.accounts.models import Notification, User
from gcmhub.accounts.schemas import NoticePublic
from gcmhub.auth import authorize
from gcmhub.context import Context
from gcmhub.errors import Unauthorized
from gcmhub.mail import mail_compose
from gcmhub.settings import get_settings


def notify(ctx: Context, user_ids: Iterable[int | None], subject: str, body: str, link: str) -> int:
    """Leave a notice for each person (not the one acting); return how many were left."""
    wanted = {uid for uid in user_ids if uid is not None and uid != ctx.actor.user_id}
    if not wanted:
        return 0
    people = ctx.session.scalars(select(User).where(User.id.in_(wanted), User.active))
    url = get_settings().public_url.rstrip("/") + link
    count = 0
    for person in people:
        ctx.session.add(
            Notification(user_id=person.id, at=now(), subject=subject, body=body, link=link)
        )
        if person.email:
            ctx.outbox.append(mail_compose(person.email, subject, f"{body}\n\n{url}\n"))
        count += 1
    return count


def notice_list(ctx: Context, unread_only: bool = False, limit: int = 50) -> list[NoticePublic]:
    """Return the acting person's notices, newest first."""
    if ctx.actor.user_id is None:
        raise Unauthorized("sign in to read your notices")
    query = select(Notification).where(Notification.user_id == ctx.actor.user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = ctx.session.scalars(query.order_by(Notification.id.desc()).limit(limit))
    return [NoticePublic.model_validate(row, from_attributes=True) for row in rows]


def notice_unread(ctx: Context) -> int:
    """Count the acting person's unread notices (0 for the public)."""
    if ctx.actor.user_id is None:
        return 0
    found = ctx.session.scalar(
        select(func.count()).where(
            Notification.user_id == ctx.actor.user_id, Notification.read_at.is_(None)
        )
    )
    return int(found or 0)


def notice_read_all(ctx: Context) -> int:
    """Mark the acting person's notices read; return how many changed."""
    authorize(ctx, "notice_read")
    done = ctx.session.execute(
        update(Notification)
        .where(Notification.user_id == ctx.actor.user_id, Notification.read_at.is_(None))
        .values(read_at=now())
    )
    count = int(done.rowcount or 0)  # type: ignore[attr-defined]
    audit_record(ctx, "notice_read", f"user:{ctx.actor.user_id}", None, {"marked_read": count})
    return count
