"""Digests by email: what is new on what each person follows, since their last digest.

News are read as the public reads them, whoever the digest is for, so a digest never holds
what its reader could not share: organizations approved (from the audit trail of their
review), knowledge items published (events and pledges have news of their own), hub
requests that are public or anonymised (new ones, and those resolved), fund projects
allocated (the first allocation in the ledger), events added or given outcomes, pledges
made and their progress updates. An organization's follow gets that organization's events,
pledges and updates.

`digest_send` writes one email per person (active, with an address, following something)
who has news, in their language when the accounts store one (they do not yet: English),
with links to the platform and an unsubscribe line; it stores a `Digest` row and moves each
follow's `digest_from` to the end of the period, news or not, so a second run sends nothing.
Addresses found in free text (an organizer's or a pledger's name) are withheld: a digest
never carries another member's email address. The emails leave after the transaction
commits (gcmhub/mail.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import func, select

from gcmhub.accounts.audit import audit_record, now
from gcmhub.accounts.models import AuditEntry, User
from gcmhub.auth import authorize
from gcmhub.community.connection_schemas import (
    DigestOutcome,
    DigestPreview,
    DigestRun,
    DigestSection,
    NewsItem,
)
from gcmhub.community.connections import (
    PLEDGE_GONE,
    Record,
    event_record,
    matches,
    organization_record,
    pledge_record,
    project_record,
)
from gcmhub.community.follows import follow_public, follow_topic
from gcmhub.community.models import Digest, Event, Follow, Organization, Pledge, PledgeUpdate
from gcmhub.context import PUBLIC, Context
from gcmhub.fund.models import Transaction
from gcmhub.fund.projects import project_list
from gcmhub.hub.concepts import country_regions
from gcmhub.hub.listing import RequestFilter, request_stream
from gcmhub.hub.models import RequestEvent, SupportRequest
from gcmhub.knowledge.indexing import facet_values
from gcmhub.knowledge.listing import items_added
from gcmhub.knowledge.models import Item
from gcmhub.mail import mail_compose
from gcmhub.settings import get_settings
from gcmhub.web.i18n import N_, translations

NEWS_KINDS = {
    "organization_approved": N_("New organization in the directory"),
    "item_added": N_("New on the knowledge platform"),
    "request_added": N_("New request for support"),
    "request_resolved": N_("Request resolved"),
    "project_funded": N_("New fund project"),
    "event_added": N_("New event"),
    "event_outcomes": N_("Event outcomes"),
    "pledge_made": N_("New pledge"),
    "pledge_update": N_("Pledge progress"),
}
OWN_NEWS = ("event_added", "event_outcomes", "pledge_made", "pledge_update")  # of organizations
ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@dataclass(frozen=True)
class News:
    """Something that happened to a record at a time."""

    kind: str
    record: Record
    at: datetime
    title: str


def _withheld(text: str) -> str:
    return ADDRESS.sub("[address withheld]", text)


# -- what happened in a period, as the public sees it ------------------------------------------


def _organizations(ctx: Context, start: datetime, end: datetime) -> list[News]:
    reviews = ctx.session.execute(
        select(AuditEntry.target, AuditEntry.at, AuditEntry.after).where(
            AuditEntry.action == "organization_review",
            AuditEntry.at >= start,
            AuditEntry.at < end,
        )
    )
    out = []
    for target, at, after in reviews:
        if (after or {}).get("status") != "approved":
            continue
        row = ctx.session.get(Organization, int(target.split(":", 1)[1]))
        if row is not None and row.status == "approved":
            record = organization_record(ctx, row)
            out.append(News("organization_approved", record, at, record.title))
    return out


def _items(ctx: Context, start: datetime, end: datetime) -> list[News]:
    # An item's time is the database's (to the second, and on SQLite text that compares
    # badly with Python's times): a second either side, then compared here.
    second = timedelta(seconds=1)
    added = items_added(ctx, start - second, end + second)
    refs = [ref for ref, kind in added if kind not in ("event", "pledge")]
    if not refs:
        return []
    rows = [
        row
        for row in ctx.session.execute(
            select(Item.id, Item.ref, Item.title, Item.type, Item.created_at).where(
                Item.ref.in_(refs)
            )
        )
        if start <= row.created_at < end
    ]
    facets = facet_values(ctx, [row.id for row in rows])
    out = []
    for row in rows:
        found = facets.get(row.id, {})
        record = Record(
            kind="items",
            id=row.ref,
            title=row.title,
            link=f"/items/{row.ref}",
            detail=row.type,
            objectives=frozenset(f"objective:{c}" for c in found.get("objective", [])),
            countries=frozenset(found.get("country", [])),
            regions=frozenset(found.get("region", [])),
        )
        out.append(News("item_added", record, row.created_at, row.title))
    return out


def _requests(ctx: Context, start: datetime, end: datetime) -> list[News]:
    rows = {r.id: r for r in request_stream(ctx, RequestFilter(), sort="age")}
    if not rows:
        return []
    ids = dict(
        ctx.session.execute(
            select(SupportRequest.id, SupportRequest.ref).where(SupportRequest.ref.in_(rows))
        ).all()
    )
    countries = dict(
        ctx.session.execute(
            select(SupportRequest.ref, SupportRequest.country).where(SupportRequest.ref.in_(rows))
        ).all()
    )
    records = {}
    for ref, row in rows.items():
        regions = country_regions(ctx, countries[ref])
        records[ref] = Record(
            kind="requests",
            id=ref,
            title=row.title,
            link=f"/hub/requests/{ref}",
            objectives=frozenset(f"objective:{o}" for o in row.objectives),
            # An anonymised request is matched on its regions only: its country stays unsaid.
            countries=frozenset([row.country] if row.country else []),
            regions=frozenset(r.split(":", 1)[1] for r in regions),
        )
    out = [
        News("request_added", records[ref], row.created_at.replace(tzinfo=None), row.title)
        for ref, row in rows.items()
        if start <= row.created_at.replace(tzinfo=None) < end
    ]
    resolved = ctx.session.execute(
        select(RequestEvent.request_id, RequestEvent.at).where(
            RequestEvent.request_id.in_(ids),
            RequestEvent.kind == "step",
            RequestEvent.to_state == "resolved",
            RequestEvent.at >= start,
            RequestEvent.at < end,
        )
    )
    for request_id, at in resolved:
        record = records[ids[request_id]]
        out.append(News("request_resolved", record, at, record.title))
    return out


def _projects(ctx: Context, start: datetime, end: datetime) -> list[News]:
    first = dict(
        ctx.session.execute(
            select(Transaction.reference, func.min(Transaction.at))
            .where(Transaction.kind == "allocation", Transaction.reversal_of.is_(None))
            .group_by(Transaction.reference)
        ).all()
    )
    out = []
    for project in project_list(ctx):
        at = first.get(project.id)
        if at is not None and start <= at < end:
            record = project_record(ctx, project)
            out.append(News("project_funded", record, at, record.title))
    return out


def _events(ctx: Context, start: datetime, end: datetime) -> list[News]:
    out = []
    added = ctx.session.scalars(
        select(Event).where(
            Event.status == "active", Event.created_at >= start, Event.created_at < end
        )
    )
    for row in added:
        out.append(News("event_added", event_record(ctx, row), row.created_at, row.title))
    concluded = ctx.session.scalars(
        select(Event).where(
            Event.status == "active", Event.outcomes_at >= start, Event.outcomes_at < end
        )
    )
    for row in concluded:
        assert row.outcomes_at is not None
        out.append(News("event_outcomes", event_record(ctx, row), row.outcomes_at, row.title))
    return out


def _pledges(ctx: Context, start: datetime, end: datetime) -> list[News]:
    made = ctx.session.scalars(
        select(Pledge).where(
            Pledge.status != PLEDGE_GONE, Pledge.created_at >= start, Pledge.created_at < end
        )
    )
    out = [News("pledge_made", pledge_record(ctx, row), row.created_at, row.title) for row in made]
    updates = ctx.session.execute(
        select(PledgeUpdate, Pledge)
        .join(Pledge, Pledge.id == PledgeUpdate.pledge_id)
        .where(
            Pledge.status != PLEDGE_GONE,
            PledgeUpdate.created_at >= start,
            PledgeUpdate.created_at < end,
        )
    )
    for update, pledge in updates:
        title = f"{pledge.title}: {update.progress} %"
        out.append(News("pledge_update", pledge_record(ctx, pledge), update.created_at, title))
    return out


GATHERERS: tuple[Callable[[Context, datetime, datetime], list[News]], ...] = (
    _organizations,
    _items,
    _requests,
    _projects,
    _events,
    _pledges,
)


def news_between(ctx: Context, start: datetime, end: datetime) -> list[News]:
    """Everything that happened from `start` up to (not including) `end`, read as the public."""
    public = Context(ctx.session, PUBLIC)
    found = [news for gather in GATHERERS for news in gather(public, start, end)]
    return sorted(found, key=lambda n: (n.at, n.kind, n.record.id))


# -- one person's digest ------------------------------------------------------------------------


def _follows(ctx: Context, user_id: int) -> list[Follow]:
    return list(
        ctx.session.scalars(select(Follow).where(Follow.user_id == user_id).order_by(Follow.id))
    )


def _compose(
    ctx: Context,
    user: User,
    follows: list[Follow],
    news: list[News],
    since: datetime | None,
    until: datetime,
) -> DigestPreview:
    sections = []
    for follow in follows:
        start = since or follow.digest_from
        topic = follow_topic(ctx, follow)
        wanted = [
            n
            for n in news
            if start <= n.at < until
            and (topic.organization_id is None or n.kind in OWN_NEWS)
            and matches(ctx, topic, n.record)
        ]
        if wanted:
            items = [
                NewsItem(kind=n.kind, title=_withheld(n.title), link=n.record.link, at=n.at)
                for n in wanted
            ]
            sections.append(DigestSection(follow=follow_public(ctx, follow), news=items))
    starts = [since] if since else [f.digest_from for f in follows]
    return DigestPreview(
        user=user.username,
        period_from=min(starts) if starts else None,
        period_to=until,
        news=sum(len(s.news) for s in sections),
        sections=sections,
    )


def digest_compose(
    ctx: Context, user: User, since: datetime | None = None, until: datetime | None = None
) -> DigestPreview:
    """What a person's digest holds: the news of each follow from `since` (default: each
    follow's `digest_from`) up to `until` (default: now). Stores nothing."""
    until = until or now()
    follows = _follows(ctx, user.id)
    starts = [since] if since else [f.digest_from for f in follows]
    news = news_between(ctx, min(starts), until) if starts else []
    return _compose(ctx, user, follows, news, since, until)


