"""Messages between members, delivered through the platform: no address changes hands.

Anyone signed in writes to an approved organization; the message reaches the account that
registered it as a notice (and an email when that person gave an address) carrying the
subject, the writer's name and a link back here: they read and reply on the platform, so
neither side ever sees the other's address. In a thread the organization's side is shown by
the organization's name, the writer by display name or username, never an address (a name
that looks like one is replaced by "member N").

Only the two parties read a message (anyone else: 404). The recipient replies, or reports
abuse: the message is marked reported, every curator gets a notice with its number and the
reason (they may then read it), and the sender is not told. Messages and replies count
against `GCMHUB_MESSAGE_RATE` a minute per person (429, nothing stored).

When an account is erased, its follows and digests go, and the messages it exchanged stay
with the other party, shown as from (or to) "a former member".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, or_, select, update

from gcmhub.accounts.audit import audit_record, now
from gcmhub.accounts.models import User
from gcmhub.accounts.notices import notify
from gcmhub.auth import allowed, authorize
from gcmhub.community import organizations
from gcmhub.community.message_auth import MessageScope
from gcmhub.community.message_schemas import (
    SUBJECT_MAX,
    MessagePublic,
    MessageReport,
    MessageReported,
    MessageWrite,
    ReplyWrite,
)
from gcmhub.community.models import (
    Contribution,
    Digest,
    Event,
    Follow,
    Message,
    Organization,
    Pledge,
    PledgeUpdate,
)
from gcmhub.context import Context
from gcmhub.errors import Conflict, InvalidInput, NotFound, Unauthorized
from gcmhub.settings import get_settings
from gcmhub.web.limits import MESSAGES

FORMER = "a former member"
LIST_MAX = 500
PRIVACY = (
    "Read it and reply on GCM Hub: your email address is not shown to them, nor theirs to you."
)


def _link(message_id: int) -> str:
    return f"/community/messages/{message_id}"


def person_name(ctx: Context, user_id: int | None) -> str:
    """How a person appears to another member: display name or username, never an address."""
    user = ctx.session.get(User, user_id) if user_id is not None else None
    if user is None:
        return FORMER
    for name in (user.display_name, user.username):
        if name and "@" not in name:
            return name
    return f"member {user.id}"


def _party(ctx: Context, user_id: int | None, organization: Organization | None) -> str:
    """A party of a message: the organization for its registrant's side, else the person."""
    if user_id is not None and organization is not None and user_id == organization.owner_id:
        return organization.name
    return person_name(ctx, user_id)


def _scope(row: Message) -> MessageScope:
    return MessageScope(row.sender_id, row.recipient_id, row.status == "reported")


def _public(ctx: Context, row: Message, reader_id: int | None) -> MessagePublic:
    """A message as `reader_id` sees it; a sender is never told of a report."""
    organization = (
        ctx.session.get(Organization, row.organization_id) if row.organization_id else None
    )
    if reader_id is not None and reader_id == row.recipient_id:
        direction = "received"
    elif reader_id is not None and reader_id == row.sender_id:
        direction = "sent"
    else:
        direction = "reported"
    return MessagePublic(
        id=row.id,
        direction=direction,  # type: ignore[arg-type]
        sender=_party(ctx, row.sender_id, organization),
        recipient=_party(ctx, row.recipient_id, organization),
        organization_id=organization.id if organization else None,
        organization=organization.name if organization else None,
        reply_to=row.reply_to_id,
        subject=row.subject,
        body=row.body,
        status="delivered" if direction == "sent" else row.status,
        created_at=row.created_at,
        read_at=row.read_at,
    )


def _store(
    ctx: Context,
    recipient_id: int,
    organization_id: int | None,
    reply_to: int | None,
    subject: str,
    body: str,
) -> Message:
    """Count the message against the sender's rate (429 before anything is stored), store it."""
    MESSAGES.hit(f"user:{ctx.actor.user_id}", get_settings().message_rate, "messages")
    row = Message(
        sender_id=ctx.actor.user_id,
        recipient_id=recipient_id,
        organization_id=organization_id,
        reply_to_id=reply_to,
        subject=subject,
        body=body,
        status="delivered",
        created_at=now(),
    )
    ctx.session.add(row)
    ctx.session.flush()
    return row


