"""SDG 10.7.2 (migration policies, self-reported) from the 30 sub-category answers, and SDG 10.7.1
(recruitment cost borne by employees) results with their survey source.

10.7.2: governments answer, for each of six policy domains, five sub-category questions. A
domain's value is D = (sum of its five sub-category scores) / 5 x 100 (SDG metadata, UN DESA and
IOM), a score being 1 for yes and 0 for no (a fraction where the questionnaire allows a partial
answer). The percentage is then put in a category:
    1 requires further progress  below 40 %
    2 partially meets            40 % to below 80 %
    3 meets                      80 % to below 100 %
    4 fully meets                100 %
(`CATEGORY_FLOORS`: the bands of the 10.7.2 metadata as this project read them; check them
against the current metadata before publishing computed categories). The overall value is the
simple average of the six domain percentages, put in the same bands. These are governments'
own answers about their policies, not measured outcomes: every result says so (`nature`).

The shipped 10.7.2 files hold only categories (all domains, and six countries by domain); they
are loaded as the series SG_CPA_MIGRS. Answers load from a CSV with the columns
`iso3, year, domain, subcategory, answer[, note]` (answer: yes, no, or a number 0-1), and every
country-year must have all 30.

10.7.1 results load from a CSV with `iso3, year, survey, months[, destination, sex,
sample_size, note]`: the cost in months of first-month earnings, with the survey it comes from.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select

from gcmhub.context import Context
from gcmhub.errors import InvalidInput, NotFound
from gcmhub.indicators.areas import gazetteer
from gcmhub.indicators.models import TOTAL, PolicyAnswer, RecruitmentCost
from gcmhub.indicators.schemas import DomainResult, PolicyResult
from gcmhub.indicators.store import (
    DatasetInfo,
    Problems,
    bad_shape,
    dataset_begin,
    file_hash,
    insert_rows,
    number,
    period,
    read_csv,
    resolve_code,
)

DOMAINS = {
    1: "Migrant rights",
    2: "Whole-of-government/evidence-based policies",
    3: "Cooperation and partnerships",
    4: "Socioeconomic well-being",
    5: "Mobility dimensions of crises",
    6: "Safe, orderly and regular migration",
}
SUBCATEGORIES = 5
LABELS = {
    1: "Requires further progress",
    2: "Partially meets",
    3: "Meets",
    4: "Fully meets",
}
CATEGORY_FLOORS = ((100.0, 4), (80.0, 3), (40.0, 2), (0.0, 1))
_ANSWERS = {"yes": 1.0, "no": 0.0}


def domain_percentage(scores: list[float]) -> float:
    """Return a domain's value: the sum of its five sub-category scores / 5 x 100."""
    if len(scores) != SUBCATEGORIES:
        raise InvalidInput(f"a domain has {SUBCATEGORIES} sub-category answers, not {len(scores)}")
    if any(not 0 <= s <= 1 for s in scores):
        raise InvalidInput("a sub-category score lies between 0 (no) and 1 (yes)")
    return sum(scores) / SUBCATEGORIES * 100


def category(percentage: float) -> int:
    """Return the category 1-4 of a percentage (CATEGORY_FLOORS)."""
    for floor, value in CATEGORY_FLOORS:
        if percentage >= floor - 1e-9:
            return value
    raise InvalidInput(f"percentage {percentage} is below 0")


def policy_compute(area: str, year: int, answers: Mapping[tuple[int, int], float]) -> PolicyResult:
    """Compute each domain's % and category, and the overall one, from the 30 answers."""
    domains = []
    for domain, name in DOMAINS.items():
        scores = [answers[(domain, sub)] for sub in range(1, 6) if (domain, sub) in answers]
        percentage = domain_percentage(scores)
        value = category(percentage)
        domains.append(
            DomainResult(
                domain=domain, name=name, percentage=percentage, category=value, label=LABELS[value]
            )
        )
    overall = statistics.fmean(d.percentage for d in domains)
    value = category(overall)
    return PolicyResult(
        area=area,
        year=year,
        domains=domains,
        overall_percentage=overall,
        overall_category=value,
        overall_label=LABELS[value],
    )


def policy_result(ctx: Context, area: str, year: int | None = None) -> PolicyResult:
    """Compute SDG 10.7.2 from a country's stored answers (the latest year by default)."""
    query = select(PolicyAnswer).where(PolicyAnswer.area == area)
    rows = list(ctx.session.scalars(query))
    if year is None and rows:
        year = max(r.year for r in rows)
    answers = {(r.domain, r.subcategory): r.score for r in rows if r.year == year}
    if not answers or year is None:
        raise NotFound(f"no SDG 10.7.2 answers for {area}")
    return policy_compute(area, year, answers)


def _answer(text: str, line: int, problems: Problems) -> float | None:
    cleaned = text.strip().casefold()
    if cleaned in _ANSWERS:
        return _ANSWERS[cleaned]
    value = number(text, "answer", line, problems)
    if value is not None and not 0 <= value <= 1:
        problems.add(line, f"answer '{text}' is not yes, no or a number from 0 to 1")
        return None
    return value


