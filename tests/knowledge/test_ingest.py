"""Ingestion: files become items with provenance; re-ingesting updates and never duplicates."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from gcmhub.knowledge.models import Item, ItemConcept, Source
from gcmhub.runtime import open_context


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


RECORDS: list[dict[str, object]] = [
    {
        "id": "p-1",
        "title": "Lowering remittance costs through digital transfers",
        "text": "A mobile money programme cut the cost of sending remittances to rural areas.",
        "type": "practice",
        "countries": ["Mexico", "USA"],
        "objectives": ["20"],
        "date": "2021-03",
        "language": "en",
    },
    {
        "id": "p-2",
        "title": "Fair recruitment of migrant workers",
        "text": "Recruitment fees are banned and employers pay them; migrant workers keep contracts.",
        "type": "Policy option",
        "countries": "PHL",
        "objectives": "6a",
    },
    {
        "id": "p-3",
        "title": "Reintegration of returning migrants",
        "text": "Returnees get counselling, training and start-up grants in their communities.",
    },
]


def count(model: type) -> int:
    with open_context() as ctx:
        return int(ctx.session.scalar(select(func.count()).select_from(model)) or 0)


def test_json_lines_records_become_items_with_tags(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = write_jsonl(tmp_path / "practices.jsonl", RECORDS)
    result = cli("ingest", str(path), "--json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert [r["added"] for r in report["added"]] == [3]
    with open_context() as ctx:
        item = ctx.session.scalar(select(Item).where(Item.ref == "p-2"))
        assert item is not None and item.type == "policy_option"
        tags = set(
            ctx.session.scalars(
                select(ItemConcept.concept_id).where(
                    ItemConcept.item_id == item.id, ItemConcept.origin == "source"
                )
            )
        )
    assert tags == {"country:PHL", "objective:6a"}


def test_reingesting_the_same_file_skips_it(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = write_jsonl(tmp_path / "practices.jsonl", RECORDS)
    cli("ingest", str(path))
    again = json.loads(cli("ingest", str(path), "--json").out)
    assert again["added"] == [] and len(again["skipped"]) == 1
    assert "same content" in again["skipped"][0]["reason"]
    assert count(Item) == 3


def test_a_changed_file_updates_changed_records_and_removes_dropped_ones(
    tmp_path: Path, cli
) -> None:  # type: ignore[no-untyped-def]
    path = write_jsonl(tmp_path / "practices.jsonl", RECORDS)
    cli("ingest", str(path))
    changed = [dict(RECORDS[0], text="Fees fell below three per cent."), RECORDS[1]]
    write_jsonl(path, changed)
    report = json.loads(cli("ingest", str(path), "--json").out)["updated"][0]
    assert (report["updated"], report["unchanged"], report["removed"]) == (1, 1, 1)
    assert count(Item) == 2
    hits = json.loads(cli("search", "three per cent", "--mode", "lexical", "--json").out)["hits"]
    assert [h["id"] for h in hits] == ["p-1"]


def test_a_moved_file_is_recognised_by_its_content(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    first = write_jsonl(tmp_path / "a.jsonl", RECORDS)
    cli("ingest", str(first))
    moved = tmp_path / "archive" / "a.jsonl"
    moved.parent.mkdir()
    first.rename(moved)
    assert json.loads(cli("ingest", str(moved), "--json").out)["skipped"]
    assert count(Item) == 3 and count(Source) == 1


def test_a_record_without_text_is_reported_by_line_and_the_rest_stored(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = write_jsonl(
        tmp_path / "p.jsonl", [RECORDS[0], {"id": "empty", "text": "  "}, RECORDS[2]]
    )
    report = json.loads(cli("ingest", str(path), "--json").out)["added"][0]
    assert report["added"] == 2
    assert any(p.startswith("line 2:") for p in report["problems"]), report["problems"]


def test_an_unknown_country_in_a_record_drops_the_tag_not_the_record(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    record = dict(RECORDS[2], countries=["Atlantis"])
    path = write_jsonl(tmp_path / "p.jsonl", [record])
    report = json.loads(cli("ingest", str(path), "--json").out)["added"][0]
    assert report["added"] == 1
    assert "Atlantis" in report["problems"][0]


def test_an_unknown_file_type_is_refused_before_anything_is_read(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    good = write_jsonl(tmp_path / "p.jsonl", RECORDS)
    bad = tmp_path / "budget.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0")
    result = cli("ingest", str(good), str(bad))
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert (
        len(lines) == 1 and "budget.xls" in lines[0] and ".pdf" in lines[0] and ".jsonl" in lines[0]
    )
    assert count(Item) == 0


def test_a_corrupt_pdf_is_reported_and_the_rest_of_the_batch_stored(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    empty = tmp_path / "empty.md"
    empty.write_text("")
    good = tmp_path / "note.md"
    good.write_text(
        "# Labour mobility\n\nBilateral agreements open regular pathways for workers.\n"
    )
    report = json.loads(cli("ingest", str(broken), str(empty), str(good), "--json").out)
    failed = {Path(r["path"]).name: r["reason"] for r in report["failed"]}
    assert set(failed) == {"broken.pdf", "empty.md"}
    assert "broken.pdf" in failed["broken.pdf"] and "empty" in failed["empty.md"]
    assert report["added"][0]["added"] == 1


def test_a_failed_reread_keeps_what_was_stored(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "note.md"
    path.write_text("# Labour mobility\n\nBilateral agreements open regular pathways.\n")
    cli("ingest", str(path))
    path.write_bytes("# Mobilité\n\ncafé".encode("cp1252"))
    report = json.loads(cli("ingest", str(path), "--json").out)
    assert report["failed"] and "UTF-8" in report["failed"][0]["reason"]
    assert count(Item) == 1


def test_markdown_sections_keep_heading_path_and_paragraph_range(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "guide.md"
    path.write_text(
        "# Guide\n\nIntro paragraph about the guide and its purpose.\n\n"
        "## Consular protection\n\nConsulates assist nationals abroad.\n\n"
        "They issue documents quickly.\n",
        encoding="utf-8",
    )
    assert cli("ingest", str(path), "--type", "resource", "--country", "SEN").code == 0
    result = json.loads(cli("search", "consulates", "--json").out)
    hit = result["hits"][0]
    assert hit["source"]["heading_path"] == ["Guide", "Consular protection"]
    assert (hit["source"]["para_start"], hit["source"]["para_end"]) == (2, 3)
    assert hit["source"]["file"] == "guide.md"
    assert len(hit["source"]["content_hash"]) == 64
    assert result["facets"]["country"][0]["value"] == "SEN"


def test_an_unknown_country_option_is_refused_with_one_line(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    path = write_jsonl(tmp_path / "p.jsonl", RECORDS)
    result = cli("ingest", str(path), "--country", "Narnia")
    assert result.code == 2 and "Narnia" in result.err
    assert count(Item) == 0
