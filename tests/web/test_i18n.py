"""The interface in French and Spanish: complete catalogs, and the language each request gets."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from fastapi.testclient import TestClient

from gcmhub import runtime
from gcmhub.web.i18n import CATALOGS, translations

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "gcmhub" / "web" / "babel.cfg"
SCRIPT = ROOT / "scripts" / "translations"
TEMPLATE = CATALOGS / "messages.pot"
LANGUAGES = ("fr", "es")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
RERUN = "run `scripts/translations extract && scripts/translations update`, then translate"

MessageId = str | tuple[str, ...]


def keywords() -> dict[str, object]:
    """Return the gettext keywords that scripts/translations extracts with."""
    found = re.findall(r"--keyword=(\S+)", SCRIPT.read_text(encoding="utf-8"))
    return parse_keywords(found)


def in_gcmhub(path: str) -> bool:
    """Walk only the gcmhub package (the mapping's patterns all start there), as pybabel does."""
    relative = Path(path).relative_to(ROOT).parts
    return relative[0] == "gcmhub" and not relative[-1].startswith(".")


@cache
def extracted() -> dict[MessageId, list[str]]:
    """Return every message in the sources, with where it is, as Babel extracts them."""
    with MAPPING.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(MAPPING))
    found: dict[MessageId, list[str]] = {}
    for filename, lineno, message, _, _ in extract_from_dir(
        ROOT, method_map, options_map, keywords(), directory_filter=in_gcmhub
    ):
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@cache
def catalog(lang: str) -> Catalog:
    return read(CATALOGS / lang / "LC_MESSAGES" / "messages.po", lang)


