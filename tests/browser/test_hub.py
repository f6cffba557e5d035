"""The connection hub in a real browser: a country asks for support, the secretariat matches it."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlparse

from playwright.sync_api import BrowserContext, Page, expect

from gcmhub.accounts.actions import user_add
from gcmhub.hub.providers import provider_create
from gcmhub.hub.schemas import ProviderWrite
from gcmhub.runtime import open_context
from tests.hub.conftest import NEED, PROVIDERS

PASSWORD = "a long enough password"


def sign_in(page: Page, username: str, then: str) -> None:
    page.goto(f"/login?next={then}")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # The path itself, not the login page whose address ends with ?next=THEN.
    expect(page).to_have_url(re.compile(r"^[a-z]+://[^/]+" + re.escape(then) + "$"))
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("link", name=username)).to_be_visible()


def test_a_focal_point_asks_and_a_curator_triages_adopts_the_plan_and_matches(
    new_context: Callable[..., BrowserContext],
) -> None:
    with open_context() as ctx:
        user_add(ctx, "ana", ["focal_point"], countries=["MEX"], password=PASSWORD)
        user_add(ctx, "sami", ["curator"], password=PASSWORD)
        for spec in PROVIDERS:
            data = {k: v for k, v in spec.items() if k != "ref"}
            provider_create(ctx, ProviderWrite(**data, consent=True), ref=spec["ref"])

    # The focal point files the request with the guided form, without JavaScript.
    country = new_context(java_script_enabled=False).new_page()
    sign_in(country, "ana", "/hub/requests/new")
    expect(country.get_by_label("Country", exact=True)).to_have_value("MEX")
    country.get_by_label("Institution (ministry, agency or office)", exact=True).fill(
        "Ministry of Labour"
    )
    country.get_by_label("The need, in your own words", exact=True).fill(NEED)
    country.get_by_label("Policy advice", exact=True).check()
    country.get_by_label("Training", exact=True).check()
    country.get_by_label("Public: shown to everyone", exact=True).check()
    country.get_by_role("button", name="Send the request").click()

    expect(country).to_have_url(re.compile(r"/hub/requests/R-[\w-]+\?done=filed$"))
    expect(country.get_by_role("status")).to_contain_text("Your request is filed.")
    expect(country.locator("h1")).to_contain_text("Our ministry of labour")
    expect(country.locator(".badge.state")).to_have_text("Submitted")
    address = urlparse(country.url).path

    # A curator triages it, adopts the proposed plan and marks it matched.
    curator = new_context().new_page()
    sign_in(curator, "sami", address)
    expect(curator.get_by_role("heading", name="What the hub proposes")).to_be_visible()
    expect(curator.locator("table.integrated tbody tr").first).to_be_visible()
    expect(curator.locator("ul.reasons li").first).to_be_visible()

    curator.get_by_role("button", name="Mark as triaged").click()
    expect(curator.get_by_role("status")).to_have_text("The request moved on.")
    expect(curator.locator(".badge.state")).to_have_text("Triaged")

    curator.get_by_role("button", name="Adopt the proposed plan").click()
    expect(curator.get_by_role("status")).to_contain_text("The proposed plan is adopted")
    plan = curator.locator("table#plan")
    expect(plan).to_be_visible()
    rows = plan.locator("tbody tr")
    assert rows.count() >= 1
    expect(rows.first.locator("td").nth(1)).to_have_text("proposed")

    curator.get_by_role("button", name="Mark as matched").click()
    expect(curator.locator(".badge.state")).to_have_text("Matched")
    expect(curator.locator(".stage")).to_contain_text("(iv) set up multi-agency")
    expect(curator.locator("table#plan tbody tr")).to_have_count(rows.count())
    expect(curator.locator("table.history")).to_contain_text("Triaged → Matched")

    # The country sees the plan table on its request page too.
    country.goto(address)
    expect(country.locator(".badge.state")).to_have_text("Matched")
    expect(country.locator("table#plan tbody tr")).to_have_count(rows.count())
