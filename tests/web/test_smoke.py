from fastapi.testclient import TestClient


def test_home_page_lists_the_23_objectives(site: TestClient) -> None:
    page = site.get("/")
    assert page.status_code == 200
    assert page.text.count('href="/objectives/') >= 23