def message_send(ctx: Context, organization_id: int, data: MessageWrite) -> MessagePublic:
    """Write to an approved organization: it reaches the account that registered it."""
    authorize(ctx, "message_send")
    organization = organizations.organization_row(ctx, organization_id)
    if organization.owner_id == ctx.actor.user_id:
        raise InvalidInput(
            f"organization: you registered organization {organization_id}; its messages reach you"
        )
    if organization.status != "approved":
        raise Conflict(
            f"organization {organization_id} is {organization.status}: messages reach "
            "approved organizations only"
        )
    owner = ctx.session.get(User, organization.owner_id) if organization.owner_id else None
    if owner is None or not owner.active:
        raise Conflict(f"no one receives messages for organization {organization_id} now")
    row = _store(ctx, owner.id, organization.id, None, data.subject, data.body)
    audit_record(
        ctx,
        "message_send",
        f"message:{row.id}",
        None,
        {"organization": organization.id, "recipient": f"user:{owner.id}"},
    )
    notify(
        ctx,
        [owner.id],
        f"Message for {organization.name}: {data.subject}",
        f"{person_name(ctx, ctx.actor.user_id)} wrote to {organization.name}. {PRIVACY}",
        _link(row.id),
    )
    return _public(ctx, row, ctx.actor.user_id)


def _readable(ctx: Context, message_id: int) -> Message:
    """A message the reader may read: to anyone else it does not exist (404)."""
    if not ctx.actor.signed_in:
        raise Unauthorized("sign in to read your messages")
    row = ctx.session.get(Message, message_id)
    if row is None or not allowed(ctx.actor, "message_read", _scope(row)):
        raise NotFound(f"no message {message_id}")
    return row


def _mark_read(ctx: Context, rows: list[Message]) -> None:
    """The recipient has now seen these messages."""
    stamp = now()
    for row in rows:
        if row.recipient_id == ctx.actor.user_id and row.read_at is None:
            row.read_at = stamp
    ctx.session.flush()


def message_show(ctx: Context, message_id: int) -> MessagePublic:
    """A message, to its sender or recipient; reading it marks it read for the recipient."""
    row = _readable(ctx, message_id)
    _mark_read(ctx, [row])
    return _public(ctx, row, ctx.actor.user_id)


def message_thread(ctx: Context, message_id: int) -> list[MessagePublic]:
    """A message with those it replies to and the replies to it that the reader may read,
    oldest first; those received are marked read."""
    row = _readable(ctx, message_id)
    found = {row.id: row}
    up = row
    while up.reply_to_id is not None:
        parent = ctx.session.get(Message, up.reply_to_id)
        if parent is None or not allowed(ctx.actor, "message_read", _scope(parent)):
            break
        found[parent.id] = up = parent
    fringe = list(found)
    while fringe:
        replies = ctx.session.scalars(select(Message).where(Message.reply_to_id.in_(fringe)))
        fringe = []
        for reply in replies:
            if reply.id not in found and allowed(ctx.actor, "message_read", _scope(reply)):
                found[reply.id] = reply
                fringe.append(reply.id)
    rows = sorted(found.values(), key=lambda m: (m.created_at, m.id))
    _mark_read(ctx, rows)
    return [_public(ctx, m, ctx.actor.user_id) for m in rows]


def message_list(ctx: Context, box: str | None = None, limit: int = 100) -> list[MessagePublic]:
    """The reader's messages, received and sent (or one `box` of them), newest first."""
    reader = ctx.actor.user_id
    if reader is None:
        raise Unauthorized("sign in to read your messages")
    if box == "received":
        where = Message.recipient_id == reader
    elif box == "sent":
        where = Message.sender_id == reader
    else:
        where = or_(Message.recipient_id == reader, Message.sender_id == reader)
    rows = ctx.session.scalars(
        select(Message)
        .where(where)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(min(limit, LIST_MAX))
    )
    return [_public(ctx, r, reader) for r in rows]


def _re(subject: str) -> str:
    """The subject of a reply (made here, so cut to the column's length when needed)."""
    made = subject if subject.startswith("Re: ") else f"Re: {subject}"
    return made if len(made) <= SUBJECT_MAX else made[: SUBJECT_MAX - 1] + "…"


def message_reply(ctx: Context, message_id: int, data: ReplyWrite) -> MessagePublic:
    """The recipient replies: the reply goes to the original sender, in the same thread."""
    original = _readable(ctx, message_id)
    authorize(ctx, "message_reply", _scope(original))
    if original.sender_id is None:
        raise Conflict(f"message {message_id}: its sender's account was erased; no one to reply to")
    organization = (
        ctx.session.get(Organization, original.organization_id)
        if original.organization_id
        else None
    )
    row = _store(
        ctx,
        original.sender_id,
        original.organization_id,
        original.id,
        _re(original.subject),
        data.body,
    )
    audit_record(
        ctx,
        "message_reply",
        f"message:{row.id}",
        None,
        {"reply_to": original.id, "recipient": f"user:{original.sender_id}"},
    )
    notify(
        ctx,
        [original.sender_id],
        f"Reply from {_party(ctx, ctx.actor.user_id, organization)}: {row.subject}",
        f"{_party(ctx, ctx.actor.user_id, organization)} replied to your message. {PRIVACY}",
        _link(row.id),
    )
    return _public(ctx, row, ctx.actor.user_id)


