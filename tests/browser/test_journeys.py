"""Journeys through the site in a real browser: search, filter, read, switch language, download."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, Page, expect

from gcmhub.web.i18n import translations

QUERY = "remittance costs"
HITS = "ol.hits h3 a"


def result_count(page: Page) -> int:
    """Return the number of results the search page announces ("1,234 results" → 1234)."""
    text = page.locator("h2.results-count").inner_text()
    digits = re.sub(r"\D", "", text)
    assert digits, f"no count in {text!r}"
    return int(digits)


def hit_ids(page: Page) -> list[str]:
    """Return the ids of the items listed on a results page, in order."""
    hrefs = page.locator(HITS).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return [href.removeprefix("/items/") for href in hrefs]


def facet(page: Page, name: str, value: str) -> Locator:
    """Return the link of one facet value."""
    return page.locator(f'a.facet-value[data-facet="{name}"][data-value="{value}"]')


def is_about_objective(tags: list[dict[str, str]], code: str) -> bool:
    """Say whether live tags put an item under an objective or one of its actions (20, 20a…)."""
    pattern = re.compile(rf"objective:{code}[a-z]?")
    return any(pattern.fullmatch(t["concept"]) and t["status"] != "rejected" for t in tags)


def test_a_search_typed_on_the_home_page_lands_on_results_about_remittances(page: Page) -> None:
    page.goto("/")
    page.locator("#q").fill(QUERY)
    page.locator("#q").press("Enter")

    expect(page).to_have_url(re.compile(r"/search\?q=remittance\+costs$"))
    expect(page.locator("#q")).to_have_value(QUERY)
    assert result_count(page) > 0
    titles = page.locator(HITS).all_inner_texts()
    assert len(titles) >= 5
    for title in titles[:5]:
        assert "remittance" in title.lower(), titles


def test_a_facet_value_narrows_the_results_and_a_second_click_removes_it(page: Page) -> None:
    page.goto("/search?q=remittance+costs")
    before = result_count(page)

    facet(page, "objective", "20").click()

    expect(page).to_have_url(re.compile(r"[?&]objective=20(&|$)"))
    chosen = facet(page, "objective", "20")
    expect(chosen).to_have_attribute("aria-current", "true")
    expect(page.locator('ul.chips a[href*="q=remittance"]').first).to_be_visible()
    after = result_count(page)
    assert 0 < after < before
    ids = hit_ids(page)
    assert len(ids) == min(after, 20)
    for ref in ids:
        item = page.request.get(f"/api/v1/items/{ref}")
        assert item.ok, ref
        assert is_about_objective(item.json()["tags"], "20"), f"{ref} is not about objective 20"

    chosen.click()

    expect(page).not_to_have_url(re.compile(r"objective="))
    expect(facet(page, "objective", "20")).not_to_have_attribute("aria-current", "true")
    assert result_count(page) == before


def test_the_first_result_opens_an_item_page_with_provenance_tags_and_related_items(
    page: Page,
) -> None:
    page.goto("/search?q=remittance+costs")
    first = page.locator(HITS).first
    title = first.inner_text()
    ref = first.get_attribute("href")

    first.click()

    expect(page).to_have_url(re.compile(re.escape(f"{ref}") + "$"))
    expect(page.locator("article.item h1")).to_have_text(title)
    side = page.locator("aside.item-side")
    expect(side.get_by_role("heading", name="Provenance")).to_be_visible()
    expect(side.locator("code.hash")).to_have_text(re.compile(r"^[0-9a-f]{16}$"))
    tags = page.locator("table.tags tbody tr")
    assert tags.count() > 0
    expect(page.locator("table.tags thead")).to_contain_text("Confidence")
    confidences = page.locator("table.tags td.num").all_inner_texts()
    assert any(re.fullmatch(r"\d+(\.\d+)?\s?%", c.strip()) for c in confidences), confidences
    expect(tags.locator('a[href^="/concepts/objective:20"]').first).to_be_visible()
    related = page.locator("ul.related a")
    assert related.count() > 0
    assert ref not in related.evaluate_all("links => links.map(a => a.getAttribute('href'))")


def test_choosing_francais_turns_the_interface_french_and_it_stays_french(page: Page) -> None:
    french = translations("fr")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch = page.locator("nav.languages a[hreflang=fr]")
    expect(switch).to_have_text("Français")

    switch.click()

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    nav = page.locator("ul.nav")
    expect(nav.locator('a[href="/search"]')).to_have_text(french.gettext("Search"))
    expect(page.locator("nav.languages a[hreflang=fr]")).to_have_attribute("aria-current", "true")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("lang") == "fr"

    nav.locator('a[href="/objectives"]').click()

    expect(page).to_have_url(re.compile(r"/objectives$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(nav.locator('a[href="/objectives"]')).to_have_text(french.gettext("Objectives"))
    expect(nav.locator('a[href="/objectives"]')).to_have_attribute("aria-current", "page")


def test_the_csv_link_of_a_filtered_list_downloads_every_row_of_the_list(page: Page) -> None:
    page.goto("/search")
    everything = result_count(page)
    facet(page, "type", "policy_option").click()
    expect(page).to_have_url(re.compile(r"[?&]type=policy_option(&|$)"))
    listed = result_count(page)
    assert 20 < listed < everything  # more rows than one page shows

    with page.expect_download() as arrival:
        page.locator("p.downloads a", has_text="CSV").click()
    download = arrival.value

    assert download.failure() is None
    assert download.suggested_filename.endswith(".csv")
    with Path(download.path()).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["id", "type", "title"]
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert len(body) == listed
    assert {row["type"] for row in body} == {"policy_option"}
    assert set(hit_ids(page)) <= {row["id"] for row in body}


def test_search_and_facet_filtering_work_without_javascript(
    new_context: Callable[..., BrowserContext],
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/")
    page.locator("#q").fill(QUERY)
    page.locator("#q").press("Enter")

    expect(page).to_have_url(re.compile(r"/search\?q=remittance\+costs$"))
    before = result_count(page)
    assert before > 0
    assert "remittance" in page.locator(HITS).first.inner_text().lower()

    facet(page, "type", "resource").click()

    expect(page).to_have_url(re.compile(r"[?&]type=resource(&|$)"))
    after = result_count(page)
    assert 0 < after < before
    badges = page.locator("ol.hits .meta .badge").all_inner_texts()
    assert badges and set(badges) == {"Resource"}

    # The form keeps the filter: a new search within it still holds only resources.
    page.locator("#q").fill("remittances")
    page.locator("#q").press("Enter")
    expect(page).to_have_url(
        re.compile(r"q=remittances.*type=resource|type=resource.*q=remittances")
    )
    badges = page.locator("ol.hits .meta .badge").all_inner_texts()
    assert badges and set(badges) == {"Resource"}


def test_the_first_tab_reaches_the_skip_link_and_enter_moves_focus_to_the_main_content(
    page: Page,
) -> None:
    page.goto("/")
    skip = page.locator("a.skip-link")

    page.keyboard.press("Tab")

    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    page.keyboard.press("Enter")

    expect(page.locator("main#content")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("main #q")).to_be_focused()


def test_a_curator_signs_in_and_confirms_a_suggested_tag(page: Page) -> None:
    from gcmhub.accounts.actions import user_add
    from gcmhub.runtime import open_context

    with open_context() as ctx:
        user_add(ctx, "ana", ["curator"], password="a long enough password")
    page.goto("/curate")
    expect(page).to_have_url(re.compile(r"/login\?next=/curate$"))
    page.locator("#username").fill("ana")
    page.locator("#password").fill("a long enough password")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/curate$"))
    first = page.locator("table tbody tr").first
    item = first.locator("th a").get_attribute("href")
    concept = first.locator("td code").first.inner_text()
    first.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/curate$"))
    tags = page.request.get(f"/api/v1/items/{(item or '').removeprefix('/items/')}").json()["tags"]
    decided = next(t for t in tags if t["concept"] == concept)
    assert decided["status"] == "confirmed" and decided["origin"] == "curator"
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