def forms(string: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if isinstance(string, tuple):
        return tuple(s or "" for s in string)
    return (string or "",)


def said(page: str) -> str:
    """Return the text of a page with entities decoded, for comparing with catalog strings."""
    return html.unescape(page)


def html_tag(page: str) -> str:
    found = re.search(r"<html[^>]*>", page)
    assert found, "the page has no <html> element"
    return found.group(0)


@pytest.mark.database_independent
def test_the_mapping_and_the_script_extract_templates_and_python_with_every_keyword() -> None:
    assert set(keywords()) >= {"_", "gettext", "ngettext", "N_"}
    assert keywords()["ngettext"] == (1, 2)
    found = extracted()
    places = {place.split(":")[0] for where in found.values() for place in where}
    assert any(p.endswith(".py") for p in places), "no message from Python (N_) was extracted"
    assert any(p.endswith(".html") for p in places), "no message from a template was extracted"
    assert ("%(num)s item", "%(num)s items") in found, "ngettext plurals were not extracted"


@pytest.mark.database_independent
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_of_the_sources_has_a_finished_translation(lang: str) -> None:
    translated = catalog(lang)
    assert translated.num_plurals == 2
    problems = []
    for message_id, where in sorted(extracted().items(), key=lambda pair: str(pair[0])):
        entry = translated.get(message_id)
        if entry is None or entry.id != message_id:
            problems.append(f"missing: {message_id!r} ({where[0]})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {message_id!r} ({where[0]})")
        elif isinstance(message_id, tuple) and len(forms(entry.string)) != translated.num_plurals:
            problems.append(f"wrong number of plural forms: {message_id!r} ({where[0]})")
        elif not all(s.strip() for s in forms(entry.string)):
            problems.append(f"untranslated: {message_id!r} ({where[0]})")
    assert not problems, f"{lang} catalog ({RERUN}):\n" + "\n".join(problems)


@pytest.mark.database_independent
@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders_of_their_message(lang: str) -> None:
    problems = []
    for entry in catalog(lang):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        for index, string in enumerate(forms(entry.string)):
            source = ids[min(index, len(ids) - 1)]
            wanted = sorted(PLACEHOLDER.findall(source))
            if sorted(PLACEHOLDER.findall(string)) != wanted:
                problems.append(f"{source!r} -> {string!r}: placeholders differ")
            elif wanted:  # the template formats it with %: a stray % would break the page
                try:
                    string % dict.fromkeys(wanted, "x")
                except (KeyError, ValueError, TypeError) as error:
                    problems.append(f"{source!r} -> {string!r}: {error}")
    assert not problems, f"{lang} catalog:\n" + "\n".join(problems)


@pytest.mark.database_independent
def test_the_pot_file_holds_exactly_the_messages_of_the_sources() -> None:
    in_template = {m.id for m in read(TEMPLATE) if m.id}
    in_sources = set(extracted())
    new = sorted(map(str, in_sources - in_template))
    gone = sorted(map(str, in_template - in_sources))
    assert not new and not gone, (
        f"gcmhub/web/translations/messages.pot is out of date; {RERUN}.\n"
        f"New in the sources: {new}\nNo longer in the sources: {gone}"
    )


@pytest.mark.database_independent
@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_catalog_holds_the_messages_of_the_pot_file_and_no_others(lang: str) -> None:
    in_template = {m.id for m in read(TEMPLATE) if m.id}
    in_catalog = {m.id for m in catalog(lang) if m.id}
    missing = sorted(map(str, in_template - in_catalog))
    extra = sorted(map(str, in_catalog - in_template))
    assert not missing and not extra, (
        f"the {lang} catalog is out of date; {RERUN}.\n"
        f"Missing from it: {missing}\nNo longer in the pot file: {extra}"
    )


@pytest.mark.database_independent
def test_french_and_spanish_choose_plural_forms_by_their_own_rules() -> None:
    singular, plural = "%(num)s item", "%(num)s items"
    french, spanish = translations("fr"), translations("es")
    assert french.ngettext(singular, plural, 0) == french.ngettext(singular, plural, 1)
    assert french.ngettext(singular, plural, 2) != french.ngettext(singular, plural, 1)
    assert spanish.ngettext(singular, plural, 0) == spanish.ngettext(singular, plural, 2)
    assert spanish.ngettext(singular, plural, 1) != spanish.ngettext(singular, plural, 2)


def test_lang_in_the_query_renders_french_and_is_remembered_in_a_cookie(site: TestClient) -> None:
    page = site.get("/search?lang=fr")
    assert page.status_code == 200
    assert 'lang="fr"' in html_tag(page.text)
    assert page.headers["content-language"] == "fr"
    for word in ("Rechercher", "Objectifs", "Taxonomie", "À propos"):
        assert f">{word}<" in said(page.text)
    assert ">Objectives<" not in page.text
    assert page.cookies.get("lang") == "fr"


def test_a_request_with_only_the_language_cookie_stays_french(site: TestClient) -> None:
    site.cookies.set("lang", "fr")
    page = site.get("/search")
    assert 'lang="fr"' in html_tag(page.text)
    assert ">Objectifs<" in page.text
    assert "lang" not in page.cookies, "the cookie is only set when ?lang= is chosen"


def test_accept_language_gives_spanish(site: TestClient) -> None:
    page = site.get("/search", headers={"Accept-Language": "es-ES,es;q=0.9"})
    assert 'lang="es"' in html_tag(page.text)
    assert page.headers["content-language"] == "es"
    for word in ("Buscar", "Objetivos", "Taxonomía", "Acerca de"):
        assert f">{word}<" in said(page.text)


def test_an_unknown_language_falls_back_to_english(site: TestClient) -> None:
    page = site.get("/search?lang=xx")
    assert page.status_code == 200
    assert 'lang="en"' in html_tag(page.text)
    assert ">Objectives<" in page.text
    assert "lang" not in page.cookies


def test_error_pages_show_the_problem_title_in_the_readers_language(site: TestClient) -> None:
    page = site.get("/no-such-page?lang=fr", headers={"Accept": "text/html"})
    assert page.status_code == 404
    title = translations("fr").gettext("Not found")
    assert title != "Not found"
    assert f"<h1>{title}" in said(page.text)


@pytest.fixture
def arabic_site(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Iterator[TestClient]:
    """Return a site offering Arabic too, for which there is no catalog."""
    from gcmhub.web.app import create_app

    monkeypatch.setenv("GCMHUB_LANGUAGES", "en,fr,es,ar")
    runtime.reset()
    with TestClient(create_app()) as client:
        yield client
    runtime.reset()


def test_arabic_without_a_catalog_shows_english_text_right_to_left(
    arabic_site: TestClient,
) -> None:
    assert os.environ["GCMHUB_LANGUAGES"].endswith(",ar")
    page = arabic_site.get("/?lang=ar")
    assert page.status_code == 200
    tag = html_tag(page.text)
    assert 'lang="ar"' in tag
    assert 'dir="rtl"' in tag
    assert ">Search<" in page.text
    assert 'hreflang="ar"' in page.text
    assert ">العربية<" in page.text


def test_french_pages_group_numbers_the_french_way(
    site: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gcmhub.web import pages

    counted = pages.item_counts
    monkeypatch.setattr(
        pages, "item_counts", lambda ctx: counted(ctx).model_copy(update={"total": 12345})
    )
    french = format_decimal(12345, locale="fr")
    assert french != format_decimal(12345, locale="en")
    page = site.get("/?lang=fr")
    items = translations("fr").ngettext("%(num)s knowledge item", "%(num)s knowledge items", 12345)
    assert items % {"num": french} in said(page.text)
    assert "12,345" not in page.text
    english = site.get("/?lang=en")
    assert "12,345 knowledge items" in english.text