def digest_email(user: User, preview: DigestPreview, language: str = "en") -> EmailMessage:
    """The plain-text email of a digest, in the person's language, with links and a way out."""
    _ = translations(language).gettext
    base = get_settings().public_url.rstrip("/")
    lines = [
        _("Hello %(name)s,") % {"name": user.display_name or user.username},
        "",
        _("What is new on what you follow on GCM Hub:"),
    ]
    for section in preview.sections:
        lines += ["", f"## {_withheld(section.follow.label)}", f"{base}{section.follow.link}"]
        for news in section.news:
            lines += [f"- {_(NEWS_KINDS[news.kind])}: {news.title}", f"  {base}{news.link}"]
    lines += [
        "",
        "--",
        _("You receive this digest because you follow topics on GCM Hub."),
        _("To unfollow or stop these emails: %(url)s") % {"url": f"{base}/community/follows"},
    ]
    subject = _("GCM Hub digest: %(count)s news on what you follow") % {"count": preview.news}
    return mail_compose(str(user.email), subject, "\n".join(lines) + "\n")


def _recipients(ctx: Context) -> list[User]:
    """Active people with an email address who follow something."""
    followers = select(Follow.user_id).distinct()
    rows = ctx.session.scalars(
        select(User)
        .where(User.active, User.email.is_not(None), User.email != "", User.id.in_(followers))
        .order_by(User.id)
    )
    return list(rows)


