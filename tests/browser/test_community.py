"""The community's directory in a real browser: a partner registers, a curator approves."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from gcmhub.accounts.actions import user_add
from gcmhub.runtime import open_context
from tests.browser.test_hub import PASSWORD, sign_in

NAME = "Senegalese diaspora association of Lyon"


def test_a_partner_registers_an_organization_a_curator_approves_it_and_it_is_listed(
    new_context: Callable[..., BrowserContext],
) -> None:
    with open_context() as ctx:
        user_add(ctx, "amina", ["partner"], password=PASSWORD)
        user_add(ctx, "sami", ["curator"], password=PASSWORD)

    # The partner registers the organization with the form, without JavaScript.
    partner = new_context(java_script_enabled=False).new_page()
    sign_in(partner, "amina", "/community/organizations/new")
    partner.get_by_label("Name of the organization", exact=True).fill(NAME)
    partner.get_by_label("Diaspora or migrant association", exact=True).check()
    partner.get_by_label(re.compile(r"^Countries of origin")).fill("Senegal")
    partner.get_by_label(re.compile(r"^Countries of residence")).fill("France")
    partner.get_by_label("City (optional)", exact=True).fill("Lyon")
    partner.locator("#f-objective-19").check()
    partner.get_by_label("Français", exact=True).check()
    partner.get_by_label("What you offer", exact=True).fill("Mentoring for new arrivals.")
    partner.get_by_role("button", name="Register the organization").click()

    expect(partner).to_have_url(re.compile(r"/community/organizations/\d+\?done=registered$"))
    expect(partner.get_by_role("status")).to_contain_text("Pending: a curator will review it")
    expect(partner.locator("h1")).to_have_text(NAME)
    profile = re.sub(r"^[a-z]+://[^/]+|\?.*$", "", partner.url)

    # The public does not see it yet.
    public = new_context().new_page()
    public.goto("/community/organizations")
    expect(public.get_by_role("link", name=NAME)).to_have_count(0)

    # A curator approves it from the queue.
    curator = new_context().new_page()
    sign_in(curator, "sami", "/community/organizations/pending")
    expect(curator.get_by_role("heading", name=NAME)).to_be_visible()
    queued = curator.get_by_role("region", name=NAME)
    queued.get_by_role("button", name=re.compile(r"^Approve")).click()
    expect(curator.get_by_role("status")).to_contain_text("The organization is approved")

    # Now it is in the directory, with its countries and city, for everyone.
    public.goto("/community/organizations?country=SEN")
    row = public.locator("table.organizations tbody tr").filter(has_text=NAME)
    expect(row).to_contain_text("Senegal")
    expect(row).to_contain_text("Lyon")
    row.get_by_role("link", name=NAME).click()
    expect(public).to_have_url(re.compile(re.escape(profile) + "$"))
    expect(public.locator("h1")).to_have_text(NAME)
