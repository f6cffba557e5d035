"""SDG 10.7.2 from the 30 sub-category answers (computed by hand), the shipped 10.7.2 categories,
and SDG 10.7.1 results with their survey source and the small-sample control."""

from __future__ import annotations

from pathlib import Path

import pytest

from gcmhub.errors import InvalidInput
from gcmhub.indicators import policy
from gcmhub.indicators.loading import FileOptions, file_load
from gcmhub.indicators.profiles import country_profile
from gcmhub.indicators.series import recruitment_public
from gcmhub.runtime import open_context
from tests.indicators.helpers import counts, load

# Answers of a made-up country-year (ARM 2019), yes = 1, no = 0, "0.5" a partial answer:
#   D1: yes yes yes yes yes   -> 5/5 x 100 = 100 % -> 4 fully meets
#   D2: yes yes yes yes no    -> 4/5 x 100 =  80 % -> 3 meets
#   D3: yes yes no no no      -> 2/5 x 100 =  40 % -> 2 partially meets
#   D4: yes no no no no       -> 1/5 x 100 =  20 % -> 1 requires further progress
#   D5: yes yes yes 0.5 no    -> 3.5/5 x 100 = 70 % -> 2 partially meets
#   D6: no no no no no        -> 0 % -> 1 requires further progress
#   overall: (100 + 80 + 40 + 20 + 70 + 0) / 6 = 310 / 6 = 51.67 % -> 2 partially meets
ANSWERS = {
    1: ["yes"] * 5,
    2: ["yes"] * 4 + ["no"],
    3: ["yes"] * 2 + ["no"] * 3,
    4: ["yes"] + ["no"] * 4,
    5: ["yes", "yes", "yes", "0.5", "no"],
    6: ["no"] * 5,
}


def answers_file(tmp_path: Path, skip_last: bool = False) -> Path:
    lines = ["iso3,year,domain,subcategory,answer,note"]
    for domain, answers in ANSWERS.items():
        for sub, answer in enumerate(answers, start=1):
            lines.append(f"ARM,2019,{domain},{sub},{answer},")
    if skip_last:
        lines.pop()
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _options(fmt: str, name: str) -> FileOptions:
    return FileOptions(format=fmt, name=name, source="made-up test answers", licence="CC0")


def test_domain_percentages_and_categories_by_hand(tmp_path: Path) -> None:
    with open_context() as ctx:
        assert file_load(ctx, answers_file(tmp_path), _options("sdg-10-7-2", "answers")).rows == 30
    with open_context() as ctx:
        result = policy.policy_result(ctx, "ARM")
    assert result.year == 2019 and result.nature == "self-reported policy"
    got = [(d.domain, d.percentage, d.category) for d in result.domains]
    assert got == [
        (1, pytest.approx(100.0), 4),
        (2, pytest.approx(80.0), 3),
        (3, pytest.approx(40.0), 2),
        (4, pytest.approx(20.0), 1),
        (5, pytest.approx(70.0), 2),
        (6, pytest.approx(0.0), 1),
    ]
    assert result.domains[0].label == "Fully meets"
    assert result.overall_percentage == pytest.approx(310 / 6)
    assert (result.overall_category, result.overall_label) == (2, "Partially meets")


def test_category_bands() -> None:
    assert [policy.category(p) for p in (0, 39.9, 40, 79.9, 80, 99.9, 100)] == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
    ]
    with pytest.raises(InvalidInput):
        policy.domain_percentage([1, 1, 1, 1])


def test_a_country_year_without_its_30_answers_is_refused(tmp_path: Path) -> None:
    before = counts()
    with pytest.raises(InvalidInput, match=r"answers.csv line 2: ARM 2019 has 29 of the 30"):
        with open_context() as ctx:
            file_load(ctx, answers_file(tmp_path, skip_last=True), _options("sdg-10-7-2", "a"))
    assert counts() == before


def test_shipped_categories_are_loaded_as_published() -> None:
    load("sdg-10-7-2-global", "sdg-10-7-2-national")
    with open_context() as ctx:
        canada = country_profile(ctx, "CAN").sdg_10_7_2
    national = [s for s in canada if s.dataset == "sdg-10-7-2-national"]
    # sdg_10_7_2_by_domain_national_platforms.csv: Canada 2019 ALL and D1-D6
    assert {s.period for s in national} == {"2019", "2021"}
    first = next(s for s in national if s.period == "2019")
    assert set(first.domains) == {"D1", "D2", "D3", "D4", "D5", "D6"}
    assert first.nature == "self-reported policy"
    assert first.category in (1, 2, 3, 4) and first.label == policy.LABELS[first.category]


def test_recruitment_costs_with_survey_and_small_samples_withheld(tmp_path: Path) -> None:
    path = tmp_path / "sdg1071.csv"
    path.write_text(
        "iso3,year,survey,months,destination,sex,sample_size,note\n"
        "NPL,2018,Made-up labour migration survey 2018,1.5,QAT,_T,420,\n"
        "NPL,2018,Made-up labour migration survey 2018,2.25,QAT,F,3,\n",
        encoding="utf-8",
    )
    with open_context() as ctx:
        assert file_load(ctx, path, _options("sdg-10-7-1", "rc")).rows == 2
    with open_context() as ctx:
        rows = recruitment_public(ctx, "NPL")
    assert rows[0]["months"] == 1.5 and rows[0]["survey"].startswith("Made-up")
    assert rows[0]["unit"] == "months of first-month earnings"
    # 3 respondents < the default threshold of 5: withheld and flagged
    assert rows[1]["months"] is None and rows[1]["flag"] == "C"
