"""The open API: lists, cursors, filters, downloads, caching, CORS and problem JSON."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient

from gcmhub.context import PUBLIC
from gcmhub.knowledge.listing import item_stream

PROBLEM = "application/problem+json"


def _walk(site: TestClient, url: str) -> list[dict[str, object]]:
    """Follow `next` cursors from a list URL and return every row."""
    rows: list[dict[str, object]] = []
    page = site.get(url).json()
    rows += page["data"]
    while page["next"]:
        page = site.get(f"{url}&cursor={page['next']}").json()
        rows += page["data"]
    return rows


def test_item_pages_follow_each_other_by_cursor_without_gaps_or_repeats(site: TestClient) -> None:
    first = site.get("/api/v1/items", params={"limit": 50}).json()
    assert first["count"] == 210
    assert len(first["data"]) == 50 and first["next"]
    rows = _walk(site, "/api/v1/items?limit=50")
    ids = [r["id"] for r in rows]
    assert len(ids) == 210 == len(set(ids))


def test_items_sorted_by_title_come_in_title_order_across_pages(site: TestClient) -> None:
    rows = _walk(site, "/api/v1/items?limit=40&sort=title")
    titles = [str(r["title"]) for r in rows]
    assert len(titles) == 210
    assert titles == sorted(titles)


def test_a_filter_keeps_only_items_tagged_with_the_objective_or_its_actions(
    site: TestClient,
) -> None:
    page = site.get("/api/v1/items", params={"objective": "20", "limit": 100}).json()
    assert 10 <= page["count"] < 210
    for row in page["data"]:
        assert any(c == "objective:20" or c.startswith("objective:20") for c in row["concepts"])
    assert page["count"] == len(page["data"])


def test_a_repeated_filter_accepts_either_value(site: TestClient) -> None:
    one = site.get("/api/v1/items", params={"objective": "19"}).json()["count"]
    other = site.get("/api/v1/items", params={"objective": "20"}).json()["count"]
    both = site.get("/api/v1/items", params=[("objective", "19"), ("objective", "20")]).json()
    assert one + other >= both["count"] > max(one, other)


def test_a_filter_value_can_be_a_label(site: TestClient) -> None:
    by_code = site.get("/api/v1/items", params={"type": "policy_option"}).json()["count"]
    by_label = site.get("/api/v1/items", params={"type": "Policy option"}).json()["count"]
    assert by_code == by_label == 187


def test_an_unknown_parameter_is_refused_naming_it(site: TestClient) -> None:
    answer = site.get("/api/v1/items", params={"objectif": "20"})
    assert answer.status_code == 400
    assert answer.headers["content-type"] == PROBLEM
    body = answer.json()
    assert body["parameter"] == "objectif"
    assert body["status"] == 400 and "objectif" in body["detail"]
    assert "objective" in body["detail"]  # the known filters are listed


def test_an_unknown_filter_value_is_refused_naming_the_filter(site: TestClient) -> None:
    answer = site.get("/api/v1/items", params={"objective": "99"})
    assert answer.status_code == 400
    assert answer.json()["parameter"] == "objective"


def test_a_malformed_cursor_is_refused(site: TestClient) -> None:
    for cursor in ("zzz", "eyJ4IjoxfQ", "%%%", "e30"):
        answer = site.get("/api/v1/items", params={"cursor": cursor})
        assert answer.status_code == 400, cursor
        assert answer.json()["parameter"] == "cursor"


def test_a_cursor_from_another_sort_is_refused(site: TestClient) -> None:
    following = site.get("/api/v1/items", params={"sort": "title", "limit": 5}).json()["next"]
    answer = site.get("/api/v1/items", params={"sort": "-date", "cursor": following})
    assert answer.status_code == 400
    assert "title" in answer.json()["detail"]


def test_bad_limit_sort_and_format_are_refused_naming_the_parameter(site: TestClient) -> None:
    for params, name in (
        ({"limit": "0"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"sort": "colour"}, "sort"),
        ({"format": "xml"}, "format"),
    ):
        answer = site.get("/api/v1/items", params=params)
        assert answer.status_code == 400, params
        assert answer.headers["content-type"] == PROBLEM
        assert answer.json()["parameter"] == name


def test_an_unknown_item_is_a_404_problem(site: TestClient) -> None:
    answer = site.get("/api/v1/items/no-such-item")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "no item 'no-such-item'",
        "instance": "/api/v1/items/no-such-item",
    }


def test_an_oversized_query_string_is_refused_with_414(site: TestClient) -> None:
    answer = site.get("/api/v1/search", params={"q": "migration " * 1000})
    assert answer.status_code == 414
    assert answer.headers["content-type"] == PROBLEM
    page = site.get("/search", params={"q": "x" * 5000})
    assert page.status_code == 414


def test_a_long_but_allowed_query_is_refused_at_its_length_limit(site: TestClient) -> None:
    answer = site.get("/api/v1/search", params={"q": "a" * 1001})
    assert answer.status_code == 400
    assert answer.json()["parameter"] == "q"


def test_reads_carry_an_etag_and_a_304_for_an_unchanged_answer(site: TestClient) -> None:
    first = site.get("/api/v1/items/gcm-20a")
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = site.get("/api/v1/items/gcm-20a", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    other = site.get("/api/v1/items/gcm-20b", headers={"If-None-Match": tag})
    assert other.status_code == 200


def test_reads_allow_any_origin_but_writes_do_not(site: TestClient) -> None:
    answer = site.get("/api/v1/schemes", headers={"Origin": "https://example.org"})
    assert answer.headers["access-control-allow-origin"] == "*"
    preflight = site.options(
        "/api/v1/tagging/suggest",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 400


def test_the_whole_list_downloads_as_csv_with_one_row_per_item(site: TestClient) -> None:
    answer = site.get("/api/v1/items", params={"objective": "20", "format": "csv"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    count = site.get("/api/v1/items", params={"objective": "20"}).json()["count"]
    assert len(rows) == count
    assert rows[0]["page"].endswith(f"/items/{rows[0]['id']}")
    assert all("objective:20" in row["concepts"] for row in rows)


def test_the_whole_list_downloads_as_json_and_as_schema_org_json_ld(site: TestClient) -> None:
    data = site.get("/api/v1/items", params={"format": "json"}).json()
    assert len(data["data"]) == 210
    linked = site.get("/api/v1/items", params={"format": "jsonld", "type": "resource"})
    assert linked.headers["content-type"].startswith("application/ld+json")
    document = linked.json()
    assert document["@context"]["@vocab"] == "https://schema.org/"
    assert len(document["@graph"]) == 23
    node = document["@graph"][0]
    assert node["@type"] == "Report" and node["@id"].startswith("http")
    assert node["license"] and node["about"]


def test_a_stream_yields_every_item_once_across_batches(demo_data: object) -> None:
    stream = item_stream(PUBLIC, {"objective": ["20"]}, "id", batch=3)
    assert not isinstance(stream, list)  # a generator: one batch in memory at a time
    ids = [item.id for item in stream]
    assert len(ids) == len(set(ids)) >= 10
    assert ids == sorted(ids)


def test_a_bad_download_parameter_is_refused_before_anything_is_sent(site: TestClient) -> None:
    answer = site.get("/api/v1/items", params={"format": "csv", "country": "Atlantis"})
    assert answer.status_code == 400
    assert answer.json()["parameter"] == "country"


def test_one_item_as_json_and_as_json_ld(site: TestClient) -> None:
    item = site.get("/api/v1/items/gcm-20").json()
    assert item["title"].startswith("Objective 20")
    assert item["source"]["content_hash"]
    assert any(t["concept"] == "objective:20" for t in item["tags"])
    node = site.get("/api/v1/items/gcm-20", params={"format": "jsonld"}).json()
    assert node["@type"] == "Report" and node["name"] == item["title"]
    assert any(a["@id"].endswith("/concepts/objective:20") for a in node["about"])


def test_related_items_are_close_in_meaning_and_exclude_the_item(site: TestClient) -> None:
    related = site.get("/api/v1/items/gcm-20a/related", params={"limit": 5}).json()
    assert len(related) == 5
    assert "gcm-20a" not in [r["id"] for r in related]
    scores = [r["similarity"] for r in related]
    assert scores == sorted(scores, reverse=True)
    assert any(r["id"].startswith("gcm-20") for r in related)


def test_search_answers_with_hits_facets_and_reasons(site: TestClient) -> None:
    found = site.get("/api/v1/search", params={"q": "remittance costs", "limit": 5}).json()
    assert found["total"] > 0 and len(found["hits"]) == 5
    assert "objective" in found["facets"]
    top = found["hits"][0]
    assert "remittance" in top["title"].lower() or "remittance" in top["snippet"].lower()
    assert top["why"]["terms"] or top["why"]["similarity"]


def test_search_sorted_by_title_orders_every_match_by_title(site: TestClient) -> None:
    params = {"q": "migrants", "mode": "lexical", "sort": "title", "limit": 30}
    titles = [h["title"] for h in site.get("/api/v1/search", params=params).json()["hits"]]
    assert len(titles) == 30 and titles == sorted(titles)


def test_search_results_download_as_csv(site: TestClient) -> None:
    params = {"q": "trafficking", "mode": "lexical", "limit": 1000, "format": "csv"}
    answer = site.get("/api/v1/search", params=params)
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    total = site.get("/api/v1/search", params={"q": "trafficking", "mode": "lexical"}).json()
    assert len(rows) == total["total"] > 0
    assert {"id", "title", "score", "matched_terms"} <= set(rows[0])


def test_schemes_and_concepts_are_listed_and_paged(site: TestClient) -> None:
    schemes = {s["id"] for s in site.get("/api/v1/schemes").json()}
    assert {"objective", "principle", "cluster", "country", "region"} <= schemes
    countries = _walk(site, "/api/v1/schemes/country/concepts?limit=100")
    assert len(countries) == len({c["id"] for c in countries}) == 249
    objective = site.get("/api/v1/concepts/objective:20").json()
    assert len(objective["narrower"]) == 9
    assert site.get("/api/v1/concepts/objective:99").status_code == 404
    assert site.get("/api/v1/schemes/nothing/concepts").status_code == 404


def test_concepts_download_as_skos_json_ld(site: TestClient) -> None:
    document = site.get("/api/v1/schemes/objective/concepts", params={"format": "jsonld"}).json()
    assert document["@context"]["skos"].startswith("http://www.w3.org/2004/02/skos/core")
    nodes = document["@graph"]
    assert len(nodes) == 23 + 187
    action = next(n for n in nodes if n["skos:notation"] == "20a")
    assert action["skos:broader"][0]["@id"].endswith("/concepts/objective:20")


def test_tagging_suggests_the_remittance_objective(site: TestClient) -> None:
    body = {"texts": ["Cut the fees migrants pay to send money home"], "scheme": "objective"}
    answer = site.post("/api/v1/tagging/suggest", json=body)
    assert answer.status_code == 200
    best = answer.json()["suggestions"][0][0]
    assert best["concept"] == "objective:20"


def test_tagging_refuses_an_empty_list_and_an_unknown_scheme(site: TestClient) -> None:
    assert site.post("/api/v1/tagging/suggest", json={"texts": []}).status_code == 422
    unknown = site.post("/api/v1/tagging/suggest", json={"texts": ["x"], "scheme": "nope"})
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == PROBLEM
    assert "nope" in unknown.json()["detail"]


def test_the_openapi_document_describes_every_api_route(site: TestClient) -> None:
    document = site.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/v1/items",
        "/api/v1/items/{ref}",
        "/api/v1/search",
        "/api/v1/schemes",
        "/api/v1/schemes/{scheme}/concepts",
        "/api/v1/concepts/{concept}",
        "/api/v1/tagging/suggest",
    ):
        assert path in paths
    for path, operations in paths.items():
        assert path.startswith("/api/v1/")
        for operation in operations.values():
            assert operation["summary"]


def test_the_dcat_catalogue_lists_every_dataset_with_working_downloads(site: TestClient) -> None:
    answer = site.get("/catalog.jsonld")
    assert answer.headers["content-type"].startswith("application/ld+json")
    catalogue = answer.json()
    assert catalogue["@type"] == "dcat:Catalog"
    datasets = catalogue["dcat:dataset"]
    schemes = site.get("/api/v1/schemes").json()
    assert len(datasets) == 2 + len(schemes)
    for dataset in datasets:
        assert dataset.get("dct:license") or dataset.get("dct:rights")
        assert {d["dcat:mediaType"] for d in dataset["dcat:distribution"]} == {
            "text/csv",
            "application/json",
            "application/ld+json",
        }
    for distribution in datasets[0]["dcat:distribution"]:
        url = distribution["dcat:downloadURL"]["@id"]
        path = url.split("://", 1)[1].split("/", 1)[1]
        assert site.get("/" + path).status_code == 200


def test_api_answers_carry_security_headers(site: TestClient) -> None:
    answer = site.get("/api/v1/schemes")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'self'" in answer.headers["content-security-policy"]


def test_the_api_works_on_an_empty_database(empty_site: TestClient) -> None:
    page = empty_site.get("/api/v1/items").json()
    assert page == {"data": [], "count": 0, "next": None}
    found = empty_site.get("/api/v1/search", params={"q": "remittances"}).json()
    assert found["total"] == 0 and found["hits"] == []
    text = empty_site.get("/api/v1/items", params={"format": "csv"}).text
    assert text.splitlines() == [text.splitlines()[0]] and text.startswith("id,type,title")
    assert json.loads(empty_site.get("/api/v1/items?format=json").text)["data"] == []


def test_a_text_with_a_nul_character_is_tagged_not_a_server_error(site: TestClient) -> None:
    body = {"texts": ["Remittance\x00 fees for migrants"], "scheme": "objective"}
    answer = site.post("/api/v1/tagging/suggest", json=body)
    assert answer.status_code == 200
    assert answer.json()["suggestions"][0]


def test_a_nul_character_in_an_address_or_a_scheme_is_refused(site: TestClient) -> None:
    assert site.get("/api/v1/concepts/objective%3A1%00").status_code == 400
    assert site.get("/api/v1/items", params={"sort": "id\x00"}).status_code == 400
    answer = site.post("/api/v1/tagging/suggest", json={"texts": ["x"], "scheme": "\x00"})
    assert answer.status_code in (404, 422)
