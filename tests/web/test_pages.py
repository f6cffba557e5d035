"""The pages people use: server-rendered, usable without JavaScript, friendly when refused."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient


class Page(HTMLParser):
    """The parts of a page the tests look at: links, headings, labelled inputs, tables."""

    def __init__(self, html: str):
        super().__init__()
        self.links: list[str] = []
        self.headings: list[str] = []
        self.inputs: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.tables = 0
        self.attrs: dict[str, dict[str, str | None]] = {}
        self._in_heading = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.attrs.setdefault(tag, found)
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if tag in ("h1", "h2"):
            self._in_heading = True
            self.headings.append("")
        if tag in ("input", "select") and found.get("type") != "hidden":
            self.inputs.append(found)
        if tag == "label" and found.get("for"):
            self.labels.add(str(found["for"]))
        if tag == "table":
            self.tables += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2"):
            self._in_heading = False

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self.headings[-1] += data.strip()


def _page(site: TestClient, url: str, status: int = 200) -> Page:
    answer = site.get(url)
    assert answer.status_code == status, (url, answer.text[:300])
    assert answer.headers["content-type"].startswith("text/html")
    return Page(answer.text)


def test_every_page_has_a_skip_link_a_language_and_labelled_inputs(site: TestClient) -> None:
    for url in (
        "/",
        "/search?q=remittances",
        "/items/gcm-20a",
        "/objectives",
        "/objectives/20",
        "/taxonomy",
        "/taxonomy/objective",
        "/concepts/objective:20",
        "/about",
        "/api",
        "/data",
        "/data/countries/MEX",
        "/data/areas/WLD",
        "/data/remittance-costs",
        "/data/sdg-10-7-2",
        "/review",
        "/review/countries/MEX",
        "/review/reviews",
        "/review/partnerships",
        "/review/capacity",
        "/review/report",
    ):
        page = _page(site, url)
        assert page.links[0] == "#content", url  # the skip link comes first
        assert page.attrs["html"]["lang"] == "en" and page.attrs["html"]["dir"] == "ltr"
        assert page.attrs["main"]["id"] == "content"
        assert page.headings and page.headings[0], url  # one h1 with text
        for field in page.inputs:
            assert field.get("id") in page.labels, (url, field)


def test_the_home_page_offers_search_and_the_23_objectives_with_a_data_table(
    site: TestClient,
) -> None:
    answer = site.get("/")
    page = Page(answer.text)
    objectives = {link for link in page.links if re.fullmatch(r"/objectives/\d+", link)}
    assert len(objectives) == 23
    assert 'action="/search"' in answer.text
    assert "<svg" in answer.text and page.tables == 1  # the chart has its table
    assert "210" in answer.text  # items held


def test_the_search_page_shows_hits_facets_reasons_and_pages(site: TestClient) -> None:
    answer = site.get("/search", params={"q": "migrants", "mode": "lexical"})
    page = Page(answer.text)
    hits = [link for link in page.links if link.startswith("/items/")]
    assert len(hits) == 20
    assert "<mark>" in answer.text and "Why:" in answer.text
    assert any("objective=" in link for link in page.links)  # facet values are links
    assert any("page=2" in link for link in page.links)
    second = Page(site.get("/search", params={"q": "migrants", "mode": "lexical", "page": 2}).text)
    assert not set(hits) & {link for link in second.links if link.startswith("/items/")}


def test_a_facet_link_filters_and_the_active_filter_can_be_removed(site: TestClient) -> None:
    first = site.get("/search", params={"q": "", "type": "resource"})
    page = Page(first.text)
    shown = [link for link in page.links if link.startswith("/items/gcm-")]
    assert shown and all(re.fullmatch(r"/items/gcm-\d+", link) for link in shown)  # objectives
    assert "23 results" in first.text
    remove = [link for link in page.links if "type=resource" not in link and "/search" in link]
    assert any(link.startswith("/search?q=") or link == "/search" for link in remove)


def test_search_sorting_by_title_orders_the_results(site: TestClient) -> None:
    answer = site.get("/search", params={"q": "data", "mode": "lexical", "sort": "title"})
    titles = re.findall(r'<h3><a href="/items/[^"]+" lang="en">([^<]+)</a>', answer.text)
    assert len(titles) >= 5 and titles == sorted(titles)


def test_the_search_page_links_downloads_of_the_list(site: TestClient) -> None:
    page = Page(site.get("/search", params={"objective": "20"}).text)
    csv_link = next(link for link in page.links if "format=csv" in link)
    assert csv_link.startswith("/api/v1/items?") and "objective=20" in csv_link
    download = site.get(csv_link)
    assert download.status_code == 200 and download.text.startswith("id,type,title")


def test_the_item_page_shows_text_provenance_tags_and_related_items(site: TestClient) -> None:
    answer = site.get("/items/gcm-20a")
    page = Page(answer.text)
    assert page.headings[0].startswith("Objective 20, action (a)")
    assert "Provenance" in answer.text and "global-compact-for-migration.jsonl" in answer.text
    assert "/concepts/objective:20a" in page.links
    related = [
        link for link in page.links if link.startswith("/items/") and link != "/items/gcm-20a"
    ]
    assert len(related) >= 3
    assert "/api/v1/items/gcm-20a?format=jsonld" in page.links


def test_the_objective_page_has_its_text_actions_and_items(site: TestClient) -> None:
    answer = site.get("/objectives/20")
    page = Page(answer.text)
    assert page.headings[0].startswith("Promote faster, safer and cheaper transfer of remittances")
    assert answer.text.count('id="action-20') == 9
    assert "/search?objective=20" in page.links


def test_an_action_address_leads_to_its_place_on_the_objective_page(site: TestClient) -> None:
    answer = site.get("/objectives/20a", follow_redirects=False)
    assert answer.status_code == 308
    assert answer.headers["location"] == "/objectives/20#action-20a"


def test_the_taxonomy_browser_walks_schemes_and_concepts(site: TestClient) -> None:
    schemes = Page(site.get("/taxonomy").text)
    assert "/taxonomy/principle" in schemes.links
    countries = site.get("/taxonomy/country")
    assert "Mexico" in countries.text
    concept = site.get("/concepts/country:MEX")
    assert "México" in concept.text  # labels in other languages
    assert "/search?country=MEX" in Page(concept.text).links
    action = Page(site.get("/concepts/objective:20a").text)
    assert "/search?action=20a" in action.links


def test_the_api_guide_lists_every_operation_of_the_openapi_document(site: TestClient) -> None:
    guide = site.get("/api").text
    for path in site.get("/api/v1/openapi.json").json()["paths"]:
        assert f"<code>{path}</code>" in guide


def test_the_about_page_names_the_licence_of_every_scheme(site: TestClient) -> None:
    about = site.get("/about").text
    for scheme in site.get("/api/v1/schemes").json():
        assert scheme["licence"].replace("&", "&amp;") in about


def test_an_unknown_page_is_a_friendly_404_page(site: TestClient) -> None:
    for url in ("/items/no-such-item", "/objectives/99", "/concepts/nothing:1", "/nowhere"):
        answer = site.get(url, headers={"Accept": "text/html"})
        assert answer.status_code == 404, url
        assert answer.headers["content-type"].startswith("text/html")
        page = Page(answer.text)
        assert "/" in page.links and page.inputs  # a way home and a search box


def test_a_bad_filter_on_the_search_page_is_explained_on_a_page(site: TestClient) -> None:
    answer = site.get("/search", params={"objective": "99"})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert "objective" in answer.text and "99" in answer.text


def test_a_page_number_out_of_range_is_refused(site: TestClient) -> None:
    assert site.get("/search", params={"page": 0}).status_code == 400
    assert site.get("/search", params={"page": "x"}).status_code == 400


def test_pages_carry_security_headers_and_no_inline_script(site: TestClient) -> None:
    answer = site.get("/")
    assert answer.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert "<script>" not in answer.text and "style=" not in answer.text


def test_static_files_are_served(site: TestClient) -> None:
    assert site.get("/static/style.css").status_code == 200
    assert site.get("/static/app.js").status_code == 200