def digest_send(ctx: Context, until: datetime | None = None, dry_run: bool = False) -> DigestRun:
    """Send every follower their digest up to `until` (default: now); `dry_run` composes the
    digests without sending or storing anything."""
    authorize(ctx, "digest_send")
    # Whole seconds, as some news are stamped (items): a record stored as 12:00:00 but made
    # at 12:00:00.7, after this run read, is in the next digest rather than in none.
    until = (until or now()).replace(microsecond=0)
    people = _recipients(ctx)
    follows = {user.id: _follows(ctx, user.id) for user in people}
    starts = [f.digest_from for rows in follows.values() for f in rows if f.digest_from < until]
    news = news_between(ctx, min(starts), until) if starts else []
    outcomes = []
    for user in people:
        preview = _compose(ctx, user, follows[user.id], news, None, until)
        send = preview.news > 0
        outcomes.append(DigestOutcome(user=user.username, news=preview.news, sent=send))
        if dry_run:
            continue
        if send:
            ctx.outbox.append(digest_email(user, preview))
            ctx.session.add(
                Digest(
                    user_id=user.id,
                    period_from=preview.period_from or until,
                    period_to=until,
                    news=preview.news,
                    sent_at=now(),
                )
            )
        for follow in follows[user.id]:
            follow.digest_from = max(follow.digest_from, until)
    run = DigestRun(
        period_to=until,
        dry_run=dry_run,
        people=len(people),
        sent=sum(1 for o in outcomes if o.sent),
        news=sum(o.news for o in outcomes),
        digests=outcomes,
    )
    if not dry_run:
        ctx.session.flush()
        after = {"period_to": until.isoformat(), "people": run.people, "sent": run.sent}
        audit_record(ctx, "digest_send", "digests", None, {**after, "news": run.news})
    return run


def digest_last(ctx: Context, user_id: int) -> datetime | None:
    """When a person's last digest was sent (None: never)."""
    return ctx.session.scalar(select(func.max(Digest.sent_at)).where(Digest.user_id == user_id))