def answers_parse(path: Path) -> list[dict[str, Any]]:
    """Read SDG 10.7.2 answers; every country-year needs its 30, each once."""
    gaz = gazetteer()
    problems = Problems(path.name)
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, int, int, int], int] = {}
    columns = ("iso3", "year", "domain", "subcategory", "answer", "note")
    for line, row in read_csv(path, columns, columns[:5]):
        if (shape := bad_shape(row)) is not None:
            problems.add(line, shape)
            continue
        area = resolve_code(gaz, row["iso3"], "iso3", line, problems)
        when = period(row["year"], line, problems)
        domain = number(row["domain"], "domain", line, problems)
        sub = number(row["subcategory"], "subcategory", line, problems)
        score = _answer(row["answer"], line, problems)
        if domain is not None and domain not in DOMAINS:
            problems.add(line, f"domain '{row['domain']}' is not 1-6")
            continue
        if sub is not None and sub not in range(1, 6):
            problems.add(line, f"subcategory '{row['subcategory']}' is not 1-5")
            continue
        if not area or not when or domain is None or sub is None or score is None:
            continue
        key = (area, when[1], int(domain), int(sub))
        if key in seen:
            problems.add(line, f"the same answer as line {seen[key]}")
            continue
        seen[key] = line
        rows.append(
            {
                "area": area,
                "year": when[1],
                "domain": int(domain),
                "subcategory": int(sub),
                "score": score,
                "note": row.get("note", "").strip() or None,
            }
        )
    counts: dict[tuple[str, int], int] = defaultdict(int)
    first: dict[tuple[str, int], int] = {}
    for key, line in seen.items():
        counts[key[:2]] += 1
        first[key[:2]] = min(line, first.get(key[:2], line))
    for (area, year), count in sorted(counts.items()):
        if count != len(DOMAINS) * SUBCATEGORIES:
            problems.add(first[(area, year)], f"{area} {year} has {count} of the 30 answers")
    problems.check()
    return rows


def answers_load(ctx: Context, path: Path, info: DatasetInfo, replace: bool = False) -> int:
    """Load SDG 10.7.2 answers as one dataset; return how many."""
    rows = answers_parse(path)
    dataset_id = dataset_begin(ctx, info, path.name, file_hash(path), len(rows), replace)
    existing = {
        (a, y)
        for a, y in ctx.session.execute(select(PolicyAnswer.area, PolicyAnswer.year).distinct())
    }
    clash = sorted({(r["area"], r["year"]) for r in rows} & existing)
    if clash:
        area, year = clash[0]
        raise InvalidInput(f"{path.name}: answers of {area} {year} are stored already")
    insert_rows(ctx, PolicyAnswer, [{**r, "dataset_id": dataset_id} for r in rows])
    return len(rows)


def recruitment_parse(path: Path) -> list[dict[str, Any]]:
    """Read SDG 10.7.1 results (months of first-month earnings, with their survey)."""
    gaz = gazetteer()
    problems = Problems(path.name)
    rows: list[dict[str, Any]] = []
    columns = ("iso3", "year", "survey", "months", "destination", "sex", "sample_size", "note")
    for line, row in read_csv(path, columns, columns[:4]):
        if (shape := bad_shape(row)) is not None:
            problems.add(line, shape)
            continue
        area = resolve_code(gaz, row["iso3"], "iso3", line, problems)
        when = period(row["year"], line, problems)
        months = number(row["months"], "months", line, problems)
        if months is not None and months < 0:
            problems.add(line, f"months '{row['months']}' is below 0")
            months = None
        destination: str | None = TOTAL
        if row.get("destination", "").strip():
            destination = resolve_code(gaz, row["destination"], "destination", line, problems)
        sex = row.get("sex", "").strip().upper() or TOTAL
        if sex not in (TOTAL, "M", "F"):
            problems.add(line, f"sex '{row['sex']}' is not _T, M or F")
        size = number(row.get("sample_size", ""), "sample_size", line, problems, optional=True)
        survey = row["survey"].strip()
        if not survey:
            problems.add(line, "survey is empty: say which survey the result comes from")
        if not (area and when and months is not None and destination and survey):
            continue
        rows.append(
            {
                "area": area,
                "counterpart": destination,
                "year": when[1],
                "sex": sex,
                "survey": survey,
                "months": months,
                "sample_size": int(size) if size is not None else None,
                "note": row.get("note", "").strip() or None,
            }
        )
    problems.check()
    return rows


def recruitment_load(ctx: Context, path: Path, info: DatasetInfo, replace: bool = False) -> int:
    """Load SDG 10.7.1 results as one dataset; return how many."""
    rows = recruitment_parse(path)
    dataset_id = dataset_begin(ctx, info, path.name, file_hash(path), len(rows), replace)
    insert_rows(ctx, RecruitmentCost, [{**r, "dataset_id": dataset_id} for r in rows])
    return len(rows)
