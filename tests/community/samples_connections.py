"""Sample calls of the follows' write routes (API and page forms), for the route-table test,
and the small settings the connections and digest tests build through the parts' actions.

Each role follows or unfollows its own topic: an unfollow gets a fresh follow of the person
acting (`prepare`); for the public, someone else's follow, which it may not touch anyway.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from gcmhub.accounts.audit import now
from gcmhub.accounts.models import User
from gcmhub.community.connection_schemas import FollowWrite
from gcmhub.community.follows import follow_create
from gcmhub.community.models import Event, Pledge, PledgeUpdate
from gcmhub.context import Actor, Context
from gcmhub.runtime import open_context
from tests.accounts.conftest import ROLES, Person
from tests.accounts.samples import Sample, api_call, form_call

EVERYONE = set(ROLES)


def actor_of(username: str) -> Actor:
    """The actor of an account, as a signed-in browser would act."""
    with open_context() as ctx:
        user = ctx.session.scalar(select(User).where(User.username == username))
        assert user is not None
        return Actor(
            user.username,
            frozenset(user.roles),
            user_id=user.id,
            countries=frozenset(user.countries),
            organization=user.organization,
        )


def _own_follow(made: dict[str, Any]) -> dict[str, Any]:
    """A follow of the person acting (the public: the admin's, on another objective)."""
    username, objective = made["username"], "8"
    if username == "nobody":
        username, objective = "admin", "9"
    with open_context(actor_of(username)) as ctx:
        found = follow_create(ctx, FollowWrite(objective=objective, area="150"))
    return {"own_follow": found.id}


SAMPLES: dict[tuple[str, str], Sample] = {
    ("POST", "/api/v1/community/follows"): Sample(
        EVERYONE, api_call("POST", "/api/v1/community/follows", {"objective": "6", "area": "202"})
    ),
    ("DELETE", "/api/v1/community/follows/{follow_id}"): Sample(
        EVERYONE,
        api_call("DELETE", "/api/v1/community/follows/{own_follow}"),
        prepare=_own_follow,
    ),
    ("POST", "/community/follows"): Sample(
        EVERYONE,
        form_call("/community/follows", {"objective": "7", "area": "419"}),
        page=True,
    ),
    ("POST", "/community/follows/{follow_id}/delete"): Sample(
        EVERYONE,
        form_call("/community/follows/{own_follow}/delete", {}),
        page=True,
        prepare=_own_follow,
    ),
}


def setting(web: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    """What these samples need in the shared setting: nothing (each call prepares its own)."""
    return {}


# -- small settings for the connections and digest tests ---------------------------------------


def event_row(ctx: Context, title: str, countries: list[str], objectives: list[str]) -> Event:
    """An active event, written to its table (the events' actions belong to another part)."""
    stamp = now()
    row = Event(
        title=title,
        organizer="Diaspora network",
        scope="national",
        countries=countries,
        regions=[],
        objectives=objectives,
        starts_on=date.today() + timedelta(days=30),
        ends_on=date.today() + timedelta(days=31),
        modality="online",
        status="active",
        created_by="system",
        created_at=stamp,
        updated_at=stamp,
    )
    ctx.session.add(row)
    ctx.session.flush()
    return row


def pledge_row(
    ctx: Context,
    title: str,
    countries: list[str],
    objectives: list[str],
    status: str = "pledged",
    organization_id: int | None = None,
) -> Pledge:
    """A pledge, written to its table (the pledges' actions belong to another part)."""
    stamp = now()
    row = Pledge(
        title=title,
        pledger="Ministry of Labour (write to pledger@example.org)",
        pledger_kind="member_state",
        organization_id=organization_id,
        objectives=objectives,
        countries=countries,
        due_on=date.today() + timedelta(days=365),
        status=status,
        created_by="system",
        created_at=stamp,
        updated_at=stamp,
    )
    ctx.session.add(row)
    ctx.session.flush()
    return row


def pledge_update_row(ctx: Context, pledge: Pledge, progress: int) -> None:
    """A progress update on a pledge."""
    ctx.session.add(
        PledgeUpdate(
            pledge_id=pledge.id,
            reported_on=date.today(),
            progress=progress,
            status="in_progress",
            note="Half the inspectors trained.",
            created_by="system",
            created_at=now(),
        )
    )
    ctx.session.flush()


def fund_project(country: str, objective: str) -> str:
    """A fund project in a country on an objective, through the fund's actions: money in, a
    call, a proposal submitted, reviewed, approved and allocated. Returns its reference."""
    from gcmhub.accounts.actions import user_add
    from gcmhub.fund import calls, contributions, projects
    from gcmhub.fund.models import Proposal
    from gcmhub.fund.schemas import (
        CallWrite,
        DecisionWrite,
        DepositWrite,
        DonorWrite,
        ManualAllocationWrite,
        PledgeWrite,
        ProposalUpdate,
        ReviewWrite,
    )

    ref = f"P-CONN-{country}"
    with open_context() as ctx:
        donor = contributions.donor_create(ctx, DonorWrite(name="Donor", type="member_state"))
        pledge = contributions.pledge_create(
            ctx, PledgeWrite(donor=donor.id, amount="100000", currency="USD")
        )
        contributions.deposit_create(
            ctx, DepositWrite(pledge=pledge.id, amount="100000", currency="USD")
        )
        call = calls.call_create(
            ctx,
            CallWrite(
                title="Connections call",
                budget="50000",
                deadline=now().date() + timedelta(days=5),
            ),
        )
        ctx.session.add(
            Proposal(
                ref=ref,
                title=f"Fair recruitment in {country}",
                summary="Labour inspection and fair recruitment.",
                country=country,
                objectives=[f"objective:{objective}"],
                partners=[],
                status="draft",
                created_by="system",
                created_at=now(),
            )
        )
        ctx.session.flush()
        calls.proposal_update(
            ctx,
            ref,
            ProposalUpdate(
                call=call.id,
                area="TA1",
                amount="40000",
                budget_lines=[{"item": "Everything", "amount": "40000"}],  # type: ignore[list-item]
                participating=["IOM", "UNHCR"],
                endorsed=True,
                gender_marker=2,
                human_rights_marker=2,
                child_marker=1,
            ),
        )
        calls.proposal_submit(ctx, ref)
        account, _ = user_add(ctx, f"reviewer-{country.lower()}", ["curator"], organization="X")
        system = ctx.actor
        ctx.actor = Actor(account.username, frozenset({"curator"}), user_id=account.id)
        scores = {"relevance": 4, "feasibility": 4, "guiding_principles": 4, "sustainability": 4}
        calls.review_submit(ctx, ref, ReviewWrite(scores=scores))
        ctx.actor = system
        calls.proposal_decide(ctx, ref, DecisionWrite(decision="approved"))
        projects.project_allocate(ctx, ref, ManualAllocationWrite(amount="40000", earmark=None))
    return ref
