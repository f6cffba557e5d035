"""Progress per objective, country and region; the mechanism report; the commands."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import docx
from fastapi.testclient import TestClient

from tests.accounts.conftest import Person
from tests.hub.samples import REQUEST
from tests.review.conftest import COMMITMENTS, save_plan


def test_progress_per_objective_country_and_region(
    web: TestClient, people: dict[str, Person]
) -> None:
    assert save_plan(web, people["focal_mex"]).status_code == 200
    assert save_plan(web, people["curator"], country="FRA", commitments=COMMITMENTS[1:2]).is_success
    asked = web.post("/api/v1/hub/requests", json=REQUEST, headers=people["focal_mex"].headers)
    assert asked.status_code == 201
    rows = web.get("/api/v1/review/progress/objectives").json()
    assert [r["code"] for r in rows] == [str(n) for n in range(1, 24)]
    six = rows[5]
    assert six["actions_committed"] == 2 and six["actions"] == 12  # 6a-6l in the Compact
    assert six["coverage_pct"] == round(200 / 12, 1)
    assert six["status"]["ongoing"] == 1 and six["countries"] == ["MEX"]
    assert six["requests"] == 1 and six["records"]["requests"] == [asked.json()["id"]]
    assert six["records"]["commitments"] == ["MEX/C1"]
    twenty = rows[19]
    assert twenty["commitments"] == 2 and twenty["countries"] == ["FRA", "MEX"]
    assert twenty["status"]["completed"] == 2
    assert twenty["indicators"][0]["indicator"] == "SDG 10.c.1"
    assert twenty["indicators"][0]["target"] == 3.0

    mexico = web.get("/api/v1/review/progress/countries/MEX").json()
    assert mexico["plan_version"] == 1 and mexico["objectives"][13]["status"]["stalled"] == 1
    assert mexico["objectives"][19]["commitments"] == 1

    grid = web.get("/api/v1/review/progress/matrix").json()
    cell = {(c["region"], c["objective"]): c["value"] for c in grid["cells"]}
    assert cell[("019", "6")] == 1 and cell[("150", "20")] == 1 and cell[("002", "6")] == 0
    assert grid["max"] == 1
    coverage = web.get("/api/v1/review/progress/matrix", params={"measure": "coverage"}).json()
    assert {(c["region"], c["objective"]): c["value"] for c in coverage["cells"]}[("019", "6")] == 2
    download = web.get("/api/v1/review/progress/objectives", params={"format": "csv"})
    table = list(csv.DictReader(io.StringIO(download.text)))
    assert len(table) == 23 and table[5]["commitment_records"] == "MEX/C1"
    cells = web.get("/api/v1/review/progress/matrix", params={"format": "json"}).json()
    assert len(cells["data"]) == 5 * 23
    bad = web.get("/api/v1/review/progress/matrix", params={"measure": "rainfall"})
    assert bad.status_code == 400


def test_the_report_of_a_period_traces_every_figure(
    web: TestClient, people: dict[str, Person]
) -> None:
    assert save_plan(web, people["focal_mex"]).status_code == 200
    asked = web.post("/api/v1/hub/requests", json=REQUEST, headers=people["focal_mex"].headers)
    today = date.today().isoformat()
    answer = web.get("/api/v1/review/report", params={"from": today, "to": today})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["empty"] is False
    figures = {f["key"]: f for s in found["sections"] for f in s["figures"]}
    assert figures["plan_versions"]["value"] == 1
    assert figures["plan_versions"]["records"] == ["plan:MEX/v1"]
    assert figures["requests_submitted"]["records"] == [asked.json()["id"]]
    assert figures["items_added"]["value"] >= 200  # the demo's items, loaded today
    assert Decimal(figures["allocated"]["value"]) == 0 and figures["allocated"]["unit"] == "USD"
    assert "financial table" in figures["transferred"]["source"]
    assert len(found["objectives"]) == 23


def test_a_report_for_an_empty_period_is_a_clear_empty_report(web: TestClient) -> None:
    answer = web.get("/api/v1/review/report", params={"from": "1990-01-01", "to": "1990-12-31"})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["empty"] is True
    assert found["message"].startswith("Nothing was recorded from 1990-01-01 to 1990-12-31")
    figures = [f for s in found["sections"] for f in s["figures"]]
    assert all(f["records"] == [] for f in figures if not f["key"].endswith("_to_date"))
    assert {f["key"]: f["value"] for f in figures}["median_days_to_answer"] is None
    backwards = web.get("/api/v1/review/report", params={"from": "1990-02-01", "to": "1990-01-01"})
    assert backwards.status_code == 400
    rows = web.get(
        "/api/v1/review/report", params={"from": "1990-01-01", "to": "1990-12-31", "format": "csv"}
    )
    assert rows.status_code == 200 and rows.text.startswith("section,key,label")


def test_the_commands(cli, tmp_path: Path, web: TestClient, people: dict[str, Person]) -> None:  # type: ignore[no-untyped-def]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"title": "Plan of Senegal", "commitments": COMMITMENTS[:2]}))
    saved = cli("review", "plans", "SEN", "--save", str(plan))
    assert saved.code == 0, saved.err
    assert "version 1, 2 commitment(s)" in saved.out
    plan.write_text(json.dumps({"commitments": COMMITMENTS[1:]}))
    assert cli("review", "plans", "SEN", "--save", str(plan)).code == 0
    diff = cli("review", "plans", "SEN", "--diff", "1:2")
    assert "1 added, 1 removed, 0 changed" in diff.out
    listed = json.loads(cli("review", "plans", "--json").out)
    assert listed[0]["country"] == "SEN" and listed[0]["version"] == 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"commitments": [{"title": "Unknown", "actions": ["99x"]}]}))
    refused = cli("review", "plans", "SEN", "--save", str(bad))
    assert refused.code == 2 and "'99x'" in refused.err

    opened = cli("review", "reviews", "--create", "SEN", "--period", "2024", "--draft", "--json")
    assert opened.code == 0, opened.err
    review = json.loads(opened.out)
    assert next(s for s in review["sections"] if s["code"] == "20")["good_practices"]
    out = tmp_path / "review.docx"
    exported = cli("review", "reviews", str(review["id"]), "--export", str(out))
    assert exported.code == 0 and out.exists()
    headings = [p.text for p in docx.Document(str(out)).paragraphs if p.style.name == "Heading 1"]
    assert len(headings) == 23

    assert cli("review", "partnerships", "--measures").code == 0
    assert "migrant-rights" in cli("review", "capacity", "--domains").out
    assert cli("review", "capacity").out.startswith("No capacity assessment")
    progress = json.loads(cli("review", "progress", "--country", "SEN", "--json").out)
    assert progress["objectives"][19]["commitments"] == 1
    assert "Africa" in cli("review", "progress", "--matrix", "commitments").out

    empty = cli("review", "report", "--from", "1990-01-01", "--to", "1990-12-31")
    assert empty.code == 0 and "Nothing was recorded" in empty.out
    today = date.today().isoformat()
    made = json.loads(cli("review", "report", "--from", today, "--to", today, "--json").out)
    assert made["empty"] is False
    document = tmp_path / "report.docx"
    assert (
        cli("review", "report", "--from", today, "--to", today, "--docx", str(document)).code == 0
    )
    titles = [
        p.text for p in docx.Document(str(document)).paragraphs if p.style.name == "Heading 1"
    ]
    assert titles[-1] == "Progress per objective" and "Start-up fund" in titles
