"""Sample calls of the review's write routes, for the route-table test.

`review_setting` opens a submitted review of Mexico (so every role can see it, and those who
may not write it get a 403) and a partnership about Mexico registered by the partner. A
review's hand-offs get a fresh review per call (`prepare`): a section becomes an item or a
request only once.
"""

from __future__ import annotations

import itertools
from typing import Any

from fastapi.testclient import TestClient

from gcmhub.runtime import open_context
from tests.accounts.conftest import Person
from tests.accounts.samples import Sample, api_call, form_call

MEXICO_SIDE = {"focal_mex", "curator", "admin"}
PERIODS = itertools.count(1900)


def _period(made: dict[str, Any]) -> dict[str, Any]:
    return {"period": str(next(PERIODS))}


def _fresh_review(made: dict[str, Any]) -> dict[str, Any]:
    """A submitted review of Mexico with good practices on objective 20 and support needed
    on objective 14."""
    from gcmhub.review.reviews import review_create, review_update, section_write
    from gcmhub.review.schemas import ReviewUpdate, ReviewWrite, SectionWrite

    with open_context() as ctx:
        review = review_create(ctx, ReviewWrite(country="MEX", period=str(next(PERIODS))))
        section_write(ctx, review.id, "20", SectionWrite(good_practices="A price comparison site."))
        section_write(
            ctx,
            review.id,
            "14",
            SectionWrite(support_needed="Training for consular staff on migrants' rights."),
        )
        review_update(ctx, review.id, ReviewUpdate(status="submitted"))
    return {"fresh": review.id}


ASSESSMENT = {
    "country": "MEX",
    "subject": "Labour inspection of recruiters",
    "kind": "before",
    "assessed_on": "2024-01-10",
    "scores": {"partnerships": 2},
}
PARTNERSHIP = {
    "name": "Fair recruitment corridor",
    "level": "bilateral",
    "partners": ["Ministry of Labour", "ILO"],
    "stakeholders": ["government", "trade-unions"],
    "objectives": ["6"],
    "countries": ["MEX"],
}
REVIEW_SAMPLES: dict[tuple[str, str], Sample] = {
    ("PUT", "/api/v1/review/plans/{country}"): Sample(
        MEXICO_SIDE,
        api_call(
            "PUT",
            "/api/v1/review/plans/MEX",
            {"commitments": [{"title": "{username}", "objectives": ["6"]}]},
        ),
    ),
    ("POST", "/api/v1/review/reviews"): Sample(
        MEXICO_SIDE,
        api_call("POST", "/api/v1/review/reviews", {"country": "MEX", "period": "{period}"}),
        prepare=_period,
    ),
    ("PATCH", "/api/v1/review/reviews/{review_id}"): Sample(
        MEXICO_SIDE,
        api_call("PATCH", "/api/v1/review/reviews/{vreview}", {"title": "{username}"}),
    ),
    ("PUT", "/api/v1/review/reviews/{review_id}/sections/{objective}"): Sample(
        MEXICO_SIDE,
        api_call("PUT", "/api/v1/review/reviews/{vreview}/sections/6", {"progress": "{username}"}),
    ),
    ("POST", "/api/v1/review/reviews/{review_id}/draft"): Sample(
        MEXICO_SIDE, api_call("POST", "/api/v1/review/reviews/{vreview}/draft", {})
    ),
    ("POST", "/api/v1/review/reviews/{review_id}/sections/{objective}/practice"): Sample(
        MEXICO_SIDE,
        api_call("POST", "/api/v1/review/reviews/{fresh}/sections/20/practice", {}),
        prepare=_fresh_review,
    ),
    ("POST", "/api/v1/review/reviews/{review_id}/sections/{objective}/request"): Sample(
        MEXICO_SIDE,
        api_call(
            "POST",
            "/api/v1/review/reviews/{fresh}/sections/14/request",
            {"institution": "Ministry of Foreign Affairs", "support_types": ["training"]},
        ),
        prepare=_fresh_review,
    ),
    ("POST", "/api/v1/review/partnerships"): Sample(
        {"partner", "focal_mex", "focal_fra", "curator", "admin"},
        api_call("POST", "/api/v1/review/partnerships", {**PARTNERSHIP, "countries": []}),
    ),
    ("PATCH", "/api/v1/review/partnerships/{partnership_id}"): Sample(
        {"partner", "focal_mex", "curator", "admin"},  # the partner registered it, for Mexico
        api_call(
            "PATCH", "/api/v1/review/partnerships/{partnership}", {"description": "{username}"}
        ),
    ),
    ("POST", "/api/v1/review/capacity/assessments"): Sample(
        MEXICO_SIDE, api_call("POST", "/api/v1/review/capacity/assessments", ASSESSMENT)
    ),
    ("POST", "/review/reviews/{review_id}/sections/{objective}"): Sample(
        MEXICO_SIDE,
        form_call("/review/reviews/{vreview}/sections/6", {"progress": "By {username}"}),
        page=True,
    ),
    ("POST", "/review/reviews/{review_id}/draft"): Sample(
        MEXICO_SIDE,
        form_call("/review/reviews/{vreview}/draft", {"overwrite": "true"}),
        page=True,
    ),
}


def review_setting(web: TestClient, people: dict[str, Person]) -> dict[str, Any]:
    """A submitted review of Mexico, and a partnership about Mexico the partner registered."""
    mexico = people["focal_mex"].headers
    review = web.post(
        "/api/v1/review/reviews", json={"country": "MEX", "period": "1899"}, headers=mexico
    )
    assert review.status_code == 201, review.text
    ref = review.json()["id"]
    submitted = web.patch(
        f"/api/v1/review/reviews/{ref}", json={"status": "submitted"}, headers=mexico
    )
    assert submitted.status_code == 200, submitted.text
    partnership = web.post(
        "/api/v1/review/partnerships", json=PARTNERSHIP, headers=people["partner"].headers
    )
    assert partnership.status_code == 201, partnership.text
    return {"vreview": ref, "partnership": partnership.json()["id"]}