def message_report(ctx: Context, message_id: int, data: MessageReport) -> MessageReported:
    """The recipient reports abuse: curators are told (number and reason); the sender is not."""
    row = _readable(ctx, message_id)
    authorize(ctx, "message_report", _scope(row))
    if row.status == "reported":
        raise Conflict(f"message {message_id} is already reported; the curators have it")
    row.status = "reported"
    ctx.session.flush()
    audit_record(
        ctx,
        "message_report",
        f"message:{row.id}",
        {"status": "delivered"},
        {"status": "reported", "reason": data.reason},
    )
    sender = person_name(ctx, row.sender_id)
    sent = notify(
        ctx,
        organizations.curator_ids(ctx),
        f"Abuse reported on message {row.id}",
        f"{person_name(ctx, ctx.actor.user_id)} reported message {row.id} from {sender} "
        f"(user:{row.sender_id}) as abuse. Reason: {data.reason}",
        _link(row.id),
    )
    return MessageReported(message=row.id, reported=True, notified=sent)


# -- Personal data -----------------------------------------------------------------------------


def community_personal_data(ctx: Context, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """What the community holds about a person: messages sent and received, follows,
    organizations registered and contributions (for the account's data export)."""
    mine = ctx.session.scalars(
        select(Message)
        .where(or_(Message.sender_id == user_id, Message.recipient_id == user_id))
        .order_by(Message.id)
    )
    shown = [_public(ctx, m, user_id).model_dump(mode="json") for m in mine]
    follows = ctx.session.scalars(
        select(Follow).where(Follow.user_id == user_id).order_by(Follow.id)
    )
    registered = ctx.session.scalars(
        select(Organization).where(Organization.owner_id == user_id).order_by(Organization.id)
    )
    written = ctx.session.scalars(
        select(Contribution).where(Contribution.author_id == user_id).order_by(Contribution.id)
    )
    return {
        "messages_sent": [m for m in shown if m["direction"] == "sent"],
        "messages_received": [m for m in shown if m["direction"] == "received"],
        "follows": [
            {
                "key": f.key,
                "objective": f.objective,
                "area": f.area,
                "organization": f.organization_id,
                "since": f.created_at.isoformat(),
            }
            for f in follows
        ],
        "organizations": [
            {"id": o.id, "name": o.name, "status": o.status, "at": o.created_at.isoformat()}
            for o in registered
        ],
        "contributions": [
            {
                "id": c.id,
                "consultation": c.consultation_id,
                "question": c.question,
                "text": c.text,
                "status": c.status,
                "at": c.created_at.isoformat(),
            }
            for c in written
        ],
    }


def community_forget_person(ctx: Context, user_id: int, anonymous: str) -> None:
    """Erase a person from the community when their account is erased.

    The account row stays (anonymised), so nothing cascades by itself: follows and digests
    are deleted here; messages stay with the other party, the erased side shown as "a former
    member"; contributions, organizations, events, pledges and progress updates keep their
    text, under the anonymous name, and an organization no longer has anyone to receive its
    messages. Call it before the account's username is anonymised.
    """
    ctx.session.execute(delete(Follow).where(Follow.user_id == user_id))
    ctx.session.execute(delete(Digest).where(Digest.user_id == user_id))
    ctx.session.execute(update(Message).where(Message.sender_id == user_id).values(sender_id=None))
    ctx.session.execute(
        update(Message).where(Message.recipient_id == user_id).values(recipient_id=None)
    )
    ctx.session.execute(
        update(Contribution).where(Contribution.author_id == user_id).values(created_by=anonymous)
    )
    ctx.session.execute(
        update(Organization)
        .where(Organization.owner_id == user_id)
        .values(owner_id=None, created_by=anonymous)
    )
    for table in (Event, Pledge):  # they stay public, under the anonymous name
        ctx.session.execute(
            update(table)
            .where(table.owner_id == user_id)
            .values(owner_id=None, created_by=anonymous)
        )
    username = ctx.session.scalar(select(User.username).where(User.id == user_id))
    ctx.session.execute(
        update(PledgeUpdate).where(PledgeUpdate.created_by == username).values(created_by=anonymous)
    )
